"""The kernel's models: the fields every app's rows share (core/fields.py: timestamps, a
public id, the key to the user who did something) and, found here by Django, review claims
and the webhook outbox (core/webhooks/models.py)."""

from .claims import ReviewClaim
from .fields import TimeStampedModel, public_id_field, user_reference
from .webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ReviewClaim",
    "TimeStampedModel",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "public_id_field",
    "user_reference",
]
