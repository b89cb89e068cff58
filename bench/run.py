"""`make bench`: seed (once per scale), serve with gunicorn, load from a second process, report.

    python -m bench.run --scale 100k      # or 1m; see --help for the knobs

Each scale has its own database (`portal_bench_<scale>` on BENCH_PG, default
postgres://postgres@127.0.0.1:5432): it is created, migrated and seeded when missing
or seeded by an older seeder, and reused (after `migrate`, so new indexes apply)
otherwise. Redis db 3 (BENCH_REDIS_URL) holds the bench's cache and Celery queue and is
emptied before each run. The portal runs under gunicorn with `config.settings.bench`
(production settings on loopback), a Celery worker does the photo work, and
`bench/loadgen.py` drives it. The report goes to bench/results/<scale>-<timestamp>.json
and is printed as a table; any error in any scenario fails the run (exit status 1).
"""

import argparse
import datetime
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .noise import NoiseMeter

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Bump when the seeder writes different data: the next run reseeds from scratch.
SEED_VERSION = 2
NOISY_SHARE = 0.1  # a neighbour using more than this much of the machine makes a run noisy


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _python() -> str:
    return sys.executable


def _manage(env: dict, *args: str) -> None:
    subprocess.run([_python(), "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _env(database_url: str, redis_url: str, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "BENCH_DATABASE_URL": database_url,
        "BENCH_REDIS_URL": redis_url,
        **extra,
    }


# --- The database -----------------------------------------------------------------------


def _seeded_version(server_url: str, name: str):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with psycopg.connect(f"{server_url}/{name}", autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0]:
            return None
        return conn.execute("SELECT version, report FROM bench_seed").fetchone()


def prepare_database(server_url: str, scale: str, env: dict) -> dict:
    """Create, migrate and seed the scale's database unless it is seeded already; return the seed report."""
    import psycopg

    name = f"portal_bench_{scale}"
    seeded = _seeded_version(server_url, name)
    if seeded and seeded[0] == SEED_VERSION:
        _log(f"{name} is seeded already (delete it or bump SEED_VERSION to reseed); migrating")
        _manage(env, "migrate", "--noinput", "-v0")
        return json.loads(seeded[1])
    _log(f"creating {name}")
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    _manage(env, "migrate", "--noinput", "-v0")
    # The seeder processes the demo photos in-process (no worker runs yet).
    subprocess.run(  # noqa: S603 (our own interpreter and module)
        [_python(), "-m", "bench.seed", "--scale", scale],
        cwd=ROOT,
        env={**env, "CELERY_TASK_ALWAYS_EAGER": "1"},
        check=True,
    )
    report = {"seconds_including_migrate": round(time.perf_counter() - started, 1), "scale": scale}
    with psycopg.connect(f"{server_url}/{name}", autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_seed (version integer, report text)")
        conn.execute("INSERT INTO bench_seed VALUES (%s, %s)", [SEED_VERSION, json.dumps(report)])
    _log(f"seeded {name} in {report['seconds_including_migrate']} s")
    return report


# --- The spreadsheet import (run in-process by bench/bulk_import.py) --------------------


def bulk_import(server_url: str, rows: int = 10_000) -> dict:
    """Time a 10 000-row .xlsx import (upload POST, preview, confirm, write) on a fresh database."""
    import psycopg

    name = "portal_bench_import"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    out = RESULTS / ".logs" / "bulk_import.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"{server_url}/{name}",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    _log(f"spreadsheet import of {rows} rows (bench/bulk_import.py)")
    subprocess.run(  # noqa: S603 (our own interpreter and module)
        [_python(), "-m", "bench.bulk_import", "--rows", str(rows), "--json", str(out)],
        cwd=ROOT,
        env=env,
        check=False,
    )
    return json.loads(out.read_text()) if out.exists() else {"error": "bench/bulk_import.py did not finish"}


# --- The served portal ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, process, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__bench__/hello/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _stop(process) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _idle_priority() -> list[str]:
    """Run the worker only on CPU the portal leaves idle (SCHED_IDLE), as if on a machine of
    its own. A photo's WebP sizes cost 230 ms of CPU on the bench machine; at nice 15 the
    worker still took a core from the requests it was measured beside (docs/performance.md)."""
    if Path("/usr/bin/chrt").exists():
        return ["/usr/bin/chrt", "--idle", "0"]
    return ["/usr/bin/nice", "-n", "19"]


def machine() -> dict:
    import django
    import psycopg

    memory_kb = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
    }


def _prepare_targets(env: dict) -> dict:
    """Pick the targets, make the bench token, reset the bench merchant's sign-ups (with Django)."""
    code = (
        "import json, django; django.setup();"
        "from bench import scenarios as s;"
        "s.reset_bench_merchant_signups(); s.warm_slate_cards();"
        "from django.db import connection;"
        "print(json.dumps({'targets': s.resolve_targets(api_token=s.bench_api_token()),"
        " 'postgres': connection.cursor().connection.info.parameter_status('server_version')}))"
    )
    output = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [_python(), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- The report -----------------------------------------------------------------------


def _neighbour(result: dict) -> str:
    """The neighbour's share of the machine, and how much of it was steal by another VM."""
    steal = result.get("steal", 0)
    return f"{result.get('noise', 0):.0%}" + (f" ({steal:.0%} steal)" if steal >= 0.01 else "")


def table(results: list[dict]) -> str:
    hello = next((r for r in results if r["name"] == "hello" and "skipped" not in r), None)
    base = hello["throughput_rps"] if hello else 0
    spiked = next((r["spike_connections"] for r in results if "spike_connections" in r), None)
    spike_base = hello.get("spike_rps", 0) if hello else 0
    lines = [
        "| scenario | p50 ms | p95 ms | p99 ms | loaded p95 ms | req/s | × hello | queries | errors "
        "| p95 budget | neighbour CPU |"
        + (f" spike ({spiked} conn.) req/s | × hello | p50 ms | p99 ms | errors |" if spiked else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
        + ("---:|---:|---:|---:|---:|" if spiked else ""),
    ]
    for r in results:
        spike = ""
        if spiked:
            spike = (
                f" {r['spike_rps']:.0f} | {r['spike_rps'] / spike_base if spike_base else 0:.2f} | "
                f"{r['spike_p50_ms']:.1f} | {r['spike_p99_ms']:.1f} | {r['spike_errors']} |"
                if "spike_rps" in r
                else " – | – | – | – | – |"
            )
        if "skipped" in r:
            lines.append(f"| {r['name']} | – | – | – | – | – | – | – | – | {r['skipped']} | |" + spike)
            continue
        queries = (
            "–"
            if r["queries_min"] is None
            else str(r["queries_min"])
            if r["queries_min"] == r["queries_max"]
            else f"{r['queries_min']}–{r['queries_max']}"
        )
        budget = ""
        if r["budget_p95_ms"]:
            budget = f"{'✓' if r['p95_ms'] < r['budget_p95_ms'] else '✗'} < {r['budget_p95_ms']:.0f} ms"
        ratio = r["throughput_rps"] / base if base else 0
        lines.append(
            f"| {r['name']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['loaded_p95_ms']:.1f} | {r['throughput_rps']:.0f} | {ratio:.2f} | {queries} | "
            f"{r['errors']} | {budget} | "
            f"{_neighbour(r)} |" + spike
        )
    for r in results:
        if r.get("edits") is not None and "skipped" not in r:
            share = r["reads_without_query_share"]
            lines.append(
                f"\n{r['name']}: {r['edits']} edits through the API at {r['edits_per_second']}/s "
                f"during the row; {'–' if share is None else f'{share:.0%}'} of the pages were "
                "answered without a query (from the fragment cache)."
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Seed, serve and load the portal; print and save a report.")
    parser.add_argument("--scale", default=os.environ.get("SCALE", "100k"), choices=["small", "100k", "1m"])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (as in the README)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count(),
        help="connections the load generator keeps busy (default: one per CPU, see docs/performance.md)",
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="time limit per read scenario")
    parser.add_argument("--requests", type=int, default=3000, help="request limit per read scenario (loaded)")
    parser.add_argument(
        "--latency-requests", type=int, default=400, help="request limit per read scenario (one connection)"
    )
    parser.add_argument("--writes", type=int, default=200, help="request limit per write scenario")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests before a read scenario")
    parser.add_argument(
        "--write-warmup",
        type=int,
        default=None,
        help="unmeasured requests before a write scenario (default: four per gunicorn worker)",
    )
    parser.add_argument(
        "--only", nargs="*", help="run only these scenarios (quick checks, not a full report)"
    )
    parser.add_argument(
        "--fragments",
        choices=["on", "off"],
        default="on",
        help=(
            "off: no cached catalog fragments (CATALOG_FRAGMENT_TTL=0), every listing and strip "
            "as right after a write (cards stay cached)"
        ),
    )
    parser.add_argument(
        "--spike",
        type=int,
        nargs="?",
        const=16,
        default=0,
        help=(
            "also run each read scenario from this many connections (16 if given alone): "
            "throughput, p50, p99 and errors beside the normal figures"
        ),
    )
    parser.add_argument("--note", default="", help="a line saved with the results (what changed)")
    args = parser.parse_args(argv)

    server_url = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    database_url = f"{server_url}/portal_bench_{args.scale}"
    env = _env(database_url, redis_url)
    if args.fragments == "off":
        env["CATALOG_FRAGMENT_TTL"] = "0"
    started = time.perf_counter()

    seed_report = prepare_database(server_url, args.scale, env)
    _log("collecting static files")
    _manage(env, "collectstatic", "--noinput", "-v0")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    prepared = _prepare_targets(env)

    port = _free_port()
    venv_bin = Path(_python()).parent
    worker = gunicorn = None
    logs = RESULTS / ".logs"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        # The worker gets the CPU only when the portal leaves it some: in production it runs
        # beside the web processes, not in front of them, and here they share two cores.
        celery = [str(venv_bin / "celery"), "-A", "config", "worker", "--pool=solo", "-Q", "bench"]
        worker = subprocess.Popen(  # noqa: S603
            [*_idle_priority(), *celery, "--loglevel=WARNING"],
            cwd=ROOT,
            env=env,
            stdout=open(logs / "celery.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        bind = ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        gunicorn = subprocess.Popen(  # noqa: S603
            [str(venv_bin / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi", *bind],
            cwd=ROOT,
            env=env,
            stdout=open(logs / "gunicorn.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        _wait_until_up(port, gunicorn)
        _log(f"gunicorn on 127.0.0.1:{port} ({args.workers} workers); load: {args.concurrency} connections")
        plan = {
            "host": "127.0.0.1",
            "port": port,
            "concurrency": args.concurrency,
            # Each gunicorn worker's first request of a kind is slow (lazy imports, its
            # database connection, templates): 460-490 ms for a quick listing, against
            # 50-80 after it. Workers live for days in production; the budgets are about
            # their steady state, so the first requests are not measured. A sync worker
            # takes any new connection, so four per worker reach all of them (p ≈ 0.96).
            "warmup_read": args.warmup,
            "warmup_write": args.write_warmup if args.write_warmup is not None else 4 * args.workers,
            "limits": {
                "latency_read": {"requests": args.latency_requests, "seconds": args.seconds / 2},
                "read": {"requests": args.requests, "seconds": args.seconds},
                "latency_write": {"requests": args.writes // 2, "seconds": args.seconds * 2},
                "write": {"requests": args.writes // 2, "seconds": args.seconds * 2},
                "spike": {"requests": args.requests, "seconds": args.seconds / 2},
            },
            "spike": args.spike,
            "targets": prepared["targets"],
            "only": args.only,
        }
        plan_path, results_path = logs / "plan.json", logs / "loadgen.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False))
        with NoiseMeter() as noise:
            subprocess.run(  # noqa: S603
                [_python(), "-m", "bench.loadgen", str(plan_path), str(results_path)], cwd=ROOT, check=True
            )
    finally:
        _stop(gunicorn)
        _stop(worker)
    results = json.loads(results_path.read_text())
    imported = bulk_import(server_url) if not args.only or "bulk_import" in args.only else None

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "scale": args.scale,
        "at": stamp,
        "note": args.note,
        "machine": {**machine(), "postgres": prepared["postgres"]},
        "settings": {
            "gunicorn_workers": args.workers,
            "concurrency": args.concurrency,
            "seconds_per_scenario": args.seconds,
            "requests_per_scenario": args.requests,
            "writes_per_scenario": args.writes,
            "warmup": args.warmup,
            "write_warmup": plan["warmup_write"],
            "catalog_fragments": args.fragments,
            "spike_connections": args.spike,
        },
        "seed": seed_report,
        "noise": {
            "load_seconds": round(noise.seconds, 1),
            "other_processes_cpu_seconds": round(noise.foreign, 1),
            "other_processes_share_of_machine": round(noise.share, 3),
            "steal_share_of_machine": round(noise.steal_share, 3),
        },
        "results": results,
        "bulk_import": imported,
        "table": table(results),
        "run_seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    suffix = ("-fragments-off" if args.fragments == "off" else "") + ("-partial" if args.only else "")
    out = RESULTS / f"{args.scale}-{stamp}{suffix}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print()
    print(report["table"])
    if imported:
        print(f"\nspreadsheet import ({imported.get('rows')} rows): {json.dumps(imported)}")
    noise = report["noise"]
    share = noise["other_processes_share_of_machine"]
    print(
        f"\nother processes used {share:.0%} of the machine meanwhile"
        f" ({noise['steal_share_of_machine']:.0%} was steal by other virtual machines)"
        + (" (noisy: run again on a quiet machine)" if share > NOISY_SHARE else "")
    )
    print(f"{out.relative_to(ROOT)} ({report['run_seconds']} s)")
    failed = [r["name"] for r in results if r.get("errors") or r.get("spike_errors")]
    if failed:
        print(f"FAILED: errors in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
