"""Views, purchase-link clicks and feed exposures of goods and videos, counted without
touching a row per request.

With Redis (production shape, and the PostgreSQL test run) a view is one HINCRBY in
a hash; `flush_product_counters_task` (Celery beat, every minute) renames the hash
atomically and adds its totals to the products (or videos) in one UPDATE per row, then
to their discovery rounds. Without Redis (the embedded portal) the same buffer lives in
this process's memory.
"""

import functools
import threading
from collections import Counter

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from core.fragments import cache_call, cache_usable

from .content.models import Video
from .discovery.services import apply_counts
from .fragments import catalog_changed, new_generation_token
from .models import Product

KINDS = ("view", "click", "impression")
# A video's signals (keyed by video id): strip exposures, plays started, plays to the end,
# purchase-link clicks from its player. Flushed into the videos and their discovery rounds.
VIDEO_KINDS = ("video-impression", "video-play", "video-completion", "video-click")
FLUSH_LOCK_KEY = "portal:counters-flush-lock"
# Replaced by every flush that applied counts: what the merchants' day rows (the
# dashboard's funnel) were last changed by, so a funnel drawn since can be reused.
FLUSH_STAMP_KEY = "portal:counters-flush-stamp"
PRODUCT_FIELDS = {"view": "view_count", "click": "click_count"}  # impressions live on ProductExposure
# A video's own totals (its exposures live on VideoExposure).
VIDEO_FIELDS = {
    "video-play": "play_count",
    "video-completion": "completion_count",
    "video-click": "click_count",
}
_memory = {kind: Counter() for kind in (*KINDS, *VIDEO_KINDS)}
_memory_lock = threading.Lock()


@functools.cache
def _client(url: str):

    # One client (and its connection pool) per process: a new one per call cost 2.3 ms
    # of connecting on every product page (docs/performance.md).
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def _redis():
    if not settings.REDIS_URL:
        return None
    return _client(settings.REDIS_URL)


def _key(kind: str) -> str:
    return f"portal:{kind}s" if kind in VIDEO_KINDS else f"portal:product-{kind}s"


def record(kind: str, product_id: int) -> None:
    """Count one view or click; never raises into the page (a lost count is acceptable)."""
    client = _redis()
    if client is None:
        with _memory_lock:
            _memory[kind][product_id] += 1
        return
    try:
        client.hincrby(_key(kind), product_id, 1)
    except Exception:  # the page matters more than one count
        return


def record_many(kind: str, product_ids) -> None:
    """Count one of `kind` for each product (a feed render's exposures): one round trip."""
    product_ids = list(product_ids)
    if not product_ids:
        return
    client = _redis()
    if client is None:
        with _memory_lock:
            _memory[kind].update(product_ids)
        return
    try:
        pipeline = client.pipeline(transaction=False)
        for product_id in product_ids:
            pipeline.hincrby(_key(kind), product_id, 1)
        pipeline.execute()
    except Exception:  # the page matters more than the counts
        return


def _drain(kind: str) -> dict[int, int]:
    client = _redis()
    if client is None:
        with _memory_lock:
            totals, _memory[kind] = dict(_memory[kind]), Counter()
        return totals
    draining = _key(kind) + ":draining"
    if not client.exists(draining):
        if not client.exists(_key(kind)):
            return {}
        client.rename(_key(kind), draining)
    totals = {int(k): int(v) for k, v in client.hgetall(draining).items()}
    client.delete(draining)
    return totals


def flush() -> dict[str, int]:
    """Add the buffered counts to the products and videos and their discovery rounds; return
    how many products (or videos) were updated per kind."""

    # One flush at a time: two would read the same draining hash and count it twice.
    if not cache.add(FLUSH_LOCK_KEY, 1, 5 * 60):
        return {}
    try:
        return _flush()
    finally:
        cache.delete(FLUSH_LOCK_KEY)


def _flush() -> dict[str, int]:

    updated = {}
    for kind in (*KINDS, *VIDEO_KINDS):
        totals = _drain(kind)
        model, field = (
            (Video, VIDEO_FIELDS.get(kind)) if kind in VIDEO_KINDS else (Product, PRODUCT_FIELDS.get(kind))
        )
        if field and totals:
            with transaction.atomic():
                for pk, count in sorted(totals.items()):  # one lock order for every flush
                    model.objects.filter(pk=pk).update(**{field: F(field) + count})
                if model is Product and field == "click_count":
                    catalog_changed(strip=False)  # the "popular" order moved; cards show no counts
        apply_counts(kind, totals)
        updated[kind] = len(totals)
    if any(updated.values()):
        # Now and again after commit, as catalog_changed: a funnel drawn in between may
        # have read the rows before the commit.
        _new_flush_stamp()
        transaction.on_commit(_new_flush_stamp, robust=True)
    return updated


def _new_flush_stamp() -> None:
    cache_call("set", FLUSH_STAMP_KEY, new_generation_token(), None)


def flush_stamp() -> str | None:
    """The stamp of the last flush that changed the merchants' day rows (one made up if
    none is known since the cache started); None when the cache cannot be read."""
    stamp = cache_call("get", FLUSH_STAMP_KEY)
    if stamp is None and cache_usable():
        cache_call("add", FLUSH_STAMP_KEY, new_generation_token(), None)
        stamp = cache_call("get", FLUSH_STAMP_KEY)
    return stamp


def discard() -> None:
    """Drop buffered counts without applying them (between tests; after restoring a backup)."""
    for kind in (*KINDS, *VIDEO_KINDS):
        _drain(kind)
