"""Writes of belts, providers, invitations and memberships.

Keyword-only, atomic, domain errors on refusal; status moves go through the shared
workflows; e-mails are queued for after the commit.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import email_user, send_templated_email
from core.exceptions import ReasonRequired
from merchants import services as merchant_services
from merchants.models import ApplicationStatus, DocumentKind, MerchantProfile
from merchants.services import site_base_url

from . import permissions
from .exceptions import AlreadyMember, InvitationInvalid, NotEligible
from .models import (
    Belt,
    BeltMembership,
    BeltStatus,
    MemberInvitation,
    MemberRole,
    MembershipStatus,
    MerchantInvitation,
    ProviderAssignment,
    ProviderComplaint,
    ProviderMember,
    ProviderStatus,
    ServiceProvider,
)
from .workflows import MEMBERSHIP_WORKFLOW, PROVIDER_WORKFLOW

INVITATION_VALID_DAYS = 14

# --- Providers ---------------------------------------------------------------------


@transaction.atomic
def provider_apply(*, user, name, uscc, region, team_size, track_record, belt) -> ServiceProvider:
    """Record an organisation's application to serve `belt`."""
    if user.is_staff:
        raise NotEligible(_("Staff accounts cannot apply for or join a service provider."))
    try:
        with transaction.atomic():
            provider = ServiceProvider.objects.create(
                name=name,
                uscc=uscc,
                region=region,
                team_size=team_size,
                track_record=track_record,
                requested_belt=belt,
                applied_by=user,
            )
    except IntegrityError:
        raise NotEligible(_("A provider with this unified social credit code has already applied.")) from None
    PROVIDER_WORKFLOW.record(obj=provider, by=user, created=True)
    return provider


def _require_belt_operations(by) -> None:
    if not (by.is_authenticated and by.is_staff and by.has_perm("industrybelts.change_serviceprovider")):
        raise PermissionDenied


@transaction.atomic
def provider_assign(*, provider, belt, starts_on, ends_on, by) -> ProviderAssignment:
    _require_belt_operations(by)
    if ends_on < starts_on:
        raise NotEligible(_("The contract must end after it starts."))
    assignment, _created = ProviderAssignment.objects.update_or_create(
        provider=provider,
        belt=belt,
        ended_at__isnull=True,
        defaults={"starts_on": starts_on, "ends_on": ends_on},
    )
    return assignment


@transaction.atomic
def provider_approve(*, provider, by, belt, starts_on, ends_on) -> ServiceProvider:
    """Approve the provider, assign it to `belt` and make its applicant the owner member."""
    _require_belt_operations(by)
    provider, _event = PROVIDER_WORKFLOW.move(
        obj=provider,
        to=ProviderStatus.APPROVED,
        by=by,
        details={"belt": belt.slug},
        expected_from={ProviderStatus.APPLIED},
    )
    provider_assign(provider=provider, belt=belt, starts_on=starts_on, ends_on=ends_on, by=by)
    ProviderMember.objects.get_or_create(
        provider=provider, user=provider.applied_by, defaults={"role": MemberRole.OWNER}
    )
    email_user(
        provider.applied_by,
        template_prefix="industrybelts/email/provider_approved",
        context={"provider": provider, "belt": belt},
    )
    return provider


def _provider_move(provider, *, to, by, reason, expected_from=None):
    _require_belt_operations(by)
    moved, _event = PROVIDER_WORKFLOW.move(
        obj=provider, to=to, by=by, reason=reason, expected_from=expected_from
    )
    return moved


@transaction.atomic
def provider_reject(*, provider, by, reason) -> ServiceProvider:
    return _provider_move(provider, to=ProviderStatus.REJECTED, by=by, reason=reason)


@transaction.atomic
def provider_suspend(*, provider, by, reason) -> ServiceProvider:
    return _provider_move(provider, to=ProviderStatus.SUSPENDED, by=by, reason=reason)


@transaction.atomic
def provider_reinstate(*, provider, by, reason="") -> ServiceProvider:
    return _provider_move(
        provider, to=ProviderStatus.APPROVED, by=by, reason=reason, expected_from={ProviderStatus.SUSPENDED}
    )


@transaction.atomic
def provider_warn(*, provider, by, reason) -> None:
    """Record a warning on the provider's history (its status does not change)."""
    _require_belt_operations(by)
    if not (reason or "").strip():
        raise ReasonRequired(target=provider.status)
    locked = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
    PROVIDER_WORKFLOW.record(obj=locked, by=by, reason=reason, details={"kind": "warning"})


