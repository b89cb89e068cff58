"""Providers, invitations and memberships through their services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import InvalidTransition, ReasonRequired
from industrybelts import services
from industrybelts.exceptions import AlreadyMember, InvitationInvalid, NotEligible
from industrybelts.models import (
    BeltMembership,
    MemberRole,
    MembershipStatus,
    MerchantInvitation,
    ProviderMember,
    ProviderStatus,
)
from merchants import services as merchant_services
from tests.factories import UserFactory, reviewer
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, invited

pytestmark = pytest.mark.django_db


def test_approving_a_provider_assigns_the_belt_and_makes_the_applicant_owner(
    jade, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        provider, owner = approved_provider(jade)

    assert provider.status == ProviderStatus.APPROVED
    assert provider.assignments.get().belt == jade
    assert ProviderMember.objects.get(provider=provider).user == owner
    assert ProviderMember.objects.get(provider=provider).role == MemberRole.OWNER
    assert [(e.from_status, e.to_status) for e in provider.events.all()] == [
        ("", "applied"),
        ("applied", "approved"),
    ]
    assert outbox.wait_for(1)[-1].to == [owner.email]


def test_a_merchant_can_join_an_open_belt_through_pre_review_and_staff(
    apparel, outbox, django_capture_on_commit_callbacks
):
    provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    base = apparel.bases.first()

    membership = services.membership_apply(merchant=merchant, belt=apparel, base=base, by=merchant.user)
    services.membership_pre_approve(membership=membership, by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.membership_approve(membership=membership, by=belt_ops())

    assert membership.provider == provider
    assert approved.status == MembershipStatus.APPROVED
    assert [e.to_status for e in approved.events.all()] == ["applied", "pre_approved", "approved"]
    assert outbox.wait_for(1)[-1].to == [merchant.user.email]


def test_staff_cannot_approve_before_the_provider_pre_reviews(apparel):
    approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    with pytest.raises(InvalidTransition):
        services.membership_approve(membership=membership, by=belt_ops())

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_jade_needs_an_invitation_and_the_appraisal_certificate(jade):
    provider, _owner = approved_provider(jade)
    without_certificate = approved_merchant(categories=("apparel",))
    with_certificate = approved_merchant(categories=("jade-jewellery",))

    with pytest.raises(NotEligible) as no_invitation:
        services.membership_apply(
            merchant=with_certificate, belt=jade, base=jade.bases.first(), by=with_certificate.user
        )
    invitation = invited(provider, jade, without_certificate)
    with pytest.raises(NotEligible) as no_certificate:
        services.membership_apply(
            merchant=without_certificate,
            belt=jade,
            base=jade.bases.first(),
            by=without_certificate.user,
            invitation=invitation,
        )

    assert "邀请" in str(no_invitation.value)
    assert "珠宝玉石鉴定证书" in str(no_certificate.value)
    assert not BeltMembership.objects.exists()


def test_invitation_for_another_belt_is_refused(jade, apparel):
    provider, _owner = approved_provider(apparel)
    services.provider_assign(
        provider=provider,
        belt=jade,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        by=belt_ops(),
    )
    merchant = approved_merchant(categories=("jade-jewellery",))
    apparel_invitation = invited(provider, apparel, merchant)

    with pytest.raises(NotEligible) as refused:
        services.membership_apply(
            merchant=merchant,
            belt=jade,
            base=jade.bases.first(),
            by=merchant.user,
            invitation=apparel_invitation,
        )

    assert "另一个产业带" in str(refused.value)


def test_invitation_link_works_once(jade):
    provider, owner = approved_provider(jade)
    invitation, code = services.merchant_invitation_create(provider=provider, belt=jade, by=owner)
    first, second = UserFactory(), UserFactory()

    services.merchant_invitation_claim(code=code, user=first)
    with pytest.raises(InvitationInvalid):
        services.merchant_invitation_claim(code=code, user=second)

    invitation.refresh_from_db()
    assert invitation.accepted_by == first


def test_expired_invitation_is_refused(jade):
    provider, owner = approved_provider(jade)
    invitation, code = services.merchant_invitation_create(provider=provider, belt=jade, by=owner)
    MerchantInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(InvitationInvalid) as refused:
        services.merchant_invitation_claim(code=code, user=UserFactory())

    assert "过期" in str(refused.value)


def test_only_the_code_digest_is_stored(jade):
    provider, owner = approved_provider(jade)
    invitation, code = services.merchant_invitation_create(provider=provider, belt=jade, by=owner)

    assert code not in {
        str(v) for v in MerchantInvitation.objects.filter(pk=invitation.pk).values().get().values()
    }


def test_applying_twice_is_refused(apparel):
    approved_provider(apparel)
    merchant = approved_merchant()
    services.membership_apply(merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user)

    with pytest.raises(AlreadyMember):
        services.membership_apply(
            merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
        )

    assert BeltMembership.objects.count() == 1


def test_unapproved_or_suspended_merchant_cannot_apply(apparel):
    from tests.factories import submitted_application

    approved_provider(apparel)
    pending = submitted_application().merchant
    suspended = approved_merchant()
    merchant_services.application_suspend(
        application=suspended.applications.get(), by=reviewer(), reason="投诉核查"
    )

    for merchant in (pending, suspended):
        with pytest.raises(NotEligible):
            services.membership_apply(
                merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
            )
    assert not BeltMembership.objects.exists()


def test_a_base_of_another_belt_is_refused(apparel, jade):
    approved_provider(apparel)
    merchant = approved_merchant()

    with pytest.raises(NotEligible):
        services.membership_apply(merchant=merchant, belt=apparel, base=jade.bases.first(), by=merchant.user)


def test_provider_member_cannot_pre_review_another_belt(apparel, jade):
    _jade_provider, jade_owner = approved_provider(jade)
    approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    with pytest.raises(PermissionDenied):
        services.membership_pre_approve(membership=membership, by=jade_owner)

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_declining_needs_a_reason(apparel):
    _provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    with pytest.raises(ReasonRequired):
        services.membership_pre_reject(membership=membership, by=owner, reason="")
    declined = services.membership_pre_reject(membership=membership, by=owner, reason="货源不在本产业带")

    assert declined.status == MembershipStatus.REJECTED


def test_suspended_provider_members_lose_their_rights(apparel):
    provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    services.provider_suspend(provider=provider, by=belt_ops(), reason="多次违规收费")

    with pytest.raises(PermissionDenied):
        services.membership_pre_approve(membership=membership, by=owner)


def test_removing_a_provider_ends_contracts_and_hands_merchants_over(apparel):
    old, _owner = approved_provider(apparel)
    new, _new_owner = approved_provider(apparel)
    merchant = approved_merchant()
    membership = services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    assert membership.provider == old

    services.provider_remove(
        provider=old, by=belt_ops(), reason="合同期内严重违规", reassign_to={apparel.pk: new}
    )

    membership.refresh_from_db()
    old.refresh_from_db()
    assert old.status == ProviderStatus.REMOVED
    assert old.assignments.get().ended_at is not None
    assert membership.provider == new
    assert old.events.last().reason == "合同期内严重违规"


def test_warning_is_recorded_without_changing_status(apparel):
    provider, _owner = approved_provider(apparel)

    services.provider_warn(provider=provider, by=belt_ops(), reason="审核超时")

    provider.refresh_from_db()
    warning = provider.events.last()
    assert provider.status == ProviderStatus.APPROVED
    assert (warning.from_status, warning.to_status, warning.details) == (
        "approved",
        "approved",
        {"kind": "warning"},
    )


def test_team_invitation_is_accepted_only_by_its_addressee(
    apparel, outbox, django_capture_on_commit_callbacks
):
    provider, owner = approved_provider(apparel)
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(provider=provider, by=owner, email="Agent@Example.com", role=MemberRole.AGENT)
    [message] = [m for m in outbox.wait_for(1) if m.to == ["agent@example.com"]]
    code = message.body.split("/provider/join/")[1].split("/")[0]

    with pytest.raises(InvitationInvalid):
        services.member_invitation_accept(code=code, user=UserFactory(email="someone@example.com"))
    member = services.member_invitation_accept(code=code, user=UserFactory(email="agent@example.com"))

    assert (member.provider, member.role) == (provider, MemberRole.AGENT)


def test_agents_cannot_invite_team_members(apparel):
    provider, _owner = approved_provider(apparel)
    agent = UserFactory()
    ProviderMember.objects.create(provider=provider, user=agent, role=MemberRole.AGENT)

    with pytest.raises(PermissionDenied):
        services.member_invite(provider=provider, by=agent, email="x@example.com", role=MemberRole.AGENT)
