"""The merchant's goods API takes what its schema says: a JSON body, prices as money strings."""

import pytest

from core.api.scopes import Scope
from storefront.models import Product
from tests.apiclient import api_client
from tests.factories import image_upload

pytestmark = pytest.mark.django_db

OWN = "/api/v1/merchant/products/"
GOOD = {
    "title": "真丝连衣裙", "category": "apparel", "source_kind": "factory", "origin_region": "330102",
    "wholesale_price": "89.00", "retail_price": "159.00", "min_order_quantity": 2, "stock_status": "in_stock",
}  # fmt: skip


def _client(user):
    return api_client(user, (Scope.PRODUCTS_READ, Scope.PRODUCTS_WRITE))


def test_a_good_is_created_from_json_only(seller):
    client = _client(seller.user)

    as_text = client.post(OWN, "title=真丝连衣裙", content_type="text/plain")
    as_form = client.post(OWN, GOOD, format="multipart")
    as_urlencoded = client.post(
        OWN, "title=%E7%9C%9F%E4%B8%9D", content_type="application/x-www-form-urlencoded"
    )
    as_json = client.post(OWN, GOOD, format="json")

    # The input boundary (core.inputs) reads a copy of a form body, so DRF still refuses it.
    for refused in (as_text, as_form, as_urlencoded):
        assert refused.status_code == 415 and refused.json()["error"]["code"] == "unsupported_media_type"
    assert as_json.status_code == 201
    assert list(Product.objects.values_list("title", flat=True)) == ["真丝连衣裙"]


def test_quick_listing_still_takes_its_photo_as_multipart_and_not_json(seller):
    client = _client(seller.user)

    as_json = client.post(f"{OWN}quick-list/", {"title": "手工竹编篮", "price": "35"}, format="json")
    as_form = client.post(
        f"{OWN}quick-list/",
        {"photo": image_upload(), "title": "手工竹编篮", "price": "35"},
        format="multipart",
    )

    assert as_json.status_code == 415
    assert as_form.status_code == 201


@pytest.mark.parametrize("price", ["5.", "0005.00", "1e2", "-1.00", "+1", " 5", "0.00", "12.345", "10000000"])
def test_a_price_the_schema_does_not_allow_is_a_400_on_the_field(seller, price):
    response = _client(seller.user).post(OWN, {**GOOD, "wholesale_price": price}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["wholesale_price"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("price", ["0.01", "0.5", "7", "159.00"])
def test_a_price_the_schema_allows_is_taken(seller, price):
    response = _client(seller.user).post(OWN, {**GOOD, "wholesale_price": price}, format="json")

    assert response.status_code == 201, response.json()
    assert str(Product.objects.get().wholesale_price) == f"{float(price):.2f}"


def test_an_edit_reads_its_shop_with_the_good_and_a_fixed_number_of_queries(
    seller, django_assert_num_queries
):
    client = _client(seller.user)
    created = client.post(OWN, GOOD, format="json").json()

    # The token; the good with its images and links; the editor's category and region; then,
    # between a savepoint pair, the seller check, the locked read, the update, the links and
    # the slate check; the good read back with its images. The shop is not read again.
    with django_assert_num_queries(15):
        edited = client.patch(f"{OWN}{created['id']}/", {"intro": "今日更新"}, format="json")

    assert edited.status_code == 200 and edited.json()["intro"] == "今日更新"
    assert Product.objects.get().intro == "今日更新"