@transaction.atomic
def provider_remove(*, provider, by, reason, reassign_to: dict | None = None) -> ServiceProvider:
    """Remove the provider, end its contracts, and hand its belts' merchants to `reassign_to[belt_id]`."""
    moved = _provider_move(provider, to=ProviderStatus.REMOVED, by=by, reason=reason)
    now = timezone.now()
    reassign_to = reassign_to or {}
    for assignment in ProviderAssignment.objects.select_for_update().filter(
        provider=moved, ended_at__isnull=True
    ):
        assignment.ended_at = now
        assignment.save(update_fields=["ended_at", "updated_at"])
        successor = reassign_to.get(assignment.belt_id)
        if successor is not None and not permissions.provider_serves_belt(successor, assignment.belt):
            raise NotEligible(_("The new provider does not serve this belt."))
        BeltMembership.objects.filter(provider=moved, belt=assignment.belt).update(provider=successor)
    return moved


@transaction.atomic
def complaint_record(*, provider, summary, by=None) -> ProviderComplaint:
    return ProviderComplaint.objects.create(provider=provider, summary=summary, reported_by=by)


# --- Provider team -----------------------------------------------------------------


@transaction.atomic
def member_invite(*, provider, by, email, role) -> MemberInvitation:
    if not permissions.can_manage_team(by, provider):
        raise PermissionDenied
    code = MemberInvitation.new_code()
    invitation = MemberInvitation.objects.create(
        provider=provider,
        email=email.lower(),
        role=role,
        created_by=by,
        code_digest=MemberInvitation.digest(code),
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_VALID_DAYS),
    )
    send_templated_email(
        template_prefix="industrybelts/email/member_invitation",
        to=invitation.email,
        context={
            "provider": provider,
            "invitation": invitation,
            "link": site_base_url() + reverse("industrybelts:member-join", args=[code]),
        },
        language=by.language,
    )
    return invitation


def _open_invitation(model, code):
    invitation = model.objects.select_for_update().filter(code_digest=model.digest(code or "")).first()
    if invitation is None:
        raise InvitationInvalid()
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation link has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def member_invitation_accept(*, code, user) -> ProviderMember:
    invitation = _open_invitation(MemberInvitation, code)
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation link has already been used."))
    if invitation.email != user.email.lower():
        raise InvitationInvalid(_("This invitation was sent to another e-mail address."))
    if user.is_staff:
        # A staff member inside a provider would see its merchants' documents through it.
        raise InvitationInvalid(_("Staff accounts cannot apply for or join a service provider."))
    member, _created = ProviderMember.objects.get_or_create(
        provider=invitation.provider, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return member


# --- Merchant invitations ------------------------------------------------------------


@transaction.atomic
def merchant_invitation_create(*, provider, belt, by, note="") -> tuple[MerchantInvitation, str]:
    """Create a single-use invitation link; return it with its code, which is not stored."""
    if not permissions.can_invite_merchants(by, provider, belt):
        raise PermissionDenied
    code = MerchantInvitation.new_code()
    invitation = MerchantInvitation.objects.create(
        provider=provider,
        belt=belt,
        created_by=by,
        note=note[:100],
        code_digest=MerchantInvitation.digest(code),
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_VALID_DAYS),
    )
    return invitation, code


@transaction.atomic
def merchant_recruit(
    *, provider, belt, by, prefill: dict, note="", email=""
) -> tuple[MerchantInvitation, str]:
    """Prepare a seller's application: an invitation link carrying what the provider knows.

    The seller signs up through the link; the prepared values fill its empty draft, which
    the seller completes (documents, channels, deposit) and submits in the browser. With
    `email`, the link is also sent to the seller.
    """
    invitation, code = merchant_invitation_create(provider=provider, belt=belt, by=by, note=note)
    invitation.prefill = prefill
    invitation.save(update_fields=["prefill", "updated_at"])
    if email:
        send_templated_email(
            template_prefix="industrybelts/email/merchant_recruit",
            to=email,
            context={
                "provider": provider,
                "belt": belt,
                "invitation": invitation,
                "link": site_base_url() + reverse("industrybelts:invitation", args=[code]),
            },
            language=by.language,
        )
    return invitation, code


@transaction.atomic
def merchant_invitation_claim(*, code, user) -> MerchantInvitation:
    """Attribute the invitation to `user` (at sign-up or when a signed-in seller opens it); single use.

    A recruit's prepared values go into the seller's draft application on the first claim.
    """
    invitation = _open_invitation(MerchantInvitation, code)
    if invitation.accepted_by_id not in (None, user.pk):
        raise InvitationInvalid(_("This invitation link has already been used."))
    if invitation.accepted_by_id is None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        if invitation.prefill:
            merchant = merchant_services.merchant_profile_ensure(user=user)
            merchant_services.application_prefill(merchant=merchant, prefill=invitation.prefill)
    return invitation


# --- Memberships -----------------------------------------------------------------------


def _approved_application(merchant):
    return (
        merchant.applications.filter(status=ApplicationStatus.APPROVED).prefetch_related("documents").first()
    )


