"""Campaign sign-up and the leaderboard refresh.

A sign-up is idempotent: the unique (campaign, product) constraint decides, so a double
click or a retried request returns the existing entry instead of a second one. A capped
campaign counts with one conditional UPDATE (`entry_count < max_entries`), never with a
COUNT over the entries; if the cap is reached, the insert rolls back with it. The cap per
shop is a COUNT of the shop's own entries, taken under a lock on the shop's row: without
it, two of a shop's goods signing up at once both counted below the cap and both joined.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import MerchantProfile
from storefront.discovery.models import ProductExposure
from storefront.models import Product, ProductStatus
from storefront.permissions import merchant_can_sell
from storefront.services import NotAllowedToSell, restriction_message

from .exceptions import CampaignFull, NotEligible, SignupClosed
from .models import Campaign, CampaignEntry, CampaignLeaderboardRow

LEADERBOARD_SIZE = 50


def refusal_reason(campaign: Campaign, product: Product) -> str | None:
    """Why `product` may not join `campaign` (None when it may). Reads the campaign's small M2Ms."""
    if product.status != ProductStatus.PUBLISHED:
        return _("only published goods can take part")
    belt_ids = {belt.pk for belt in campaign.belts.all()}
    if belt_ids and product.belt_id not in belt_ids:
        return _("the campaign is for goods of other belts")
    category_ids = {category.pk for category in campaign.categories.all()}
    if category_ids and product.category_id not in category_ids:
        return _("the campaign is for other categories")
    if campaign.min_round > 1:
        try:
            exposure = product.exposure  # loaded with the goods on the merchant's page
        except ProductExposure.DoesNotExist:
            exposure = None
        if exposure is None or exposure.round < campaign.min_round:
            return _("the good has not yet climbed to round %(round)d") % {"round": campaign.min_round}
    return None


@transaction.atomic
def campaign_sign_up(*, campaign: Campaign, product: Product, by) -> tuple[CampaignEntry, bool]:
    """Sign `product` up for `campaign`; return (entry, created). Signing up twice is not an error."""
    merchant = product.merchant
    if merchant.user_id != by.pk:
        raise PermissionDenied
    if not merchant_can_sell(merchant):
        raise NotAllowedToSell(*restriction_message(merchant))
    if not campaign.is_open():
        raise SignupClosed()
    # The shop's sign-ups are counted under a lock on its own row, so two of its goods
    # signing up at once are counted one after the other (other shops are not held up);
    # taken before the look for an existing entry, which then sees the one just made.
    MerchantProfile.objects.select_for_update(no_key=True).filter(pk=merchant.pk).values_list("pk").get()
    existing = CampaignEntry.objects.filter(campaign=campaign, product=product).first()
    if existing is not None:
        return existing, False
    reason = refusal_reason(campaign, product)
    if reason:
        raise NotEligible(reason=reason)
    if (
        CampaignEntry.objects.filter(campaign=campaign, merchant=merchant).count()
        >= campaign.max_entries_per_merchant
    ):
        raise NotEligible(reason=_("your shop has signed up as many goods as the campaign allows"))
    try:
        with transaction.atomic():
            entry = CampaignEntry.objects.create(campaign=campaign, product=product, merchant=merchant)
    except IntegrityError:  # the same sign-up, a moment earlier (double click, retry)
        return CampaignEntry.objects.get(campaign=campaign, product=product), False
    counted = (
        Campaign.objects.filter(pk=campaign.pk)
        .filter(Q(max_entries__isnull=True) | Q(entry_count__lt=F("max_entries")))
        .update(entry_count=F("entry_count") + 1)
    )
    if not counted:
        raise CampaignFull()  # rolls the insert back with the transaction
    return entry, True


def refresh_leaderboard(campaign: Campaign) -> int:
    """Rank the campaign's goods by purchase clicks (Celery; one sorted read of the entries)."""
    top = list(
        CampaignEntry.objects.filter(campaign=campaign, product__status=ProductStatus.PUBLISHED)
        .order_by("-product__click_count", "product_id")
        .values_list("product_id", "product__click_count")[:LEADERBOARD_SIZE]
    )
    with transaction.atomic():
        CampaignLeaderboardRow.objects.filter(campaign=campaign).delete()
        CampaignLeaderboardRow.objects.bulk_create(
            [
                CampaignLeaderboardRow(campaign=campaign, rank=rank, product_id=product_id, score=score)
                for rank, (product_id, score) in enumerate(top, start=1)
            ]
        )
        Campaign.objects.filter(pk=campaign.pk).update(leaderboard_updated_at=timezone.now())
    return len(top)


def campaigns_to_rank(now=None):
    """Campaigns open for sign-up or closed less than 30 days ago."""
    now = now or timezone.now()
    return Campaign.objects.filter(
        signup_starts_at__lte=now, signup_ends_at__gte=now - datetime.timedelta(days=30)
    )
