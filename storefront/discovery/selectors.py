"""The discovery feed as pages read it: a window of the precomputed slate, in fixed queries.

Each render shows the next window (an atomic counter in the cache moves the offset), so
every slot is shown about equally often and a work's exposure follows its slots. A slot
shows a good (its cached product card) or a video (a video card: the poster, the video's
title and the good it sells, linking to that good's page at the video's player).
"""

import datetime
import logging
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from storefront import counters, fragments
from storefront.cards import render_cards
from storefront.catalog import CardRef
from storefront.content.models import Video, VideoStatus
from storefront.models import Product, ProductStatus

from .allocator import PRODUCT, VIDEO
from .models import FeedSlot, ProductExposure
from .services import FEED_PAGE, SLATE_CACHE_KEY, SLATE_ID, slate_sizes

FEED_SIZE = FEED_PAGE
STRIP_TEMPLATE = "storefront/partials/discovery_strip.html"
VIDEO_CARD_TEMPLATE = "storefront/partials/discovery_video_card.html"
# The counter kind of a work's exposure in the strip (storefront.counters).
EXPOSURE_KIND = {PRODUCT: "impression", VIDEO: "video-impression"}
logger = logging.getLogger(__name__)


class VideoRef(NamedTuple):
    """A video shown in the strip (its slots' goods are shown as CardRefs)."""

    pk: int
    product_id: int
    updated_at: datetime.datetime


class VideoCard(NamedTuple):
    """What a video's card shows, read with its slot (no query of its own)."""

    ref: VideoRef
    public_id: UUID
    title: str
    poster: str  # the storage name; empty while there is none
    product_public_id: UUID
    product_title: str
    wholesale_price: Decimal
    retail_price: Decimal
    product_updated_at: datetime.datetime

    @property
    def poster_url(self) -> str:
        return Video._meta.get_field("poster").storage.url(self.poster) if self.poster else ""


def _next_offset(key: str, size: int, length: int) -> int:
    counter = f"discovery:offset:{key}"
    try:
        turn = cache.incr(counter)
    except ValueError:
        cache.add(counter, 0, None)
        turn = cache.incr(counter)
    return ((turn - 1) * size) % length


