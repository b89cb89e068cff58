"""A search lists the goods whose title holds the query first, then the other matches."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from merchants.models import Category
from storefront import catalog
from storefront.indexing import product_grams
from storefront.models import Product
from tests.storefront.conftest import make_product
from tests.storefront.test_catalog import next_cursor, titles

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")
PRODUCTS = reverse("api:product-list")


def jade_category():
    return Category.objects.get(code="jade-jewellery")


def test_a_goods_grams_hold_its_title_grams_marked():
    grams = product_grams(title="翡翠镯 jade", intro="和田玉", category=jade_category())

    assert {"t:翡", "t:翡翠", "t:翠镯", "t:镯", "t:jade"} <= set(grams)
    assert "t:和" not in grams and "t:玉" not in grams  # intro and category words are not marked
    assert {"和田", "玉", "玉石"} <= set(grams)


def test_an_older_title_match_comes_before_newer_intro_and_category_matches(client, seller):
    make_product(seller, title="冰种翡翠手镯", intro="")  # oldest: 翡翠 in the title
    make_product(seller, title="和田玉手镯", intro="")  # 玉 in the title
    make_product(seller, title="银手镯", intro="翡翠色的老银")  # 翡翠 in the intro only
    # Newest: 玉 and 翡翠 by its category, 珠宝玉石（翡翠）.
    make_product(seller, title="冰种吊坠", intro="", category=jade_category())

    assert titles(client.get(CATALOG, {"q": "翡翠"})) == ["冰种翡翠手镯", "冰种吊坠", "银手镯"]
    assert titles(client.get(CATALOG, {"q": "玉"})) == ["和田玉手镯", "冰种吊坠"]
    # Without a query the catalog keeps its own order, newest first.
    assert titles(client.get(CATALOG)) == ["冰种吊坠", "银手镯", "和田玉手镯", "冰种翡翠手镯"]
    # Any sort: title matches first, each segment in that sort's order.
    make_product(seller, title="翡翠平安扣", intro="", price="10.00")
    make_product(seller, title="玛瑙", intro="翡翠之外", price="5.00")
    assert titles(client.get(CATALOG, {"q": "翡翠", "sort": "price"})) == [
        "翡翠平安扣",  # 10.00
        "冰种翡翠手镯",  # 59.00
        "玛瑙",  # 5.00
        "银手镯",  # 59.00; the same price goes by id
        "冰种吊坠",
    ]


def test_the_api_ranks_title_matches_first_too(seller):
    make_product(seller, title="翡翠吊坠", intro="")
    make_product(seller, title="真丝围巾", intro="配翡翠")

    results = APIClient().get(PRODUCTS, {"q": "翡翠"}).json()["results"]

    assert [row["title"] for row in results] == ["翡翠吊坠", "真丝围巾"]


def make_interleaved(seller, *, in_title: int, elsewhere: int):
    """Goods matching 手镯, title and intro matches alternating in time; the expected order."""
    title_goods, other_goods = [], []
    for n in range(max(in_title, elsewhere)):
        if n < in_title:
            title_goods.append(make_product(seller, title=f"手镯{n:02d}", intro="").title)
        if n < elsewhere:
            other_goods.append(make_product(seller, title=f"吊坠{n:02d}", intro="配手镯").title)
        make_product(seller, title=f"连衣裙{n:02d}", intro="")  # not a match
    return [*reversed(title_goods), *reversed(other_goods)]


@pytest.mark.parametrize(
    ("in_title", "elsewhere", "page_size"),
    [(4, 5, 3), (3, 4, 3), (2, 2, 2), (5, 0, 2), (0, 3, 2), (1, 1, 1)],
)
def test_pages_across_the_segment_boundary_hold_every_match_once(seller, in_title, elsewhere, page_size):
    expected = make_interleaved(seller, in_title=in_title, elsewhere=elsewhere)
    filters = {"q": "手镯"}

    listed, cursor, pages = [], None, 0
    while True:
        page = catalog.catalog_page(
            queryset=catalog.filter_products(catalog.published_products(), filters),
            cursor=cursor,
            page_size=page_size,
            ranking=catalog.title_ranking(catalog.published_products(), filters),
        )
        listed += [row["title"] for row in page.products]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert listed == expected
    assert pages == max(1, -(-len(expected) // page_size))  # no empty last page


def test_the_catalog_pages_through_the_boundary_by_its_links(client, seller):
    expected = make_interleaved(seller, in_title=20, elsewhere=10)

    first = client.get(CATALOG, {"q": "手镯"})
    second = client.get(CATALOG, {"q": "手镯", "after": next_cursor(first)})

    assert titles(first) + titles(second) == expected
    assert next_cursor(second) is None


def test_the_api_pages_through_the_boundary(seller):
    expected = make_interleaved(seller, in_title=3, elsewhere=3)
    api = APIClient()

    first = api.get(PRODUCTS, {"q": "手镯", "page_size": 4}).json()
    second = api.get(PRODUCTS, {"q": "手镯", "page_size": 4, "cursor": first["next_cursor"]}).json()

    assert [row["title"] for row in first["results"] + second["results"]] == expected
    assert second["next_cursor"] is None


def test_a_cursor_is_good_for_a_ranked_or_an_unranked_list_not_both(client, seller):
    for n in range(30):
        make_product(seller, title=f"手镯{n:02d}", intro="")
    unranked = next_cursor(client.get(CATALOG))
    ranked = next_cursor(client.get(CATALOG, {"q": "手镯"}))

    with pytest.raises(catalog.InvalidCursor):
        catalog.decode_cursor("new", unranked, ranked=True)
    with pytest.raises(catalog.InvalidCursor):
        catalog.decode_cursor("new", ranked, ranked=False)
    response = client.get(CATALOG, {"q": "手镯", "after": unranked})
    assert titles(response)[0] == "手镯29"
    assert any("不再有效" in str(m) for m in response.context["messages"])
    assert APIClient().get(PRODUCTS, {"cursor": ranked}).status_code == 400


def test_search_page_query_count_does_not_grow_with_the_data(client, seller, django_assert_max_num_queries):
    make_interleaved(seller, in_title=2, elsewhere=2)
    # Page 1 crosses the boundary: both segments are read.
    with django_assert_max_num_queries(12) as few:
        client.get(CATALOG, {"q": "手镯"})
        APIClient().get(PRODUCTS, {"q": "手镯"})
    make_interleaved(seller, in_title=15, elsewhere=15)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(CATALOG, {"q": "手镯"})
        api = APIClient().get(PRODUCTS, {"q": "手镯"})

    assert len(titles(page)) == 24
    assert len(api.json()["results"]) == 24


def test_the_data_migration_marks_existing_goods_title_grams_once(seller, django_assert_max_num_queries):
    from storefront.search import index_grams

    migration = importlib.import_module("storefront.migrations.0014_search_title_grams")
    old = make_product(seller, title="翡翠手镯", intro="")
    make_product(seller, title="真丝围巾", intro="配翡翠")
    Product.objects.filter(pk=old.pk).update(search_grams=index_grams("翡翠手镯"))  # as 0012 left it
    editor = SimpleNamespace(connection=connection)

    migration.reindex(apps, editor)

    assert "t:翡翠" in Product.objects.get(pk=old.pk).search_grams
    filters = {"q": "翡翠"}
    page = catalog.catalog_page(
        queryset=catalog.filter_products(catalog.published_products(), filters),
        ranking=catalog.title_ranking(catalog.published_products(), filters),
    )
    assert [row["title"] for row in page.products] == ["翡翠手镯", "真丝围巾"]
    with django_assert_max_num_queries(2):  # a batch read and the empty one after it: nothing to write
        migration.reindex(apps, editor)
