"""Cached page fragments: the cache guard and stampede protection every app's pages share.

The cache is an accelerator, never a dependency. Every call to it goes through
`cache_call`: after one failure the process leaves the cache alone for
`CACHE_RETRY_AFTER` seconds, so a cache that hangs costs one socket timeout, not one per
call on every request and every write (a CSV import saves thousands of goods).

Stampede protection (`cached`)
------------------------------
A key that carries a version (the generation, a row's `updated_at`) is missed by every
visitor at once right after a write: with N workers, N renders of the same fragment, and
each of them slower for the others. `cached` keeps one entry per *stable* key (what the
fragment is, without its version), holding the version it was rendered for and the HTML:

- entry at the wanted version: a hit.
- otherwise the first request takes a short rebuild lock (`add`, one per key and
  version) and renders; meanwhile the others serve the entry they found, the previous
  version, instead of rendering it too.
- the staleness is bounded by `STALE_FOR` seconds: the lock expires after it, and a
  previous version is served only while a rebuild is under way and, when the version
  says when it came to be (`changed_at`: a row's `updated_at`, the generation's birth),
  only within `STALE_FOR` of that write. After the bound every request renders the new
  version itself (and writes it), so a rebuilder that died holds nobody back for long.
- a request that finds no entry at all renders, as before: there is nothing to serve.

A single visitor after a write still sees the write at once (it takes the lock), which
the tests of "a write shows on the very next page" hold.
"""

import hashlib
import logging
import math
import time

from django.core.cache import cache
from django.db.models import F, Func, Subquery

logger = logging.getLogger(__name__)

# How long after a write a previous version of a fragment may still be served, while one
# request renders the new one (see "Stampede protection" above).
STALE_FOR = 2.0
CACHE_RETRY_AFTER = 5.0

# Bump when a page fragment's template or shape changes, so a deploy never serves old ones.
PAGE_FRAGMENT_VERSION = 1

_cache_down_until = 0.0


def fragment_key(kind: str, *parts) -> str:
    return ":".join(["page", str(PAGE_FRAGMENT_VERSION), kind, *map(str, parts)])


def cache_call(method: str, *args, default=None):
    """`cache.<method>(*args)`, or `default` when the cache fails or failed a moment ago."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return default
    try:
        return getattr(cache, method)(*args)
    except Exception:
        _cache_down_until = time.monotonic() + CACHE_RETRY_AFTER
        logger.warning("page cache unavailable; left alone for %s s", CACHE_RETRY_AFTER, exc_info=True)
        return default


def cache_usable() -> bool:
    return time.monotonic() >= _cache_down_until


def reset() -> None:
    """Forget an earlier failure (tests)."""
    global _cache_down_until
    _cache_down_until = 0.0


# `cached(entry=...)`'s default: the caller has not read the key.
NOT_READ = object()


def cached(key: str | None, version, build, *, timeout: int, changed_at: float | None = None, entry=NOT_READ):
    """`build()`'s value for `key` at `version`, from the cache when it holds that version.

    After a change of version, one request rebuilds while the others serve the previous
    version for at most `STALE_FOR` seconds (module docstring). `changed_at` is the time
    (epoch seconds) the version came to be, when known. `key` None: no cache, `build()`.
    `entry` is what the cache held under `key` when the caller read it already, in the
    round trip that read the version (`get_many`: None when it was not there).
    """
    if key is None:
        return _unwrap(build())
    if entry is NOT_READ:
        entry = cache_call("get", key)
    if not (isinstance(entry, tuple) and len(entry) == 2):
        entry = None
    elif entry[0] == version:
        return entry[1]
    now = time.time()
    lock = f"{key}:rebuild:{_digest(version)}"
    # Another request is rendering this version: serve the previous one if the write is recent.
    if (
        entry is not None
        and not cache_call("add", lock, now, math.ceil(STALE_FOR), default=True)
        and (changed_at is None or now - changed_at < STALE_FOR)
    ):
        started = cache_call("get", lock)
        if isinstance(started, float) and now - started < STALE_FOR:
            return entry[1]
    value = build()
    if isinstance(value, Uncacheable):
        return value.value
    cache_call("set", key, (version, value), timeout)
    return value


class Uncacheable:
    """What a `cached` build returns for a value that is this answer's only (a warning in it)."""

    def __init__(self, value):
        self.value = value


def _unwrap(value):
    return value.value if isinstance(value, Uncacheable) else value


def count_of(queryset) -> Subquery:
    """A version's part: how many rows `queryset` has (correlated through OuterRef, or not),
    as a scalar subquery, so that a page reads all its parts in one query. A COUNT with no
    GROUP BY gives one row even for none."""
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def newest(queryset, field: str) -> Subquery:
    """A version's part: the largest `field` of `queryset` (null for no rows)."""
    return Subquery(queryset.order_by().annotate(m=Func(F(field), function="MAX")).values("m"))


def _digest(version) -> str:
    return hashlib.sha256(repr(version).encode()).hexdigest()[:24]