def discovery_strip(*, generation: str | None, sizes: dict | None = None, belt=None, size: int = FEED_SIZE):
    """The strip of one render: up to `size` distinct public works (CardRefs for goods,
    VideoRefs for videos) and their HTML, with their exposures counted.

    A window is drawn once per slate and language (storefront.fragments) and kept with
    the strip generation it was last found current at (`generation`, the token
    fragments.STRIP_GENERATION_KEY names). At that generation a hit costs no query. Only
    a write that may change what the slate shows replaces it (a good of the slate, any
    video, a shop's goods withdrawn by compliance), so an edit of any other good costs
    the strip nothing (docs/performance.md, change 40). After such a write the window is
    checked instead of drawn again: one query reads its works' status and change times
    (two with videos), and only a window one of whose works changed or left is drawn
    afresh (change 29). A good taken down or edited still leaves or changes on the next
    render.
    The offset still moves on every render and every render counts its impressions, so
    exposure is shared as without the cache. `sizes` is the slate's sizes when the caller
    already read them. The strip is an extra on the page: if the cache or the slate
    cannot be read, the page is served without it (and the failure logged) rather than
    failing.
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
            # "window": entries hold (generation, rows, html); rows are (kind, id,
            # updated_at, the good's id, the good's updated_at)
            fragments.fragment_key(
                "strip-window", sizes.get(SLATE_ID), get_language(), key, length, start, size
            )
            if generation
            else None
        )
        entry = fragments.read(cache_key)
        if entry is not None and entry[0] != generation:
            entry = (generation, *entry[1:]) if _still_current(entry[1]) else None
            if entry is not None:
                fragments.write(cache_key, entry)
        if entry is None:
            shown = _window(belt=belt, size=size, start=start, length=length)
            html = render_to_string(STRIP_TEMPLATE, {"discovery_cards": _render(shown)}) if shown else ""
            entry = (generation, [_row(work) for work in shown], html)
            fragments.write(cache_key, entry)
        _generation, rows, html = entry
        works = [
            CardRef(pk, updated_at) if kind == PRODUCT else VideoRef(pk, product_id, updated_at)
            for kind, pk, updated_at, product_id, _product_updated_at in rows
        ]
        for kind in (PRODUCT, VIDEO):
            counters.record_many(EXPOSURE_KIND[kind], [row[1] for row in rows if row[0] == kind])
        return works, mark_safe(html)  # noqa: S308
    except Exception:
        logger.exception("discovery strip unavailable")
        return [], ""


def slate_shows(product_id: int) -> bool:
    """Whether the current slate has a slot for this good (its own, or a video's that sells
    it): a write to it alone otherwise leaves the strip's windows as they are
    (storefront.fragments, the strip generation)."""
    return FeedSlot.objects.filter(product_id=product_id).exists()


def _still_current(rows) -> bool:
    """Whether every work a drawn window shows is still public and unchanged: its good
    (and video) published with the change time the window was drawn from."""
    goods = {product_id: product_updated_at for _kind, _pk, _at, product_id, product_updated_at in rows}
    found = Product.objects.filter(pk__in=list(goods), status=ProductStatus.PUBLISHED).values_list(
        "pk", "updated_at"
    )
    if dict(found) != goods:
        return False
    videos = {pk: updated_at for kind, pk, updated_at, _product_id, _product_at in rows if kind == VIDEO}
    if not videos:
        return True
    found = Video.objects.filter(pk__in=list(videos), status=VideoStatus.PUBLISHED)
    return dict(found.values_list("pk", "updated_at")) == videos


def _row(work: CardRef | VideoCard) -> tuple[str, int, datetime.datetime, int, datetime.datetime]:
    """A shown work as the cached entry keeps it: (kind, id, updated_at, the good's id and
    updated_at)."""
    if isinstance(work, CardRef):
        return (PRODUCT, work.pk, work.updated_at, work.pk, work.updated_at)
    return (VIDEO, work.ref.pk, work.ref.updated_at, work.ref.product_id, work.product_updated_at)


def _render(shown: list[CardRef | VideoCard]) -> list:
    """The cards of a window, in its order: goods' from their cache, videos' drawn here."""
    goods = [work for work in shown if isinstance(work, CardRef)]
    cards = render_cards(goods)
    if len(cards) != len(goods):  # a good deleted since the window was read (rare): one by one
        cards = [next(iter(render_cards([ref])), None) for ref in goods]
    goods_cards = dict(zip((ref.pk for ref in goods), cards, strict=True))
    template = get_template(VIDEO_CARD_TEMPLATE)
    drawn = []
    for work in shown:
        if isinstance(work, VideoCard):
            drawn.append(mark_safe(template.render({"video": work})))  # noqa: S308 (autoescaped)
        elif goods_cards[work.pk] is not None:
            drawn.append(goods_cards[work.pk])
    return drawn


# The slot's columns a window reads: the good's card key, and a video's card when the slot has one.
WINDOW_COLUMNS = (
    "product_id",
    "product__updated_at",
    "video_id",
    "video__updated_at",
    "video__public_id",
    "video__title",
    "video__poster",
    "product__public_id",
    "product__title",
    "product__wholesale_price",
    "product__retail_price",
)


def _window(*, belt, size: int, start: int, length: int) -> list:
    window = size * 2  # room for duplicates and works taken down since the slate was made
    slots = FeedSlot.objects.filter(belt=belt) if belt is not None else FeedSlot.objects.all()
    position = "belt_position" if belt is not None else "position"
    # Slots of goods still published (and of videos still published), with only the goods'
    # card keys (the page draws those cards through storefront.cards' cache) and what a
    # video's card shows: one query for the window (docs/performance.md).
    live = slots.filter(product__status=ProductStatus.PUBLISHED).filter(
        Q(video__isnull=True) | Q(video__status=VideoStatus.PUBLISHED)
    )
    live = live.order_by(position)
    window_slots = live.filter(**{f"{position}__gte": start, f"{position}__lt": start + window})
    works = _works(window_slots)
    if start + window > length:  # wrap around to the start of the slate
        works += _works(live.filter(**{f"{position}__lt": start + window - length}))
    distinct = {}
    for key, work in works:
        distinct.setdefault(key, work)
    return list(distinct.values())[:size]


def _works(slots) -> list[tuple[tuple[str, int], CardRef | VideoCard]]:
    works = []
    for row in slots.values_list(*WINDOW_COLUMNS):
        product_id, product_updated_at, video_id, video_updated_at, *card = row
        if video_id is None:
            works.append(((PRODUCT, product_id), CardRef(product_id, product_updated_at)))
        else:
            ref = VideoRef(video_id, product_id, video_updated_at)
            works.append(((VIDEO, video_id), VideoCard(ref, *card, product_updated_at=product_updated_at)))
    return works


def merchant_funnel(products) -> dict[int, ProductExposure]:
    """The exposure rows of a page of the merchant's products (one query)."""
    return ProductExposure.objects.in_bulk([product.pk for product in products])


def belt_discovery_section(belt) -> dict:
    """The belt page's discovery strip (registered in storefront/apps.py)."""
    generation, cached = fragments.generation_with(
        SLATE_CACHE_KEY, generation_key=fragments.STRIP_GENERATION_KEY
    )
    discovery, discovery_html = discovery_strip(
        generation=generation, sizes=cached.get(SLATE_CACHE_KEY), belt=belt
    )
    return {"discovery": discovery, "discovery_html": discovery_html}
