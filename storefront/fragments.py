"""Rendered catalog fragments, cached until the catalog changes (docs/performance.md).

A catalog page's listing (search box, filters, cards, next link) and each window of the
discovery strip are the same HTML for every visitor with the same language and query.
They are cached under the *catalog generation*, a token in the cache that every write
able to change a list replaces (`catalog_changed`):

- product saves and status moves (storefront.services),
- a processed photo (storefront.tasks),
- flushed clicks, which reorder "popular" (storefront.counters),
- a new discovery slate (storefront.discovery.services).

Keys carry the generation, so once a write is done nothing rendered before it is read
again, and the old entries expire. The token is replaced twice: at once, and again after
the write's transaction commits, because a page rendered between the two may have read
the rows before the commit. What no write path announces (belt, category and region
names) shows within `CATALOG_FRAGMENT_TTL` seconds (0 turns the fragments off: `make
bench` measures the pages that way too, as every page is right after a write).

The cache is an accelerator, never a dependency. Every call to it goes through
`_cache_call`: after one failure the process leaves the cache alone for
`CACHE_RETRY_AFTER` seconds, so a cache that hangs costs one socket timeout, not one per
call on every request and every write (a CSV import saves thousands of goods).

A hit costs cache round trips and no query. At a steady rate of writes the hit ratio is
about 1 − writes / reads: a catalog that changes ten times a second and is read two
hundred times a second still serves 95 % of its first pages from here.

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
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:generation"
# How long after a write a previous version of a fragment may still be served, while one
# request renders the new one (see "Stampede protection" above).
STALE_FOR = 2.0
# Bump when a fragment's template or shape changes, so a deploy never serves old ones
# (2: a search's listing ranks title matches first, and its cursors carry a segment;
# 3: `cached` entries hold (version, value) under a key without the version).
FRAGMENT_VERSION = 3
CACHE_RETRY_AFTER = 5.0

_cache_down_until = 0.0


def _cache_call(method: str, *args, default=None):
    """`cache.<method>(*args)`, or `default` when the cache fails or failed a moment ago."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return default
    try:
        return getattr(cache, method)(*args)
    except Exception:
        _cache_down_until = time.monotonic() + CACHE_RETRY_AFTER
        logger.warning("catalog cache unavailable; left alone for %s s", CACHE_RETRY_AFTER, exc_info=True)
        return default


def cache_usable() -> bool:
    return time.monotonic() >= _cache_down_until


def catalog_changed() -> None:
    """Make every cached catalog fragment unreachable (call inside the write's transaction)."""
    _new_generation()
    transaction.on_commit(_new_generation, robust=True)


def _new_generation() -> None:
    # If the cache is down there is nothing to read stale from either, and fragments
    # written meanwhile expire after CATALOG_FRAGMENT_TTL.
    _cache_call("set", GENERATION_KEY, new_generation_token(), None)


def new_generation_token() -> str:
    """A fresh generation that says when it was made (`generation_time`), so that the
    staleness `cached` allows after a write is counted from the write."""
    return f"{time.time():.6f}-{uuid.uuid4().hex[:16]}"


def generation_time(generation: str) -> float | None:
    try:
        return float(generation.split("-", 1)[0])
    except (ValueError, AttributeError):
        return None


def generation_with(*keys: str) -> tuple[str | None, dict]:
    """The current generation and the values of `keys`, in one cache round trip.

    None when the cache cannot be read or fragments are off: callers then render afresh.
    """
    if not settings.CATALOG_FRAGMENT_TTL:
        return None, read_many([key for key in keys if key != GENERATION_KEY])
    values = _cache_call("get_many", [GENERATION_KEY, *keys])
    if values is None:
        return None, {}
    generation = values.pop(GENERATION_KEY, None)
    if generation is None:
        generation = new_generation_token()
        if not _cache_call("add", GENERATION_KEY, generation, None):
            return None, values  # another process just set it, or the cache failed: render afresh
    return generation, values


def fragment_key(kind: str, *parts) -> str:
    return ":".join(["fragment", str(FRAGMENT_VERSION), kind, *map(str, parts)])


def read(key: str | None):
    return None if key is None else _cache_call("get", key)


def read_many(keys: list[str]) -> dict:
    return _cache_call("get_many", keys, default={}) if keys else {}


def write(key: str | None, value, timeout: int | None = None) -> None:
    if key is not None:
        _cache_call("set", key, value, timeout or settings.CATALOG_FRAGMENT_TTL)


def write_many(values: dict, timeout: int) -> None:
    if values:
        _cache_call("set_many", values, timeout)


def cached(key: str | None, version, build, *, timeout: int | None = None, changed_at: float | None = None):
    """`build()`'s value for `key` at `version`, from the cache when it holds that version.

    After a change of version, one request rebuilds while the others serve the previous
    version for at most `STALE_FOR` seconds (module docstring). `changed_at` is the time
    (epoch seconds) the version came to be, when known. `key` None: no cache, `build()`.
    """
    if key is None:
        return _unwrap(build())
    entry = _cache_call("get", key)
    if not (isinstance(entry, tuple) and len(entry) == 2):
        entry = None
    elif entry[0] == version:
        return entry[1]
    now = time.time()
    lock = f"{key}:rebuild:{_digest(version)}"
    # Another request is rendering this version: serve the previous one if the write is recent.
    if (
        entry is not None
        and not _cache_call("add", lock, now, math.ceil(STALE_FOR), default=True)
        and (changed_at is None or now - changed_at < STALE_FOR)
    ):
        started = _cache_call("get", lock)
        if isinstance(started, float) and now - started < STALE_FOR:
            return entry[1]
    value = build()
    if isinstance(value, Uncacheable):
        return value.value
    _cache_call("set", key, (version, value), timeout or settings.CATALOG_FRAGMENT_TTL)
    return value


class Uncacheable:
    """What a `cached` build returns for a value that is this answer's only (a warning in it)."""

    def __init__(self, value):
        self.value = value


def _unwrap(value):
    return value.value if isinstance(value, Uncacheable) else value


def _digest(version) -> str:
    return hashlib.sha256(repr(version).encode()).hexdigest()[:24]
