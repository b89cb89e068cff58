"""core.compiled: a read compiled once returns what the ORM's `.values().first()` returns."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from core.compiled import CompiledQuery
from industrybelts.models import Belt
from industrybelts.selectors import BELT_COLUMNS, BELT_PAGE_FIGURES, _belt_page_query, belt_for_cached_page
from storefront import catalog
from storefront.catalog import _product_page_row_query, catalog_page, published_products, shop_first_page
from storefront.models import Product
from storefront.selectors import _shop_row_query, shop_row
from tests.industrybelts.conftest import approved_merchant, make_base
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

PUBLIC_ID = Product._meta.get_field("public_id")


def test_a_product_page_row_is_the_orm_s_row_for_every_good():
    seller = approved_merchant()
    goods = [make_product(seller, title=f"编译一次{n}") for n in range(3)]

    for good in goods:  # compiled on the first, only executed after
        expected = next(iter(_product_page_row_query(good.public_id)), None)
        assert catalog.product_page_row(good.public_id) == expected
        assert expected["pk"] == good.pk and expected["updated_at"] == good.updated_at  # converted, aware


def test_a_product_page_s_rows_are_the_orm_s_rows():
    from industrybelts.selectors import _belt_badges_query, belt_badges
    from storefront.catalog import (
        _PRODUCT_LINKS,
        _PRODUCT_PAGE,
        _PRODUCT_PHOTOS,
        _product_links_query,
        _product_page_query,
        _product_photos_query,
    )
    from storefront.models import ProductImage, ProductLink

    seller = approved_merchant()
    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel)
    seller.memberships.create(belt=apparel, base=apparel.bases.first(), status="approved")
    good = make_product(seller, title="行行相同")
    for number in (2, 0, 1):  # stored out of order: the rows come by position
        ProductImage.objects.create(
            product=good, position=number, original=f"x{number}.jpg", large=f"l{number}.webp"
        )
    for platform in ("taobao", "kuaishou"):
        ProductLink.objects.create(product=good, platform=platform, url=f"https://{platform}.example/s")

    assert _PRODUCT_PAGE.first(good.public_id) == next(iter(_product_page_query(good.public_id)))
    assert _PRODUCT_PAGE.first(uuid.uuid4()) is None
    photos = _PRODUCT_PHOTOS.rows(good.pk)
    assert photos == list(_product_photos_query(good.pk)) and [p["large"] for p in photos] == [
        "l0.webp",
        "l1.webp",
        "l2.webp",
    ]
    assert (
        _PRODUCT_LINKS.rows(good.pk)
        == list(_product_links_query(good.pk))
        == [
            {"platform": "kuaishou"},
            {"platform": "taobao"},
        ]
    )
    assert (
        belt_badges(seller.pk) == [apparel.localized_name] and len(list(_belt_badges_query(seller.pk))) == 1
    )


def test_a_shop_row_is_the_orm_s_row_and_none_for_an_unknown_shop():
    seller = approved_merchant()

    assert shop_row(seller.public_id) == next(iter(_shop_row_query(seller.public_id)), None)
    assert shop_row(uuid.uuid4()) is None


def test_a_value_that_reaches_the_sql_twice_is_refused():
    twice = CompiledQuery(
        lambda value: Product.objects.filter(public_id=value).exclude(public_id=value).values("pk"),
        field=PUBLIC_ID,
    )
    with pytest.raises(ValueError, match="once"):
        twice.first(uuid.uuid4())


def test_only_values_querysets_are_compiled():
    instances = CompiledQuery(lambda value: Product.objects.filter(public_id=value), field=PUBLIC_ID)
    with pytest.raises(TypeError):
        instances.first(uuid.uuid4())


def test_annotations_are_converted_like_the_orm_s():
    seller = approved_merchant()
    good = make_product(seller, title="带价格")
    Product.objects.filter(pk=good.pk).update(retail_price=Decimal("129.50"))
    prices = CompiledQuery(
        lambda value: Product.objects.filter(public_id=value).values("pk").annotate(margin=F("retail_price")),
        field=PUBLIC_ID,
    )
    row = prices.first(good.public_id)
    assert row == {"pk": good.pk, "margin": Decimal("129.50")} and isinstance(row["margin"], Decimal)


def test_a_belt_page_s_belt_is_the_orm_s_belt_with_its_figures():
    apparel = Belt.objects.get(slug="apparel")  # seeded by a migration
    make_base(apparel)
    expected = next(iter(_belt_page_query(apparel.slug)), None)

    belt = belt_for_cached_page(apparel.slug)

    assert {name: getattr(belt, name) for name in (*BELT_COLUMNS, *BELT_PAGE_FIGURES)} == expected
    assert belt.newest_base is not None and belt.localized_name == apparel.localized_name
    assert belt_for_cached_page("no-such-belt") is None


def test_a_shop_s_first_page_is_the_catalog_s_first_page():
    seller = approved_merchant()
    for n in range(26):  # past a page: the next cursor too
        make_product(seller, title=f"店里的货{n}")

    expected = catalog_page(queryset=published_products().filter(merchant_id=seller.pk), refs_only=True)
    page = shop_first_page(seller.pk)

    assert page == expected and len(page.products) == 24 and page.next_cursor
    assert shop_first_page(seller.pk + 1000).products == []


def _prepared_statements(containing: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{containing}%"]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_a_row_is_prepared_once_per_connection_with_its_constants_written_in():
    apparel = Belt.objects.get(slug="apparel")
    rows = CompiledQuery(_belt_page_query, field=Belt._meta.get_field("slug"))
    for _ in range(3):
        assert rows.first(apparel.slug)["member_count"] == 0

    (statement,) = _prepared_statements('FROM "industrybelts_belt"')
    # The status the members' partial index is made for is a literal: a generic plan can use it.
    assert "'approved'" in statement and "'preparing'" in statement
    assert "$1" in statement and "$2" not in statement


@pytest.mark.postgres
def test_nothing_is_prepared_when_preparing_is_turned_off(monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)
    rows = CompiledQuery(
        lambda slug: Belt.objects.filter(slug=slug).values("slug").annotate(never_prepared=F("position")),
        field=Belt._meta.get_field("slug"),
    )

    assert rows.first("apparel")["slug"] == "apparel"
    assert _prepared_statements("never_prepared") == []
