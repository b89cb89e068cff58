"""Discovery's writes: works entering the pool, counted signals, and the allocation cycle.

A work is a good or a published short video (storefront.content); both climb in one pool.
The cycle runs in Celery (`run_discovery_cycle_task`, every five minutes): it reads the
pool and the window's exposure, applies `allocator` (the same code the simulation runs),
and writes the slate the pages read. Nothing here runs on a page request except
`enter_pool` (one insert when a product is first published; a video's row is made by its
processing when it is published).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from merchants.models import MerchantProfile
from storefront.cards import warm_cards
from storefront.content.models import Video, VideoExposure, VideoStatus
from storefront.fragments import catalog_changed, new_generation_token
from storefront.models import Product, ProductStatus

from . import allocator
from .allocator import PRODUCT, VIDEO
from .models import DiscoverySettings, ExposureHealth, FeedSlot, MerchantExposureDay, ProductExposure

SLATE_CACHE_KEY = "discovery:slate-sizes"
# The slate's identity in its sizes: a token made with every rebuild (and when the sizes
# are read again from the slots), so a strip window cached for one slate is never read
# for another.
SLATE_ID = "slate"
SLATE_SIZES_TIMEOUT = 15 * 60  # longer than a cycle; a miss is recomputed from the slots
FEED_PAGE = 12  # products per strip: no product gets more than one slot in FEED_PAGE
SLOT_BATCH = 5000


def policy_from(settings: DiscoverySettings) -> allocator.Policy:
    return allocator.Policy(
        budgets=(settings.base_budget, settings.round2_budget, settings.round3_budget),
        round2_min_ctr=float(settings.round2_min_ctr),
        round3_min_ctr=float(settings.round3_min_ctr),
        round3_min_conversion=float(settings.round3_min_conversion),
        gini_cap=float(settings.gini_cap),
        ordinary_floor=float(settings.ordinary_share_floor),
        video_round2_min_completion=float(settings.video_round2_min_completion),
        video_round3_min_completion=float(settings.video_round3_min_completion),
    )


def enter_pool(product: Product) -> None:
    """Give a newly published product its base exposures (once: republishing does not reset it)."""
    ProductExposure.objects.get_or_create(product=product, defaults={"merchant_id": product.merchant_id})


# --- Signals (called by storefront.counters.flush, in Celery) -----------------------------


@dataclass(frozen=True)
class Signal:
    """Where a flushed count goes: a round field of the work's exposure row (in-pool rows
    only), and a column of its merchant's day row (None: not part of the day's funnel)."""

    exposure: type[models.Model]
    work: type[models.Model]
    round_field: str
    day_field: str | None
    is_exposure: bool = False


SIGNALS = {
    "impression": Signal(ProductExposure, Product, "round_impressions", "impressions", is_exposure=True),
    "view": Signal(ProductExposure, Product, "round_views", "views"),
    "click": Signal(ProductExposure, Product, "round_clicks", "clicks"),
    # A video's exposures join its merchant's: the Gini window is per merchant over all works.
    "video-impression": Signal(VideoExposure, Video, "round_impressions", "impressions", is_exposure=True),
    "video-completion": Signal(VideoExposure, Video, "round_completions", None),
    # A purchase click from a video's player goes through the good's buy link, which counts
    # it as the good's click (and in the day's clicks) already: here it is only credited to
    # the video's round, never counted twice in the funnel.
    "video-click": Signal(VideoExposure, Video, "round_clicks", None),
}


def apply_counts(kind: str, totals: dict[int, int], *, day: datetime.date | None = None) -> None:
    """Add flushed counts (by product or video id) to the works' rounds and their merchants' days."""
    signal = SIGNALS.get(kind)
    if not totals or signal is None:  # plays started feed only the video's own counter
        return
    field = signal.round_field
    with transaction.atomic():
        for work_id, count in sorted(totals.items()):  # one lock order for every flush
            updates = {field: F(field) + count}
            if signal.is_exposure:
                updates["impressions"] = F("impressions") + count
            signal.exposure.objects.filter(pk=work_id, in_pool=True).update(**updates)
        if signal.day_field is not None:
            _add_to_days(signal, totals, day or timezone.localdate())
        if signal.is_exposure:
            total = sum(totals.values())
            transaction.on_commit(lambda: _add_recent_exposures(total))


def _add_to_days(signal: Signal, totals: dict[int, int], day: datetime.date) -> None:
    per_merchant: dict[int, int] = defaultdict(int)
    for work_id, merchant_id in signal.work.objects.filter(pk__in=list(totals)).values_list(
        "pk", "merchant_id"
    ):
        per_merchant[merchant_id] += totals[work_id]
    column = signal.day_field
    for merchant_id, count in sorted(per_merchant.items()):
        _row, created = MerchantExposureDay.objects.get_or_create(
            merchant_id=merchant_id, day=day, defaults={column: count}
        )
        if not created:
            MerchantExposureDay.objects.filter(merchant_id=merchant_id, day=day).update(
                **{column: F(column) + count}, updated_at=timezone.now()
            )


def _add_recent_exposures(count: int) -> None:
    try:
        cache.incr(RECENT_EXPOSURES_KEY, count)
    except ValueError:
        cache.add(RECENT_EXPOSURES_KEY, count, None)


# --- The cycle ---------------------------------------------------------------------------


def window_exposure(settings: DiscoverySettings, today: datetime.date) -> dict[int, int]:
    start = today - datetime.timedelta(days=settings.window_days - 1)
    rows = (
        # Rows of days with views or clicks but no exposure are not exposure.
        MerchantExposureDay.objects.filter(day__gte=start, day__lte=today, impressions__gt=0)
        .values("merchant_id")
        .annotate(total=Sum("impressions"))
    )
    return {row["merchant_id"]: row["total"] for row in rows}


CYCLE_LOCK_KEY = "discovery:cycle-lock"
RECENT_EXPOSURES_KEY = "discovery:exposures-since-cycle"


def run_cycle(*, today: datetime.date | None = None, seed: int | None = None) -> dict | None:
    """Promote, allocate, write the slate and today's health row; return the figures.

    One cycle at a time (a cache lock); a second one started meanwhile returns None.
    """
    if not cache.add(CYCLE_LOCK_KEY, 1, 15 * 60):
        return None
    try:
        return _cycle(today=today or timezone.localdate(), seed=seed)
    finally:
        cache.delete(CYCLE_LOCK_KEY)


def _cycle(*, today, seed):
    settings = DiscoverySettings.current()
    policy = policy_from(settings)
    goods, belts = _goods_pool(settings)
    videos, video_goods = _video_pool(settings)
    candidates = goods + videos
    promotions = [p for p in (allocator.promote(c, policy) for c in candidates) if p is not None]
    _save_promotions(promotions)

    exposure = window_exposure(settings, today)
    # Plan for the traffic the strip really had since the last cycle (at least the staff's floor).
    recent = cache.get(RECENT_EXPOSURES_KEY) or 0
    cache.set(RECENT_EXPOSURES_KEY, 0, None)
    capacity = max(settings.cycle_capacity, recent)
    plan = allocator.allocate(candidates, exposure, capacity, policy, fill=_fill_products(settings))
    order = allocator.slate(
        plan.per_work,
        settings.slate_size,
        page=FEED_PAGE,
        seed=seed if seed is not None else int(timezone.now().timestamp()),
    )
    slotted_goods = {_slot_good(key, video_goods) for key in order}
    missing = slotted_goods - set(belts)  # surplus goods and videos' goods
    if missing:
        belts.update(Product.objects.filter(pk__in=missing).values_list("pk", "belt_id"))
    _write_slate(order, belts, video_goods)
    return _record_health(settings, today, exposure, candidates, plan)


def _goods_pool(settings) -> tuple[list[allocator.Candidate], dict[int, int | None]]:
    """The published goods in the pool as candidates, and each one's belt (one query)."""
    rows = ProductExposure.objects.filter(in_pool=True, product__status=ProductStatus.PUBLISHED).values_list(
        "product_id",
        "merchant_id",
        "round",
        "round_impressions",
        "round_views",
        "round_clicks",
        "merchant__follower_count",
        "product__belt_id",
    )
    candidates, belts = [], {}
    for product_id, merchant_id, round_, impressions, views, clicks, followers, belt_id in rows:
        candidates.append(
            allocator.Candidate(
                work_id=product_id,
                merchant_id=merchant_id,
                ordinary=settings.is_ordinary(followers),
                round=round_,
                round_impressions=impressions,
                round_views=views,
                round_clicks=clicks,
            )
        )
        belts[product_id] = belt_id
    return candidates, belts


