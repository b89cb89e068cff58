"""How much of the machine something other than the bench used while it measured.

The bench shares the machine with whatever else runs (another test suite, say). The
machine's busy CPU time minus the bench's own processes (the served portal, the Celery
worker, their PostgreSQL sessions, the load generator) is what a neighbour took; rows
measured beside a busy neighbour are marked as noisy. Linux only (/proc).
"""

import os
import resource
import time

BENCH_MARKERS = ("bench.loadgen", "bench.run", "-Q bench", "portal_bench_", "config.wsgi")


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy since boot (all cores), and the part of
    them that was steal: time the hypervisor gave this machine's CPUs to another machine."""
    with open("/proc/stat") as handle:
        ticks = [int(value) for value in handle.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    per_second = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / per_second, steal / per_second


def _bench_cpu_seconds() -> dict[int, float]:
    """CPU seconds of each running bench process: gunicorn, the worker, its database sessions."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if any(marker in command for marker in BENCH_MARKERS):
            used[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


class NoiseMeter:
    """A `with` block's neighbour CPU: `foreign` seconds, `share` of all cores over its time,
    and `steal_share`, the part of it another virtual machine on the same host took."""

    def __enter__(self):
        self.started = time.perf_counter()
        self.busy, self.stolen = _cpu_seconds()
        self.bench = _bench_cpu_seconds()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = children.ru_utime + children.ru_stime
        return self

    def __exit__(self, *exc):
        bench = _bench_cpu_seconds()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = sum(used - self.bench.get(pid, 0.0) for pid, used in bench.items())
        own += children.ru_utime + children.ru_stime - self.children  # the load generator, when it ended
        self.seconds = time.perf_counter() - self.started
        busy, stolen = _cpu_seconds()
        self.foreign = max(0.0, busy - self.busy - own)
        capacity = self.seconds * (os.cpu_count() or 1)
        self.share = self.foreign / capacity
        self.steal_share = (stolen - self.stolen) / capacity
        return False
