"""The partner feed (updated_since, stable order, tombstones) and the school's public API."""

import base64
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storefront import catalog, services
from storefront.models import Product
from tests.apiclient import api_client
from tests.factories import StaffFactory
from tests.storefront.conftest import make_product
from tests.storefront.school.conftest import make_course, make_item

pytestmark = pytest.mark.django_db

FEED = "/api/v1/feeds/products/"


@pytest.fixture(autouse=True)
def _no_settle_window(monkeypatch):
    monkeypatch.setattr(catalog, "FEED_SETTLE", datetime.timedelta(0))


def _age(product, minutes):
    """Pretend `product` last changed `minutes` ago (auto_now would stamp now)."""
    Product.objects.filter(pk=product.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def _walk(client, **params):
    """Follow the feed to its end; return the entries and the cursor to poll with next."""
    entries, cursor = [], None
    while True:
        page = client.get(FEED, {**params, **({"cursor": cursor} if cursor else {})}).json()
        entries += page["results"]
        cursor = page["next_cursor"] or cursor
        if not page["has_more"]:
            return entries, cursor


def test_feed_walks_every_change_in_order_and_resumes_from_its_cursor(seller):
    goods = [make_product(seller, title=f"连衣裙{n}") for n in range(5)]
    for age, good in zip((50, 40, 30, 20, 10), goods, strict=True):
        _age(good, age)
    make_product(seller, title="草稿", publish=False)  # never public: never in the feed
    client = api_client()

    entries, cursor = _walk(client, page_size=2)
    services.product_unpublish(product=goods[1], by=seller.user)
    later = client.get(FEED, {"cursor": cursor}).json()

    assert [e["product"]["title"] for e in entries] == [f"连衣裙{n}" for n in range(5)]
    assert [e["id"] for e in later["results"]] == [str(goods[1].public_id)]
    assert later["results"][0]["deleted"] is True and later["results"][0]["product"] is None


def test_updated_since_and_belt_narrow_the_feed(seller, jade):
    old = make_product(seller, title="旧款")
    _age(old, 120)
    make_product(seller, title="新款")
    jade_good = make_product(seller, title="翡翠手镯", source_kind="belt", belt=jade)
    since = (timezone.now() - datetime.timedelta(minutes=60)).isoformat()

    recent = api_client().get(FEED, {"updated_since": since}).json()["results"]
    belt_only = api_client().get(FEED, {"belt": "jade"}).json()["results"]

    assert {e["product"]["title"] for e in recent} == {"新款", "翡翠手镯"}
    assert [e["id"] for e in belt_only] == [str(jade_good.public_id)]


def test_deleted_and_hidden_goods_are_tombstones(seller):
    deleted, hidden = make_product(seller, title="下架"), make_product(seller, title="违规")
    services.product_unpublish(product=deleted, by=seller.user)
    services.product_delete(product=Product.objects.get(pk=deleted.pk), by=seller.user)
    services.product_hide(product=hidden, by=StaffFactory(is_superuser=True), reason="虚假宣传")

    entries = api_client().get(FEED).json()["results"]

    assert {(e["id"], e["deleted"]) for e in entries} == {
        (str(deleted.public_id), True),
        (str(hidden.public_id), True),
    }


def test_feed_entries_are_written_out_as_the_generic_field_walk_would(seller):
    from rest_framework import serializers

    from storefront.api.serializers import FeedEntrySerializer

    make_product(seller, title="还在卖")
    services.product_unpublish(product=make_product(seller, title="下架了"), by=seller.user)
    entries = catalog.partner_feed_page(page_size=10).entries
    assert sorted(entry.deleted for entry in entries) == [False, True]

    serializer = FeedEntrySerializer()
    for zone in ("Asia/Shanghai", "UTC"):  # "+08:00", and "Z" as DRF writes UTC
        with timezone.override(zone):
            for entry in entries:
                walked = serializers.Serializer.to_representation(serializer, entry)
                assert list(serializer.to_representation(entry).items()) == list(walked.items())
                assert walked["updated_at"].endswith("Z" if zone == "UTC" else "+08:00")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "tampered"}, "cursor"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"belt": "nowhere"}, "belt"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_feed_parameters_are_400_in_the_one_shape(seller, params, field):
    response = api_client().get(FEED, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_feed_queries_do_not_grow_with_the_page(seller):
    for n in range(6):
        make_product(seller, title=f"商品{n}")

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            assert api_client().get(FEED, {"page_size": size}).status_code == 200
        return len(queries)

    assert count(1) == count(6)


# --- School -----------------------------------------------------------------------------------


def test_school_lists_published_items_and_reads_a_course_with_its_lessons():
    course, lessons = make_course(lessons=2, title="直播带货入门")
    make_item(title="草稿文章", publish=False)

    listed = api_client().get("/api/v1/school/items/").json()["results"]
    detail = api_client().get(f"/api/v1/school/items/{course.slug}/").json()
    draft = api_client().get("/api/v1/school/items/no-such-item/")

    assert [i["title"] for i in listed] == ["直播带货入门"]
    assert [p["slug"] for p in detail["parts"]] == [lesson.slug for lesson in lessons]
    assert "<h2>小标题</h2>" in detail["body_html"] and detail["body_markdown"].startswith("## 小标题")
    assert draft.status_code == 404


def test_school_search_finds_lessons_by_one_chinese_character():
    make_course(lessons=1, title="直播带货入门")

    results = api_client().get("/api/v1/school/items/", {"q": "布"}).json()["results"]

    assert [r["kind"] for r in results] == ["lesson"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "!!not base64!!"},
        {"cursor": base64.b64encode(b"p=0001-01-01T00:00:00+14:00").decode()},  # overflows in UTC
        {"cursor": base64.b64encode(b"p=yesterday").decode()},
        {"page_size": "500"},
        {"page_size": "abc"},
        {"page_size": " 5"},  # int() would read these three as 5; the schema's integer does not
        {"page_size": "+5"},
        {"page_size": "\u0665"},
    ],
)
def test_every_cursor_list_refuses_a_bad_cursor_or_page_size_with_a_400(params):
    make_item(title="公开文章")

    response = api_client().get("/api/v1/school/items/", params)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) <= {"cursor", "page_size"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": "expert"}, "level"), ({"audience": "nobody"}, "audience"), ({"q": "长" * 41}, "q")],
)
def test_the_school_list_refuses_a_filter_value_it_does_not_know(params, field):
    make_item(title="公开文章")

    response = api_client().get("/api/v1/school/items/", params)

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]


