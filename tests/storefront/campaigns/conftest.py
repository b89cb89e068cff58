import datetime

import pytest
from django.utils import timezone

from storefront.campaigns.models import Campaign


def make_campaign(**fields):
    now = timezone.now()
    fields.setdefault("name", "1106卖货王")
    fields.setdefault("slug", f"sales-king-{Campaign.objects.count() + 1}")
    fields.setdefault("signup_starts_at", now - datetime.timedelta(days=1))
    fields.setdefault("signup_ends_at", now + datetime.timedelta(days=6))
    belts = fields.pop("belts", ())
    campaign = Campaign.objects.create(**fields)
    campaign.belts.set(belts)
    return campaign


@pytest.fixture
def campaign():
    return make_campaign()
