"""GET /api/v1/merchant/requirements/: what the merchant's home shows, for its token."""

import datetime

import pytest
from django.utils import timezone

from core.api.scopes import Scope
from merchants import services as merchant_services
from merchants.models import ApplicationDocument, MerchantCompliance
from tests.factories import ApplicationFactory
from tests.industrybelts.conftest import approved_merchant

pytestmark = pytest.mark.django_db

URL = "/api/v1/merchant/requirements/"


def client_for(client, user, scopes=(Scope.APPLICATION_READ,)):
    _token, key = merchant_services.api_token_create(user=user, name="ERP", scopes=list(scopes))
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_an_approved_merchant_reads_its_requirements_in_its_language(client, django_assert_max_num_queries):
    merchant = approved_merchant(categories=("jade-jewellery",))
    ApplicationDocument.objects.filter(
        application__merchant=merchant, qualification__code="gem-appraisal"
    ).update(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    MerchantCompliance.objects.filter(merchant=merchant).update(computed_on=None)
    api = client_for(client, merchant.user)

    response = api.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with django_assert_max_num_queries(8):
        again = api.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["standing"] == "action_required"
    assert [(i["code"], i["key"]) for i in body["currently_due"]] == [
        ("document.expiring", "qualification-gem-appraisal"),
        ("deposit.unpaid", "deposit"),
    ]
    assert body["currently_due"][0]["label"] == "珠宝玉石鉴定证书"
    assert body["deposit_owed"] == "10000.00"
    assert again.json()["currently_due"][1]["label"] == "Deposit"


def test_a_shop_not_yet_approved_has_no_requirements(client):
    application = ApplicationFactory()
    api = client_for(client, application.merchant.user)

    response = api.get(URL)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_token_needs_the_application_read_scope(client):
    merchant = approved_merchant()
    api = client_for(client, merchant.user, scopes=(Scope.PRODUCTS_READ,))

    assert api.get(URL).status_code == 403
