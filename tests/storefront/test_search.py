"""Grams for Chinese search, and the lookup on SQLite and PostgreSQL alike."""

import pytest

from storefront import catalog
from storefront.search import index_grams, query_grams
from tests.storefront.conftest import make_product


def test_index_grams_hold_every_character_and_every_neighbouring_pair():
    grams = index_grams("翡翠手镯", "iPhone 15")

    assert {"翡", "翠", "手", "镯", "翡翠", "翠手", "手镯", "iphone", "15"} == set(grams)


@pytest.mark.parametrize(
    ("query", "grams"),
    [
        ("裙", ["裙"]),
        ("女装", ["女装"]),
        ("翡翠手镯", ["手镯", "翠手", "翡翠"]),
        ("ＩＰＨＯＮＥ", ["iphone"]),
        ("  ", []),
        ("%_", []),
    ],
)
def test_query_grams(query, grams):
    assert query_grams(query) == grams


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("镯", {"冰种翡翠手镯"}),
        ("翡翠", {"冰种翡翠手镯", "翡翠吊坠"}),
        ("翡翠手镯", {"冰种翡翠手镯"}),
        ("手翡", set()),
        ("%", set()),
        ("镯子", set()),
    ],
)
def test_search_finds_one_two_and_four_character_queries(seller, query, expected):
    for title in ("冰种翡翠手镯", "翡翠吊坠", "真丝连衣裙"):
        make_product(seller, title=title, intro="")

    found = catalog.search(catalog.published_products(), query)

    assert {p.title for p in found} == expected


@pytest.mark.django_db
def test_search_matches_the_intro_too_and_rechecks_the_phrase(seller):
    make_product(seller, title="手镯", intro="瑞丽直播间 冰种")
    make_product(seller, title="冰 种", intro="")  # has the characters, not the phrase

    found = catalog.search(catalog.published_products(), "冰种")

    assert [p.title for p in found] == ["手镯"]


@pytest.mark.django_db
def test_a_goods_grams_hold_its_category_belt_and_source_kind_words(jade):
    from merchants.models import Category
    from storefront.indexing import product_grams

    grams = product_grams(
        title="冰种手镯",
        intro="",
        category=Category.objects.get(code="jade-jewellery"),
        belt=jade,
        source_kind="belt",
    )

    assert {"玉", "玉石", "珠宝", "jade", "jewellery", "产业", "好货", "industry", "belt"} <= set(grams)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("玉", {"冰种翡翠手镯"}),
        ("珠宝玉石", {"冰种翡翠手镯"}),
        ("jade", {"冰种翡翠手镯"}),
        ("工厂好货", {"冰种翡翠手镯", "真丝连衣裙"}),
        ("服装", {"真丝连衣裙"}),
        ("玉裙", set()),
    ],
)
def test_search_finds_a_good_by_its_category_and_source_kind_words(seller, query, expected):
    from merchants.models import Category

    make_product(seller, title="冰种翡翠手镯", intro="", category=Category.objects.get(code="jade-jewellery"))
    make_product(seller, title="真丝连衣裙", intro="")

    found = catalog.search(catalog.published_products(), query)

    assert {p.title for p in found} == expected


@pytest.mark.django_db
def test_a_belt_goods_belt_name_is_searchable(seller, jade):
    from merchants.models import Category

    make_product(
        seller,
        title="冰种手镯",
        intro="",
        category=Category.objects.get(code="jade-jewellery"),
        source_kind="belt",
        belt=jade,
    )

    assert [p.title for p in catalog.search(catalog.published_products(), "jade belt")] == ["冰种手镯"]
    assert [p.title for p in catalog.search(catalog.published_products(), "产业带好货")] == ["冰种手镯"]


@pytest.mark.django_db
def test_the_editors_save_reads_no_category_or_belt_for_the_grams(seller, jade):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from merchants.models import Category
    from storefront import services

    product = make_product(seller, title="冰种手镯", intro="")
    data = {
        "title": "冰种手镯",
        "intro": "",
        "category": Category.objects.get(code="jade-jewellery"),
        "source_kind": "belt",
        "belt": jade,
        "origin_region": product.origin_region,
    }
    with CaptureQueriesContext(connection) as queries:
        services.product_save(merchant=seller, by=seller.user, product=product, data=data)

    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "merchants_category" not in sql and "industrybelts_belt" not in sql
    # savepoint, locked read, update, links, whether the discovery slate shows it, release
    assert len(queries.captured_queries) == 6
    assert [p.title for p in catalog.search(catalog.published_products(), "玉")] == ["冰种手镯"]


@pytest.mark.django_db
def test_the_data_migration_reindexes_existing_goods_once(seller, django_assert_max_num_queries):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from merchants.models import Category
    from storefront.models import Product

    migration = importlib.import_module("storefront.migrations.0012_search_context_grams")
    jade_good = make_product(
        seller, title="冰种翡翠手镯", intro="", category=Category.objects.get(code="jade-jewellery")
    )
    make_product(seller, title="真丝连衣裙", intro="")
    Product.objects.filter(pk=jade_good.pk).update(search_grams=index_grams("冰种翡翠手镯"))  # as before
    assert not list(catalog.search(catalog.published_products(), "玉"))

    editor = SimpleNamespace(connection=connection)
    migration.reindex(apps, editor)

    assert [p.title for p in catalog.search(catalog.published_products(), "玉")] == ["冰种翡翠手镯"]
    with django_assert_max_num_queries(2):  # a batch read and the empty one after it: nothing to write
        migration.reindex(apps, editor)
