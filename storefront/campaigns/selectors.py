"""Campaign reads shared by pages (and later the API), each in a fixed number of queries."""

from django.utils import timezone

from storefront.catalog import with_card_data
from storefront.models import Product, ProductStatus

from .models import Campaign, CampaignEntry, CampaignLeaderboardRow


def public_campaigns():
    return Campaign.objects.order_by("-signup_starts_at")


def campaign_for_page(slug):
    return Campaign.objects.prefetch_related("belts", "categories").filter(slug=slug).first()


def leaderboard(campaign):
    return list(
        CampaignLeaderboardRow.objects.filter(campaign=campaign, product__status=ProductStatus.PUBLISHED)
        .select_related("product__merchant")
        .order_by("rank")
    )


def open_campaigns(now=None):
    now = now or timezone.now()
    return list(
        Campaign.objects.filter(signup_starts_at__lte=now, signup_ends_at__gt=now)
        .prefetch_related("belts", "categories")
        .order_by("signup_ends_at")
    )


def merchant_goods_for_campaigns(merchant, limit=100):
    """The merchant's published goods (newest first), with what the sign-up form shows."""
    return list(
        with_card_data(Product.objects.filter(merchant=merchant, status=ProductStatus.PUBLISHED))
        .select_related("exposure")
        .order_by("-published_at", "-pk")[:limit]
    )


def signed_up_pairs(merchant, campaigns) -> set[tuple[int, int]]:
    return set(
        CampaignEntry.objects.filter(merchant=merchant, campaign__in=[c.pk for c in campaigns]).values_list(
            "campaign_id", "product_id"
        )
    )
