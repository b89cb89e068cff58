"""The onboarding application's status map and its webhook subject, declared once (core.transitions)."""

from django.db.models import Q

from core.hooks import Hook
from core.transitions import Workflow
from core.webhooks.models import EventType
from core.webhooks.subjects import WebhookSubject

from .events import ApplicationEvent
from .models import ApplicationStatus as S
from .models import OnboardingApplication

# Others who follow a merchant's application (industrybelts: the provider that recruited it,
# while it serves that belt) add the filter of their endpoints here.
application_followers = Hook(
    "merchants.application_followers", "rule(merchant_id) -> Q over WebhookEndpoint: who else hears"
)


def merchant_endpoints(merchant_id: int) -> Q:
    """The merchant's own webhook endpoints (made with a merchant token, so no provider)."""
    return Q(provider__isnull=True, owner__merchant__pk=merchant_id)


def application_subject(application) -> WebhookSubject:
    recipients = merchant_endpoints(application.merchant_id)
    for rule in application_followers:
        recipients |= rule(application.merchant_id)

    def describe():
        row = (
            OnboardingApplication.objects.filter(pk=application.pk)
            .values("public_id", "merchant__public_id")
            .get()
        )
        return {
            "application": {
                "id": str(row["public_id"]),
                "status": application.status,
                "merchant": str(row["merchant__public_id"]),
            }
        }

    return WebhookSubject(recipients=recipients, describe=describe)


APPLICATION_WORKFLOW = Workflow(
    model=OnboardingApplication,
    transitions={
        S.DRAFT: {S.SUBMITTED},
        # A merchant may withdraw a submission back to draft until review starts.
        S.SUBMITTED: {S.IN_REVIEW, S.DRAFT},
        S.IN_REVIEW: {S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED},
        S.CHANGES_REQUESTED: {S.SUBMITTED},
        # A shop that closes (退店) stays closed: its account and history remain.
        S.APPROVED: {S.SUSPENDED, S.CLOSED},
        S.SUSPENDED: {S.APPROVED, S.CLOSED},
    },
    event_model=ApplicationEvent,
    event_subject_field="application",
    reason_required={S.CHANGES_REQUESTED, S.REJECTED, S.SUSPENDED},
    webhook_event=EventType.APPLICATION_STATUS_CHANGED,
    webhook_subject=application_subject,
)
