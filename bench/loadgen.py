"""The load generator: a separate process that drives the served portal over loopback.

    python -m bench.loadgen plan.json results.json

Each scenario runs in closed loop: `concurrency` threads, each with its own HTTP
connection, send requests back to back until the scenario's request count or its time
is used up (after a short unmeasured warm-up). Per request it records the latency, the
status and the server's `X-Bench-Queries` header. The merchant scenarios log in once
through the real log-in form (CSRF token from the form, session cookie from the
answer); writes send the CSRF token like a browser does. Nothing here imports Django's
settings: the requests come from `bench.scenarios`, the same list the test suite checks.
"""

import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie

from bench.noise import NoiseMeter
from bench.scenarios import SCENARIOS, RawRequest, background_edit, photo_jpeg

EDIT_LANES = 3  # connections the background edits are spread over (an edit takes ~100 ms here)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PRODUCT_LOCATION = re.compile(r"/catalog/p/([0-9a-f-]{36})/")


class Client:
    """One keep-alive connection (reopened when the server closes it) with a cookie jar."""

    def __init__(self, host: str, port: int, cookies: dict | None = None):
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: reconnect once.
                self.connection.close()
                if attempt:
                    raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response, content

    def keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value

    def close(self):
        self.connection.close()


def log_in(host: str, port: int, email: str, password: str) -> dict:
    """Log in through the real form; return the session and CSRF cookies."""
    client = Client(host, port)
    response, content = client.request("GET", "/accounts/login/")
    client.keep_cookies(response)
    token = CSRF_FIELD.search(content.decode()).group(1)
    body = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token})
    response, _ = client.request(
        "POST",
        "/accounts/login/",
        body.encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{host}:{port}/accounts/login/",
        },
    )
    client.keep_cookies(response)
    client.close()
    if response.status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"log-in as {email} failed: HTTP {response.status}")
    return client.cookies


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def run_scenario(
    scenario,
    plan: dict,
    targets: dict,
    state: dict,
    session: dict,
    *,
    concurrency: int,
    limits: dict,
    warmup: int,
) -> dict:
    """Send the scenario's requests from `concurrency` connections, within `limits`; measure."""
    host, port = plan["host"], plan["port"]
    max_requests, max_seconds = limits["requests"], limits["seconds"]
    paths = scenario.paths(targets, max_requests + warmup + concurrency)
    headers = {"Referer": f"http://{host}:{port}{scenario.path.split('?')[0]}"}
    if scenario.api_token:
        headers["Authorization"] = f"Bearer {targets['api_token']}"
    cookies = session if scenario.login else {}

    if scenario.optional_until:
        probe = Client(host, port, cookies)
        response, _ = probe.request("GET", paths[0], headers=headers)
        probe.close()
        if response.status == 404:
            reason = f"not yet available: {scenario.optional_until} (HTTP 404)"
            return {"name": scenario.name, "skipped": reason}

    lock = threading.Lock()
    issued = {"count": 0}
    latencies, queries, errors, statuses = [], [], [], {}
    measuring = threading.Event()
    deadline = {"at": None}

    def next_request():
        with lock:
            number = issued["count"]
            if number >= warmup + max_requests:
                return None
            if number == warmup and not measuring.is_set():
                measuring.set()
                deadline["at"] = time.perf_counter() + max_seconds
                deadline["started"] = time.perf_counter()
            if deadline["at"] is not None and time.perf_counter() > deadline["at"]:
                return None
            issued["count"] += 1
            if scenario.method == "GET":
                return number, None
            form = scenario.form(targets, state)
            return (number, form) if form is not None else None

    def worker():
        try:
            send_requests()
        except Exception as error:  # counted, so a broken scenario fails the run instead of looking fast
            with lock:
                errors.append(f"load generator: {type(error).__name__}: {error}")

    def send_requests():
        client = Client(host, port, cookies)
        while (item := next_request()) is not None:
            number, form = item
            body, request_headers, path = None, dict(headers), paths[number]
            if isinstance(form, RawRequest):
                body, path = form.body, form.path
                request_headers.update(form.headers, **{"X-CSRFToken": cookies.get("csrftoken", "")})
            elif form is not None:
                fields, files = form
                body, request_headers["Content-Type"] = multipart(
                    {**fields, "csrfmiddlewaretoken": cookies.get("csrftoken", "")}, files
                )
            started = time.perf_counter()
            try:
                if scenario.name == "video_upload_start":
                    request_headers["Accept"] = "application/json"
                response, content = client.request(scenario.method, path, body, request_headers)
            except OSError as error:
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if number >= warmup:
                    latencies.append(elapsed)
                    if response.getheader("X-Bench-Queries") is not None:
                        queries.append(int(response.getheader("X-Bench-Queries")))
                if response.status != scenario.expected_status:
                    if len(errors) < 5:
                        errors.append(f"HTTP {response.status} for {path[:120]}: {content[:200]!r}")
                    else:
                        errors.append(f"HTTP {response.status}")
                elif scenario.name == "video_upload_start":
                    state.setdefault("video_uploads", []).append(json.loads(content)["upload_url"])
                elif scenario.name == "quick_listing":
                    found = PRODUCT_LOCATION.search(response.getheader("Location", ""))
                    if found:
                        state.setdefault("listed_products", []).append(found.group(1))
        client.close()

    readers_done = threading.Event()
    edits = {"count": 0, "seconds": 0.0}

    def edit_in_background(lane: int, lanes: int):
        """A partner editing goods at its share of the scenario's rate while the readers read.

        Each lane sends on a fixed schedule; an edit that answers late delays only its own
        lane, so the rate holds as long as one edit takes less than `lanes` intervals.
        """
        client = Client(host, port)
        edit_headers = {
            "Authorization": f"Bearer {targets['api_token']}",
            "Content-Type": "application/json",
        }
        interval = lanes / scenario.edits_per_second
        started = time.perf_counter() + lane * interval / lanes
        sent = 0
        while not readers_done.wait(max(0.0, started + sent * interval - time.perf_counter())):
            with lock:
                number = state["edits"] = state.get("edits", 0) + 1
            path, body = background_edit(targets, number)
            sent += 1
            try:
                response, content = client.request("PATCH", path, body, edit_headers)
            except OSError as error:
                with lock:
                    errors.append(f"edit: {type(error).__name__}: {error}")
                continue
            with lock:
                edits["count"] += 1
                if response.status != 200:
                    errors.append(f"edit: HTTP {response.status} for {path}: {content[:200]!r}")
        with lock:
            edits["seconds"] = max(edits["seconds"], time.perf_counter() - started)
        client.close()

    lanes = EDIT_LANES if scenario.edits_per_second else 0
    editors = [threading.Thread(target=edit_in_background, args=(lane, lanes)) for lane in range(lanes)]
    for editor in editors:
        editor.start()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    readers_done.set()
    for editor in editors:
        editor.join()
    wall = time.perf_counter() - deadline.get("started", time.perf_counter())
    ordered = sorted(latencies)
    return {
        "name": scenario.name,
        "label": scenario.label,
        "group": scenario.group,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "throughput_rps": round(len(latencies) / wall, 1) if wall > 0 else 0.0,
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "errors": len(errors),
        "error_samples": errors[:5],
        "budget_p95_ms": scenario.budget_p95_ms,
        "edits": edits["count"],
        "edit_seconds": edits["seconds"],
        "reads_without_query": sum(1 for count in queries if count == 0),
        "reads_counted": len(queries),
    }


