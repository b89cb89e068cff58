"""Whose webhook endpoints a token reaches.

A merchant token (no provider) reaches its owner's own endpoints; a provider token
reaches the endpoints registered for its provider, by any member of the team, while
its owner is still an approved member (industrybelts.permissions.token_provider).
Everything else is out of reach: 404, as if it did not exist.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from .models import WebhookDelivery, WebhookEndpoint


class ProviderUnavailable(PermissionDenied):
    default_code = "provider_unavailable"
    default_detail = _("This token acts for a provider you are no longer an approved member of.")


def acting_provider(user, token):
    """The provider the token acts for, None for a merchant token; 403 if it can no longer act."""
    if getattr(token, "provider_id", None) is None:
        return None
    from industrybelts.permissions import token_provider

    provider = token_provider(user, token)
    if provider is None:
        raise ProviderUnavailable()
    return provider


def visible_endpoints(user, provider=None):
    if provider is not None:
        return WebhookEndpoint.objects.filter(provider=provider)
    return WebhookEndpoint.objects.filter(owner=user, provider__isnull=True)


def visible_deliveries(endpoint):
    return WebhookDelivery.objects.filter(endpoint=endpoint)
