"""The partner feed of videos: published ones in (updated_at, id) order, tombstones after."""

import datetime

import pytest
from django.utils import timezone

from storefront import catalog
from storefront.content import video_services
from storefront.content.models import Video, VideoStatus
from tests.apiclient import api_client
from tests.factories import StaffFactory
from tests.storefront.content.video_helpers import make_product, make_video

pytestmark = pytest.mark.django_db

FEED = "/api/v1/feeds/videos/"


@pytest.fixture(autouse=True)
def _no_settle_window(monkeypatch):
    monkeypatch.setattr(catalog, "FEED_SETTLE", datetime.timedelta(0))


def _age(video, minutes):
    Video.objects.filter(pk=video.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_the_feed_lists_published_videos_in_order_and_resumes_with_tombstones(seller):
    good = make_product(seller)
    videos = [make_video(seller, [good], title=f"视频{n}") for n in range(3)]
    for age, video in zip((30, 20, 10), videos, strict=True):
        _age(video, age)
    make_video(seller, [good], status=VideoStatus.PROCESSING, title="处理中")  # never public
    make_video(seller, [good], status=VideoStatus.FAILED, title="失败")
    client = api_client()

    first = client.get(FEED, {"page_size": 2}).json()
    second = client.get(FEED, {"cursor": first["next_cursor"]}).json()
    video_services.video_hide(video=videos[0], by=StaffFactory(group="content-editor"), reason="违规")
    later = client.get(FEED, {"cursor": second["next_cursor"]}).json()

    assert [e["video"]["title"] for e in first["results"] + second["results"]] == ["视频0", "视频1", "视频2"]
    assert first["has_more"] is True and second["has_more"] is False
    entry = first["results"][0]["video"]
    assert entry["products"] == [str(good.public_id)]
    assert entry["merchant"] == str(seller.public_id)
    assert entry["file"].endswith(videos[0].file.url) and entry["poster"].endswith(videos[0].poster.url)
    assert [(e["id"], e["deleted"], e["video"]) for e in later["results"]] == [
        (str(videos[0].public_id), True, None)
    ]


def test_a_feed_page_costs_the_same_queries_for_any_size(seller, django_assert_max_num_queries):
    good = make_product(seller)
    make_video(seller, [good])
    with django_assert_max_num_queries(10) as few:
        api_client().get(FEED)
    for n in range(10):
        make_video(seller, [good], title=f"视频{n}")

    with django_assert_max_num_queries(len(few)):
        response = api_client().get(FEED)

    assert len(response.json()["results"]) == 11


def test_a_forged_cursor_or_date_is_a_400(seller):
    client = api_client()

    assert client.get(FEED, {"cursor": "forged"}).status_code == 400
    assert client.get(FEED, {"updated_since": "yesterday"}).json()["error"]["fields"]["updated_since"]


def test_the_feed_names_only_goods_with_a_public_page(seller):
    from storefront.models import Product

    shown, draft = make_product(seller, title="在售"), make_product(seller, title="草稿")
    Product.objects.filter(pk=draft.pk).update(status="draft")
    make_video(seller, [shown, draft])

    [entry] = api_client().get(FEED).json()["results"]

    assert entry["video"]["products"] == [str(shown.public_id)]
