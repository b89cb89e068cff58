"""The approved merchant's home: its next steps and its funnel of the last 30 days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from storefront import counters
from storefront.discovery.models import MerchantExposureDay
from storefront.merchant_home import FUNNEL_DAYS, funnel
from tests.factories import submitted_application
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


def test_flushed_views_and_clicks_reach_the_merchants_day_row():
    seller = approved_merchant()
    good = make_product(seller)

    for kind, times in (("view", 3), ("click", 1)):
        for _ in range(times):
            counters.record(kind, good.pk)
    counters.flush()

    row = MerchantExposureDay.objects.get(merchant=seller, day=timezone.localdate())
    assert (row.views, row.clicks) == (3, 1)


def test_the_funnel_is_thirty_days_oldest_first_with_empty_days_as_zeros():
    seller = approved_merchant()
    today = timezone.localdate()
    MerchantExposureDay.objects.create(merchant=seller, day=today, impressions=300, views=40, clicks=5)
    MerchantExposureDay.objects.create(
        merchant=seller, day=today - datetime.timedelta(days=40), impressions=9, views=9, clicks=9
    )

    days = funnel(seller, today=today)

    assert len(days) == FUNNEL_DAYS
    assert days[0].day == today - datetime.timedelta(days=FUNNEL_DAYS - 1)
    assert (days[-1].impressions, days[-1].views, days[-1].clicks) == (300, 40, 5)
    assert sum(d.impressions for d in days) == 300  # the 40-day-old row is outside


def test_an_approved_merchant_sees_its_steps_and_funnel_with_the_numbers(
    client, django_assert_max_num_queries
):
    seller = approved_merchant()
    make_product(seller)
    MerchantExposureDay.objects.create(
        merchant=seller, day=timezone.localdate(), impressions=120, views=30, clicks=4
    )
    client.force_login(seller.user)

    page = client.get(reverse("merchants:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'data-testid="step-goods" class' not in page
    assert 'class="is-done" data-testid="step-goods"' in page  # it has goods
    assert 'class="" data-testid="step-campaign"' in page  # not in a campaign yet
    assert "<polyline" in page and "<svg" in page
    assert "<td>120</td><td>30</td><td>4</td>" in page  # the numbers, for screen readers too
    assert 'data-testid="funnel-empty"' not in page
    assert page.index('data-testid="merchant-funnel"') < page.index('class="history"')  # steps first


def test_a_merchant_without_exposure_yet_reads_why_the_chart_is_flat(client):
    seller = approved_merchant()
    client.force_login(seller.user)

    page = client.get(reverse("merchants:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'data-testid="funnel-empty"' in page and "还没有曝光" in page


def test_the_home_section_waits_for_approval(client):
    application = submitted_application()
    client.force_login(application.merchant.user)

    page = client.get(reverse("merchants:dashboard")).content.decode()

    assert 'data-testid="merchant-home"' not in page


def test_the_funnel_is_drawn_once_per_counter_flush(client, django_assert_num_queries):
    """Only a counter flush writes the day rows, so the drawn funnel is reused until the
    next flush that counted something, which the merchant then sees at once."""
    seller = approved_merchant()
    good = make_product(seller)
    client.force_login(seller.user)
    url = reverse("merchants:dashboard")
    client.get(url)  # draws the funnel

    # A row written behind the flush's back is not read: the drawn funnel is reused.
    MerchantExposureDay.objects.create(
        merchant=seller, day=timezone.localdate(), impressions=777, views=0, clicks=0
    )
    assert "777" not in client.get(url).content.decode()

    counters.record("view", good.pk)
    counters.flush()

    page = client.get(url).content.decode()
    assert "<td>777</td><td>1</td><td>0</td>" in page
