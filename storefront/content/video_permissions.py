"""Who may see or change videos: the merchant's pages, admin and the API ask here.

The same rules as goods (storefront.permissions): anyone sees a published video; its
merchant sees its own in any status but deleted; only a shop that may sell uploads one;
staff with `storefront.moderate_video` hide and restore.
"""

from merchants.permissions import active_staff_with
from storefront.models import Product, ProductStatus
from storefront.permissions import merchant_can_sell

from .models import Video, VideoStatus

MODERATE_VIDEO_PERMISSION = "storefront.moderate_video"
# The goods a video may be attached to: the merchant's own, live or not yet (a draft can
# get its video before it is published), never those staff hid or the merchant deleted.
ATTACHABLE_PRODUCT_STATUSES = (ProductStatus.DRAFT, ProductStatus.PUBLISHED, ProductStatus.UNPUBLISHED)

__all__ = [
    "attachable_products",
    "can_moderate_videos",
    "merchant_can_sell",
    "own_videos",
]


def own_videos(user, queryset=None):
    """The user's shop's videos, all but deleted ones (none for a visitor)."""
    queryset = queryset if queryset is not None else Video.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(merchant__user=user).exclude(status=VideoStatus.DELETED)


def attachable_products(merchant):
    if merchant is None:
        return Product.objects.none()
    return Product.objects.filter(merchant=merchant, status__in=ATTACHABLE_PRODUCT_STATUSES)


def can_moderate_videos(user) -> bool:
    return active_staff_with(user, MODERATE_VIDEO_PERMISSION)
