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

A hit costs cache round trips and no query. At a steady rate of writes the hit ratio is
about 1 − writes / reads: a catalog that changes ten times a second and is read two
hundred times a second still serves 95 % of its first pages from here.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:generation"


def catalog_changed() -> None:
    """Make every cached catalog fragment unreachable (call inside the write's transaction)."""
    _new_generation()
    transaction.on_commit(_new_generation, robust=True)


def _new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        # The cache is down: there is nothing to read stale from either, and fragments
        # written meanwhile expire after CATALOG_FRAGMENT_TTL.
        logger.warning("catalog generation not replaced", exc_info=True)


def generation_with(*keys: str) -> tuple[str | None, dict]:
    """The current generation and the values of `keys`, in one cache round trip.

    None when the cache cannot be read or fragments are off: callers then render afresh.
    """
    if not settings.CATALOG_FRAGMENT_TTL:
        keys = [key for key in keys if key != GENERATION_KEY]
        try:
            return None, cache.get_many(keys) if keys else {}
        except Exception:
            return None, {}
    try:
        values = cache.get_many([GENERATION_KEY, *keys])
    except Exception:
        logger.warning("catalog fragment cache unavailable", exc_info=True)
        return None, {}
    generation = values.pop(GENERATION_KEY, None)
    if generation is None:
        generation = uuid.uuid4().hex
        try:
            if not cache.add(GENERATION_KEY, generation, None):
                return None, values  # another process just set it: render this one afresh
        except Exception:
            return None, values
    return generation, values


def fragment_key(kind: str, generation: str, *parts) -> str:
    return ":".join(["fragment", kind, generation, *map(str, parts)])


def read(key: str | None):
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:
        logger.warning("catalog fragment cache unavailable", exc_info=True)
        return None


def write(key: str | None, value, timeout: int | None = None) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, timeout or settings.CATALOG_FRAGMENT_TTL)
    except Exception:
        logger.warning("catalog fragment cache unavailable", exc_info=True)
