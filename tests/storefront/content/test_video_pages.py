"""The merchant's video pages: the list (statuses, empty state, query count), a video's page
(change title and goods, delete), the processing badge that htmx polls."""

import pytest
from django.urls import reverse

from storefront.content import video_services
from storefront.content.models import Video, VideoStatus
from tests.factories import StaffFactory
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.content.video_helpers import make_product, make_video

pytestmark = pytest.mark.django_db

LIST = reverse("videos:video-list")


def _detail(video):
    return reverse("videos:video-detail", kwargs={"public_id": video.public_id})


def test_the_empty_list_explains_what_short_videos_do(merchant_client):
    page = merchant_client.get(LIST)

    assert page.status_code == 200
    assert 'data-testid="videos-empty"' in page.content.decode()
    assert 'data-testid="upload-video"' in page.content.decode()


def test_the_list_shows_each_status_and_why(merchant_client, seller):
    good = make_product(seller)
    uploading = make_video(seller, [good], status=VideoStatus.UPLOADING, title="还在上传")
    Video.objects.filter(pk=uploading.pk).update(received_bytes=2500)  # of 5000
    processing = make_video(seller, [good], status=VideoStatus.PROCESSING, title="处理中")
    failed = make_video(seller, [good], status=VideoStatus.FAILED, failure="too_long", title="太长了")
    hidden = make_video(seller, [good], title="被隐藏")
    video_services.video_hide(video=hidden, by=StaffFactory(group="content-editor"), reason="画面含联系方式")
    make_video(seller, [good], title="已发布")
    deleted = make_video(seller, [good], title="删掉的")
    video_services.video_delete(video=deleted, by=seller.user)

    html = merchant_client.get(LIST).content.decode()

    assert "50%" in html
    assert f'hx-get="{reverse("videos:video-status", kwargs={"public_id": processing.public_id})}"' in html
    assert failed.get_failure_display() in html
    assert "画面含联系方式" in html
    assert "已发布" in html
    assert "删掉的" not in html
    assert html.count('class="panel video-row"') == 5


def test_the_list_costs_the_same_queries_for_two_videos_or_twenty(
    merchant_client, seller, django_assert_max_num_queries
):
    goods = [make_product(seller, title=f"玉镯{i}") for i in range(3)]
    for i in range(2):
        make_video(seller, goods, title=f"视频{i}")
    with django_assert_max_num_queries(20) as few:
        merchant_client.get(LIST)
    for i in range(18):
        make_video(seller, goods[:1], title=f"更多视频{i}")

    with django_assert_max_num_queries(len(few)):
        page = merchant_client.get(LIST)

    assert page.content.decode().count('class="panel video-row"') == 20


def test_another_merchant_cannot_open_a_video_page(client, seller):
    video = make_video(seller, [make_product(seller)])
    client.force_login(approved_merchant().user)

    assert client.get(_detail(video)).status_code == 404
    assert (
        client.post(reverse("videos:video-delete", kwargs={"public_id": video.public_id})).status_code == 404
    )
    assert Video.objects.get(pk=video.pk).status == VideoStatus.PUBLISHED


def test_changing_the_goods_moves_the_featured_video(merchant_client, seller):
    first, second = make_product(seller, title="一号"), make_product(seller, title="二号")
    video = make_video(seller, [first])
    first.refresh_from_db()
    assert first.featured_video_id == video.pk

    response = merchant_client.post(_detail(video), {"title": "新标题", "products": [str(second.public_id)]})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    video.refresh_from_db()
    assert (video.title, first.featured_video_id, second.featured_video_id) == ("新标题", None, video.pk)


def test_a_bad_change_keeps_the_input_and_changes_nothing(merchant_client, seller):
    good = make_product(seller)
    theirs = make_product(approved_merchant(), title="别人的")
    video = make_video(seller, [good])

    response = merchant_client.post(_detail(video), {"title": "改了", "products": [str(theirs.public_id)]})

    assert response.status_code == 400
    assert 'value="改了"' in response.content.decode()
    video.refresh_from_db()
    assert video.title != "改了"
    assert list(video.products.all()) == [good]


def test_deleting_a_video_takes_it_off_the_goods_at_once(
    merchant_client, seller, django_capture_on_commit_callbacks
):
    good = make_product(seller)
    video = make_video(seller, [good])
    file_name = video.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = merchant_client.post(reverse("videos:video-delete", kwargs={"public_id": video.public_id}))

    assert response.status_code == 302
    video.refresh_from_db()
    good.refresh_from_db()
    assert (video.status, good.featured_video_id) == (VideoStatus.DELETED, None)
    assert not video.file.storage.exists(file_name)
    product_page = merchant_client.get(
        reverse("storefront:product-detail", kwargs={"public_id": good.public_id})
    )
    assert 'data-testid="product-videos"' not in product_page.content.decode()


def test_the_processing_badge_polls_until_done_then_reloads_the_page(merchant_client, seller):
    video = make_video(seller, [make_product(seller)], status=VideoStatus.PROCESSING)
    status_url = reverse("videos:video-status", kwargs={"public_id": video.public_id})

    polling = merchant_client.get(status_url, HTTP_HX_REQUEST="true")
    assert polling.status_code == 200
    assert "hx-trigger" in polling.content.decode()

    Video.objects.filter(pk=video.pk).update(status=VideoStatus.PUBLISHED)
    done = merchant_client.get(status_url, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"


def test_the_goods_list_and_editor_link_to_adding_a_video(merchant_client, seller):
    good = make_product(seller)
    upload = reverse("videos:video-upload")

    listing = merchant_client.get(reverse("storefront:merchant-products")).content.decode()
    editor = merchant_client.get(reverse("storefront:product-edit", kwargs={"public_id": good.public_id}))

    assert f'href="{upload}?product={good.public_id}"' in listing
    assert f'href="{LIST}"' in listing
    assert f'href="{upload}?product={good.public_id}"' in editor.content.decode()
    assert 'data-testid="nav-videos"' in listing


def test_the_dashboard_links_to_the_videos(merchant_client):
    dashboard = merchant_client.get(reverse("merchants:dashboard")).content.decode()

    assert f'href="{LIST}" data-testid="dashboard-videos"' in dashboard
