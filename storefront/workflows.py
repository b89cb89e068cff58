"""The product status map (on the shared mechanism, merchants.transitions)."""

from merchants.transitions import Workflow

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
)
