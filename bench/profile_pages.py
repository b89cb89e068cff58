"""Where a page's time goes, without a profiler's distortion (docs/performance.md).

cProfile charges every Python call, so it inflates whatever makes many small calls
(templates, the ORM) several times over. This instead times whole phases with
`perf_counter` at a few boundaries and charges each moment to exactly one of them:

- sql: inside a database cursor's execute (`execute_wrapper`, on every connection),
- cache: inside a call to the cache backend,
- template: inside `Template.render` (minus the SQL and cache it triggers itself),
- view: inside the view function (minus the above),
- other: the rest of the request: middleware, session and user, URL resolving, the
  response's headers.

A few hundred boundary crossings a request cost well under 0.1 ms. Run it on a seeded
bench database, in-process through Django's test client with the bench settings:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_100k \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/7 \\
    DJANGO_SETTINGS_MODULE=config.settings.bench .venv/bin/python -m bench.profile_pages

It only reads, except the page views' counters (Redis) and the merchant's session;
`--edits` also profiles the background edit of `catalog_under_edits`, which writes (a new
intro on one of the bench merchant's goods, as the bench does). `--cold` asks for a new
object each request where the scenario rotates: its first visits.
"""

import argparse
import statistics
import time

CATEGORIES = ("sql", "cache", "template", "view", "other")


class Clock:
    """Charges elapsed time to the innermost open phase."""

    def __init__(self):
        self.totals = dict.fromkeys(CATEGORIES, 0.0)
        self.counts = dict.fromkeys(CATEGORIES, 0)
        self.stack = ["other"]
        self.last = time.perf_counter()

    def enter(self, category):
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.last
        self.stack.append(category)
        self.counts[category] += 1
        self.last = now

    def exit(self):
        now = time.perf_counter()
        self.totals[self.stack.pop()] += now - self.last
        self.last = now

    def close(self):
        self.exit()


CLOCK: Clock | None = None


def _timed(category, function):
    def wrapper(*args, **kwargs):
        if CLOCK is None:
            return function(*args, **kwargs)
        CLOCK.enter(category)
        try:
            return function(*args, **kwargs)
        finally:
            CLOCK.exit()

    wrapper.__wrapped__ = function
    return wrapper


def _instrument():
    from django.core.cache import cache
    from django.core.handlers import base
    from django.template import base as template_base
    from django.template.backends import django as django_backend

    # Template.render of the engine (top level and nested includes alike: nested ones are
    # already inside "template", so charging them again changes nothing).
    template_base.Template.render = _timed("template", template_base.Template.render)
    django_backend.Template.render = _timed("template", django_backend.Template.render)
    backend = cache._connections[cache._alias] if hasattr(cache, "_connections") else None
    target = backend or cache
    for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "touch"):
        method = getattr(type(target), name, None)
        if method is not None:
            setattr(type(target), name, _timed("cache", method))
    original = base.BaseHandler.make_view_atomic

    def make_view_atomic(self, view):
        return _timed("view", original(self, view))

    base.BaseHandler.make_view_atomic = make_view_atomic


def _sql(execute, sql, params, many, context):
    if CLOCK is None:
        return execute(sql, params, many, context)
    CLOCK.enter("sql")
    try:
        return execute(sql, params, many, context)
    finally:
        CLOCK.exit()


def profile(client, paths: list[str], runs: int, send=None) -> dict:
    """Medians over `runs` requests, cycling through `paths` (one path: always a hit after
    the warm-up; many: each object's first visit, as the bench's one-connection phase).
    `send(client, path, number)` makes a request other than a GET (the background edit)."""
    global CLOCK
    from django.db import connections

    send = send or (lambda client, path, _number: client.get(path))
    for number in range(5):  # warm: imports, templates, the connection, the cards
        send(client, paths[0], number)
    samples = []
    for number in range(runs):
        path = paths[number % len(paths)] if len(paths) == 1 else paths[1 + number % (len(paths) - 1)]
        wrappers = [connection.execute_wrapper(_sql) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        CLOCK = Clock()
        started = time.perf_counter()
        response = send(client, path, number)
        total = time.perf_counter() - started
        CLOCK.close()
        clock, CLOCK = CLOCK, None
        for wrapper in reversed(wrappers):
            wrapper.__exit__(None, None, None)
        assert response.status_code == 200, (path, response.status_code)
        samples.append((total, clock))
    median = statistics.median

    return {
        "total_ms": median(t for t, _ in samples) * 1000,
        **{f"{c}_ms": median(clock.totals[c] for _, clock in samples) * 1000 for c in CATEGORIES},
        "queries": median(clock.counts["sql"] for _, clock in samples),
        "cache_calls": median(clock.counts["cache"] for _, clock in samples),
    }


def main(argv=None) -> int:
    import django

    django.setup()
    from django.test import Client

    from bench.scenarios import (
        BENCH_MERCHANT_EMAIL,
        SCENARIOS,
        background_edit,
        bench_api_token,
        resolve_targets,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument(
        "--only",
        nargs="*",
        default=[
            "product_page",
            "shop_page",
            "belt_page",
            "school_lesson",
            "campaign_leaderboard",
            "merchant_dashboard",
            "hello",
        ],
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="a different object per request where the scenario rotates (its misses), not one warm object",
    )
    parser.add_argument(
        "--edits",
        action="store_true",
        help="also the background edit of catalog_under_edits (PATCH through the API, the bench token)",
    )
    args = parser.parse_args(argv)
    _instrument()
    targets = resolve_targets(api_token=bench_api_token() if args.edits else "")
    anonymous = Client(HTTP_HOST="127.0.0.1")
    merchant = Client(HTTP_HOST="127.0.0.1")
    from merchants.models import User

    merchant.force_login(User.objects.get(email=BENCH_MERCHANT_EMAIL))
    print(
        f"{'page':<22}{'total':>8}{'sql':>8}{'cache':>8}{'tmpl':>8}{'view':>8}{'other':>8}{'q':>5}{'cache#':>7}"
    )
    rows = []
    for scenario in SCENARIOS:
        if scenario.name in args.only:
            # One object each, so the warm-up warms what is measured; --cold: a new one each time.
            paths = scenario.paths(targets, args.runs + 1 if args.cold and scenario.rotate else 1)
            rows.append((scenario.name, merchant if scenario.login else anonymous, paths, None))
    if args.edits:

        def edit(client, _path, number):
            path, body = background_edit(targets, number)
            authorization = f"Bearer {targets['api_token']}"
            return client.patch(path, body, content_type="application/json", HTTP_AUTHORIZATION=authorization)

        rows.append(("background_edit", anonymous, ["edit"], edit))
    for name, client, paths, send in rows:
        row = profile(client, paths, args.runs, send)
        print(
            f"{name:<22}{row['total_ms']:8.2f}{row['sql_ms']:8.2f}{row['cache_ms']:8.2f}"
            f"{row['template_ms']:8.2f}{row['view_ms']:8.2f}{row['other_ms']:8.2f}"
            f"{row['queries']:5.0f}{row['cache_calls']:7.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
