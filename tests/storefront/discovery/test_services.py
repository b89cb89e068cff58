import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from storefront import counters
from storefront.discovery import services
from storefront.discovery.models import (
    DiscoverySettings,
    ExposureHealth,
    FeedSlot,
    MerchantExposureDay,
    ProductExposure,
)
from storefront.discovery.selectors import discovery_strip
from storefront.discovery.tasks import run_discovery_cycle_task
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


def test_publishing_puts_a_product_in_round_one_once(seller):
    product = make_product(seller)

    exposure = ProductExposure.objects.get(product=product)
    assert (exposure.round, exposure.in_pool, exposure.merchant) == (1, True, seller)

    from storefront import services as product_services

    product_services.product_unpublish(product=product, by=seller.user)
    product_services.product_publish(product=product, by=seller.user)
    assert ProductExposure.objects.filter(product=product).count() == 1


def test_a_draft_is_not_in_the_pool(seller):
    product = make_product(seller, publish=False)

    assert not ProductExposure.objects.filter(product=product).exists()


def test_flushed_counts_reach_the_round_and_the_merchants_day(seller):
    first, second = make_product(seller), make_product(seller, title="第二件")
    counters.record_many("impression", [first.pk, second.pk, first.pk])
    counters.record("view", first.pk)
    counters.record("click", first.pk)

    counters.flush()

    exposure = ProductExposure.objects.get(product=first)
    assert (
        exposure.round_impressions,
        exposure.impressions,
        exposure.round_views,
        exposure.round_clicks,
    ) == (2, 2, 1, 1)
    day = MerchantExposureDay.objects.get(merchant=seller)
    assert (day.day, day.impressions) == (timezone.localdate(), 3)
    counters.record_many("impression", [second.pk])
    counters.flush()
    assert MerchantExposureDay.objects.get(merchant=seller).impressions == 4


def test_a_cycle_promotes_by_the_thresholds_and_writes_slate_and_health(seller):
    liked, ignored, fresh = (
        make_product(seller),
        make_product(seller, title="没人点"),
        make_product(seller, title="新品"),
    )
    ProductExposure.objects.filter(product=liked).update(round_impressions=300, round_views=30)
    ProductExposure.objects.filter(product=ignored).update(round_impressions=300, round_views=3)
    MerchantExposureDay.objects.create(merchant=seller, day=timezone.localdate(), impressions=600)

    figures = run_discovery_cycle_task()

    liked_exposure = ProductExposure.objects.get(product=liked)
    assert (liked_exposure.round, liked_exposure.round_impressions, liked_exposure.in_pool) == (2, 0, True)
    assert ProductExposure.objects.get(product=ignored).in_pool is False
    slotted = set(FeedSlot.objects.values_list("product_id", flat=True))
    assert slotted == {liked.pk, fresh.pk}
    # two products, each at most one slot in twelve (a strip shows 12 distinct goods)
    assert FeedSlot.objects.count() == pytest.approx(2 * DiscoverySettings.current().slate_size / 12, abs=2)
    health = ExposureHealth.objects.get(day=timezone.localdate())
    assert (health.pool_round1, health.pool_round2, health.pool_round3) == (1, 1, 0)
    assert figures["pool_round2"] == 1


def test_the_feed_reads_a_window_and_records_exposures(
    seller, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for n in range(5):
        make_product(seller, title=f"新品{n}")
    with django_capture_on_commit_callbacks(execute=True):
        services.run_cycle(seed=1)

    with django_assert_max_num_queries(4):  # slots, (wrap-around slots), products, their images
        shown, strip_html = discovery_strip(generation=None, size=3)

    assert len(shown) == len({p.pk for p in shown}) == 3
    assert strip_html.count('data-testid="product-card"') == 3
    counters.flush()
    assert sum(ProductExposure.objects.values_list("round_impressions", flat=True)) == 3


def test_the_feed_is_empty_before_the_first_cycle(seller):
    make_product(seller)
    cache.delete(services.SLATE_CACHE_KEY)

    assert discovery_strip(generation=None) == ([], "")


def test_the_window_ignores_days_before_it(seller):
    today = timezone.localdate()
    MerchantExposureDay.objects.create(
        merchant=seller, day=today - datetime.timedelta(days=7), impressions=900
    )
    MerchantExposureDay.objects.create(
        merchant=seller, day=today - datetime.timedelta(days=6), impressions=100
    )

    assert services.window_exposure(DiscoverySettings.current(), today) == {seller.pk: 100}


def test_big_accounts_are_judged_by_the_follower_band(seller):
    big = approved_merchant()
    big.follower_count = 500_000
    big.save(update_fields=["follower_count"])
    for merchant in (seller, big):
        make_product(merchant)
        MerchantExposureDay.objects.create(merchant=merchant, day=timezone.localdate(), impressions=1000)

    figures = services.run_cycle(seed=2)

    assert figures["ordinary_share"] == pytest.approx(0.5, abs=0.001)


def test_surplus_traffic_reaches_merchants_outside_the_pool(seller, django_capture_on_commit_callbacks):
    old = make_product(seller, title="老款")
    ProductExposure.objects.filter(product=old).update(in_pool=False)
    other = approved_merchant()
    fresh = make_product(other, title="新款")

    with django_capture_on_commit_callbacks(execute=True):
        services.run_cycle(seed=3)

    slotted = set(FeedSlot.objects.values_list("product_id", flat=True))
    assert slotted == {old.pk, fresh.pk}  # the pool's one product cannot take all the traffic


def test_promoted_goods_get_slots_when_traffic_exceeds_the_base_budgets(
    seller, django_capture_on_commit_callbacks
):
    new = [make_product(seller, title=f"新品{n}") for n in range(20)]
    climbed = make_product(approved_merchant(), title="爬坡中")
    ProductExposure.objects.filter(product=climbed).update(round=2)
    services._add_recent_exposures(100_000)  # the strip's real traffic since the last cycle

    with django_capture_on_commit_callbacks(execute=True):
        services.run_cycle(seed=4)

    assert FeedSlot.objects.filter(product=climbed).exists()
    assert FeedSlot.objects.filter(product__in=new).exists()


def test_the_feed_survives_a_cache_miss_and_a_cache_failure(
    seller, django_capture_on_commit_callbacks, monkeypatch
):
    make_product(seller)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_cycle(seed=5)
    cache.clear()

    assert len(discovery_strip(generation=None)[0]) == 1  # sizes recomputed from the slots

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    assert discovery_strip(generation=None) == ([], "")


def test_a_second_cycle_meanwhile_does_nothing(seller):
    make_product(seller)
    cache.add(services.CYCLE_LOCK_KEY, 1)

    assert services.run_cycle() is None
    assert not FeedSlot.objects.exists()
