"""The discovery feed as pages read it: a window of the precomputed slate, in fixed queries.

Each render shows the next window (an atomic counter in the cache moves the offset), so
every slot is shown about equally often and a product's exposure follows its slots.
"""

import logging

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from storefront import counters, fragments
from storefront.cards import render_cards
from storefront.catalog import CardRef
from storefront.models import ProductStatus

from .models import FeedSlot, ProductExposure
from .services import FEED_PAGE, slate_sizes

FEED_SIZE = FEED_PAGE
STRIP_TEMPLATE = "storefront/partials/discovery_strip.html"
logger = logging.getLogger(__name__)


def _next_offset(key: str, size: int, length: int) -> int:
    counter = f"discovery:offset:{key}"
    try:
        turn = cache.incr(counter)
    except ValueError:
        cache.add(counter, 0, None)
        turn = cache.incr(counter)
    return ((turn - 1) * size) % length


def discovery_strip(*, generation: str | None, sizes: dict | None = None, belt=None, size: int = FEED_SIZE):
    """The strip of one render: up to `size` distinct published goods (CardRefs) and their
    HTML, with their exposures counted.

    A window is rendered once per catalog generation and language (storefront.fragments),
    so a hit costs no query; the offset still moves on every render and every render
    counts its impressions, so exposure is shared as without the cache. `sizes` is the
    slate's sizes when the caller already read them. The strip is an extra on the page: if
    the cache or the slate cannot be read, the page is served without it (and the failure
    logged) rather than failing.
    """
    if not fragments.cache_usable():
        return [], ""  # the offsets live in the cache
    try:
        sizes = sizes if sizes is not None else slate_sizes()
        key = str(belt.pk) if belt is not None else "all"
        length = sizes.get(key, 0)
        if not length:
            return [], ""
        start = _next_offset(key, size, length)
        cache_key = (
            fragments.fragment_key("strip", generation, get_language(), key, length, start, size)
            if generation
            else None
        )
        entry = fragments.read(cache_key)
        if entry is None:
            shown = _window(belt=belt, size=size, start=start, length=length)
            html = render_to_string(STRIP_TEMPLATE, {"discovery_cards": render_cards(shown)}) if shown else ""
            entry = ([(ref.pk, ref.updated_at) for ref in shown], html)
            fragments.write(cache_key, entry)
        rows, html = entry
        counters.record_many("impression", [pk for pk, _updated_at in rows])
        return [CardRef(pk, updated_at) for pk, updated_at in rows], mark_safe(html)  # noqa: S308
    except Exception:
        logger.exception("discovery strip unavailable")
        return [], ""


def _window(*, belt, size: int, start: int, length: int) -> list[CardRef]:
    window = size * 2  # room for duplicates and products unpublished since the slate was made
    slots = FeedSlot.objects.filter(belt=belt) if belt is not None else FeedSlot.objects.all()
    position = "belt_position" if belt is not None else "position"
    # Slots of goods still published, with only their card keys (the page draws the cards
    # through storefront.cards' cache): one query for the window (docs/performance.md).
    live = slots.filter(product__status=ProductStatus.PUBLISHED).order_by(position)
    window_slots = live.filter(**{f"{position}__gte": start, f"{position}__lt": start + window})
    refs = _card_refs(window_slots)
    if start + window > length:  # wrap around to the start of the slate
        refs += _card_refs(live.filter(**{f"{position}__lt": start + window - length}))
    distinct = {}
    for ref in refs:
        distinct.setdefault(ref.pk, ref)
    return list(distinct.values())[:size]


def _card_refs(slots) -> list[CardRef]:
    return [CardRef(*row) for row in slots.values_list("product_id", "product__updated_at")]


def merchant_funnel(products) -> dict[int, ProductExposure]:
    """The exposure rows of a page of the merchant's products (one query)."""
    return ProductExposure.objects.in_bulk([product.pk for product in products])


def belt_discovery_section(belt) -> dict:
    """The belt page's discovery strip (registered in storefront/apps.py)."""
    generation, _cached = fragments.generation_with()
    discovery, discovery_html = discovery_strip(generation=generation, belt=belt)
    return {"discovery": discovery, "discovery_html": discovery_html}
