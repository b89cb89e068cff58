"""Status maps of providers and belt memberships, and the memberships' webhook subject (core.transitions)."""

from django.db.models import Exists, OuterRef, Q

from core.transitions import Workflow
from core.webhooks.models import EventType
from core.webhooks.subjects import WebhookSubject
from merchants.workflows import merchant_endpoints

from .models import (
    BeltMembership,
    MembershipEvent,
    MembershipStatus,
    MerchantInvitation,
    ProviderEvent,
    ProviderMember,
    ProviderStatus,
    ServiceProvider,
    recount_members,
)
from .permissions import active_assignments

P = ProviderStatus
M = MembershipStatus

PROVIDER_WORKFLOW = Workflow(
    model=ServiceProvider,
    transitions={
        P.APPLIED: {P.APPROVED, P.REJECTED},
        P.APPROVED: {P.SUSPENDED, P.REMOVED},
        P.SUSPENDED: {P.APPROVED, P.REMOVED},
    },
    event_model=ProviderEvent,
    event_subject_field="provider",
    reason_required={P.REJECTED, P.SUSPENDED, P.REMOVED},
)


def provider_endpoints(provider_ids) -> Q:
    """Endpoints of approved providers among `provider_ids`, made by someone still in the team."""
    still_member = ProviderMember.objects.filter(provider=OuterRef("provider"), user=OuterRef("owner"))
    return Q(provider__in=provider_ids, provider__status=ProviderStatus.APPROVED) & Q(Exists(still_member))


def recruiting_provider_endpoints(merchant_id: int) -> Q:
    """Endpoints of providers whose invitation the merchant accepted, in a belt they still serve.

    Registered as a follower of the merchant's application (apps.py): merchants asks.
    """
    serving = active_assignments().filter(provider=OuterRef("provider"), belt=OuterRef("belt"))
    recruiters = (
        MerchantInvitation.objects.filter(accepted_by__merchant__pk=merchant_id)
        .filter(Exists(serving))
        .values("provider")
    )
    return provider_endpoints(recruiters)


def membership_subject(membership) -> WebhookSubject:
    """The merchant hears of its membership, and so does the provider responsible for it."""
    recipients = merchant_endpoints(membership.merchant_id)
    if membership.provider_id:
        recipients |= provider_endpoints([membership.provider_id])

    def describe():
        row = (
            BeltMembership.objects.filter(pk=membership.pk)
            .values("public_id", "merchant__public_id", "belt__slug", "provider__public_id")
            .get()
        )
        provider = row["provider__public_id"]
        return {
            "membership": {
                "id": str(row["public_id"]),
                "status": membership.status,
                "merchant": str(row["merchant__public_id"]),
                "belt": row["belt__slug"],
                "provider": str(provider) if provider else None,
            }
        }

    return WebhookSubject(recipients=recipients, describe=describe)


def keep_member_count(membership, from_status, to_status) -> None:
    """A move into or out of "approved" changes the belt's kept `member_count`."""
    if M.APPROVED in (from_status, to_status):
        recount_members(membership.belt_id)


MEMBERSHIP_WORKFLOW = Workflow(
    model=BeltMembership,
    transitions={
        M.APPLIED: {M.PRE_APPROVED, M.REJECTED},
        M.PRE_APPROVED: {M.APPROVED, M.REJECTED},
        M.APPROVED: {M.LEFT},
    },
    event_model=MembershipEvent,
    event_subject_field="membership",
    reason_required={M.REJECTED},
    webhook_event=EventType.MEMBERSHIP_STATUS_CHANGED,
    webhook_subject=membership_subject,
    after_move=keep_member_count,
)
