"""Campaign reads shared by pages (and later the API), each in a fixed number of queries."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.compiled import CompiledQuery
from storefront.catalog import with_card_data
from storefront.models import Product, ProductStatus

from .models import Campaign, CampaignEntry, CampaignLeaderboardRow


def public_campaigns():
    return Campaign.objects.order_by("-signup_starts_at")


def campaign_for_page(slug):
    return Campaign.objects.filter(slug=slug).first()


def campaign_for_cached_page(slug) -> Campaign | None:
    """A campaign with what its cached page's leaderboard depends on between two
    refreshes, in one query compiled once per process (core.compiled): its goods still
    published (`shown_count`) and their latest change (`shown_changed`: a good taken off
    or renamed)."""
    row = _CAMPAIGN_PAGE_ROW.first(slug)
    if row is None:
        return None
    campaign = Campaign.from_db(DEFAULT_DB_ALIAS, CAMPAIGN_COLUMNS, [row[name] for name in CAMPAIGN_COLUMNS])
    campaign.shown_count, campaign.shown_changed = row["shown_count"], row["shown_changed"]
    return campaign


def leaderboard_version(campaign) -> tuple:
    """`campaign_for_cached_page`'s campaign: when its leaderboard was ranked, and its goods."""
    return (campaign.leaderboard_updated_at, campaign.shown_count, campaign.shown_changed)


CAMPAIGN_COLUMNS = [field.attname for field in Campaign._meta.concrete_fields]


def _campaign_page_query(slug):
    shown = CampaignLeaderboardRow.objects.filter(
        campaign=OuterRef("pk"), product__status=ProductStatus.PUBLISHED
    ).values("campaign")
    return (
        Campaign.objects.filter(slug=slug)
        .values(*CAMPAIGN_COLUMNS)
        .annotate(
            shown_count=Coalesce(Subquery(shown.annotate(n=Count("pk")).values("n")[:1]), 0),
            shown_changed=Subquery(shown.annotate(at=Max("product__updated_at")).values("at")[:1]),
        )
    )[:1]


_CAMPAIGN_PAGE_ROW = CompiledQuery(_campaign_page_query, field=Campaign._meta.get_field("slug"))


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
