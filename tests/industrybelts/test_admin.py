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

    page = ops_client.post(MEMBERSHIPS, {"action": "approve", "_selected_action": [membership.pk]})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PRE_APPROVED  # nothing until confirmed
    [row] = page.context["rows"]
    assert (row["object"], row["status_label"], row["after_label"]) == (membership, "服务商已初审", "已通过")

    ops_client.post(MEMBERSHIPS, {"action": "approve", "_selected_action": [membership.pk], "apply": "1"})

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


# --- The decision panel on a membership's and a provider's page (core.review) -----------


def _change(model, obj):
    return reverse(f"admin:industrybelts_{model}_change", args=[obj.pk])


def _decide(model, obj):
    return reverse(f"admin:industrybelts_{model}_decide", args=[obj.pk])


def _offered(client, model, obj):
    panel = client.get(_change(model, obj)).context["review_panel"]
    return [item["decision"].key for item in panel["decisions"]]


@pytest.fixture
def pre_approved(apparel):
    _provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    return services.membership_pre_approve(membership=membership, by=owner)


def _applied_provider(belt):
    return services.provider_apply(
        user=UserFactory(),
        name="平洲直播服务",
        uscc=make_uscc(prefix="91"),
        region=Region.objects.get(code="440600"),
        team_size=8,
        track_record="两年直播基地运营",
        belt=belt,
    )


def test_membership_panel_offers_the_staff_decisions_after_pre_review(ops_client, pre_approved):
    assert _offered(ops_client, "beltmembership", pre_approved) == ["approve", "reject"]

    services.membership_approve(membership=pre_approved, by=belt_ops())

    assert _offered(ops_client, "beltmembership", pre_approved) == []


def test_membership_approved_from_its_page_with_a_note(ops_client, pre_approved):
    response = ops_client.post(
        _decide("beltmembership", pre_approved),
        {"decision": "approve", "expected_status": "pre_approved", "note": "资质齐全"},
    )

    pre_approved.refresh_from_db()
    assert pre_approved.status == MembershipStatus.APPROVED
    event = pre_approved.events.order_by("-pk").first()
    assert (event.to_status, event.reason) == (MembershipStatus.APPROVED, "资质齐全")
    assert response.status_code == 302 and response.url == MEMBERSHIPS  # nothing else waits


def test_membership_reject_without_a_reason_records_nothing(ops_client, pre_approved):
    events = pre_approved.events.count()

    response = ops_client.post(
        _decide("beltmembership", pre_approved),
        {"decision": "reject", "expected_status": "pre_approved", "reason": " "},
        follow=True,
    )

    pre_approved.refresh_from_db()
    assert pre_approved.status == MembershipStatus.PRE_APPROVED
    assert pre_approved.events.count() == events
    assert "理由" in response.content.decode()


def test_membership_decided_by_someone_else_is_refused_as_stale(ops_client, pre_approved):
    services.membership_reject(membership=pre_approved, by=belt_ops(), reason="不在产业带范围")
    events = pre_approved.events.count()

    response = ops_client.post(
        _decide("beltmembership", pre_approved),
        {"decision": "approve", "expected_status": "pre_approved"},
        follow=True,
    )

    pre_approved.refresh_from_db()
    assert pre_approved.status == MembershipStatus.REJECTED
    assert pre_approved.events.count() == events
    assert "已被他人处理" in response.content.decode()


def test_the_membership_queue_opens_on_what_the_providers_pre_approved(ops_client, pre_approved, apparel):
    merchant = approved_merchant()
    waiting_for_provider = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    response = ops_client.get(MEMBERSHIPS)

    assert list(response.context["cl"].result_list) == [pre_approved]
    tabs = {str(tab["label"]): tab["count"] for tab in response.context["queue_tabs"]}
    assert (tabs["待审核"], tabs["已申请"], tabs["服务商已初审"]) == (1, 1, 1)
    html = response.content.decode()
    assert 'class="badge badge-pre_approved">服务商已初审</span>' in html
    assert waiting_for_provider in ops_client.get(MEMBERSHIPS, {"queue": "all"}).context["cl"].result_list


def test_provider_panel_offers_the_moves_of_its_status(ops_client, jade, apparel):
    applied = _applied_provider(jade)
    approved, _owner = approved_provider(apparel)

    assert _offered(ops_client, "serviceprovider", applied) == ["approve", "reject"]
    assert _offered(ops_client, "serviceprovider", approved) == ["warn", "suspend", "remove"]
    services.provider_suspend(provider=approved, by=belt_ops(), reason="投诉过多")
    assert _offered(ops_client, "serviceprovider", approved) == ["warn", "reinstate", "remove"]


