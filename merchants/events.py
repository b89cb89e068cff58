"""Append-only audit rows of the onboarding application's status moves."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import TransitionEvent, event_subject


class ApplicationEvent(TransitionEvent):
    """One status move of an application: who, when, from → to, why.

    `details["fields"]` lists the form fields a changes-requested decision is about,
    so the merchant's dashboard can show the reason beside them.
    """

    application = event_subject("merchants.OnboardingApplication", _("application"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        indexes = [models.Index(fields=["application", "created_at"], name="appevent_history_idx")]