def _video_pool(settings) -> tuple[list[allocator.Candidate], dict[int, int]]:
    """The published videos in the pool that sell at least one published good, as candidates,
    and the good each one's slot links to: its first published good by id (one query)."""
    first_good = (
        Video.products.through.objects.filter(
            video_id=OuterRef("video_id"), product__status=ProductStatus.PUBLISHED
        )
        .order_by("product_id")
        .values("product_id")[:1]
    )
    rows = (
        VideoExposure.objects.filter(in_pool=True, video__status=VideoStatus.PUBLISHED)
        .annotate(good=Subquery(first_good))
        .filter(good__isnull=False)
        .values_list(
            "video_id",
            "merchant_id",
            "round",
            "round_impressions",
            "round_completions",
            "round_clicks",
            "merchant__follower_count",
            "good",
        )
    )
    candidates, goods = [], {}
    for video_id, merchant_id, round_, impressions, completions, clicks, followers, good in rows:
        candidates.append(
            allocator.Candidate(
                work_id=video_id,
                merchant_id=merchant_id,
                ordinary=settings.is_ordinary(followers),
                kind=VIDEO,
                round=round_,
                round_impressions=impressions,
                round_completions=completions,
                round_clicks=clicks,
            )
        )
        goods[video_id] = good
    return candidates, goods


