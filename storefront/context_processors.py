"""What the shared header (templates/base.html) shows a signed-in user: the links their roles open.

base.html is rendered for every page, so the facts are one query, asked only when the
header reads them (a visitor's page asks nothing) and kept on the request. It lives in
the top layer because it reads both merchants' and industrybelts' rules.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from core.compiled import CompiledQuery
from industrybelts.permissions import approved_provider_roles
from merchants.models import ApplicationStatus, OnboardingApplication, User


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
    row = _HEADER_ROLES_ROW.first(user.pk)
    return HeaderRoles(**row) if row else NOBODY


def _header_roles_query(user_id):
    # storefront.permissions.merchant_can_sell's rule (an approved application), and
    # industrybelts.permissions.member_roles', both in the one query.
    approved = OnboardingApplication.objects.filter(
        merchant__user=OuterRef("pk"), status=ApplicationStatus.APPROVED
    )
    roles = approved_provider_roles().filter(user=OuterRef("pk"))
    return (
        User.objects.filter(pk=user_id)
        .annotate(sells=Exists(approved), provider=Exists(roles))
        .values("sells", "provider")
    )[:1]


# Compiled once per process (core.compiled): every signed-in page asks, and the ORM's build
# of the query took 0.9 ms of its 1.3 (docs/performance.md, change 32).
_HEADER_ROLES_ROW = CompiledQuery(_header_roles_query, field=User._meta.pk)


def header(request):
    return {"header_roles": SimpleLazyObject(lambda: header_roles(request))}
