"""The kernel's models: the webhook outbox (core/webhooks/models.py), found here by Django."""

from .webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]
