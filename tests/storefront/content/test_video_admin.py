"""Moderating videos in admin, like goods: hide with a reason (the merchant is e-mailed, the
goods' featured video moves), restore, and what staff see of a video."""

import pytest
from django.test import Client
from django.urls import reverse

from storefront.content.models import VideoEvent, VideoStatus
from tests.factories import StaffFactory
from tests.storefront.content.video_helpers import make_product, make_video

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:storefront_video_changelist")


def _decide(video):
    return reverse("admin:storefront_video_decide", args=[video.pk])


@pytest.fixture
def moderator_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(StaffFactory(group="content-editor"))
    return client


def test_hide_with_a_reason_tells_the_merchant_and_moves_the_featured_video(
    moderator_client, seller, outbox, django_capture_on_commit_callbacks
):
    good = make_product(seller)
    older = make_video(seller, [good], title="旧视频")
    newer = make_video(seller, [good], title="新视频")
    good.refresh_from_db()
    assert good.featured_video_id == newer.pk

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            _decide(newer),
            {"decision": "hide", "expected_status": "published", "reason": "视频含站外联系方式"},
        )

    assert response.status_code == 302
    newer.refresh_from_db()
    good.refresh_from_db()
    assert newer.status == VideoStatus.HIDDEN
    assert good.featured_video_id == older.pk
    event = VideoEvent.objects.filter(video=newer).order_by("-pk").first()
    assert (event.to_status, event.reason) == ("hidden", "视频含站外联系方式")
    (message,) = outbox.wait_for(1)
    assert message.to == [seller.user.email]
    assert "视频含站外联系方式" in message.body
    assert "新视频" in message.subject


def test_hide_without_a_reason_changes_nothing(moderator_client, seller):
    video = make_video(seller, [make_product(seller)])
    events = VideoEvent.objects.count()

    moderator_client.post(_decide(video), {"decision": "hide", "expected_status": "published", "reason": ""})

    video.refresh_from_db()
    assert video.status == VideoStatus.PUBLISHED
    assert VideoEvent.objects.count() == events


def test_restore_puts_it_back_on_the_goods(moderator_client, seller, django_capture_on_commit_callbacks):
    good = make_product(seller)
    video = make_video(seller, [good])
    moderator_client.post(
        _decide(video), {"decision": "hide", "expected_status": "published", "reason": "误判"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            _decide(video), {"decision": "restore", "expected_status": "hidden", "note": ""}
        )

    video.refresh_from_db()
    good.refresh_from_db()
    assert (video.status, good.featured_video_id) == (VideoStatus.PUBLISHED, video.pk)


def test_the_change_page_shows_the_poster_player_and_history_read_only(moderator_client, seller):
    video = make_video(seller, [make_product(seller, title="玉镯甲")])

    page = moderator_client.get(reverse("admin:storefront_video_change", args=[video.pk])).content.decode()

    assert f'src="{video.file.url}"' in page
    assert f'poster="{video.poster.url}"' in page
    assert "玉镯甲" in page
    assert 'name="title"' not in page  # read-only: staff decide, they do not edit
    assert 'id="events-group"' in page


def test_the_list_filters_and_searches_in_a_fixed_number_of_queries(
    moderator_client, seller, django_assert_max_num_queries
):
    good = make_product(seller)
    make_video(seller, [good], title="甲")
    with django_assert_max_num_queries(40) as few:
        moderator_client.get(CHANGELIST)
    for i in range(10):
        make_video(seller, [good], title=f"乙{i}")

    with django_assert_max_num_queries(len(few)):
        page = moderator_client.get(CHANGELIST)
    filtered = moderator_client.get(CHANGELIST, {"q": "乙3", "status": "published"})

    assert page.status_code == 200
    assert filtered.status_code == 200
    assert "乙3" in filtered.content.decode() and "乙4" not in filtered.content.decode()


def test_staff_without_the_right_cannot_hide(seller):
    client = Client()
    client.force_login(StaffFactory(group="support"))
    video = make_video(seller, [make_product(seller)])

    response = client.post(
        _decide(video), {"decision": "hide", "expected_status": "published", "reason": "x"}
    )

    assert response.status_code == 403
    video.refresh_from_db()
    assert video.status == VideoStatus.PUBLISHED
