"""The partner API of videos: upload in pieces with a merchant token, list, change, delete."""

import pytest

from core.api.scopes import Scope
from storefront.content.models import Video, VideoStatus
from tests.apiclient import api_client
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.content.video_helpers import make_product, make_video, mp4_bytes

pytestmark = pytest.mark.django_db

VIDEOS = "/api/v1/merchant/videos/"
SCOPES = [Scope.PRODUCTS_READ, Scope.PRODUCTS_WRITE]


def _put(client, url, data, start, total):
    return client.put(
        url,
        data,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{start + len(data) - 1}/{total}",
    )


def test_an_upload_in_pieces_resumes_and_is_queued(seller, queued_videos, django_capture_on_commit_callbacks):
    client = api_client(seller.user, SCOPES)
    good = make_product(seller)
    content = mp4_bytes(5000)

    created = client.post(
        VIDEOS,
        {"title": "玉镯", "products": [str(good.public_id)], "file_name": "a.MP4", "size": 5000},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["expected_bytes"], body["products"]) == (
        "uploading",
        5000,
        [str(good.public_id)],
    )
    upload_url = body["upload_url"]
    assert upload_url.endswith(f"/api/v1/merchant/videos/{body['id']}/upload/")

    assert _put(client, upload_url, content[:3000], 0, 5000).json() == {
        "received_bytes": 3000,
        "expected_bytes": 5000,
    }
    stale = _put(client, upload_url, content[:3000], 0, 5000)
    assert stale.status_code == 409
    assert stale.json()["received_bytes"] == 3000
    assert stale.json()["error"]["code"] == "upload_offset_mismatch"
    assert _put(client, upload_url, content[3000:], 3000, 5000).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{VIDEOS}{body['id']}/complete/")

    assert done.status_code == 200
    assert (done.json()["status"], done.json()["upload_url"]) == ("processing", None)
    video = Video.objects.get(public_id=body["id"])
    assert queued_videos == [(video.pk,)]


def test_a_two_megabyte_piece_passes_the_apis_body_limit(seller):
    client = api_client(seller.user, SCOPES)
    size = 2 * 1024 * 1024 + 10
    created = client.post(
        VIDEOS,
        {
            "title": "大片",
            "products": [str(make_product(seller).public_id)],
            "file_name": "a.mov",
            "size": size,
        },
        format="json",
    ).json()

    response = _put(client, created["upload_url"], mp4_bytes(2 * 1024 * 1024), 0, size)

    assert response.status_code == 200
    assert response.json()["received_bytes"] == 2 * 1024 * 1024


def test_bad_announcements_are_400s_in_the_one_shape(seller):
    client = api_client(seller.user, SCOPES)
    theirs = make_product(approved_merchant(), title="别人的")
    mine = make_product(seller)

    too_large = client.post(
        VIDEOS,
        {"title": "t", "products": [str(mine.public_id)], "file_name": "a.mp4", "size": 300 * 1024**2},
        format="json",
    )
    not_mine = client.post(
        VIDEOS,
        {"title": "t", "products": [str(theirs.public_id)], "file_name": "a.mp4", "size": 100},
        format="json",
    )
    audio = client.post(
        VIDEOS,
        {"title": "t", "products": [str(mine.public_id)], "file_name": "a.m4a", "size": 100},
        format="json",
    )

    assert too_large.status_code == 400 and "size" in too_large.json()["error"]["fields"]
    assert not_mine.status_code == 400 and "products" in not_mine.json()["error"]["fields"]
    assert audio.status_code == 400 and "file_name" in audio.json()["error"]["fields"]
    assert not Video.objects.exists()


def test_the_list_shows_urls_only_when_published_and_costs_fixed_queries(
    seller, django_assert_max_num_queries
):
    client = api_client(seller.user, SCOPES)
    good = make_product(seller)
    make_video(seller, [good], status=VideoStatus.FAILED, failure="too_long")
    published = make_video(seller, [good])
    with django_assert_max_num_queries(20) as few:
        client.get(VIDEOS)
    for i in range(10):
        make_video(seller, [good], title=f"视频{i}")

    with django_assert_max_num_queries(len(few)):
        response = client.get(VIDEOS)

    results = response.json()["results"]
    assert len(results) == 12
    by_id = {row["id"]: row for row in results}
    assert by_id[str(published.public_id)]["file"].endswith(published.file.url)
    assert by_id[str(published.public_id)]["poster"].endswith(published.poster.url)
    failed = next(row for row in results if row["status"] == "failed")
    assert (failed["file"], failed["failure"], failed["failure_message"] != "") == (None, "too_long", True)


def test_change_title_and_goods_then_delete(seller):
    client = api_client(seller.user, SCOPES)
    first, second = make_product(seller, title="一"), make_product(seller, title="二")
    video = make_video(seller, [first])
    url = f"{VIDEOS}{video.public_id}/"

    changed = client.patch(url, {"products": [str(second.public_id)]}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["products"] == [str(second.public_id)]
    assert changed.json()["title"] == video.title
    second.refresh_from_db()
    assert second.featured_video_id == video.pk

    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    second.refresh_from_db()
    assert second.featured_video_id is None


def test_unknown_fields_are_refused(seller):
    client = api_client(seller.user, SCOPES)
    video = make_video(seller, [make_product(seller)])

    response = client.patch(f"{VIDEOS}{video.public_id}/", {"status": "published"}, format="json")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
