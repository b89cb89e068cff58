"""Catalog reads: filters, sorts and keyset pagination over published products.

Every sort is a key that ends in the id, and a page is "the next N rows after this
key" on a partial index of published products: page 1 and page 1 000 cost the same,
and nothing counts the table. The cursor is signed, so a tampered one is refused.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.db.models import Prefetch, Q

from .models import Product, ProductImage, ProductStatus
from .search import matching

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
        """The rows strictly after (value, pk) in this order."""
        beyond = "lt" if self.descending else "gt"
        return Q(**{f"{self.field}__{beyond}": value}) | Q(**{self.field: value, f"id__{beyond}": pk})


SORTS = {
    "new": Sort("published_at", True, datetime.datetime.fromisoformat),
    "price": Sort("wholesale_price", False, Decimal),
    "price_desc": Sort("wholesale_price", True, Decimal),
    "popular": Sort("click_count", True, int),
}


class InvalidCursor(ValueError):
    pass


def encode_cursor(sort_key: str, product: Product) -> str:
    value = getattr(product, SORTS[sort_key].field)
    return signing.dumps(
        {
            "s": sort_key,
            "v": value.isoformat() if hasattr(value, "isoformat") else str(value),
            "i": product.pk,
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


def filter_products(queryset, filters: dict):
    """Apply validated filters (see storefront.forms.CatalogFilterForm) to published products."""
    if filters.get("source_kind"):
        queryset = queryset.filter(source_kind=filters["source_kind"])
    if filters.get("belt"):
        queryset = queryset.filter(belt=filters["belt"])
    if filters.get("city"):
        queryset = queryset.filter(origin_city=filters["city"])
    elif filters.get("province"):
        queryset = queryset.filter(origin_province=filters["province"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    if filters.get("seller_type"):
        queryset = queryset.filter(seller_type=filters["seller_type"])
    if filters.get("price"):
        low, high = PRICE_BANDS[filters["price"]]
        queryset = queryset.filter(wholesale_price__gte=low)
        if high is not None:
            queryset = queryset.filter(wholesale_price__lt=high)
    if filters.get("q"):
        queryset = search(queryset, filters["q"])
    return queryset


def search(queryset, query: str):
    """Products whose title or intro contain the query, found through the gram index."""
    return matching(queryset, query, ("title", "intro"))


def catalog_page(*, queryset, sort_key="new", cursor=None, page_size=PAGE_SIZE) -> CatalogPage:
    """Return one page after `cursor` (raises InvalidCursor for a tampered or foreign cursor)."""
    sort = SORTS.get(sort_key, SORTS["new"])
    if cursor:
        value, pk = decode_cursor(sort_key, cursor)
        queryset = queryset.filter(sort.after(value, pk))
    rows = list(with_card_data(queryset.order_by(*sort.order_by()))[: page_size + 1])
    next_cursor = encode_cursor(sort_key, rows[page_size - 1]) if len(rows) > page_size else None
    return CatalogPage(products=rows[:page_size], next_cursor=next_cursor)


def product_for_page(public_id, viewer):
    from .permissions import can_view

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
