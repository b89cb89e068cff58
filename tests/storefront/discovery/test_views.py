import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from industrybelts.models import Belt
from storefront import counters
from storefront.content.models import Video, VideoExposure, VideoStatus
from storefront.discovery import services
from storefront.discovery.models import DiscoverySettings, ExposureHealth, ProductExposure
from storefront.discovery.selectors import discovery_strip
from tests.factories import StaffFactory
from tests.storefront.conftest import make_product
from tests.storefront.discovery.conftest import make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.run_cycle(seed=5)

    return run


def _queries(client, url):
    cache.clear()  # cold: every card is rendered, the most queries a page makes
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_catalog_shows_the_discovery_strip_and_counts_its_exposures(client, seller, cycle):
    products = [make_product(seller, title=f"源头新品{n}") for n in range(3)]
    cycle()

    response = client.get(reverse("storefront:catalog"))

    assert 'data-testid="discovery"' in response.content.decode()
    assert {p.pk for p in response.context["discovery"]} == {p.pk for p in products}
    counters.flush()
    assert sorted(ProductExposure.objects.values_list("impressions", flat=True)) == [1, 1, 1]


def test_a_filtered_catalog_has_no_strip(client, seller, cycle):
    make_product(seller)
    cycle()

    response = client.get(reverse("storefront:catalog"), {"q": "连衣裙"})

    assert response.context["discovery"] == []


def test_a_belt_page_shows_only_its_belts_goods(client, seller, cycle, apparel):
    in_belt = make_product(seller, title="四季青连衣裙", belt=apparel, source_kind="belt")
    make_product(seller, title="工厂直供毛巾")
    cycle()

    response = client.get(reverse("industrybelts:belt-detail", args=["apparel"]))

    assert [p.pk for p in response.context["discovery"]] == [in_belt.pk]


def test_a_cached_catalog_or_belt_page_reads_the_cache_once_per_part(
    client, seller, cycle, apparel, cache_round_trips
):
    make_product(seller, title="四季青连衣裙", belt=apparel, source_kind="belt")
    cycle()
    # A search has no strip; the belt's strip is shown from the same offset both times, so
    # the second visit finds its window.
    search = reverse("storefront:catalog") + "?q=连衣裙"
    belt = reverse("industrybelts:belt-detail", args=["apparel"])
    offset = f"discovery:offset:{apparel.pk}"
    cache.set(offset, 0, None)
    for url in (search, belt):
        assert client.get(url).status_code == 200
    cache.set(offset, 0, None)

    cache_round_trips.clear()
    assert client.get(search).status_code == 200
    assert cache_round_trips == ["get_many"]  # the generation with the slate and the listing

    cache_round_trips.clear()
    assert client.get(belt).status_code == 200
    # the body; the generation with the slate; the strip's offset and window; the live
    # sessions' generation with their section
    assert cache_round_trips == ["get", "get_many", "incr", "get", "get_many"]


# A cold first page: the slate's sizes, the page's ids, its cards and their images, the
# filter's three lists, the strip's window, its cards and their images.
COLD_CATALOG_QUERIES = 10


def test_catalog_queries_do_not_grow_with_the_pool(client, seller, cycle):
    url = reverse("storefront:catalog")
    for n in range(3):
        make_product(seller, title=f"少量{n}")
    cycle()
    few_cold = _queries(client, url)
    for n in range(30):
        make_product(seller, title=f"大量{n}")
    cycle()

    assert _queries(client, url) <= COLD_CATALOG_QUERIES
    assert few_cold <= COLD_CATALOG_QUERIES
    # Warm, the listing comes from the fragment cache; a strip window not shown since the
    # last change costs its own query, cards and images.
    assert _warm_queries(client, url) <= 3


def _warm_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_merchants_see_each_products_round_and_funnel(client, seller, cycle):
    product = make_product(seller)
    ProductExposure.objects.filter(product=product).update(round=2, impressions=340)
    product.__class__.objects.filter(pk=product.pk).update(view_count=31, click_count=4)
    client.force_login(seller.user)

    html = client.get(reverse("storefront:merchant-products")).content.decode()

    assert "第 2 轮" in html
    assert "340 → 31 → 4" in html


