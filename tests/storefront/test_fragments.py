"""Cached catalog fragments and product cards: a write is seen on the very next page."""

import html
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storefront import counters, fragments, services, tasks
from storefront.cards import card_key, render_cards
from storefront.catalog import CardRef
from storefront.discovery import services as discovery
from tests.factories import StaffFactory
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


def listed(client, params=None, **headers):
    content = client.get(CATALOG, params or {}, **headers).content.decode()
    _rest, marker, results = content.partition('data-testid="catalog-results"')
    return [html.unescape(title) for title in re.findall(r"<h3>(.*?)</h3>", results)] if marker else []


def strip(client):
    cache.delete("discovery:offset:all")  # the first window each time
    content = client.get(CATALOG).content.decode()
    section = content.partition('data-testid="discovery"')[2].partition("</section>")[0]
    return [html.unescape(title) for title in re.findall(r"<h3>(.*?)</h3>", section)]


def _queries(client, url=CATALOG):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_repeated_page_is_served_from_the_cache_without_a_query(client, seller):
    make_product(seller, title="缓存连衣裙")
    assert listed(client) == ["缓存连衣裙"]

    assert _queries(client) == 0
    assert listed(client) == ["缓存连衣裙"]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda product: services.product_hide(
                product=product, by=StaffFactory(is_superuser=True), reason="图片侵权"
            ),
            id="staff hide",
        ),
        pytest.param(
            lambda product: services.product_unpublish(product=product, by=product.merchant.user),
            id="unpublish",
        ),
        pytest.param(
            lambda product: services.product_delete(product=product, by=product.merchant.user), id="delete"
        ),
    ],
)
def test_a_good_taken_off_the_catalog_leaves_the_cached_page_at_once(client, seller, write):
    product = make_product(seller, title="将下架的连衣裙")
    make_product(seller, title="留下的连衣裙")
    assert set(listed(client)) == {"将下架的连衣裙", "留下的连衣裙"}

    write(product)

    assert listed(client) == ["留下的连衣裙"]


def test_an_edit_and_a_new_good_show_at_once(client, seller):
    product = make_product(seller, title="旧标题")
    assert listed(client) == ["旧标题"]

    services.product_save(
        merchant=seller,
        by=seller.user,
        product=product,
        data={"title": "新标题", "wholesale_price": Decimal("9.90")},
    )
    make_product(seller, title="刚上架")

    assert listed(client) == ["刚上架", "新标题"]
    assert "¥9.90" in client.get(CATALOG).content.decode()


def test_a_processed_photo_redraws_the_card(client, seller):
    product = make_product(seller, title="等图片")
    client.get(CATALOG)
    assert _queries(client) == 0

    tasks._changed(product.pk)  # what process_product_image does once the sizes are saved
    product.refresh_from_db()

    assert _queries(client) > 0  # the page and its card were drawn again
    assert card_key(product, "zh-hans") in cache


def test_flushed_clicks_reorder_the_popular_sort(client, seller):
    make_product(seller, title="冷门")
    hot = make_product(seller, title="热门")
    make_product(seller, title="普通")
    assert listed(client, {"sort": "popular"})[0] == "普通"  # no clicks yet: newest first

    for _ in range(3):
        counters.record("click", hot.pk)
    counters.flush()

    assert listed(client, {"sort": "popular"})[0] == "热门"


def test_the_generation_is_replaced_again_after_commit(django_capture_on_commit_callbacks):
    first = fragments.generation_with()[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fragments.catalog_changed()
        during = fragments.generation_with()[0]

    assert len(callbacks) == 1
    assert first != during != fragments.generation_with()[0]


def test_a_tampered_cursor_warns_on_every_answer(client, seller):
    make_product(seller)
    for _ in range(2):
        response = client.get(CATALOG, {"after": "forged:cursor"})
        assert any("不再有效" in str(message) for message in response.context["messages"])


def test_unknown_parameters_share_the_cached_page(client, seller):
    make_product(seller)
    client.get(CATALOG)

    assert _queries(client, CATALOG + "?utm_source=douyin&foo=1") == 0


def test_each_language_has_its_own_page(client, seller):
    make_product(seller, title="双语连衣裙")
    chinese = client.get(CATALOG).content.decode()
    english = client.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    label = '<span class="muted">{}</span>'
    assert label.format("批发") in chinese and label.format("wholesale") not in chinese
    assert label.format("wholesale") in english and label.format("批发") not in english


def test_the_page_is_served_without_the_cache(client, seller):
    make_product(seller, title="缓存坏了也能看")
    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError),
        mock.patch.object(cache, "get", side_effect=ConnectionError),
        mock.patch.object(cache, "set", side_effect=ConnectionError),
        mock.patch.object(cache, "set_many", side_effect=ConnectionError),
    ):
        assert listed(client) == ["缓存坏了也能看"]


def test_the_strip_drops_a_good_taken_off_the_catalog(client, seller, django_capture_on_commit_callbacks):
    gone = make_product(seller, title="被下架的新品")
    make_product(seller, title="还在的新品")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    assert set(strip(client)) == {"被下架的新品", "还在的新品"}

    services.product_unpublish(product=gone, by=seller.user)

    assert strip(client) == ["还在的新品"]


def test_cards_are_drawn_once_per_change(seller, django_assert_num_queries):
    product = make_product(seller, title="卡片")
    ref = CardRef(product.pk, product.updated_at)
    with django_assert_num_queries(2):  # the good and its images
        first = render_cards([ref])
    with django_assert_num_queries(0):
        assert render_cards([ref]) == first

    edited = services.product_save(
        merchant=seller, by=seller.user, product=product, data={"title": "改过的卡片"}
    )

    assert "改过的卡片" in render_cards([CardRef(edited.pk, edited.updated_at)])[0]


def test_fragments_can_be_turned_off(client, seller, settings):
    settings.CATALOG_FRAGMENT_TTL = 0
    make_product(seller, title="不缓存")
    client.get(CATALOG)

    assert _queries(client) > 0
    assert listed(client) == ["不缓存"]
