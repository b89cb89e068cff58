"""Catalog reads: filters, sorts and keyset pagination over published products.

Every sort is a key that ends in the id, and a page is "the next N rows after this
key" on a partial index of published products: page 1 and page 1 000 cost the same,
and nothing counts the table. The cursor is signed, so a tampered one is refused.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core import signing
from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone

from .indexing import source_kind_labels
from .models import Product, ProductBeltExit, ProductImage, ProductStatus, SourceKind
from .permissions import can_view
from .search import matching, normalize

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


def encode_cursor(sort_key: str, product) -> str:
    """The cursor after `product` (a Product, an API row, or a CardRef of this sort)."""
    field = SORTS[sort_key].field
    if isinstance(product, CardRef):
        value, pk = product.sort_value, product.pk
    elif isinstance(product, dict):
        value, pk = product[field], product["pk"]
    else:
        value, pk = getattr(product, field), product.pk
    return signing.dumps(
        {
            "s": sort_key,
            "v": value.isoformat() if hasattr(value, "isoformat") else str(value),
            "i": pk,
        },
        salt=CURSOR_SALT,
    )


def decode_cursor(sort_key: str, cursor: str):
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        if data["s"] != sort_key:
            raise InvalidCursor
        return SORTS[sort_key].parse(data["v"]), int(data["i"])
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


def _images(*fields: str) -> Prefetch:
    return Prefetch(
        "images", queryset=ProductImage.objects.only("product", *fields).order_by("position", "pk")
    )


# The columns a product card reads (templates/storefront/partials/product_card.html), and
# the two that key it (storefront.cards). Loading whole rows cost more than rendering the
# cards: a product row carries its search grams and intro, and its merchant's row dozens
# of columns (docs/performance.md, change 11). Reading a column left out costs one query
# per card, which the cards' query-count tests would show.
CARD_FIELDS = (
    "public_id", "updated_at", "title", "source_kind", "wholesale_price", "retail_price",
    "min_order_quantity", "origin_region__name", "origin_region__name_en",
)  # fmt: skip
# What the public API shows of a good (ProductSerializer), as `values()` names, with the
# sort value of every catalog order and the feed's status.
API_FIELDS = (
    "pk", "public_id", "updated_at", "status", "title", "intro", "source_kind", "origin_province",
    "origin_city", "seller_type", "wholesale_price", "retail_price", "min_order_quantity",
    "stock_status", "published_at", "click_count", "merchant__public_id", "merchant__display_name",
    "belt__slug", "origin_region__code",
)  # fmt: skip


def with_card_fields(queryset):
    """Only what a card shows: two queries for any number of cards."""
    return queryset.select_related("origin_region").only(*CARD_FIELDS).prefetch_related(_images("thumbnail"))


def api_rows(queryset, *, limit: int) -> list[dict]:
    """The first `limit` goods of `queryset` as the public API shows them: plain rows, each
    with `images`, its (large, thumbnail) file names in order. Two queries.

    Rows, not model instances: for a feed page of 100 the instances, their merchant,
    region and belt, and the images' prefetch took twice as long (docs/performance.md,
    change 13). `storefront.api.serializers.ProductSerializer` writes them out.
    """
    rows = list(queryset.values(*API_FIELDS)[:limit])
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


def filter_products(queryset, filters: dict):
    """Apply validated filters (see storefront.forms.CatalogFilterForm) to published products."""
    for name, column in EXACT_FILTERS.items():
        if filters.get(name) and not (name == "province" and filters.get("city")):
            queryset = queryset.filter(**{column: filters[name]})
    if filters.get("price"):
        low, high = PRICE_BANDS[filters["price"]]
        queryset = queryset.filter(wholesale_price__gte=low)
        if high is not None:
            queryset = queryset.filter(wholesale_price__lt=high)
    if filters.get("q"):
        queryset = search(queryset, filters["q"])
    return queryset


def search(queryset, query: str):
    """Products whose title, intro, category, belt or source kind contain the query, found
    through the gram index."""
    # A product's grams are made from its title, the start of its intro and its context words
    # (services._denormalize): a one-gram query needs no recheck.
    return matching(queryset, query, ("title", "intro"), grams_cover_fields=True, context=_in_context)


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
    *, queryset, sort_key="new", cursor=None, page_size=PAGE_SIZE, refs_only=False
) -> CatalogPage:
    """Return one page after `cursor` (raises InvalidCursor for a tampered or foreign cursor).

    The page holds API rows (`api_rows`), or with `refs_only` CardRefs, for
    `storefront.cards.render_cards`.
    """
    sort = SORTS.get(sort_key, SORTS["new"])
    if cursor:
        value, pk = decode_cursor(sort_key, cursor)
        queryset = queryset.filter(sort.after(value, pk))
    queryset = queryset.order_by(*sort.order_by())
    if refs_only:
        rows = card_refs(queryset[: page_size + 1], sort.field)
    else:
        rows = api_rows(queryset, limit=page_size + 1)
    next_cursor = encode_cursor(sort_key, rows[page_size - 1]) if len(rows) > page_size else None
    return CatalogPage(products=rows[:page_size], next_cursor=next_cursor)


def product_for_page(public_id, viewer):

    product = (
        Product.objects.select_related(
            "merchant__region__parent__parent", "origin_region__parent__parent", "belt", "base", "category"
        )
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")), "links"
        )
        .filter(public_id=public_id)
        .first()
    )
    if product is None or not can_view(viewer, product):
        return None
    return product


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