def membership_eligibility(*, merchant: MerchantProfile, belt: Belt, invitation=None) -> list[str]:
    """Return the reasons `merchant` cannot apply to `belt` (empty when it can)."""
    reasons = []
    if belt.status != BeltStatus.OPEN:
        reasons.append(str(_("This belt is not taking new merchants.")))
    application = _approved_application(merchant)
    if application is None:
        reasons.append(str(_("Your shop must be approved (and not suspended) first.")))
    elif belt.required_qualification_id and not any(
        d.kind == DocumentKind.QUALIFICATION and d.qualification_id == belt.required_qualification_id
        for d in application.documents.all()
    ):
        reasons.append(
            str(_("This belt requires: %(qualification)s.") % {"qualification": belt.required_qualification})
        )
    if belt.requires_invitation:
        if invitation is None:
            reasons.append(
                str(_("This belt is by invitation only: ask one of its service providers for a link."))
            )
        elif invitation.belt_id != belt.pk:
            reasons.append(str(_("Your invitation is for another belt.")))
    return reasons


@transaction.atomic
def membership_apply(*, merchant, belt, base, by, invitation=None) -> BeltMembership:
    if merchant.user_id != by.pk:
        raise PermissionDenied
    MerchantProfile.objects.select_for_update().get(pk=merchant.pk)
    if base.belt_id != belt.pk:
        raise NotEligible(_("Choose a base of this belt."))
    if invitation is not None:
        invitation = (
            MerchantInvitation.objects.select_for_update().select_related("provider").get(pk=invitation.pk)
        )
    if invitation is not None and (invitation.accepted_by_id != by.pk or _invitation_used(invitation)):
        raise InvitationInvalid(_("This invitation link has already been used."))
    reasons = membership_eligibility(merchant=merchant, belt=belt, invitation=invitation)
    if reasons:
        raise NotEligible(" ".join(reasons))
    if (
        BeltMembership.objects.filter(merchant=merchant, belt=belt)
        .exclude(status__in=[MembershipStatus.REJECTED, MembershipStatus.LEFT])
        .exists()
    ):
        raise AlreadyMember()
    provider = invitation.provider if invitation else _default_provider(belt)
    membership = BeltMembership.objects.create(
        merchant=merchant, belt=belt, base=base, provider=provider, invitation=invitation
    )
    MEMBERSHIP_WORKFLOW.record(obj=membership, by=by, created=True)
    return membership


def _invitation_used(invitation) -> bool:
    return BeltMembership.objects.filter(invitation=invitation).exists()


def _default_provider(belt):
    assignment = permissions.active_assignments().filter(belt=belt).order_by("starts_on", "pk").first()
    return assignment.provider if assignment else None


def _pre_review(membership, *, to, by, reason, updates, expected_from=None):
    """The responsible provider's step: check, move; return (membership, event)."""
    if not permissions.can_pre_review(by, membership):
        raise PermissionDenied
    return MEMBERSHIP_WORKFLOW.move(
        obj=membership, to=to, by=by, reason=reason, updates=updates, expected_from=expected_from
    )


@transaction.atomic
def membership_pre_approve(*, membership, by, reason="") -> BeltMembership:
    moved, _event = _pre_review(
        membership,
        to=MembershipStatus.PRE_APPROVED,
        by=by,
        reason=reason,
        updates={"pre_reviewed_at": timezone.now()},
    )
    return moved


@transaction.atomic
def membership_pre_reject(*, membership, by, reason) -> BeltMembership:
    moved, event = _pre_review(
        membership,
        to=MembershipStatus.REJECTED,
        by=by,
        reason=reason,
        updates={"pre_reviewed_at": timezone.now(), "decided_at": timezone.now()},
        expected_from={MembershipStatus.APPLIED},
    )
    _notify_membership(moved, event)
    return moved


def _decide(membership, *, to, by, reason, expected_from=None):
    """Staff's decision: check, move with the decision's time, tell the merchant."""
    if not permissions.can_decide_memberships(by) or membership.merchant.user_id == by.pk:
        raise PermissionDenied
    moved, event = MEMBERSHIP_WORKFLOW.move(
        obj=membership,
        to=to,
        by=by,
        reason=reason,
        updates={"decided_at": timezone.now()},
        expected_from=expected_from,
    )
    _notify_membership(moved, event)
    return moved


@transaction.atomic
def membership_approve(*, membership, by, reason="") -> BeltMembership:
    return _decide(membership, to=MembershipStatus.APPROVED, by=by, reason=reason)


@transaction.atomic
def membership_reject(*, membership, by, reason) -> BeltMembership:
    return _decide(
        membership,
        to=MembershipStatus.REJECTED,
        by=by,
        reason=reason,
        expected_from={MembershipStatus.PRE_APPROVED},
    )


def _notify_membership(membership, event):
    merchant_services.merchant_notify_status(
        membership, event, template="industrybelts/email/membership", name="membership"
    )
