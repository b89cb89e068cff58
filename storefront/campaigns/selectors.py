"""Campaign reads shared by pages (and later the API), each in a fixed number of queries."""

from django.db.models import Count, Max
from django.utils import timezone

from storefront.catalog import with_card_data
from storefront.models import Product, ProductStatus

from .models import Campaign, CampaignEntry, CampaignLeaderboardRow


def public_campaigns():
    return Campaign.objects.order_by("-signup_starts_at")


def campaign_for_page(slug):
    return Campaign.objects.filter(slug=slug).first()


def leaderboard_version(campaign) -> tuple:
    """What the shown leaderboard depends on between two refreshes, in one aggregate: its
    goods still published, and their latest change (a good taken off or renamed)."""
    shown = CampaignLeaderboardRow.objects.filter(campaign=campaign, product__status=ProductStatus.PUBLISHED)
    figures = shown.aggregate(count=Count("pk"), changed=Max("product__updated_at"))
    return (campaign.leaderboard_updated_at, figures["count"], figures["changed"])


def leaderboard(campaign):
    """The ranked rows with the columns the page shows: whole product and merchant rows
    (search grams, intro, dozens of shop columns) cost more to load than the page to draw."""
    return list(
        CampaignLeaderboardRow.objects.filter(campaign=campaign, product__status=ProductStatus.PUBLISHED)
        .select_related("product__merchant")
        .only(*LEADERBOARD_FIELDS)
        .order_by("rank")
    )


# What campaign_detail.html shows of a leaderboard row.
LEADERBOARD_FIELDS = (
    "rank",
    "score",
    "product__public_id",
    "product__title",
    "product__merchant__display_name",
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