def test_the_school_list_filters_by_level_and_takes_an_empty_one_as_none():
    make_item(title="入门文章", level="beginner")

    beginner = api_client().get("/api/v1/school/items/", {"level": "beginner"}).json()["results"]
    advanced = api_client().get("/api/v1/school/items/", {"level": "advanced"}).json()["results"]
    empty = api_client().get("/api/v1/school/items/", {"level": "", "audience": ""}).json()["results"]

    assert [item["title"] for item in beginner] == ["入门文章"] and advanced == []
    assert [item["title"] for item in empty] == ["入门文章"]


def test_an_updated_since_beyond_what_utc_can_write_is_the_earliest_or_the_latest_time(seller):
    good = make_product(seller, title="冰种手镯")
    _age(good, 1)

    earliest = api_client().get(FEED, {"updated_since": "0001-01-01T00:00:00+14:00"})
    latest = api_client().get(FEED, {"updated_since": "9999-12-31T23:59:59-14:00"})

    assert earliest.status_code == 200
    assert [entry["id"] for entry in earliest.json()["results"]] == [str(good.public_id)]
    assert latest.status_code == 200 and latest.json()["results"] == []


def test_a_good_that_leaves_a_belt_is_a_tombstone_in_that_belts_feed(seller, jade):
    good = make_product(seller, title="翡翠手镯", source_kind="belt", belt=jade)
    client = api_client()
    _entries, cursor = _walk(client, belt="jade")
    data = {**_editor_data(good), "source_kind": "factory", "belt": None}

    services.product_save(merchant=seller, by=seller.user, product=good, data=data)
    later = client.get(FEED, {"belt": "jade", "cursor": cursor}).json()["results"]
    everywhere = client.get(FEED).json()["results"]

    assert [(e["id"], e["deleted"]) for e in later] == [(str(good.public_id), True)]
    assert [(e["id"], e["deleted"]) for e in everywhere] == [(str(good.public_id), False)]
    assert everywhere[0]["product"]["belt"] is None


def _editor_data(product):
    fields = (
        "title", "intro", "category", "source_kind", "belt", "base", "origin_region", "wholesale_price",
        "retail_price", "own_shop_price", "min_order_quantity", "stock_status",
    )  # fmt: skip
    return {name: getattr(product, name) for name in fields}


def test_rows_changed_within_the_settle_window_wait_for_the_next_poll(seller, monkeypatch):
    monkeypatch.setattr(catalog, "FEED_SETTLE", datetime.timedelta(seconds=30))
    settled, fresh = make_product(seller, title="旧"), make_product(seller, title="新")
    _age(settled, 1)

    entries = api_client().get(FEED).json()["results"]

    assert [e["id"] for e in entries] == [str(settled.public_id)]
    assert str(fresh.public_id) not in [e["id"] for e in entries]


def test_a_processed_photo_sends_the_good_again(seller, photo):
    good = services.product_quick_list(merchant=seller, by=seller.user, photo=photo, title="手镯", price="99")
    _age(good, 10)
    before = Product.objects.get(pk=good.pk).updated_at

    from storefront.tasks import process_product_image_task

    process_product_image_task(good.images.get().pk)

    assert Product.objects.get(pk=good.pk).updated_at > before
