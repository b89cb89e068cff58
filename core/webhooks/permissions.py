"""Whose webhook endpoints a token reaches.

A merchant token (no provider) reaches its owner's own endpoints; a provider token
reaches the endpoints registered for its provider, by any member of the team, while
its owner is still an approved member (industrybelts.permissions.token_provider).
Everything else is out of reach: 404, as if it did not exist.
"""

from core.api.scopes import acting_provider

from .models import WebhookDelivery, WebhookEndpoint

__all__ = ["acting_provider", "visible_deliveries", "visible_endpoints"]


def visible_endpoints(user, provider=None):
    if provider is not None:
        return WebhookEndpoint.objects.filter(provider=provider)
    return WebhookEndpoint.objects.filter(owner=user, provider__isnull=True)


def visible_deliveries(endpoint):
    return WebhookDelivery.objects.filter(endpoint=endpoint)
