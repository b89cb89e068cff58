"""Discovery's writes: products entering the pool, counted signals, and the allocation cycle.

The cycle runs in Celery (`run_discovery_cycle_task`, every five minutes): it reads the
pool and the window's exposure, applies `allocator` (the same code the simulation runs),
and writes the slate the pages read. Nothing here runs on a page request except
`enter_pool` (one insert when a product is first published).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from merchants.models import MerchantProfile
from storefront.cards import warm_cards
from storefront.fragments import catalog_changed
from storefront.models import Product, ProductStatus

from . import allocator
from .models import DiscoverySettings, ExposureHealth, FeedSlot, MerchantExposureDay, ProductExposure

SLATE_CACHE_KEY = "discovery:slate-sizes"
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
    )


def enter_pool(product: Product) -> None:
    """Give a newly published product its base exposures (once: republishing does not reset it)."""
    ProductExposure.objects.get_or_create(product=product, defaults={"merchant_id": product.merchant_id})


# --- Signals (called by storefront.counters.flush, in Celery) -----------------------------

ROUND_FIELD = {"impression": "round_impressions", "view": "round_views", "click": "round_clicks"}


# The merchant's day row's column for each kind of count (its funnel).
DAY_FIELD = {"impression": "impressions", "view": "views", "click": "clicks"}


def apply_counts(kind: str, totals: dict[int, int], *, day: datetime.date | None = None) -> None:
    """Add flushed counts to the products' rounds and to their merchants' day rows."""
    if not totals:
        return
    field = ROUND_FIELD[kind]
    with transaction.atomic():
        for product_id, count in sorted(totals.items()):  # one lock order for every flush
            updates = {field: F(field) + count}
            if kind == "impression":
                updates["impressions"] = F("impressions") + count
            ProductExposure.objects.filter(product_id=product_id, in_pool=True).update(**updates)
        per_merchant: dict[int, int] = defaultdict(int)
        for product_id, merchant_id in Product.objects.filter(pk__in=list(totals)).values_list(
            "pk", "merchant_id"
        ):
            per_merchant[merchant_id] += totals[product_id]
        day, column = day or timezone.localdate(), DAY_FIELD[kind]
        for merchant_id, count in sorted(per_merchant.items()):
            _row, created = MerchantExposureDay.objects.get_or_create(
                merchant_id=merchant_id, day=day, defaults={column: count}
            )
            if not created:
                MerchantExposureDay.objects.filter(merchant_id=merchant_id, day=day).update(
                    **{column: F(column) + count}, updated_at=timezone.now()
                )
        if kind == "impression":
            total = sum(totals.values())
            transaction.on_commit(lambda: _add_recent_exposures(total))


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
    rows = list(
        ProductExposure.objects.filter(in_pool=True, product__status=ProductStatus.PUBLISHED).values_list(
            "product_id",
            "merchant_id",
            "round",
            "round_impressions",
            "round_views",
            "round_clicks",
            "merchant__follower_count",
            "product__belt_id",
        )
    )
    candidates, belts = [], {}
    for product_id, merchant_id, round_, impressions, views, clicks, followers, belt_id in rows:
        candidates.append(
            allocator.Candidate(
                product_id=product_id,
                merchant_id=merchant_id,
                ordinary=followers < settings.ordinary_max_followers,
                round=round_,
                round_impressions=impressions,
                round_views=views,
                round_clicks=clicks,
            )
        )
        belts[product_id] = belt_id
    promotions = [p for p in (allocator.promote(c, policy) for c in candidates) if p is not None]
    _save_promotions(promotions)

    exposure = window_exposure(settings, today)
    # Plan for the traffic the strip really had since the last cycle (at least the staff's floor).
    recent = cache.get(RECENT_EXPOSURES_KEY) or 0
    cache.set(RECENT_EXPOSURES_KEY, 0, None)
    capacity = max(settings.cycle_capacity, recent)
    plan = allocator.allocate(candidates, exposure, capacity, policy, fill=_fill_products(settings))
    order = allocator.slate(
        plan.per_product,
        settings.slate_size,
        page=FEED_PAGE,
        seed=seed if seed is not None else int(timezone.now().timestamp()),
    )
    missing = set(order) - set(belts)
    if missing:
        belts.update(Product.objects.filter(pk__in=missing).values_list("pk", "belt_id"))
    _write_slate(order, belts)
    return _record_health(settings, today, exposure, candidates)


def _fill_products(settings) -> dict[int, tuple[int, bool]]:
    """Every merchant with published goods, with its newest product: where surplus traffic goes.

    One GROUP BY over published products, in Celery every few minutes (not on a page).
    """
    rows = (
        Product.objects.filter(status=ProductStatus.PUBLISHED)
        .values("merchant_id")
        .annotate(newest=Max("pk"), followers=Max("merchant__follower_count"))
    )
    return {
        row["merchant_id"]: (row["newest"], row["followers"] < settings.ordinary_max_followers)
        for row in rows
    }


def _save_promotions(promotions) -> None:
    now = timezone.now()
    with transaction.atomic():
        for promotion in promotions:
            # Only if still in the round that was judged (a cycle never undoes another's move).
            judged = ProductExposure.objects.filter(
                pk=promotion.product_id, round=promotion.from_round, in_pool=True
            )
            if promotion.to_round is None:
                judged.update(in_pool=False, updated_at=now)
            else:
                judged.update(
                    round=promotion.to_round,
                    round_impressions=0,
                    round_views=0,
                    round_clicks=0,
                    round_started_at=now,
                    updated_at=now,
                )


def _write_slate(order: list[int], belts: dict[int, int | None]) -> None:
    belt_counters: dict[int, int] = defaultdict(int)
    slots = []
    for position, product_id in enumerate(order):
        belt_id = belts.get(product_id)
        belt_position = None
        if belt_id is not None:
            belt_position = belt_counters[belt_id]
            belt_counters[belt_id] += 1
        slots.append(
            FeedSlot(position=position, belt_position=belt_position, product_id=product_id, belt_id=belt_id)
        )
    with transaction.atomic():
        FeedSlot.objects.all().delete()
        FeedSlot.objects.bulk_create(slots, batch_size=SLOT_BATCH)
    sizes = {"all": len(slots), **{str(belt): count for belt, count in belt_counters.items()}}
    transaction.on_commit(lambda: cache.set(SLATE_CACHE_KEY, sizes, SLATE_SIZES_TIMEOUT))
    catalog_changed()  # the strip's windows are cached per generation
    # The strips will show every slotted good: their cards are rendered here, not on pages.
    transaction.on_commit(lambda: warm_cards(order), robust=True)


def slate_sizes() -> dict[str, int]:
    """The current slate's length, overall and per belt: from the cache, else from the slots."""
    sizes = cache.get(SLATE_CACHE_KEY)
    if sizes is None:
        rows = FeedSlot.objects.values("belt_id").annotate(n=Count("pk"))
        sizes = {"all": sum(row["n"] for row in rows)}
        sizes.update({str(row["belt_id"]): row["n"] for row in rows if row["belt_id"] is not None})
        cache.set(SLATE_CACHE_KEY, sizes, SLATE_SIZES_TIMEOUT)
    return sizes


def _record_health(settings, today, exposure, candidates) -> dict:

    followers = (
        dict(MerchantProfile.objects.filter(pk__in=list(exposure)).values_list("pk", "follower_count"))
        if exposure
        else {}
    )
    total = sum(exposure.values())
    ordinary = sum(v for m, v in exposure.items() if followers.get(m, 0) < settings.ordinary_max_followers)
    in_pool = [c for c in candidates if c.in_pool]
    rounds = defaultdict(int)
    for candidate in in_pool:
        rounds[candidate.round] += 1
    figures = {
        "gini": Decimal(str(round(allocator.gini(exposure.values()), 3))),
        "ordinary_share": Decimal(str(round(ordinary / total, 3))) if total else Decimal(0),
        "pool_round1": rounds[1],
        "pool_round2": rounds[2],
        "pool_round3": rounds[3],
        "merchants": len(exposure),
        "impressions": total,
    }
    ExposureHealth.objects.update_or_create(day=today, defaults=figures)
    return figures
