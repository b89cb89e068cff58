"""The discovery feed as pages read it: a window of the precomputed slate, in fixed queries.

Each render shows the next window (an atomic counter in the cache moves the offset), so
every slot is shown about equally often and a product's exposure follows its slots.
"""

import logging

from django.core.cache import cache

from storefront import counters
from storefront.catalog import published_products, with_card_data
from storefront.models import ProductStatus

from .models import FeedSlot, ProductExposure
from .services import FEED_PAGE, slate_sizes

FEED_SIZE = FEED_PAGE
logger = logging.getLogger(__name__)


def _next_offset(key: str, size: int, length: int) -> int:
    counter = f"discovery:offset:{key}"
    try:
        turn = cache.incr(counter)
    except ValueError:
        cache.add(counter, 0, None)
        turn = cache.incr(counter)
    return ((turn - 1) * size) % length


def discovery_feed(*, belt=None, size: int = FEED_SIZE, record: bool = True) -> list:
    """Return up to `size` distinct published products for this render, and count their exposure.

    The strip is an extra on the page: if the cache or the slate cannot be read, the page
    is served without it (and the failure logged) rather than failing.
    """
    try:
        return _feed(belt=belt, size=size, record=record)
    except Exception:
        logger.exception("discovery feed unavailable")
        return []


def _feed(*, belt, size, record):
    sizes = slate_sizes()
    key = str(belt.pk) if belt is not None else "all"
    length = sizes.get(key, 0)
    if not length:
        return []
    start = _next_offset(key, size, length)
    window = size * 2  # room for duplicates and products unpublished since the slate was made
    slots = FeedSlot.objects.filter(belt=belt) if belt is not None else FeedSlot.objects.all()
    position = "belt_position" if belt is not None else "position"
    # Slots of goods still published only, so the cards are loaded for the `size` goods
    # shown and not for the whole window (half the strip's time, docs/performance.md).
    live = slots.filter(product__status=ProductStatus.PUBLISHED).order_by(position)
    ids = list(
        live.filter(**{f"{position}__gte": start, f"{position}__lt": start + window}).values_list(
            "product_id", flat=True
        )
    )
    if start + window > length:  # wrap around to the start of the slate
        ids += list(
            live.filter(**{f"{position}__lt": start + window - length}).values_list("product_id", flat=True)
        )
    ordered = list(dict.fromkeys(ids))[:size]
    products = with_card_data(published_products().filter(pk__in=ordered)).in_bulk()
    shown = [products[pk] for pk in ordered if pk in products]
    if record:
        counters.record_many("impression", [product.pk for product in shown])
    return shown


def merchant_funnel(products) -> dict[int, ProductExposure]:
    """The exposure rows of a page of the merchant's products (one query)."""
    return ProductExposure.objects.in_bulk([product.pk for product in products])
