"""Reads the public pages share."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from core.compiled import CompiledQuery
from industrybelts.models import Belt, BeltMembership, BeltStatus
from merchants.models import ApplicationStatus, MerchantProfile, OnboardingApplication

from .catalog import image_url
from .content.live import ACTIVE
from .content.models import LiveSession
from .models import Product, ProductImage, ProductStatus, Video

HOME_FIGURES_CACHE_KEY = "storefront:home-figures:v1"
HOME_FIGURES_TTL_SECONDS = 300


def _count_merchants() -> int:
    """Count approved merchants (the queue index makes this an index-only count)."""
    return OnboardingApplication.objects.filter(status=ApplicationStatus.APPROVED).count()


def _count_belts() -> int:

    return Belt.objects.filter(status=BeltStatus.OPEN).count()


def _count_products() -> int:

    return Product.objects.filter(status=ProductStatus.PUBLISHED).count()


def home_figures() -> dict[str, int | None]:
    """Return the home page's live counts, cached so a visit never counts whole tables.

    A figure is None until the feature behind it exists (belts, products); the page
    then shows that it is coming rather than a misleading zero.
    """
    figures = cache.get(HOME_FIGURES_CACHE_KEY)
    if figures is None:
        figures = {"belts": _count_belts(), "merchants": _count_merchants(), "products": _count_products()}
        cache.set(HOME_FIGURES_CACHE_KEY, figures, HOME_FIGURES_TTL_SECONDS)
    return figures


APPLICANT_GOODS = 6


def recent_goods_for(merchant, limit: int = APPLICANT_GOODS) -> list[dict]:
    """The merchant's newest published goods as plain rows (title, prices, first photo's
    thumbnail, page address), in one query whatever `limit` is."""
    first_thumbnail = (
        ProductImage.objects.filter(product=OuterRef("pk"))
        .exclude(thumbnail="")
        .order_by("position", "pk")
        .values("thumbnail")[:1]
    )
    rows = list(
        Product.objects.filter(merchant=merchant, status=ProductStatus.PUBLISHED)
        .order_by("-created_at", "-pk")
        .annotate(thumbnail_name=Subquery(first_thumbnail))
        .values("public_id", "title", "wholesale_price", "retail_price", "thumbnail_name")[:limit]
    )
    for row in rows:
        row["thumbnail_url"] = image_url(row.pop("thumbnail_name")) or ""
        row["url"] = reverse("storefront:product-detail", kwargs={"public_id": row["public_id"]})
    return rows


def applicant_goods_section(merchant) -> dict:
    """The goods a provider sees beside a belt applicant (registered in apps.py)."""
    return {"recent_goods": recent_goods_for(merchant)}


def shop_row(public_id) -> dict | None:
    """An approved shop's id and what its page's header depends on, in one query of a few
    columns: the shop's change time and the latest change to its belt memberships and to
    its videos, and whether it announces a live session (most shops do not, and their page
    then needs no live section: no cache round trip, no query). Compiled once per process
    (core.compiled): a hit pays only its SQL."""
    return _SHOP_ROW.first(public_id)


def _shop_row_query(public_id):
    approved = OnboardingApplication.objects.filter(
        merchant=OuterRef("pk"), status=ApplicationStatus.APPROVED
    )
    latest_membership = (
        BeltMembership.objects.filter(merchant=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    # The header holds the strip of the shop's videos: any write to a video moves its updated_at.
    latest_video = (
        Video.objects.filter(merchant=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    )
    announces_live = LiveSession.objects.filter(merchant=OuterRef("pk"), status__in=ACTIVE)
    return (
        MerchantProfile.objects.filter(Exists(approved), public_id=public_id)
        .values("pk", "updated_at")
        .annotate(
            memberships_at=Subquery(latest_membership),
            videos_at=Subquery(latest_video),
            announces_live=Exists(announces_live),
        )
    )[:1]


_SHOP_ROW = CompiledQuery(_shop_row_query, field=MerchantProfile._meta.get_field("public_id"))
