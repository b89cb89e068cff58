"""Reads the public pages share."""

from django.core.cache import cache

from industrybelts.models import Belt, BeltStatus
from merchants.models import ApplicationStatus, OnboardingApplication

from .models import Product, ProductStatus

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
