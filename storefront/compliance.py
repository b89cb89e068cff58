"""What a merchant's standing does to its goods (merchants.compliance decides the standing).

- Restricted for a past-due requirement: its published goods in the affected categories
  (all of them when the whole shop is restricted) move to `restricted`, out of the
  catalog, and move back to `published` when the restriction lifts. Goods the merchant
  had unpublished or that staff hid are left as they are.
- Closed (退店): every published or restricted good goes offline (`unpublished`) and its
  sign-ups for campaigns still open for sign-up are withdrawn.

Both run in Celery after the deciding transaction commits (a shop may hold thousands of
goods); each is idempotent, reading the standing as it is when it runs. The product rows
change in bulk with one event row each; the merchant hears of it through the
`merchant.requirements_updated` webhook, not one product webhook per good.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from core.tasks import enqueue_on_commit
from merchants.models import MerchantCompliance, Standing

from .campaigns.models import Campaign, CampaignEntry
from .fragments import catalog_changed
from .models import Product, ProductEvent, ProductStatus


def on_restriction_changed(merchant_id: int) -> None:
    enqueue_on_commit("storefront.tasks.sync_restricted_goods_task", merchant_id)


def on_shop_closed(merchant_id: int) -> None:
    enqueue_on_commit("storefront.tasks.take_shop_offline_task", merchant_id)


def _restricted_scope(state: MerchantCompliance | None) -> Q | None:
    """The goods the restriction hides, as a filter (None: nothing is hidden)."""
    if state is None or state.status != Standing.RESTRICTED:
        return None
    if state.restricted_shop:
        return Q()
    if state.restricted_category_ids:
        return Q(category_id__in=state.restricted_category_ids)
    return None


def _move_all(products, *, to: str, reason: str) -> int:
    """Move the locked `products` rows to `to` with one event each; return how many moved."""
    rows = list(products.select_for_update().values_list("pk", "status"))
    if not rows:
        return 0
    Product.objects.filter(pk__in=[pk for pk, _status in rows]).update(status=to, updated_at=timezone.now())
    ProductEvent.objects.bulk_create(
        ProductEvent(product_id=pk, from_status=status, to_status=to, reason=reason) for pk, status in rows
    )
    catalog_changed()
    return len(rows)


@transaction.atomic
def sync_restricted_goods(merchant_id: int) -> tuple[int, int]:
    """Hide the goods the merchant's restriction covers and restore the rest; return (hidden, restored)."""
    state = MerchantCompliance.objects.filter(merchant_id=merchant_id).first()
    scope = _restricted_scope(state)
    goods = Product.objects.filter(merchant_id=merchant_id)
    hidden = restored = 0
    if scope is not None:
        reason = state.restriction_reason or gettext("Requirements are past due.")
        hidden = _move_all(
            goods.filter(scope, status=ProductStatus.PUBLISHED), to=ProductStatus.RESTRICTED, reason=reason
        )
        back = goods.filter(status=ProductStatus.RESTRICTED).exclude(scope)
    else:
        back = goods.filter(status=ProductStatus.RESTRICTED)
    if state is None or state.status != Standing.CLOSED:
        restored = _move_all(back, to=ProductStatus.PUBLISHED, reason=gettext("Requirements met again."))
    return hidden, restored


@transaction.atomic
def take_shop_offline(merchant_id: int) -> tuple[int, int]:
    """Unpublish a closed shop's goods and withdraw its open sign-ups; return (goods, entries)."""
    offline = _move_all(
        Product.objects.filter(
            merchant_id=merchant_id, status__in=[ProductStatus.PUBLISHED, ProductStatus.RESTRICTED]
        ),
        to=ProductStatus.UNPUBLISHED,
        reason=gettext("The shop is closed."),
    )
    open_entries = CampaignEntry.objects.select_for_update().filter(
        merchant_id=merchant_id, campaign__signup_ends_at__gt=timezone.now()
    )
    withdrawn = 0
    for campaign_id, entry_ids in _by_campaign(open_entries.values_list("campaign_id", "pk")).items():
        CampaignEntry.objects.filter(pk__in=entry_ids).delete()
        Campaign.objects.filter(pk=campaign_id).update(entry_count=F("entry_count") - len(entry_ids))
        withdrawn += len(entry_ids)
    return offline, withdrawn


def _by_campaign(rows) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for campaign_id, entry_id in rows:
        grouped.setdefault(campaign_id, []).append(entry_id)
    return grouped