def _slot_good(key: allocator.WorkKey, video_goods: dict[int, int]) -> int:
    """The good a slot links to: the good itself, or the good the video sells."""
    kind, work_id = key
    return work_id if kind == PRODUCT else video_goods[work_id]


def _fill_products(settings) -> dict[int, tuple[allocator.WorkKey, bool]]:
    """Every merchant with published goods, with its newest product: where surplus traffic goes.

    Goods only: a merchant whose works are all out of the pool is shown through its newest
    good, which every public video's merchant has (a video needs a published good to be
    slotted). One GROUP BY over published products, in Celery every few minutes (not on a page).
    """
    rows = (
        Product.objects.filter(status=ProductStatus.PUBLISHED)
        .values("merchant_id")
        .annotate(newest=Max("pk"), followers=Max("merchant__follower_count"))
    )
    return {
        row["merchant_id"]: ((PRODUCT, row["newest"]), settings.is_ordinary(row["followers"])) for row in rows
    }


# The round signals a promotion resets, per kind of work.
ROUND_SIGNALS = {
    PRODUCT: (ProductExposure, ("round_views", "round_clicks")),
    VIDEO: (VideoExposure, ("round_completions", "round_clicks")),
}


def _save_promotions(promotions) -> None:
    now = timezone.now()
    with transaction.atomic():
        for promotion in promotions:
            model, signals = ROUND_SIGNALS[promotion.kind]
            # Only if still in the round that was judged (a cycle never undoes another's move).
            judged = model.objects.filter(pk=promotion.work_id, round=promotion.from_round, in_pool=True)
            if promotion.to_round is None:
                judged.update(in_pool=False, updated_at=now)
            else:
                judged.update(
                    round=promotion.to_round,
                    round_impressions=0,
                    **dict.fromkeys(signals, 0),
                    round_started_at=now,
                    updated_at=now,
                )


