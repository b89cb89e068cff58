"""The bench's report: the spike columns sit beside the normal figures (no server needed)."""

from bench.run import table


def _row(name, rps, **extra):
    return {
        "name": name,
        "p50_ms": 1.0,
        "p95_ms": 2.0,
        "p99_ms": 3.0,
        "loaded_p95_ms": 4.0,
        "throughput_rps": rps,
        "queries_min": 0,
        "queries_max": 0,
        "errors": 0,
        "budget_p95_ms": None,
        "noise": 0.0,
        "steal": 0.0,
        **extra,
    }


def spike(rps, p50, p99, errors=0):
    return {
        "spike_connections": 16,
        "spike_rps": rps,
        "spike_p50_ms": p50,
        "spike_p99_ms": p99,
        "spike_errors": errors,
    }


def test_spike_mode_reports_throughput_ratio_p50_p99_and_errors_beside_the_normal_figures():
    report = table(
        [
            _row("hello", 1000, **spike(2000, 7.5, 12.0)),
            _row("product_page", 400, **spike(500, 30.0, 140.0, errors=2)),
            _row("quick_listing", 40),  # writes are not spiked
        ]
    )
    header, _rule, hello, product, writes = report.splitlines()[:5]
    assert header.endswith("spike (16 conn.) req/s | × hello | p50 ms | p99 ms | errors |")
    assert hello.endswith(" 2000 | 1.00 | 7.5 | 12.0 | 0 |")
    assert product.endswith(" 500 | 0.25 | 30.0 | 140.0 | 2 |")
    assert writes.endswith(" – | – | – | – | – |")


def test_without_spike_mode_the_table_is_as_before():
    header = table([_row("hello", 1000)]).splitlines()[0]
    assert header.endswith("| p95 budget | neighbour CPU |")