def test_provider_approved_from_its_page_with_a_belt_and_a_contract(ops_client, jade):
    provider = _applied_provider(jade)
    today = timezone.localdate()
    page = ops_client.get(_change("serviceprovider", provider)).content.decode()
    assert 'name="approve-belt"' in page and 'name="approve-ends_on"' in page

    ops_client.post(
        _decide("serviceprovider", provider),
        {
            "decision": "approve",
            "expected_status": "applied",
            "approve-belt": jade.pk,
            "approve-starts_on": today.isoformat(),
            "approve-ends_on": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )

    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPROVED
    assignment = provider.assignments.get()
    assert (assignment.belt, assignment.starts_on) == (jade, today)
    assert provider.members.get().user == provider.applied_by


def test_provider_approval_with_a_contract_ending_before_it_starts_changes_nothing(ops_client, jade):
    provider = _applied_provider(jade)
    today = timezone.localdate()
    events = provider.events.count()

    response = ops_client.post(
        _decide("serviceprovider", provider),
        {
            "decision": "approve",
            "expected_status": "applied",
            "approve-belt": jade.pk,
            "approve-starts_on": today.isoformat(),
            "approve-ends_on": (today - datetime.timedelta(days=1)).isoformat(),
        },
        follow=True,
    )

    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPLIED
    assert (provider.events.count(), provider.assignments.count()) == (events, 0)
    assert "合同" in response.content.decode()


def test_provider_reject_without_a_reason_records_nothing(ops_client, jade):
    provider = _applied_provider(jade)
    events = provider.events.count()

    response = ops_client.post(
        _decide("serviceprovider", provider),
        {"decision": "reject", "expected_status": "applied", "reason": ""},
        follow=True,
    )

    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPLIED
    assert provider.events.count() == events
    assert "理由" in response.content.decode()


def test_provider_decision_on_a_stale_page_is_refused(ops_client, apparel):
    provider, _owner = approved_provider(apparel)
    services.provider_suspend(provider=provider, by=belt_ops(), reason="投诉过多")
    events = provider.events.count()

    response = ops_client.post(
        _decide("serviceprovider", provider),
        {"decision": "suspend", "expected_status": "approved", "reason": "再次投诉"},
        follow=True,
    )

    assert ServiceProvider.objects.get(pk=provider.pk).status == ProviderStatus.SUSPENDED
    assert provider.events.count() == events
    assert "已被他人处理" in response.content.decode()


def test_provider_removed_from_its_page_hands_its_merchants_over(ops_client, apparel):
    old, _owner = approved_provider(apparel)
    new, _new_owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    ops_client.post(
        _decide("serviceprovider", old),
        {
            "decision": "remove",
            "expected_status": "approved",
            "reason": "违规收费",
            "remove-successor": new.pk,
        },
    )

    membership.refresh_from_db()
    assert ServiceProvider.objects.get(pk=old.pk).status == ProviderStatus.REMOVED
    assert old.events.order_by("-pk").first().reason == "违规收费"
    assert membership.provider == new


def test_provider_warning_from_its_page_keeps_its_status(ops_client, apparel):
    provider, _owner = approved_provider(apparel)

    ops_client.post(
        _decide("serviceprovider", provider),
        {"decision": "warn", "expected_status": "approved", "reason": "审核超时"},
    )

    provider.refresh_from_db()
    assert provider.status == ProviderStatus.APPROVED
    warning = provider.events.order_by("-pk").first()
    assert (warning.details, warning.reason) == ({"kind": "warning"}, "审核超时")


def test_bulk_reinstate_lists_each_provider_and_waits_for_confirmation(ops_client, apparel):
    suspended, _owner = approved_provider(apparel)
    services.provider_suspend(provider=suspended, by=belt_ops(), reason="投诉过多")
    approved, _other = approved_provider(apparel)
    selected = {"action": "reinstate", "_selected_action": [suspended.pk, approved.pk]}

    page = ops_client.post(PROVIDERS + "?queue=all", selected)

    rows = {
        row["object"].pk: (row["status_label"], row["possible"], row["after_label"])
        for row in page.context["rows"]
    }
    assert rows == {suspended.pk: ("已暂停", True, "已通过"), approved.pk: ("已通过", False, "已通过")}
    assert "不能从此状态" in page.content.decode()
    assert ServiceProvider.objects.get(pk=suspended.pk).status == ProviderStatus.SUSPENDED

    ops_client.post(PROVIDERS + "?queue=all", {**selected, "apply": "1"})

    assert ServiceProvider.objects.get(pk=suspended.pk).status == ProviderStatus.APPROVED
