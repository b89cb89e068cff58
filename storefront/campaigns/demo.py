"""Demo campaign for `seed_demo`: the 1106 sales king, open for sign-up, with a few entries."""

import datetime

from django.utils import timezone

from merchants.models import MerchantProfile
from storefront.models import Product, ProductStatus

from . import services
from .models import Campaign


def seed_campaigns(stdout=None) -> list[tuple[str, str]]:
    now = timezone.now()
    campaign, created = Campaign.objects.get_or_create(
        slug="1106-sales-king",
        defaults={
            "name": "1106卖货王",
            "description": (
                "快手电商 1106 卖货王：源头好货商家报名参赛，活动期间按购买点击排名。\n"
                "每家店铺最多报名 20 件已上架商品；报名截止前可随时追加。"
            ),
            "signup_starts_at": now - datetime.timedelta(days=1),
            "signup_ends_at": now + datetime.timedelta(days=30),
            "max_entries_per_merchant": 20,
        },
    )
    if created:
        for merchant in MerchantProfile.objects.filter(products__status=ProductStatus.PUBLISHED).distinct()[
            :3
        ]:
            for product in Product.objects.filter(merchant=merchant, status=ProductStatus.PUBLISHED)[:5]:
                services.campaign_sign_up(campaign=campaign, product=product, by=merchant.user)
        services.refresh_leaderboard(campaign)
    return []
