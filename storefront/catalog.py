"""Catalog reads: filters, sorts and keyset pagination over published products.

Every sort is a key that ends in the id, and a page is "the next N rows after this
key" on a partial index of published products: page 1 and page 1 000 cost the same,
and nothing counts the table. The cursor is signed, so a tampered one is refused.

A search ranks the goods whose title holds the query first (`title_ranking`): the
results are two keyset segments, the title matches then the other matches, each in
the sort's order, and a search's cursor carries its segment ("g"), so paging over the
boundary repeats and skips nothing. A page that reaches the end of segment 1 (or finds
it empty) reads segment 2 with a second query; every other page is one query, as
without a search (docs/search.md).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core import signing
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from core.compiled import CompiledQuery
from core.fields import localized_name
from industrybelts.models import BeltMembership
from merchants.models import SellerType

from .indexing import source_kind_labels
from .models import (
    Product,
    ProductBeltExit,
    ProductImage,
    ProductLink,
    ProductStatus,
    SourceKind,
    StockStatus,
    Video,
)
from .permissions import can_view
from .search import TITLE_MARK, matching, normalize, title_query_grams

PAGE_SIZE = 24
CURSOR_SALT = "storefront.catalog.cursor"

PRICE_BANDS = {
    "0-50": (Decimal("0"), Decimal("50")),
    "50-200": (Decimal("50"), Decimal("200")),
    "200-1000": (Decimal("200"), Decimal("1000")),
    "1000+": (Decimal("1000"), None),
}


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool
    parse: type

    def order_by(self):
        sign = "-" if self.descending else ""
        return [f"{sign}{self.field}", f"{sign}id"]

    def after(self, value, pk):
        """The rows strictly after (value, pk) in this order.

        The leading `value` bound (`<=`, or `>=` ascending) is what lets the database
        start the index range at the cursor; the OR alone is only a filter, and page
        1 000 then reads the 24 000 index entries before it (docs/performance.md).
        """
        beyond = "lt" if self.descending else "gt"
        up_to = "lte" if self.descending else "gte"
        return Q(**{f"{self.field}__{up_to}": value}) & (
            Q(**{f"{self.field}__{beyond}": value}) | Q(**{self.field: value, f"id__{beyond}": pk})
        )


SORTS = {
    "new": Sort("published_at", True, datetime.datetime.fromisoformat),
    "price": Sort("wholesale_price", False, Decimal),
    "price_desc": Sort("wholesale_price", True, Decimal),
    "popular": Sort("click_count", True, int),
}


class InvalidCursor(ValueError):
    pass


# A ranked search's segments (catalog_page): the title matches, then the other matches.
# When a search's first page finds no title match, its matches are one segment of their
# own, read without excluding title matches: that NOT is a test of every match's grams
# (15 ms more for 珠宝玉石's 9 000 matches at 100k goods, docs/search.md).
NO_TITLE_MATCHES, TITLE_SEGMENT, OTHER_SEGMENT = 0, 1, 2


def encode_cursor(sort_key: str, product, segment: int | None = None) -> str:
    """The cursor after `product` (a Product, an API row, or a CardRef of this sort), in
    `segment` of a ranked search (None without a search)."""
    field = SORTS[sort_key].field
    if isinstance(product, CardRef):
        value, pk = product.sort_value, product.pk
    elif isinstance(product, dict):
        value, pk = product[field], product["pk"]
    else:
        value, pk = getattr(product, field), product.pk
    data = {
        "s": sort_key,
        "v": value.isoformat() if hasattr(value, "isoformat") else str(value),
        "i": pk,
    }
    if segment is not None:
        data["g"] = segment
    return signing.dumps(data, salt=CURSOR_SALT)


def decode_cursor(sort_key: str, cursor: str, *, ranked: bool = False):
    """(sort value, id, segment) of a cursor; the segment is None for an unranked list.

    A ranked search's cursor must carry a segment and an unranked list's must not: a
    cursor from before search ranked titles first (or from a list without the query)
    cannot say where its page ends in the other order, and is refused.
    """
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        if data["s"] != sort_key or ("g" in data) != ranked:
            raise InvalidCursor
        segment = int(data["g"]) if ranked else None
        if ranked and segment not in (NO_TITLE_MATCHES, TITLE_SEGMENT, OTHER_SEGMENT):
            raise InvalidCursor
        return SORTS[sort_key].parse(data["v"]), int(data["i"]), segment
    except (signing.BadSignature, KeyError, TypeError, ValueError, ArithmeticError):
        raise InvalidCursor from None


@dataclass
class CatalogPage:
    products: list
    next_cursor: str | None


def published_products():
    return Product.objects.filter(status=ProductStatus.PUBLISHED)


def with_card_data(queryset):
    """What a product card shows, in two queries for any page size."""
    return queryset.select_related("merchant", "origin_region", "belt").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))
    )


# The columns a product card reads (templates/storefront/partials/product_card.html), and
# the two that key it (storefront.cards), read as plain rows. Whole rows cost more than
# rendering the cards (a product row carries its search grams and intro, its merchant's row
# dozens of columns: docs/performance.md, change 11), and model instances for twenty cold
# cards, their region and live session, and the images' prefetch cost as much again as
# rows; a card drawn from a model reached into it some fifteen times (change 44).
CARD_COLUMNS = (
    "pk", "public_id", "updated_at", "title", "source_kind", "wholesale_price", "retail_price",
    "min_order_quantity", "origin_region__name", "origin_region__name_en", "featured_video_id",
    "live_session__status", "live_session__starts_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Card:
    """What a product card shows, ready to write out in the current language."""

    pk: int
    updated_at: datetime.datetime
    url: str
    title: str
    thumbnail_url: str | None
    has_video: bool
    live_status: str | None
    live_starts_at: datetime.datetime | None
    wholesale_price: Decimal
    retail_price: Decimal
    source_kind_label: str
    origin_name: str
    min_order_quantity: int


def cards_of(product_ids) -> list[Card]:
    """The cards of these goods in the current language, in no particular order: two
    queries for any number of cards (the goods' columns, their first photos)."""
    product_ids = list(product_ids)
    if not product_ids:
        return []
    rows = with_images(list(Product.objects.filter(pk__in=product_ids).values(*CARD_COLUMNS)))
    return [
        Card(
            pk=row["pk"],
            updated_at=row["updated_at"],
            url=reverse("storefront:product-detail", kwargs={"public_id": row["public_id"]}),
            title=row["title"],
            # The first photo's thumbnail, None while it is being made.
            thumbnail_url=image_url(row["images"][0][1]) if row["images"] else None,
            has_video=row["featured_video_id"] is not None,
            live_status=row["live_session__status"],
            live_starts_at=row["live_session__starts_at"],
            wholesale_price=row["wholesale_price"],
            retail_price=row["retail_price"],
            source_kind_label=_choice_label(SourceKind, row["source_kind"]),
            origin_name=localized_name(row["origin_region__name"], row["origin_region__name_en"]) or "",
            min_order_quantity=row["min_order_quantity"],
        )
        for row in rows
    ]


def _choice_label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value or ""


# What the public API shows of a good (ProductSerializer), as `values()` names, with the
# sort value of every catalog order and the feed's status.
API_FIELDS = (
    "pk", "public_id", "updated_at", "status", "title", "intro", "source_kind", "origin_province",
    "origin_city", "seller_type", "wholesale_price", "retail_price", "min_order_quantity",
    "stock_status", "published_at", "click_count", "merchant__public_id", "merchant__display_name",
    "belt__slug", "origin_region__code",
)  # fmt: skip


def api_rows(queryset, *, limit: int) -> list[dict]:
    """The first `limit` goods of `queryset` as the public API shows them: plain rows, each
    with `images`, its (large, thumbnail) file names in order. Two queries.

    Rows, not model instances: for a feed page of 100 the instances, their merchant,
    region and belt, and the images' prefetch took twice as long (docs/performance.md,
    change 13). `storefront.api.serializers.ProductSerializer` writes them out.
    """
    return with_images(list(queryset.values(*API_FIELDS)[:limit]))


def image_url(name: str) -> str | None:
    """The URL of a product photo's size by its file name, as `FieldFile.url` gives it (both
    sizes live in the same public storage; the private original is never shown), or None
    for a size not made yet."""
    return ProductImage._meta.get_field("large").storage.url(name) if name else None


def with_images(rows: list[dict]) -> list[dict]:
    """`rows` (API rows) each with `images`, its (large, thumbnail) file names: one query."""
    images: dict[int, list] = {row["pk"]: [] for row in rows}
    if rows:
        files = (
            ProductImage.objects.filter(product_id__in=list(images))
            .order_by("position", "pk")
            .values_list("product_id", "large", "thumbnail")
        )
        for product_id, large, thumbnail in files:
            images[product_id].append((large, thumbnail))
    for row in rows:
        row["images"] = images[row["pk"]]
    return rows


class CardRef(NamedTuple):
    """What a cached card's key needs (storefront.cards), and the row's sort value.

    A list page reads these as plain tuples: building model instances for them cost
    more than the query (docs/performance.md).
    """

    pk: int
    updated_at: datetime.datetime
    sort_value: object = None


def card_refs(queryset, sort_field: str | None = None) -> list[CardRef]:
    """The rows of `queryset` as CardRefs, with `sort_field`'s value when given."""
    if sort_field is None:
        return [CardRef(pk, updated_at) for pk, updated_at in queryset.values_list("pk", "updated_at")]
    return [CardRef(*row) for row in queryset.values_list("pk", "updated_at", sort_field)]


# Filters that match one column of the product exactly, by filter name; a city, the finer
# place, is used instead of its province when both are given.
EXACT_FILTERS = {
    "source_kind": "source_kind",
    "belt": "belt",
    "city": "origin_city",
    "province": "origin_province",
    "category": "category",
    "seller_type": "seller_type",
}


def filter_products(queryset, filters: dict, *, in_title: bool = False):
    """Apply validated filters (see storefront.forms.CatalogFilterForm) to published products.

    `in_title`: of a search's matches, only those whose title holds the query's grams.
    """
    for name, column in EXACT_FILTERS.items():
        if filters.get(name) and not (name == "province" and filters.get("city")):
            queryset = queryset.filter(**{column: filters[name]})
    if filters.get("price"):
        low, high = PRICE_BANDS[filters["price"]]
        queryset = queryset.filter(wholesale_price__gte=low)
        if high is not None:
            queryset = queryset.filter(wholesale_price__lt=high)
    if filters.get("q"):
        queryset = search(queryset, filters["q"], in_title=in_title)
    return queryset


class Ranking(NamedTuple):
    """A search's title matches (catalog_page's first segment) and their marked grams,
    whose absence makes the second segment (the other matches)."""

    first: object  # QuerySet
    marks: list[str]


def title_ranking(queryset, filters: dict) -> Ranking | None:
    """What puts a search's title matches first: of `queryset` (published goods) with
    `filters`, the goods whose title holds every gram of the query, by the marked title
    grams on the gram index.

    None without a query (or one with nothing searchable): the list keeps the sort alone.
    """
    marks = title_query_grams(filters.get("q") or "")
    if not marks:
        return None
    return Ranking(first=filter_products(queryset, filters, in_title=True), marks=marks)


def search(queryset, query: str, *, in_title: bool = False):
    """Products whose title, intro, category, belt or source kind contain the query, found
    through the gram index; with `in_title`, only those whose title holds its grams."""
    # A product's grams are made from its title, the start of its intro and its context words
    # (services._denormalize): a one-gram query needs no recheck.
    return matching(
        queryset,
        query,
        ("title", "intro"),
        grams_cover_fields=True,
        context=_in_context,
        mark=TITLE_MARK if in_title else "",
    )


def _in_context(phrase: str) -> Q:
    """Goods whose category, belt or source kind holds `phrase` (a longer query's recheck).

    Subqueries on the small category and belt tables rather than joins, so the product
    table's plan stays the gram index's (tests/storefront/test_search_plan.py).
    """
    category_model = Product._meta.get_field("category").related_model
    belt_model = Product._meta.get_field("belt").related_model
    named = Q(name__icontains=phrase) | Q(name_en__icontains=phrase)
    kinds = [
        kind for kind in SourceKind.values if any(phrase in normalize(w) for w in source_kind_labels(kind))
    ]
    return (
        Q(category__in=category_model.objects.filter(named).values("pk"))
        | Q(belt__in=belt_model.objects.filter(named).values("pk"))
        | Q(source_kind__in=kinds)
    )


def catalog_page(
    *, queryset, sort_key="new", cursor=None, page_size=PAGE_SIZE, refs_only=False, ranking=None
) -> CatalogPage:
    """Return one page after `cursor` (raises InvalidCursor for a tampered or foreign cursor).

    The page holds API rows (`api_rows`), or with `refs_only` CardRefs, for
    `storefront.cards.render_cards`.

    `ranking` (`title_ranking`'s, for a search) splits the rows in two segments: its
    title matches, then the rest of `queryset`, each in the sort's order. The cursor
    says which segment the page ended in; segment 2 is read only once segment 1 is
    exhausted, so a page costs a second query only where it crosses the boundary (or
    on page 1, when there is no title match at all: then the matches are one segment).
    """
    sort = SORTS.get(sort_key, SORTS["new"])
    position = decode_cursor(sort_key, cursor, ranked=ranking is not None) if cursor else None
    after = position[:2] if position else None
    at = position[2] if position else None
    limit = page_size + 1

    def read(part, segment, wanted, start):
        if start is not None:
            part = part.filter(sort.after(*start))
        part = part.order_by(*sort.order_by())
        found = card_refs(part[:wanted], sort.field) if refs_only else part.values(*API_FIELDS)[:wanted]
        return [(segment, row) for row in found]

    if ranking is None:
        rows = read(queryset, None, limit, after)
    elif at == NO_TITLE_MATCHES:
        rows = read(queryset, NO_TITLE_MATCHES, limit, after)
    elif at == OTHER_SEGMENT:
        rows = read(queryset.exclude(search_grams__has_all=ranking.marks), OTHER_SEGMENT, limit, after)
    else:
        rows = read(ranking.first, TITLE_SEGMENT, limit, after)
        if len(rows) < limit and (rows or position is not None):
            others = queryset.exclude(search_grams__has_all=ranking.marks)
            rows += read(others, OTHER_SEGMENT, limit - len(rows), None)
        elif not rows:
            rows = read(queryset, NO_TITLE_MATCHES, limit, None)
    next_cursor = (
        encode_cursor(sort_key, rows[page_size - 1][1], rows[page_size - 1][0])
        if len(rows) > page_size
        else None
    )
    products = [row for _segment, row in rows[:page_size]]
    return CatalogPage(products=products if refs_only else with_images(products), next_cursor=next_cursor)


def shop_first_page(merchant_id) -> CatalogPage:
    """A shop page's first page of goods (newest first) as `catalog_page` gives it with
    `refs_only`, from a query compiled once per process (core.compiled): the page most
    visitors of a shop read."""
    sort = SORTS["new"]
    rows = [
        CardRef(row["pk"], row["updated_at"], row[sort.field]) for row in _SHOP_FIRST_PAGE.rows(merchant_id)
    ]
    next_cursor = encode_cursor("new", rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    return CatalogPage(products=rows[:PAGE_SIZE], next_cursor=next_cursor)


def _shop_first_page_query(merchant_id):
    sort = SORTS["new"]
    goods = published_products().filter(merchant_id=merchant_id).order_by(*sort.order_by())
    return goods.values("pk", "updated_at", sort.field)[: PAGE_SIZE + 1]


_SHOP_FIRST_PAGE = CompiledQuery(
    _shop_first_page_query, field=Product._meta.get_field("merchant").target_field
)


def product_page_row(public_id) -> dict | None:
    """What says whether a product page's cached body is current, in one query of a few
    columns and no model instances: the good's status, owner and change time, its shop's
    change time, the latest change to the shop's belt memberships (the shop card shows
    the approved ones) and to the good's videos (the players under it). Everything else
    the body shows moves `updated_at`, or is reference data (names of regions, belts,
    categories). Compiled once per process (core.compiled): a hit pays only its SQL."""
    return _PRODUCT_PAGE_ROW.first(public_id)


def _product_page_row_query(public_id):
    latest_membership = (
        BeltMembership.objects.filter(merchant=OuterRef("merchant_id"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    # Every write to a video moves its `updated_at`, and one that changes its goods moves theirs.
    latest_video = (
        Video.products.through.objects.filter(product_id=OuterRef("pk"))
        .order_by("-video__updated_at")
        .values("video__updated_at")[:1]
    )
    return (
        Product.objects.filter(public_id=public_id)
        .values("pk", "status", "merchant__user_id", "updated_at", "merchant__updated_at")
        .annotate(memberships_at=Subquery(latest_membership), videos_at=Subquery(latest_video))
    )[:1]


_PRODUCT_PAGE_ROW = CompiledQuery(_product_page_row_query, field=Product._meta.get_field("public_id"))


# The columns a product page's body shows (templates/storefront/partials/product_page*.html,
# live_banner.html, the videos tag), read as one row. A first visit used to draw the page
# from whole rows of the good (its search grams), its shop (dozens of columns), belt, base,
# category and live session (docs/performance.md, change 42), then from model instances of
# the columns it shows, built by the ORM with the photos' and links' prefetches: 3.6 ms of
# a 6.3 ms first visit at 1m, against 0.6 ms for the same rows compiled once (change 46).
PRODUCT_PAGE_COLUMNS = (
    "pk", "public_id", "status", "title", "intro", "source_kind", "wholesale_price",
    "retail_price", "own_shop_price", "min_order_quantity", "stock_status", "origin_region_id",
    "featured_video_id", "merchant_id", "merchant__public_id", "merchant__user_id",
    "merchant__display_name", "merchant__seller_type", "merchant__region_id", "belt__slug",
    "belt__name", "belt__name_en", "live_session__status", "live_session__title",
    "live_session__room_url", "live_session__starts_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PageShop:
    pk: int
    public_id: object
    user_id: int
    display_name: str
    seller_type_label: str
    region_id: int | None


@dataclass(frozen=True, slots=True)
class PageBelt:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class PageLiveSession:
    status: str
    title: str
    room_url: str
    starts_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class ProductPage:
    """What a product page shows of a good, ready to write out in the current language."""

    pk: int
    public_id: object
    status: str
    status_label: str
    title: str
    intro: str
    source_kind_label: str
    wholesale_price: Decimal
    retail_price: Decimal
    own_shop_price: Decimal | None
    min_order_quantity: int
    stock_label: str
    origin_region_id: int | None
    featured_video_id: int | None
    merchant: PageShop
    belt: PageBelt | None
    live_session: PageLiveSession | None
    photos: tuple[str | None, ...]  # each photo's large size, None while it is being made
    link_platforms: tuple[str, ...]  # where to buy, by platform


def _product_page_query(public_id):
    return Product.objects.filter(public_id=public_id).values(*PRODUCT_PAGE_COLUMNS)[:1]


def _product_photos_query(product_id):
    return ProductImage.objects.filter(product_id=product_id).order_by("position", "pk").values("large")


def _product_links_query(product_id):
    return ProductLink.objects.filter(product_id=product_id).order_by("platform").values("platform")


_PRODUCT_PAGE = CompiledQuery(_product_page_query, field=Product._meta.get_field("public_id"))
_PRODUCT_PHOTOS = CompiledQuery(
    _product_photos_query, field=ProductImage._meta.get_field("product").target_field
)
_PRODUCT_LINKS = CompiledQuery(
    _product_links_query, field=ProductLink._meta.get_field("product").target_field
)


def product_for_page(public_id, viewer) -> ProductPage | None:
    """A good's page as `viewer` may see it (a published good, or the owner's own not
    deleted), else None: three queries, each compiled once per process (core.compiled).
    Region names come from merchants.selectors.region_full_names (kept per process)."""
    row = _PRODUCT_PAGE.first(public_id)
    if row is None:
        return None
    product = _page_of(
        row,
        photos=[photo["large"] for photo in _PRODUCT_PHOTOS.rows(row["pk"])],
        platforms=[link["platform"] for link in _PRODUCT_LINKS.rows(row["pk"])],
    )
    return product if can_view(viewer, product) else None


def _page_of(row: dict, *, photos: list, platforms: list) -> ProductPage:
    return ProductPage(
        pk=row["pk"],
        public_id=row["public_id"],
        status=row["status"],
        status_label=_choice_label(ProductStatus, row["status"]),
        title=row["title"],
        intro=row["intro"],
        source_kind_label=_choice_label(SourceKind, row["source_kind"]),
        wholesale_price=row["wholesale_price"],
        retail_price=row["retail_price"],
        own_shop_price=row["own_shop_price"],
        min_order_quantity=row["min_order_quantity"],
        stock_label=_choice_label(StockStatus, row["stock_status"]),
        origin_region_id=row["origin_region_id"],
        featured_video_id=row["featured_video_id"],
        merchant=PageShop(
            pk=row["merchant_id"],
            public_id=row["merchant__public_id"],
            user_id=row["merchant__user_id"],
            display_name=row["merchant__display_name"],
            seller_type_label=_choice_label(SellerType, row["merchant__seller_type"]),
            region_id=row["merchant__region_id"],
        ),
        belt=PageBelt(row["belt__slug"], localized_name(row["belt__name"], row["belt__name_en"]))
        if row["belt__slug"]
        else None,
        live_session=PageLiveSession(
            status=row["live_session__status"],
            title=row["live_session__title"],
            room_url=row["live_session__room_url"],
            starts_at=row["live_session__starts_at"],
        )
        if row["live_session__status"]
        else None,
        photos=tuple(image_url(name) for name in photos),
        link_platforms=tuple(platforms),
    )


# --- The partner feed --------------------------------------------------------------------

FEED_CURSOR_SALT = "storefront.partner-feed"
# Rows changed this recently are held back: a transaction that began earlier may still
# commit a row with an older updated_at, which a consumer past it would never see. On
# PostgreSQL the bound is also kept before the oldest transaction still open.
FEED_SETTLE = datetime.timedelta(seconds=5)
PRODUCT_ROW, BELT_EXIT_ROW = 0, 1


@dataclass(frozen=True)
class FeedEntry:
    public_id: object
    updated_at: datetime.datetime
    deleted: bool
    product: dict | None  # an API row (`api_rows`)
    sort_key: tuple = ()


@dataclass
class FeedPage:
    entries: list[FeedEntry]
    next_cursor: str | None
    has_more: bool


def _feed_cursor(entry: FeedEntry) -> str:
    updated_at, kind, pk = entry.sort_key
    return signing.dumps({"u": updated_at.isoformat(), "k": kind, "i": pk}, salt=FEED_CURSOR_SALT)


def _feed_position(cursor: str):
    try:
        data = signing.loads(cursor, salt=FEED_CURSOR_SALT)
        return datetime.datetime.fromisoformat(data["u"]), int(data.get("k", PRODUCT_ROW)), int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidCursor from None


def _after(field: str, kind: int, position) -> Q:
    """Rows of `kind` after the cursor in (time, kind, id) order; the first term bounds the
    index range scan, the rest drops rows of the cursor's own instant already served."""
    at, at_kind, at_pk = position
    same_instant = Q(**{field: at}) & (Q(pk__gt=at_pk) if kind == at_kind else Q(pk__gte=0))
    later = Q(**{f"{field}__gt": at}) | (same_instant if kind >= at_kind else Q(pk__in=[]))
    return Q(**{f"{field}__gte": at}) & later


def _settled_before() -> datetime.datetime:
    bound = timezone.now() - FEED_SETTLE
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            oldest = cursor.fetchone()[0]
        if oldest is not None:
            bound = min(bound, oldest - FEED_SETTLE)
    return bound


def partner_feed_page(*, belt=None, updated_since=None, cursor=None, page_size: int) -> FeedPage:
    """Every good that was ever public, by (updated_at, id): published ones and tombstones.

    A good that was unpublished, hidden or deleted is a tombstone; for a belt's feed, so is
    a good that left the belt (ProductBeltExit). One index range scan per kind of row
    (product_partner_feed_idx / product_partner_belt_feed_idx, product_belt_exit_feed_idx)
    and the card data's queries, whatever the catalog's size. The returned cursor resumes
    after the last row even when there is nothing more yet, so a consumer polls with it.
    """
    bound = _settled_before()
    position = _feed_position(cursor) if cursor else None
    products = Product.objects.filter(published_at__isnull=False, updated_at__lte=bound)
    if belt is not None:
        products = products.filter(belt=belt)
    if position:
        products = products.filter(_after("updated_at", PRODUCT_ROW, position))
    elif updated_since is not None:
        products = products.filter(updated_at__gte=updated_since)
    entries = [
        FeedEntry(
            public_id=row["public_id"],
            updated_at=row["updated_at"],
            deleted=row["status"] != ProductStatus.PUBLISHED,
            product=row if row["status"] == ProductStatus.PUBLISHED else None,
            sort_key=(row["updated_at"], PRODUCT_ROW, row["pk"]),
        )
        for row in api_rows(products.order_by("updated_at", "id"), limit=page_size + 1)
    ]
    if belt is not None:
        exits = ProductBeltExit.objects.filter(belt=belt, left_at__lte=bound)
        if position:
            exits = exits.filter(_after("left_at", BELT_EXIT_ROW, position))
        elif updated_since is not None:
            exits = exits.filter(left_at__gte=updated_since)
        entries += [
            FeedEntry(
                public_id=row.product.public_id,
                updated_at=row.left_at,
                deleted=True,
                product=None,
                sort_key=(row.left_at, BELT_EXIT_ROW, row.pk),
            )
            for row in exits.select_related("product")
            .only("left_at", "product__public_id")
            .order_by("left_at", "id")[: page_size + 1]
        ]
        entries.sort(key=lambda entry: entry.sort_key)
    has_more = len(entries) > page_size
    entries = entries[:page_size]
    next_cursor = _feed_cursor(entries[-1]) if entries else (cursor or None)
    return FeedPage(entries=entries, next_cursor=next_cursor, has_more=has_more)