def _write_slate(
    order: list[allocator.WorkKey],
    belts: dict[int, int | None],
    video_goods: dict[int, int] | None = None,
) -> None:
    """Replace the slate with `order`'s works; a video's slot links to its good (`video_goods`)
    and is in that good's belt."""
    video_goods = video_goods or {}
    belt_counters: dict[int, int] = defaultdict(int)
    slots = []
    for position, key in enumerate(order):
        product_id = _slot_good(key, video_goods)
        belt_id = belts.get(product_id)
        belt_position = None
        if belt_id is not None:
            belt_position = belt_counters[belt_id]
            belt_counters[belt_id] += 1
        slots.append(
            FeedSlot(
                position=position,
                belt_position=belt_position,
                product_id=product_id,
                belt_id=belt_id,
                video_id=key[1] if key[0] == VIDEO else None,
            )
        )
    with transaction.atomic():
        FeedSlot.objects.all().delete()
        FeedSlot.objects.bulk_create(slots, batch_size=SLOT_BATCH)
    sizes = {"all": len(slots), **{str(belt): count for belt, count in belt_counters.items()}}
    sizes[SLATE_ID] = new_generation_token()
    transaction.on_commit(lambda: cache.set(SLATE_CACHE_KEY, sizes, SLATE_SIZES_TIMEOUT))
    catalog_changed()  # the strip's windows are cached per generation
    # The strips will show every slotted good: their cards are rendered here, not on pages.
    # (A video's card is drawn inside the strip's cached window from its slot's row.)
    shown_goods = [work_id for kind, work_id in order if kind == PRODUCT]
    transaction.on_commit(lambda: warm_cards(shown_goods), robust=True)


def slate_sizes() -> dict:
    """The current slate's length, overall and per belt, and which slate it is (`SLATE_ID`):
    from the cache, else from the slots."""
    sizes = cache.get(SLATE_CACHE_KEY)
    if sizes is None:
        rows = FeedSlot.objects.values("belt_id").annotate(n=Count("pk"))
        sizes = {"all": sum(row["n"] for row in rows)}
        sizes.update({str(row["belt_id"]): row["n"] for row in rows if row["belt_id"] is not None})
        sizes[SLATE_ID] = new_generation_token()  # windows drawn before are simply not found
        cache.set(SLATE_CACHE_KEY, sizes, SLATE_SIZES_TIMEOUT)
    return sizes


def _record_health(settings, today, exposure, candidates, plan) -> dict:
    followers = (
        dict(MerchantProfile.objects.filter(pk__in=list(exposure)).values_list("pk", "follower_count"))
        if exposure
        else {}
    )
    total = sum(exposure.values())
    ordinary = sum(v for m, v in exposure.items() if settings.is_ordinary(followers.get(m, 0)))
    rounds = {PRODUCT: defaultdict(int), VIDEO: defaultdict(int)}
    for candidate in candidates:
        if candidate.in_pool:
            rounds[candidate.kind][candidate.round] += 1
    planned = sum(plan.per_work.values())
    planned_videos = sum(value for (kind, _id), value in plan.per_work.items() if kind == VIDEO)
    figures = {
        "gini": Decimal(str(round(allocator.gini(exposure.values()), 3))),
        "ordinary_share": Decimal(str(round(ordinary / total, 3))) if total else Decimal(0),
        "pool_round1": rounds[PRODUCT][1],
        "pool_round2": rounds[PRODUCT][2],
        "pool_round3": rounds[PRODUCT][3],
        "video_pool_round1": rounds[VIDEO][1],
        "video_pool_round2": rounds[VIDEO][2],
        "video_pool_round3": rounds[VIDEO][3],
        "video_share": Decimal(str(round(planned_videos / planned, 3))) if planned else Decimal(0),
        "merchants": len(exposure),
        "impressions": total,
    }
    ExposureHealth.objects.update_or_create(day=today, defaults=figures)
    return figures
