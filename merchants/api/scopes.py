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

from ..models import ApiToken


class Scope(models.TextChoices):
    PROFILE_READ = "profile:read", _("Read my shop's profile")
    APPLICATION_READ = "application:read", _("Read my onboarding application")
    APPLICATION_WRITE = "application:write", _("Submit or withdraw my onboarding application")
    PRODUCTS_READ = "products:read", _("Read my goods")
    PRODUCTS_WRITE = "products:write", _("Create, change and publish my goods")
    MEMBERSHIPS_READ = "memberships:read", _("Read my belt memberships")


MERCHANT_SCOPES = [scope.value for scope in Scope]


class InsufficientScope(PermissionDenied):
    default_code = "insufficient_scope"
    default_detail = _("This token does not have the scope this request needs.")


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
        if not isinstance(request.auth, ApiToken) or scope not in (request.auth.scopes or []):
            raise InsufficientScope()
        return True