SETTINGS_FORM = {
    "base_budget": 300,
    "round2_budget": 3000,
    "round3_budget": 30000,
    "round2_min_ctr": "0.08",
    "round3_min_ctr": "0.10",
    "round3_min_conversion": "0.015",
    "video_round2_min_completion": "0.04",
    "video_round3_min_completion": "0.06",
    "gini_cap": "0.6",
    "ordinary_share_floor": "0.7",
    "ordinary_max_followers": 100000,
    "window_days": 7,
    "slate_size": 2000,
    "cycle_capacity": 5000,
}


def test_settings_out_of_range_are_refused_in_admin(client):
    staff = StaffFactory(group="belt-operations")
    client.force_login(staff)
    settings = DiscoverySettings.current()
    url = reverse("admin:storefront_discoverysettings_change", args=[settings.pk])
    data = {
        **SETTINGS_FORM,
        "round2_budget": 200,  # not more than the base
        "gini_cap": "1.5",  # out of range
    }

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"gini_cap", "round2_budget"}
    settings.refresh_from_db()
    assert (settings.round2_budget, str(settings.gini_cap)) == (3000, "0.600")

    data.update(round2_budget=4000, gini_cap="0.55")
    assert client.post(url, data).status_code == 302
    settings.refresh_from_db()
    assert settings.round2_budget == 4000


