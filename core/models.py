"""The kernel's models: the abstract timestamps every app's rows carry, the key to the user
who did something, and the webhook outbox (core/webhooks/models.py), found here by Django."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .claims import ReviewClaim
from .webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class TimeStampedModel(models.Model):
    """Abstract row with `created_at` and `updated_at` (docs/contributing.md: on everything).

    A model whose creation time has a name of its own ("uploaded at", "applied at")
    overrides `created_at` with that verbose name; the column stays the same.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def user_reference(verbose_name, **options) -> models.ForeignKey:
    """Return a key to the user who did something (acted, accepted, wrote, reported).

    The row outlives the account: the key becomes NULL when the user is deleted. The user
    gets no reverse accessor (`related_name="+"`).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


__all__ = [
    "ReviewClaim",
    "TimeStampedModel",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "user_reference",
]
