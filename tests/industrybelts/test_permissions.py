"""Role × object matrix: a provider of belt A against belt B's merchants, applications and documents."""

import pytest
from django.urls import reverse

from industrybelts import services
from merchants.tasks import make_document_thumbnail_task
from tests.factories import UserFactory
from tests.industrybelts.conftest import approved_merchant, approved_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(apparel, jade):
    _apparel_provider, apparel_owner = approved_provider(apparel)
    _jade_provider, jade_owner = approved_provider(jade)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    document = merchant.applications.get().documents.exclude(content_type="application/pdf").first()
    make_document_thumbnail_task.apply(args=[document.pk])
    return {
        "apparel_owner": apparel_owner,
        "jade_owner": jade_owner,
        "merchant": merchant,
        "membership": membership,
        "document": document,
    }


def test_provider_of_the_belt_sees_its_applicant_and_documents(client, world):
    client.force_login(world["apparel_owner"])

    belt_page = client.get(reverse("industrybelts:provider-belt", args=["apparel"]))
    document = client.get(reverse("merchants:document-file", args=[world["document"].public_id]))

    assert world["membership"] in belt_page.context["page"].object_list
    assert document.status_code == 200


def test_provider_of_another_belt_gets_404_everywhere(client, world):
    client.force_login(world["jade_owner"])

    belt_page = client.get(reverse("industrybelts:provider-belt", args=["apparel"]))
    pre_review = client.post(
        reverse("industrybelts:membership-pre-review", args=[world["membership"].public_id]),
        {"decision": "approve"},
    )
    invite = client.post(reverse("industrybelts:merchant-invitation-create", args=["apparel"]))
    document = client.get(reverse("merchants:document-file", args=[world["document"].public_id]))
    thumbnail = client.get(reverse("merchants:document-thumbnail", args=[world["document"].public_id]))

    assert [r.status_code for r in (belt_page, pre_review, invite, document, thumbnail)] == [404] * 5
    world["membership"].refresh_from_db()
    assert world["membership"].status == "applied"


def test_a_plain_user_has_no_workspace(client, world):
    client.force_login(UserFactory())

    dashboard = client.get(reverse("industrybelts:provider-dashboard"))
    belt_page = client.get(reverse("industrybelts:provider-belt", args=["apparel"]))

    assert dashboard.context["role"] is None
    assert belt_page.status_code == 404


def test_a_merchant_sees_only_its_own_memberships(client, world, apparel):
    other = approved_merchant()
    client.force_login(other.user)

    dashboard = client.get(reverse("merchants:dashboard"))
    pre_review = client.post(
        reverse("industrybelts:membership-pre-review", args=[world["membership"].public_id]),
        {"decision": "approve"},
    )

    assert dashboard.context["memberships"] == []
    assert pre_review.status_code == 404
    client.force_login(world["merchant"].user)
    assert client.get(reverse("merchants:dashboard")).context["memberships"] == [world["membership"]]
