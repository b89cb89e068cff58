"""Belt operations staff in admin: approve providers with a contract, scorecards, decisions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from industrybelts import services
from industrybelts.models import MembershipStatus, ProviderComplaint, ProviderStatus, ServiceProvider
from merchants.models import Region
from tests.factories import UserFactory, reviewer
from tests.identity import make_uscc
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops

pytestmark = pytest.mark.django_db

PROVIDERS = reverse("admin:industrybelts_serviceprovider_changelist")
MEMBERSHIPS = reverse("admin:industrybelts_beltmembership_changelist")


@pytest.fixture
def ops_client(client):
    client.force_login(belt_ops())
    return client


def test_approve_action_asks_for_belt_and_contract_then_assigns(ops_client, jade):
    applicant = UserFactory()
    provider = services.provider_apply(
        user=applicant,
        name="平洲直播服务",
        uscc=make_uscc(prefix="91"),
        region=Region.objects.get(code="440600"),
        team_size=8,
        track_record="两年直播基地运营",
        belt=jade,
    )
    today = timezone.localdate()

    form_page = ops_client.post(PROVIDERS, {"action": "approve", "_selected_action": [provider.pk]})
    ops_client.post(
        PROVIDERS,
        {
            "action": "approve",
            "_selected_action": [provider.pk],
            "apply": "1",
            "belt": jade.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )

    assert "belt" in form_page.context["form"].fields
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPROVED
    assert provider.assignments.get().belt == jade
    assert provider.members.get().user == applicant


def test_scorecard_shows_approval_rate_complaints_and_warnings(ops_client, apparel):
    provider, owner = approved_provider(apparel)
    for decision in ("approve", "reject"):
        merchant = approved_merchant()
        membership = services.membership_apply(
            merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
        )
        if decision == "approve":
            services.membership_pre_approve(membership=membership, by=owner)
            services.membership_approve(membership=membership, by=belt_ops())
        else:
            services.membership_pre_reject(membership=membership, by=owner, reason="不符合")
    ProviderComplaint.objects.create(provider=provider, summary="收取额外费用")
    services.provider_warn(provider=provider, by=belt_ops(), reason="审核超时")

    response = ops_client.get(reverse("admin:industrybelts_serviceprovider_change", args=[provider.pk]))

    html = response.content.decode()
    assert "50%" in html
    assert "收取额外费用" in html
    assert "审核超时" in html


def test_membership_approve_action_after_pre_review(ops_client, apparel):
    _provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    services.membership_pre_approve(membership=membership, by=owner)

    ops_client.post(MEMBERSHIPS, {"action": "approve", "_selected_action": [membership.pk]})

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPROVED


def test_remove_action_hands_merchants_to_the_successor(ops_client, apparel):
    old, _owner = approved_provider(apparel)
    new, _new_owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    ops_client.post(
        PROVIDERS,
        {
            "action": "remove",
            "_selected_action": [old.pk],
            "apply": "1",
            "reason": "违规收费",
            "successor": new.pk,
        },
    )

    membership.refresh_from_db()
    assert ServiceProvider.objects.get(pk=old.pk).status == ProviderStatus.REMOVED
    assert membership.provider == new


def test_reviewers_and_merchants_cannot_open_provider_admin(client, apparel):
    approved_provider(apparel)
    for user in (reviewer(), UserFactory()):
        client.force_login(user)
        assert client.get(PROVIDERS, follow=True).status_code == 403
