"""The product status map (on the shared mechanism, core.transitions)."""

from core.transitions import Workflow
from merchants.webhooks.models import EventType

from .models import Product, ProductEvent
from .models import ProductStatus as S

PRODUCT_WORKFLOW = Workflow(
    model=Product,
    transitions={
        S.DRAFT: {S.PUBLISHED, S.DELETED},
        S.PUBLISHED: {S.UNPUBLISHED, S.HIDDEN, S.DELETED},
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
)
