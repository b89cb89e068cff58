"""Who may see or change products: pages, admin and API ask here.

- Anyone sees published products. The owner sees its own in any status but deleted.
- Only an approved merchant whose shop is not suspended creates or publishes products.
- Staff with `storefront.moderate_product` hide and restore; the owner cannot restore.
"""

from merchants.models import ApplicationStatus, Standing
from merchants.permissions import active_staff_with

from .models import Product, ProductStatus

MODERATE_PERMISSION = "storefront.moderate_product"


def merchant_can_sell(merchant) -> bool:
    """Approved (so not suspended nor closed), unrestricted merchants sell; one query, cached."""
    if merchant is None:
        return False
    if not hasattr(merchant, "_can_sell"):
        # A shop restricted for past-due requirements lists nothing new (merchants.compliance).
        merchant._can_sell = (
            merchant.applications.filter(status=ApplicationStatus.APPROVED)
            .exclude(merchant__compliance__status=Standing.RESTRICTED)
            .exists()
        )
    return merchant._can_sell


def is_owner(user, product) -> bool:
    return bool(user.is_authenticated and product.merchant.user_id == user.pk)


def can_moderate(user) -> bool:
    return active_staff_with(user, MODERATE_PERMISSION)


def own_products(user, queryset=None):
    queryset = queryset if queryset is not None else Product.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(merchant__user=user).exclude(status=ProductStatus.DELETED)


def can_view(user, product) -> bool:
    return product.status == ProductStatus.PUBLISHED or (
        is_owner(user, product) and product.status != "deleted"
    )
