"""/api/v1/ answers an index a partner can start from, not a 404 page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_entry_point_and_the_schema(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "v1"
    assert body["schema"] == "http://testserver" + reverse("api-schema")
    assert body["docs"] == "http://testserver" + reverse("api-docs")
    assert body["resources"]["product-list"] == "http://testserver/api/v1/products/"
    assert body["resources"]["merchant-product-list"] == "http://testserver/api/v1/merchant/products/"
    assert body["resources"]["webhook-endpoint-list"] == "http://testserver/api/v1/webhooks/endpoints/"
    assert "index" not in body["resources"]


def test_every_listed_entry_point_is_routed(client):
    resources = client.get("/api/v1/").json()["resources"]

    for name, url in resources.items():
        status = client.get(url).status_code
        assert status != 404, name
        assert status < 500, name
