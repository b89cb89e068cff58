"""Who may read, write, review and publish school content: pages, admin and API ask here.

- Everyone reads published items; a lesson or chapter only while its course or manual
  is published too. Staff with `storefront.view_schoolitem` may preview the rest.
- Content editors (`storefront.publish_schoolitem`) publish, schedule and review.
- A member of an approved service provider writes articles for the belts its provider
  serves, edits only its own provider's articles and only while they are a draft or
  changes are requested; any other article is a 404 to it.
"""

from django.db.models import Q

from industrybelts import permissions as belt_permissions

from .models import SchoolItem, SchoolStatus
from .workflows import PROVIDER_EDITABLE

PUBLISH_PERMISSION = "storefront.publish_schoolitem"
PREVIEW_PERMISSION = "storefront.view_schoolitem"


def published_items():
    """Items a visitor may read."""
    return SchoolItem.objects.filter(status=SchoolStatus.PUBLISHED).filter(
        Q(parent__isnull=True) | Q(parent__status=SchoolStatus.PUBLISHED)
    )


def readable_items(user):
    """Items `user` may open: published ones, and everything for staff who preview."""
    if user.is_authenticated and user.is_staff and user.has_perm(PREVIEW_PERMISSION):
        return SchoolItem.objects.all()
    return published_items()


def can_publish(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def works_for(user, provider) -> bool:
    return belt_permissions.membership_of(user, provider) is not None


def provider_articles(user, provider):
    """The articles of `provider`, when `user` works for it (none otherwise)."""
    if not works_for(user, provider):
        return SchoolItem.objects.none()
    return SchoolItem.objects.filter(provider=provider)


def articles_of_my_providers(user):
    """The articles of every approved provider `user` works for."""
    return SchoolItem.objects.filter(
        provider__isnull=False, provider__in=belt_permissions.member_roles(user).values("provider")
    )


def article_belt_ids(user, provider) -> set[int]:
    """Belts `user` may write articles for on behalf of `provider`."""
    return belt_permissions.served_belt_ids(user, provider)


def can_edit_provider_article(user, item) -> bool:
    return (
        item.provider_id is not None and works_for(user, item.provider) and item.status in PROVIDER_EDITABLE
    )
