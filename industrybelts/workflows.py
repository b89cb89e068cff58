"""Status maps of providers and belt memberships, on the shared mechanism (core.transitions)."""

from core.transitions import Workflow
from merchants.webhooks.models import EventType

from .models import (
    BeltMembership,
    MembershipEvent,
    MembershipStatus,
    ProviderEvent,
    ProviderStatus,
    ServiceProvider,
)

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
)
