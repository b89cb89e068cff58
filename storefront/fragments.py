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
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:generation"
# Bump when a fragment's template or shape changes, so a deploy never serves old ones
# (2: a search's listing ranks title matches first, and its cursors carry a segment).
FRAGMENT_VERSION = 2
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
    _cache_call("set", GENERATION_KEY, uuid.uuid4().hex, None)


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
        generation = uuid.uuid4().hex
        if not _cache_call("add", GENERATION_KEY, generation, None):
            return None, values  # another process just set it, or the cache failed: render afresh
    return generation, values


def fragment_key(kind: str, generation: str, *parts) -> str:
    return ":".join(["fragment", str(FRAGMENT_VERSION), kind, generation, *map(str, parts)])


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
