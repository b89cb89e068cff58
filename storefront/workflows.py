"""The product status map and its webhook subject (on the shared mechanism, core.transitions)."""

from core.transitions import Workflow
from core.webhooks.models import EventType
from core.webhooks.subjects import WebhookSubject
from merchants.workflows import merchant_endpoints

from .models import Product, ProductEvent
from .models import ProductStatus as S


def product_subject(product) -> WebhookSubject:
    """Only the good's merchant hears of it (providers follow merchants, not goods)."""

    def describe():
        row = Product.objects.filter(pk=product.pk).values("public_id", "title", "merchant__public_id").get()
        return {
            "product": {
                "id": str(row["public_id"]),
                "status": product.status,
                "title": row["title"],
                "merchant": str(row["merchant__public_id"]),
            }
        }

    return WebhookSubject(recipients=merchant_endpoints(product.merchant_id), describe=describe)


PRODUCT_WORKFLOW = Workflow(
    model=Product,
    transitions={
        S.DRAFT: {S.PUBLISHED, S.DELETED},
        S.PUBLISHED: {S.UNPUBLISHED, S.HIDDEN, S.DELETED, S.RESTRICTED},
        # Restored by storefront.compliance when the requirements are met again.
        S.RESTRICTED: {S.PUBLISHED, S.UNPUBLISHED, S.DELETED},
        S.UNPUBLISHED: {S.PUBLISHED, S.DELETED},
        S.HIDDEN: {S.PUBLISHED},
    },
    event_model=ProductEvent,
    event_subject_field="product",
    reason_required={S.HIDDEN},
    webhook_event={
        S.PUBLISHED: EventType.PRODUCT_PUBLISHED,
        S.UNPUBLISHED: EventType.PRODUCT_UNPUBLISHED,
        S.HIDDEN: EventType.PRODUCT_HIDDEN,
        S.DELETED: EventType.PRODUCT_DELETED,
    },
    webhook_subject=product_subject,
)
