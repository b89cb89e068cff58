"""The one input boundary: unstorable characters answer 400 wherever they arrive.

On PostgreSQL each of these requests used to end in a 500 (the driver refuses NUL in
text); the suite runs on both databases, so both prove the boundary holds.
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.inputs import has_unstorable, refuse_unstorable
from merchants.models import User
from storefront.models import Product
from tests.apiclient import api_client
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bases/?belt=%00",
        "/api/v1/school/items/?q=%00",
        "/api/v1/feeds/products/?belt=%00",
        "/api/v1/products/?q=%00",
        "/api/v1/bases/?%00=1",
    ],
)
def test_api_query_parameter_with_nul_is_a_400_in_the_error_shape(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unstorable"
    assert "无法保存" in error["message"]
    assert next(iter(error["fields"].values()))[0]["code"] == "unstorable"


@pytest.mark.parametrize("path", ["/catalog/?q=%00", "/catalog/?belt=%00", "/school/?q=%00"])
def test_page_query_parameter_with_nul_is_a_400_page(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert "无法保存" in response.content.decode()


def test_form_post_with_nul_changes_nothing(client):
    users = User.objects.count()

    response = client.post(
        reverse("account_signup"),
        {"email": "new\x00@example.com", "password1": "Gx7-long-unusual", "password2": "Gx7-long-unusual"},
    )

    assert response.status_code == 400
    assert User.objects.count() == users


@pytest.mark.parametrize("bad", ["冰种\x00手镯", "冰种\ud800手镯"])
def test_json_body_with_an_unstorable_string_is_refused_before_the_view(bad):
    seller = approved_merchant()
    product = make_product(seller, title="冰种翡翠手镯")
    client = api_client(seller.user, ["products:read", "products:write"])
    body = json.dumps({"title": bad})  # ensure_ascii keeps the escape, as a partner would send it

    response = client.generic(
        "PATCH", f"/api/v1/merchant/products/{product.public_id}/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "body": [{"code": "unstorable", "message": response.json()["error"]["message"]}]
    }
    assert Product.objects.get(pk=product.pk).title == "冰种翡翠手镯"


def test_nested_json_keys_are_checked_too():
    seller = approved_merchant()
    client = api_client(seller.user, ["products:read", "products:write"])

    response = client.generic(
        "POST", "/api/v1/merchant/products/", json.dumps({"links": [{"u\x00rl": "x"}]}), "application/json"
    )

    assert response.status_code == 400


def test_multipart_field_is_checked(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("id.jpg", b"x", "image/jpeg")
    response = client.post("/api/v1/merchant/application/documents/", {"kind": "id\x00card", "file": upload})

    assert response.status_code == 400


def test_ordinary_text_passes():
    assert refuse_unstorable("翡翠 手镯\t\n😀") == "翡翠 手镯\t\n😀"
    assert not has_unstorable("Ruili 瑞丽 ·")


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "\ud800", "x\udfff"])
def test_refuse_unstorable_raises_with_its_code(bad):
    with pytest.raises(ValidationError) as caught:
        refuse_unstorable(bad)

    assert caught.value.code == "unstorable"


def test_every_response_carries_a_permissions_policy(client):
    for path in ("/", "/api/v1/belts/", "/no-such-page/", "/healthz", "/catalog/?q=%00"):
        response = client.get(path)
        assert "camera=()" in response["Permissions-Policy"], path
        assert "geolocation=()" in response["Permissions-Policy"], path