def measure(scenario, plan: dict, targets: dict, state: dict, session: dict) -> dict:
    """Latency from one connection, then throughput (and loaded latency) from `concurrency` ones.

    One connection gives the time a request takes on an otherwise idle server, which is
    what the latency budgets are about; the throughput needs the server saturated, where
    each request also waits for the others (Little's law: p50 ≈ connections / throughput).
    """
    kind = "write" if scenario.method != "GET" else "read"
    with NoiseMeter() as noise:
        latency = run_scenario(
            scenario, plan, targets, state, session,
            concurrency=1, limits=plan["limits"][f"latency_{kind}"], warmup=plan[f"warmup_{kind}"],
        )  # fmt: skip
        if "skipped" in latency:
            return latency
        loaded = run_scenario(
            scenario, plan, targets, state, session,
            concurrency=plan["concurrency"], limits=plan["limits"][kind], warmup=0,
        )  # fmt: skip
        # Spike mode: the same reads from many more connections than workers, as when a
        # page is shared widely: throughput, the tail a visitor waits in the queue, errors.
        spike = None
        if plan.get("spike") and kind == "read":
            spike = run_scenario(
                scenario, plan, targets, state, session,
                concurrency=plan["spike"], limits=plan["limits"]["spike"], warmup=0,
            )  # fmt: skip
    queries = [
        q
        for q in (
            latency["queries_min"],
            latency["queries_max"],
            loaded["queries_min"],
            loaded["queries_max"],
        )
        if q is not None
    ]
    statuses = dict(latency["statuses"])
    for status, count in loaded["statuses"].items():
        statuses[status] = statuses.get(status, 0) + count
    return {
        **{
            key: latency[key]
            for key in ("name", "label", "group", "p50_ms", "p95_ms", "p99_ms", "budget_p95_ms")
        },
        "requests": latency["requests"] + loaded["requests"],
        "loaded_p50_ms": loaded["p50_ms"],
        "loaded_p95_ms": loaded["p95_ms"],
        "throughput_rps": loaded["throughput_rps"],
        "concurrency": plan["concurrency"],
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "statuses": statuses,
        "errors": latency["errors"] + loaded["errors"],
        "error_samples": (latency["error_samples"] + loaded["error_samples"])[:5],
        "noise": round(noise.share, 3),
        "steal": round(noise.steal_share, 3),
        **_edit_summary(scenario, latency, loaded),
        **(
            {
                "spike_connections": plan["spike"],
                "spike_rps": spike["throughput_rps"],
                "spike_p50_ms": spike["p50_ms"],
                "spike_p99_ms": spike["p99_ms"],
                "spike_errors": spike["errors"],
                "spike_error_samples": spike["error_samples"],
            }
            if spike
            else {}
        ),
    }


