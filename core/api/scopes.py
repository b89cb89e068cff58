"""Token scopes: read / write per resource, checked in one place for every endpoint.

A view declares what it needs per HTTP method::

    required_scopes = {"GET": Scope.PRODUCTS_READ, "POST": Scope.PRODUCTS_WRITE}

and `HasScope` refuses a token without it (403, code `insufficient_scope`). Public reads
declare nothing and are open without a token.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from core.hooks import Hook

from .authentication import is_api_token

# Who a provider token acts for: industrybelts registers the rule (a member of an
# approved provider); the kernel only asks.
token_actors = Hook(
    "core.api.token_actors", "actor(user, token) -> the provider a token acts for while it may, else None"
)


class Scope(models.TextChoices):
    PROFILE_READ = "profile:read", _("Read my shop's profile")
    APPLICATION_READ = "application:read", _("Read my onboarding application")
    APPLICATION_WRITE = "application:write", _("Submit or withdraw my onboarding application")
    PRODUCTS_READ = "products:read", _("Read my goods")
    PRODUCTS_WRITE = "products:write", _("Create, change and publish my goods")
    MEMBERSHIPS_READ = "memberships:read", _("Read my belt memberships")
    WEBHOOKS_READ = "webhooks:read", _("Read webhook endpoints and deliveries")
    WEBHOOKS_WRITE = "webhooks:write", _("Register, change and remove webhook endpoints")
    PROVIDER_MERCHANTS_READ = (
        "provider.merchants:read",
        _("Read the provider's belts, their merchants, applications and memberships"),
    )
    PROVIDER_MEMBERSHIPS_WRITE = (
        "provider.memberships:write",
        _("Pre-approve or pre-reject belt applications"),
    )
    PROVIDER_INVITATIONS_READ = "provider.invitations:read", _("Read the provider's invitations")
    PROVIDER_INVITATIONS_WRITE = (
        "provider.invitations:write",
        _("Invite merchants and recruit them with a prepared application"),
    )


# A token created in /merchant/ may carry these; one created in /provider/ the others.
MERCHANT_SCOPES = [
    Scope.PROFILE_READ,
    Scope.APPLICATION_READ,
    Scope.APPLICATION_WRITE,
    Scope.PRODUCTS_READ,
    Scope.PRODUCTS_WRITE,
    Scope.MEMBERSHIPS_READ,
    Scope.WEBHOOKS_READ,
    Scope.WEBHOOKS_WRITE,
]
PROVIDER_SCOPES = [
    Scope.PROVIDER_MERCHANTS_READ,
    Scope.PROVIDER_MEMBERSHIPS_WRITE,
    Scope.PROVIDER_INVITATIONS_READ,
    Scope.PROVIDER_INVITATIONS_WRITE,
    Scope.WEBHOOKS_READ,
    Scope.WEBHOOKS_WRITE,
]


class InsufficientScope(PermissionDenied):
    default_code = "insufficient_scope"
    default_detail = _("This token does not have the scope this request needs.")


class ProviderAccessEnded(PermissionDenied):
    default_code = "provider_access_ended"
    default_detail = _(
        "This token acts for a service provider its owner no longer works for, or that is not approved."
    )


def acting_provider(user, token):
    """The provider a token acts for (None for a merchant token); 403 once it no longer may."""
    if getattr(token, "provider_id", None) is None:
        return None
    provider = token_actors.first(user, token)
    if provider is None:
        raise ProviderAccessEnded()
    return provider


def needed_scope(view, method: str) -> str | None:
    scopes = getattr(view, "required_scopes", None) or {}
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    return scopes.get(method)


class HasScope(permissions.BasePermission):
    """The request's token carries the scope the view needs for this method."""

    def has_permission(self, request, view):
        scope = needed_scope(view, request.method)
        if scope is None:
            return True
        if not is_api_token(request.auth) or scope not in (request.auth.scopes or []):
            raise InsufficientScope()
        return True
