"""Rendered catalog fragments, cached until the catalog changes (docs/performance.md).

A catalog page's listing (search box, filters, cards, next link) and each window of the
discovery strip are the same HTML for every visitor with the same language and query.
They are cached under the *catalog generation*, a token in the cache that every write
able to change a list replaces (`catalog_changed`):

- product saves and status moves (storefront.services),
- a processed photo (storefront.tasks),
- flushed clicks, which reorder "popular" (storefront.counters),
- a new discovery slate (storefront.discovery.services).

The listing's entry holds the generation it was drawn for (`cached`, one entry per
language and query): once a write is done nothing rendered before it is read again
(beyond `STALE_FOR` seconds while one request redraws it), and the old entries expire.

The discovery strip shows only the goods of the slate, a few thousand of a million, so
its windows follow a token of their own, the *strip generation*, which a write replaces
only when it may change what the slate shows: `catalog_changed(strip=False)` says the
goods written are none of the slate's or new (`storefront.services.good_changed` asks
`storefront.discovery.selectors.slate_shows`). A window found at an older strip
generation is checked with one query before it is served
(storefront.discovery.selectors). Without this, at ten edits a second every read
checked its window, as the rotation brings a window back only after hundreds of reads.

Each token is replaced twice: at once, and again after the write's transaction commits,
because a page rendered between the two may have read the rows before the commit. What
no write path announces (belt, category and region names) shows within
`CATALOG_FRAGMENT_TTL` seconds (0 turns the fragments off: `make bench` measures the
pages that way too, as every page is right after a write).

A hit costs cache round trips and no query. At a steady rate of writes the hit ratio is
about 1 − writes / reads: a catalog that changes ten times a second and is read two
hundred times a second still serves 95 % of its first pages from here.

The cache guard and the stampede protection every cached page shares (`cached`: after
a change one request redraws a fragment while the others serve the previous one for at
most `STALE_FOR` seconds) live in core.fragments.
"""

import time
import uuid

from django.conf import settings
from django.db import transaction

from core import fragments as _core
from core.fragments import CACHE_RETRY_AFTER, STALE_FOR, Uncacheable, cache_usable  # noqa: F401 (re-exported)
from core.fragments import cache_call as _cache_call

GENERATION_KEY = "catalog:generation"
STRIP_GENERATION_KEY = "catalog:strip-generation"
# Bump when a fragment's template or shape changes, so a deploy never serves old ones
# (2: a search's listing ranks title matches first, and its cursors carry a segment;
# 3: `cached` entries hold (version, value) under a key without the version).
FRAGMENT_VERSION = 3


def catalog_changed(*, strip: bool = True) -> None:
    """Make every cached catalog fragment unreachable (call inside the write's transaction).

    `strip=False`: the write changed no good the discovery strip may show, so its windows
    stay (module docstring). Say so only when that is known; the default is the safe one.
    """
    tokens = (GENERATION_KEY, STRIP_GENERATION_KEY) if strip else (GENERATION_KEY,)
    _new_generation(tokens)
    transaction.on_commit(lambda: _new_generation(tokens), robust=True)


def _new_generation(tokens) -> None:
    # If the cache is down there is nothing to read stale from either, and fragments
    # written meanwhile expire after CATALOG_FRAGMENT_TTL.
    _cache_call("set_many", dict.fromkeys(tokens, new_generation_token()), None)


def new_generation_token() -> str:
    """A fresh generation that says when it was made (`generation_time`), so that the
    staleness `cached` allows after a write is counted from the write."""
    return f"{time.time():.6f}-{uuid.uuid4().hex[:16]}"


def generation_time(generation: str) -> float | None:
    try:
        return float(generation.split("-", 1)[0])
    except (ValueError, AttributeError):
        return None


def generation_with(*keys: str | None, generation_key: str = GENERATION_KEY) -> tuple[str | None, dict]:
    """The current generation and the values of `keys` (None: left out), in one cache
    round trip. `generation_key` names another token kept the same way (the strip's, the
    live sessions'); a token among `keys` is read with it (`token_in` makes it if missing).

    None when the cache cannot be read or fragments are off: callers then render afresh.
    """
    keys = [key for key in keys if key is not None and key != generation_key]
    if not settings.CATALOG_FRAGMENT_TTL:
        return None, read_many(keys)
    values = _cache_call("get_many", [generation_key, *keys])
    if values is None:
        return None, {}
    return token_in(values, generation_key), values


def token_in(values: dict, key: str) -> str | None:
    """The generation token `key` as `values` (a `get_many`) found it, popped from them; a
    new one when there was none (None if another process just set it or the cache failed:
    render afresh)."""
    token = values.pop(key, None)
    if token is None:
        token = new_generation_token()
        if not _cache_call("add", key, token, None):
            return None
    return token


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


def cached(
    key: str | None,
    version,
    build,
    *,
    timeout: int | None = None,
    changed_at: float | None = None,
    entry=_core.NOT_READ,
):
    """core.fragments.cached, for catalog fragments (the catalog's TTL unless told)."""
    return _core.cached(
        key,
        version,
        build,
        timeout=timeout or settings.CATALOG_FRAGMENT_TTL,
        changed_at=changed_at,
        entry=entry,
    )


def cached_at_generation(key: str, generation: str | None, found: dict, build):
    """`cached` for a fragment versioned by a generation token, whose entry was read in the
    token's round trip (`found`, from `generation_with(key)`). No token: `build()`."""
    return cached(
        key if generation else None,
        generation,
        build,
        changed_at=generation_time(generation),
        entry=found.get(key),
    )