def _edit_summary(scenario, *phases: dict) -> dict:
    """For a scenario read under edits: how many edits were made, at what rate, and the share
    of reads the server answered without a query (from the fragment cache)."""
    if not scenario.edits_per_second:
        return {}
    edits = sum(phase["edits"] for phase in phases)
    seconds = sum(phase["edit_seconds"] for phase in phases)
    counted = sum(phase["reads_counted"] for phase in phases)
    return {
        "edits": edits,
        "edits_per_second": round(edits / seconds, 1) if seconds else 0.0,
        "reads_without_query_share": round(sum(p["reads_without_query"] for p in phases) / counted, 3)
        if counted
        else None,
    }


def main(plan_path: str, results_path: str) -> int:
    with open(plan_path) as handle:
        plan = json.load(handle)
    targets = {**plan["targets"], "photo_jpeg": photo_jpeg()}
    only = set(plan.get("only") or [])
    session = log_in(plan["host"], plan["port"], targets["email"], targets["password"])
    state: dict = {}
    results = []
    for scenario in SCENARIOS:
        if only and scenario.name not in only:
            continue
        result = measure(scenario, plan, targets, state, session)
        results.append(result)
        if "skipped" in result:
            print(f"  {scenario.name:<22} skipped: {result['skipped']}", flush=True)
        else:
            print(
                f"  {scenario.name:<22} p50 {result['p50_ms']:>6.1f}  p95 {result['p95_ms']:>6.1f}  "
                f"loaded p95 {result['loaded_p95_ms']:>6.1f}  {result['throughput_rps']:>7.1f} req/s  "
                f"q {result['queries_min']}-{result['queries_max']}  errors {result['errors']}  "
                f"neighbour {result['noise']:.0%}",
                flush=True,
            )
            if "spike_rps" in result:
                print(
                    f"  {'':<22} spike ({result['spike_connections']} connections): "
                    f"{result['spike_rps']:>7.1f} req/s  p50 {result['spike_p50_ms']:>6.1f}  "
                    f"p99 {result['spike_p99_ms']:>6.1f}  errors {result['spike_errors']}",
                    flush=True,
                )
            if "edits" in result:
                print(
                    f"  {'':<22} {result['edits']} edits at {result['edits_per_second']}/s; "
                    f"{result['reads_without_query_share']:.0%} of reads without a query",
                    flush=True,
                )
    with open(results_path, "w") as handle:
        json.dump(results, handle, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
