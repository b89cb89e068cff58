import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from storefront import counters
from storefront.content.models import Video, VideoExposure, VideoStatus
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
from tests.storefront.discovery.conftest import make_video

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


# --- Works: videos beside goods ---------------------------------------------------------


def test_a_cycle_slots_videos_linked_to_their_first_published_good(
    seller, django_capture_on_commit_callbacks, apparel
):
    draft = make_product(seller, title="草稿", publish=False)
    first, second = (
        make_product(seller, title="一号", belt=apparel, source_kind="belt"),
        make_product(seller, title="二号"),
    )
    sells = make_video(seller, [second, first, draft])
    make_video(seller, [draft], title="只有草稿")  # no public good to link to: not slotted
    make_video(seller, [first], title="被隐藏", status=VideoStatus.HIDDEN)
    make_video(seller, [first], title="出池", in_pool=False)

    with django_capture_on_commit_callbacks(execute=True):
        figures = services.run_cycle(seed=6)

    video_slots = FeedSlot.objects.exclude(video=None)
    assert set(video_slots.values_list("video_id", "product_id", "belt_id")) == {
        (sells.pk, first.pk, apparel.pk)
    }
    assert set(FeedSlot.objects.filter(video=None).values_list("product_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    # A video's slots are in its good's belt: the belt's strip counts them.
    assert services.slate_sizes()[str(apparel.pk)] == FeedSlot.objects.filter(belt=apparel).count()
    health = ExposureHealth.objects.get(day=timezone.localdate())
    assert (health.video_pool_round1, health.video_pool_round2, health.video_pool_round3) == (1, 0, 0)
    assert (health.pool_round1, figures["video_pool_round1"]) == (2, 1)
    # Three works of one merchant in round 1 share the capacity alike: a third is the video's.
    assert float(health.video_share) == pytest.approx(1 / 3, abs=0.001)


def test_a_cycle_promotes_videos_by_plays_to_the_end(seller):
    good = make_product(seller)
    watched = make_video(seller, [good], title="看完的多")
    skipped = make_video(seller, [good], title="没人看完")
    climbing = make_video(seller, [good], title="第二轮")
    VideoExposure.objects.filter(video=watched).update(round_impressions=300, round_completions=12)
    VideoExposure.objects.filter(video=skipped).update(round_impressions=300, round_completions=11)
    VideoExposure.objects.filter(video=climbing).update(
        round=2, round_impressions=3000, round_completions=180, round_clicks=45
    )

    figures = services.run_cycle(seed=7)

    watched_row = VideoExposure.objects.get(video=watched)
    assert (watched_row.round, watched_row.round_impressions, watched_row.round_completions) == (2, 0, 0)
    assert VideoExposure.objects.get(video=skipped).in_pool is False
    climbed = VideoExposure.objects.get(video=climbing)
    assert (climbed.round, climbed.round_clicks, climbed.in_pool) == (3, 0, True)
    assert (figures["video_pool_round1"], figures["video_pool_round2"], figures["video_pool_round3"]) == (
        0,
        1,
        1,
    )
    assert ProductExposure.objects.get(product=good).round == 1  # a video's signals are its own


def test_a_video_and_a_good_with_the_same_id_are_promoted_apart(seller):
    good = make_product(seller)
    video = make_video(seller, [good], pk=good.pk)
    ProductExposure.objects.filter(product=good).update(round_impressions=300, round_views=30)
    VideoExposure.objects.filter(video=video).update(round_impressions=300, round_completions=3)

    services.run_cycle(seed=8)

    assert ProductExposure.objects.values_list("round", "in_pool").get(product=good) == (2, True)
    assert VideoExposure.objects.values_list("round", "in_pool").get(video=video) == (1, False)


def test_flushed_video_signals_reach_the_video_its_round_and_its_merchant(
    seller, django_capture_on_commit_callbacks
):
    good = make_product(seller)
    video = make_video(seller, [good])
    retired = make_video(seller, [good], title="已出池", in_pool=False)
    counters.record_many("video-impression", [video.pk, video.pk, retired.pk])
    counters.record_many("impression", [good.pk])
    for kind in ("video-play", "video-play", "video-completion", "video-click"):
        counters.record(kind, video.pk)
    counters.record("video-play", retired.pk)
    cache.delete(services.RECENT_EXPOSURES_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        updated = counters.flush()

    video.refresh_from_db()
    assert (video.play_count, video.completion_count, video.click_count) == (2, 1, 1)
    row = VideoExposure.objects.get(video=video)
    assert (row.round_impressions, row.impressions, row.round_completions, row.round_clicks) == (2, 2, 1, 1)
    retired_row = VideoExposure.objects.get(video=retired)
    assert (retired_row.impressions, Video.objects.get(pk=retired.pk).play_count) == (0, 1)
    day = MerchantExposureDay.objects.get(merchant=seller)
    # Every exposure of the merchant's works; a video's purchase click is the good's own
    # click (counted by the buy link), so it is not added to the day twice.
    assert (day.impressions, day.views, day.clicks) == (4, 0, 0)
    assert cache.get(services.RECENT_EXPOSURES_KEY) == 4
    assert updated["video-impression"] == 2 and updated["video-play"] == 2


@pytest.mark.redis
def test_video_signals_flush_through_redis(seller, django_capture_on_commit_callbacks):
    assert counters._redis() is not None  # the hashes, not this process's memory
    test_flushed_video_signals_reach_the_video_its_round_and_its_merchant(
        seller, django_capture_on_commit_callbacks
    )