def test_exposure_health_page_plots_the_last_days(client, seller, cycle):
    import datetime

    from django.utils import timezone

    for days_ago in range(3):
        ExposureHealth.objects.create(
            day=timezone.localdate() - datetime.timedelta(days=days_ago), gini="0.41", ordinary_share="0.8"
        )
    client.force_login(StaffFactory(group="belt-operations"))

    response = client.get(reverse("admin:storefront_exposurehealth_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="gini-line"' in html and "<svg" in html
    assert "0.410" in html


def test_exposure_health_is_staff_only(client):
    client.force_login(StaffFactory(group="support"))

    assert client.get(reverse("admin:storefront_exposurehealth_changelist")).status_code == 403


def test_jade_belt_page_without_a_slate_still_renders(client):
    assert client.get(reverse("industrybelts:belt-detail", args=["jade"])).status_code == 200
    assert Belt.objects.filter(slug="jade").exists()


def test_catalog_is_served_when_the_feed_fails(client, seller, monkeypatch):
    from storefront.discovery import selectors

    def broken(**kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(selectors, "_window", broken)
    make_product(seller)

    response = client.get(reverse("storefront:catalog"))

    assert response.status_code == 200
    assert response.context["discovery"] == []


def test_discovery_settings_need_the_view_permission(client):
    client.force_login(StaffFactory(group="content-editor"))

    response = client.get(reverse("admin:storefront_discoverysettings_changelist"))

    assert response.status_code == 403
    assert not DiscoverySettings.objects.exists()


# --- Works: videos in the strip, goods and videos apart in the health page ---------------


def test_the_strip_shows_a_video_card_linking_to_its_good_s_player(client, seller, cycle):
    good = make_product(seller, title="真丝连衣裙", price="129.00", retail="199.00")
    video = make_video(seller, [good], title="上身效果")
    cycle()

    response = client.get(reverse("storefront:catalog"))

    html = response.content.decode()
    strip = html.partition('data-testid="discovery"')[2].partition("</section>")[0]
    card = strip.partition('data-testid="video-card"')[2].partition("</article>")[0]
    product_url = reverse("storefront:product-detail", kwargs={"public_id": good.public_id})
    assert f'href="{product_url}#video-{video.public_id}"' in card
    assert f'src="{video.poster.url}"' in card
    assert "▶" in card and "上身效果" in card and "真丝连衣裙" in card
    assert "¥129.00" in card and "¥199.00" in card
    assert strip.count('data-testid="product-card"') == 1  # the good itself, as a work of its own
    works = response.context["discovery"]
    assert {(type(work).__name__, work.pk) for work in works} == {
        ("CardRef", good.pk),
        ("VideoRef", video.pk),
    }

    counters.flush()
    assert VideoExposure.objects.get(video=video).impressions == 1
    assert ProductExposure.objects.get(product=good).impressions == 1


def test_the_strip_reads_a_fixed_number_of_queries_whatever_the_videos(
    seller, cycle, django_assert_max_num_queries
):
    goods = [make_product(seller, title=f"货{n}") for n in range(2)]
    make_video(seller, goods[:1], title="第一支")
    cycle()
    cache.clear()
    with django_assert_max_num_queries(4):  # slots (with the videos' cards), wrap-around, goods, images
        few, _html = discovery_strip(generation=None)
    goods += [make_product(seller, title=f"更多货{n}") for n in range(4)]
    for n in range(8):
        make_video(seller, goods[n % 6 :], title=f"视频{n}")
    cycle()
    cache.clear()

    with django_assert_max_num_queries(4):
        many, html = discovery_strip(generation=None)

    assert len(few) == 3
    videos = sum(type(work).__name__ == "VideoRef" for work in many)
    assert len(many) == 12 and videos >= 6  # of 6 goods and 9 videos
    assert html.count('data-testid="video-card"') == videos
    assert html.count('data-testid="product-card"') == 12 - videos


def test_a_video_taken_down_after_the_slate_leaves_the_strip(client, seller, cycle):
    good = make_product(seller)
    video = make_video(seller, [good], title="将被隐藏")
    cycle()
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.HIDDEN)
    cache.clear()

    works, html = discovery_strip(generation=None)

    assert [work.pk for work in works] == [good.pk]
    assert "将被隐藏" not in html


def test_a_belt_strip_shows_the_videos_of_its_goods(client, seller, cycle, apparel):
    in_belt = make_product(seller, title="四季青连衣裙", belt=apparel, source_kind="belt")
    elsewhere = make_product(seller, title="工厂直供毛巾")
    belt_video = make_video(seller, [in_belt], title="四季青上身")
    make_video(seller, [elsewhere], title="毛巾视频")
    cycle()

    response = client.get(reverse("industrybelts:belt-detail", args=["apparel"]))

    assert {(type(w).__name__, w.pk) for w in response.context["discovery"]} == {
        ("CardRef", in_belt.pk),
        ("VideoRef", belt_video.pk),
    }
    assert "毛巾视频" not in response.content.decode()


def test_inconsistent_video_thresholds_are_refused_in_admin(client):
    client.force_login(StaffFactory(group="belt-operations"))
    settings = DiscoverySettings.current()
    url = reverse("admin:storefront_discoverysettings_change", args=[settings.pk])
    page = client.get(url).content.decode()
    assert 'name="video_round2_min_completion"' in page and 'name="video_round3_min_completion"' in page

    response = client.post(
        url,
        {**SETTINGS_FORM, "video_round2_min_completion": "0.08", "video_round3_min_completion": "0.05"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"video_round3_min_completion"}
    settings.refresh_from_db()
    assert (str(settings.video_round2_min_completion), str(settings.video_round3_min_completion)) == (
        "0.040",
        "0.060",
    )

    response = client.post(
        url, {**SETTINGS_FORM, "video_round2_min_completion": "0.05", "video_round3_min_completion": "0.07"}
    )
    assert response.status_code == 302
    settings.refresh_from_db()
    assert str(settings.video_round3_min_completion) == "0.070"


def test_exposure_health_shows_goods_and_videos_apart(client):
    from django.utils import timezone

    ExposureHealth.objects.create(
        day=timezone.localdate(),
        gini="0.52",
        ordinary_share="0.81",
        pool_round1=120,
        pool_round2=14,
        pool_round3=3,
        video_pool_round1=45,
        video_pool_round2=6,
        video_pool_round3=1,
        video_share="0.27",
    )
    client.force_login(StaffFactory(group="belt-operations"))

    html = client.get(reverse("admin:storefront_exposurehealth_changelist")).content.decode()

    pools = html.partition('data-testid="exposure-pools"')[2].partition("</table>")[0]
    rows = [re.findall(r"<td>(\d+)</td>", row) for row in pools.split("<tr>")[2:]]
    assert rows == [["120", "14", "3"], ["45", "6", "1"]]
    assert "0.270" in html.partition('data-testid="video-share"')[2].partition("</p>")[0]
    assert 'data-testid="video-share-line"' in html
