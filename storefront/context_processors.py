"""What the shared header (templates/base.html) shows a signed-in user: the links their roles open.

base.html is rendered for every page, so the facts are one query, asked only when the
header reads them (a visitor's page asks nothing) and kept on the request. It lives in
the top layer because it reads both merchants' and industrybelts' rules.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from industrybelts.permissions import member_roles
from merchants.models import ApplicationStatus, OnboardingApplication


@dataclass(frozen=True)
class HeaderRoles:
    """Which parts of the portal the header links to, beside the ones everyone has."""

    sells: bool = False  # an approved shop: goods, campaigns and API tokens
    provider: bool = False  # a member of an approved service provider: the provider workspace


NOBODY = HeaderRoles()


def header_roles(request) -> HeaderRoles:
    """Ask once per request which roles the user has (none for visitors and staff)."""
    if not hasattr(request, "_header_roles"):
        request._header_roles = _ask(request.user)
    return request._header_roles


def _ask(user) -> HeaderRoles:
    if not user.is_authenticated or user.is_staff:
        return NOBODY
    # storefront.permissions.merchant_can_sell's rule (an approved application), and
    # industrybelts.permissions.member_roles, both in the one query.
    approved = OnboardingApplication.objects.filter(
        merchant__user=OuterRef("pk"), status=ApplicationStatus.APPROVED
    )
    row = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(sells=Exists(approved), provider=Exists(member_roles(user)))
        .values("sells", "provider")
        .first()
    )
    return HeaderRoles(**row) if row else NOBODY


def header(request):
    return {"header_roles": SimpleLazyObject(lambda: header_roles(request))}
