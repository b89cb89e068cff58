"""The catalog API: public reads, the merchant's goods under scoped tokens, the role matrix."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.scopes import Scope
from merchants import services as merchant_services
from storefront.models import Product, ProductStatus
from tests.factories import image_upload
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("api:product-list")
OWN = "/api/v1/merchant/products/"


def _client(user=None, scopes=(Scope.PRODUCTS_READ, Scope.PRODUCTS_WRITE), **token):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        _token, raw = merchant_services.api_token_create(user=user, name="ERP", scopes=list(scopes), **token)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _new_good(**overrides):
    return {
        "title": "真丝连衣裙",
        "intro": "杭州四季青档口直供",
        "category": "apparel",
        "source_kind": "factory",
        "origin_region": "330102",
        "wholesale_price": "89.00",
        "retail_price": "159.00",
        "min_order_quantity": 2,
        "stock_status": "in_stock",
        **overrides,
    }


# --- Public reads ------------------------------------------------------------------------


def test_public_product_list_needs_no_token_and_pages_with_a_cursor(seller):
    for n in range(5):
        make_product(seller, title=f"连衣裙{n}")
    make_product(seller, title="草稿", publish=False)

    first = _client().get(PRODUCTS, {"page_size": 3})
    second = _client().get(PRODUCTS, {"page_size": 3, "cursor": first.json()["next_cursor"]})

    assert first.status_code == 200
    titles = [p["title"] for p in first.json()["results"] + second.json()["results"]]
    assert titles == [f"连衣裙{n}" for n in range(4, -1, -1)]
    assert second.json()["next_cursor"] is None


def test_public_search_and_filters_are_the_catalogs(seller):
    make_product(seller, title="冰种翡翠手镯")
    make_product(seller, title="棉麻围巾")

    response = _client().get(PRODUCTS, {"q": "翡翠"})

    assert [p["title"] for p in response.json()["results"]] == ["冰种翡翠手镯"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "forged"}, "cursor"), ({"page_size": "1000"}, "page_size"), ({"sort": "nope"}, "sort")],
)
def test_bad_query_parameters_are_400_in_the_one_shape(seller, params, field):
    response = _client().get(PRODUCTS, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]


def test_product_list_queries_do_not_grow_with_the_page_size(seller):
    for n in range(30):
        make_product(seller, title=f"货{n}")

    with CaptureQueriesContext(connection) as small:
        _client().get(PRODUCTS, {"page_size": 2})
    with CaptureQueriesContext(connection) as large:
        _client().get(PRODUCTS, {"page_size": 30})

    assert len(small) == len(large)


@pytest.mark.parametrize("sort", ["new", "price", "price_desc", "popular"])
def test_the_list_reads_only_what_it_shows_and_shows_what_whole_rows_would(seller, sort):
    from rest_framework import serializers

    from storefront.api.serializers import ProductSerializer
    from storefront.catalog import published_products, with_card_data

    for n in range(4):
        make_product(seller, title=f"只取所需{n}", price=f"{10 + n}.00", retail=f"{20 + n}.00")
    quick = _client(seller.user).post(
        f"{OWN}quick-list/",
        {"photo": image_upload("x.jpg"), "title": "带图", "price": "9.9"},
        format="multipart",
    )
    assert quick.status_code == 201
    Product.objects.filter(title="只取所需2").update(click_count=7)

    with CaptureQueriesContext(connection) as queries:
        page = _client().get(PRODUCTS, {"page_size": 3, "sort": sort}).json()
    rest = _client().get(PRODUCTS, {"page_size": 3, "sort": sort, "cursor": page["next_cursor"]}).json()

    shown = {row["id"]: row for row in page["results"] + rest["results"]}
    walker = ProductSerializer()
    whole = [
        serializers.ModelSerializer.to_representation(walker, good)
        for good in with_card_data(published_products())
    ]
    assert shown == {row["id"]: row for row in whole}
    assert len(shown) == 5
    assert len(queries) <= 4  # the page, its images; no column read afterwards one good at a time


def test_a_good_is_written_out_as_the_generic_field_walk_would(seller):
    from rest_framework import serializers

    from industrybelts.models import Belt
    from storefront.api.serializers import ProductSerializer
    from storefront.catalog import api_rows, with_card_data

    make_product(seller, title="无带无图", price="12.50", retail="19.90")
    belt = Belt.objects.get(slug="apparel")
    make_product(seller, title="带里的货", source_kind="belt", belt=belt, publish=False)
    quick = _client(seller.user).post(
        f"{OWN}quick-list/",
        {"photo": image_upload("x.jpg"), "title": "带图", "price": "9.9"},
        format="multipart",
    )
    assert quick.status_code == 201
    goods = list(with_card_data(Product.objects.order_by("pk")))
    assert {good.belt_id is None for good in goods} == {True, False}
    assert {good.published_at is None for good in goods} == {True, False}
    assert any(good.images.all() for good in goods)

    serializer = ProductSerializer()
    rows = {row["pk"]: row for row in api_rows(Product.objects.order_by("pk"), limit=10)}
    assert set(rows) == {good.pk for good in goods}
    for good in goods:
        written = serializer.to_representation(rows[good.pk])
        walked = serializers.ModelSerializer.to_representation(serializer, good)
        assert list(written.items()) == list(walked.items())


def test_drafts_are_404_in_public(seller):
    draft = make_product(seller, publish=False)

    assert _client().get(f"/api/v1/products/{draft.public_id}/").status_code == 404


def test_belts_are_public():
    response = _client().get(reverse("api:belt-list"))

    assert {belt["slug"] for belt in response.json()} >= {"apparel"}


# --- The merchant's goods --------------------------------------------------------------


def test_a_merchant_creates_changes_and_publishes_a_good(seller):
    client = _client(seller.user)

    created = client.post(OWN, _new_good(), format="json")
    assert created.status_code == 201, created.json()
    good = created.json()
    assert (good["status"], good["category"], good["origin"]) == ("draft", "apparel", "330102")

    changed = client.patch(f"{OWN}{good['id']}/", {"retail_price": "199.00"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["retail_price"], changed.json()["title"]) == ("199.00", "真丝连衣裙")

    published = client.post(f"{OWN}{good['id']}/publish/")
    assert published.json()["status"] == "published"
    again = client.post(f"{OWN}{good['id']}/publish/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_business_rules_come_from_the_editor(seller):
    response = _client(seller.user).post(OWN, _new_good(wholesale_price="300.00"), format="json")

    assert response.status_code == 400
    assert "批发价" in response.json()["error"]["message"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        _new_good(colour="红"),  # unknown field
        _new_good(wholesale_price="很便宜"),  # wrong type
        _new_good(category="no-such-category"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(seller, body):
    response = _client(seller.user).post(OWN, body, format="json")

    assert response.status_code == 400
    assert not Product.objects.exists()


def test_malformed_json_is_400(seller):
    response = _client(seller.user).post(OWN, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_quick_list_with_a_photo(seller):
    response = _client(seller.user).post(
        f"{OWN}quick-list/",
        {"photo": image_upload(), "title": "手工竹编篮", "price": "35"},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "published"


def test_quick_list_refuses_a_cut_photo_with_a_400(seller):
    from tests.storefront.test_products import cut_photo

    response = _client(seller.user).post(
        f"{OWN}quick-list/", {"photo": cut_photo(), "title": "断图", "price": "35"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["photo"][0]["message"] == "图片已损坏，无法打开。"
    assert not Product.objects.exists()


# --- Who may do what (the matrix) ------------------------------------------------------------


def test_another_merchants_goods_are_404_and_unchanged(seller):
    theirs = make_product(seller)
    other = _client(approved_merchant().user)

    assert other.get(f"{OWN}{theirs.public_id}/").status_code == 404
    assert other.patch(f"{OWN}{theirs.public_id}/", {"title": "改"}, format="json").status_code == 404
    assert other.post(f"{OWN}{theirs.public_id}/unpublish/").status_code == 404
    assert [p["id"] for p in other.get(OWN).json()["results"]] == []
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("新款女装连衣裙", ProductStatus.PUBLISHED)


def test_a_read_only_token_cannot_write(seller):
    client = _client(seller.user, scopes=[Scope.PRODUCTS_READ])

    assert client.get(OWN).status_code == 200
    refused = client.post(OWN, _new_good(), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert not Product.objects.exists()


def test_a_token_without_product_scopes_cannot_read(seller):
    assert _client(seller.user, scopes=[Scope.PROFILE_READ]).get(OWN).status_code == 403


@pytest.mark.parametrize("state", ["revoked", "expired", "none"])
def test_revoked_expired_and_missing_tokens_are_401(seller, state):
    if state == "none":
        client = _client()
    elif state == "expired":
        client = _client(seller.user, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    else:
        client = _client(seller.user)
        merchant_services.api_token_revoke(token=seller.user.api_tokens.get())

    response = client.post(OWN, _new_good(), format="json")

    assert response.status_code == 401
    assert not Product.objects.exists()


def test_own_list_queries_do_not_grow_with_the_page_size(seller):
    for n in range(12):
        make_product(seller, title=f"货{n}")
    client = _client(seller.user)
    client.get(OWN)  # the token's first use records last_used_at once

    with CaptureQueriesContext(connection) as small:
        client.get(OWN, {"page_size": 2})
    with CaptureQueriesContext(connection) as large:
        client.get(OWN, {"page_size": 12})

    assert len(small) == len(large)
