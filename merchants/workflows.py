"""The onboarding application's status map, declared once (see transitions.py)."""

from core.transitions import Workflow

from .events import ApplicationEvent
from .models import ApplicationStatus as S
from .models import OnboardingApplication
from .webhooks.models import EventType

APPLICATION_WORKFLOW = Workflow(
    model=OnboardingApplication,
    transitions={
        S.DRAFT: {S.SUBMITTED},
        # A merchant may withdraw a submission back to draft until review starts.
        S.SUBMITTED: {S.IN_REVIEW, S.DRAFT},
        S.IN_REVIEW: {S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED},
        S.CHANGES_REQUESTED: {S.SUBMITTED},
        S.APPROVED: {S.SUSPENDED},
        S.SUSPENDED: {S.APPROVED},
    },
    event_model=ApplicationEvent,
    event_subject_field="application",
    reason_required={S.CHANGES_REQUESTED, S.REJECTED, S.SUSPENDED},
    webhook_event=EventType.APPLICATION_STATUS_CHANGED,
)
