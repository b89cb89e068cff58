"""Demo live sessions for `seed_demo`: the jade shop announces two, with its goods.

Idempotent: a shop that already has a scheduled or live session gets none more; once the
demo's sessions are over (the sweep ends or cancels them), seeding again announces new ones.
"""

import datetime

from django.utils import timezone

from merchants.models import MerchantProfile
from storefront.models import ProductStatus

from . import live
from .models import LiveSession


def seed_live_sessions(stdout=None) -> list[tuple[str, str]]:
    merchant = MerchantProfile.objects.filter(user__email="ruili@demo.local").first()
    if merchant is None or LiveSession.objects.filter(merchant=merchant, status__in=live.ACTIVE).exists():
        return []
    goods = list(merchant.products.filter(status=ProductStatus.PUBLISHED).order_by("id")[:6])
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    live.live_session_schedule(
        merchant=merchant,
        by=merchant.user,
        title="瑞丽翡翠早场：手镯一物一拍",
        description="每一只手镯都打光转一圈给大家看，附国检证书。",
        starts_at=(timezone.now() + datetime.timedelta(hours=2)).replace(second=0, microsecond=0),
        expected_minutes=90,
        products=goods[:3],
        room_url="https://live.kuaishou.com/",
    )
    live.live_session_schedule(
        merchant=merchant,
        by=merchant.user,
        title="明晚 8 点：满绿吊坠专场",
        starts_at=tomorrow,
        expected_minutes=120,
        products=goods[3:],
    )
    return []
