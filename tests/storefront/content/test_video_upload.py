"""The chunked upload from the merchant's page: announce, send pieces, resume, complete."""

import pytest
from django.urls import reverse

from storefront.content import video_services
from storefront.content.models import MAX_VIDEO_BYTES, Video, VideoEvent, VideoFailure, VideoStatus
from storefront.content.video_services import CHUNK_BYTES
from storefront.services import NotAllowedToSell
from tests.factories import submitted_application
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.content.video_helpers import make_product, mp4_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("videos:video-upload")
JSON = {"HTTP_ACCEPT": "application/json"}


def announce(
    client, products, *, size, file_name="IMG_0420.MOV", content_type="video/quicktime", title="玉镯360度"
):
    data = {
        "title": title,
        "products": [str(product.public_id) for product in products],
        "file_name": file_name,
        "size": size,
        "content_type": content_type,
    }
    return client.post(UPLOAD, data, **JSON)


def put_piece(client, url, data: bytes, start: int, total: int):
    return client.put(
        url,
        data,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{start + len(data) - 1}/{total}",
    )


def test_a_video_is_sent_in_pieces_and_queued_for_processing(
    merchant_client, seller, queued_videos, django_capture_on_commit_callbacks
):
    good = make_product(seller)
    draft = make_product(seller, title="草稿玉镯", publish=False)
    content = mp4_bytes(CHUNK_BYTES * 2 + 1234)

    started = announce(merchant_client, [good, draft], size=len(content))

    assert started.status_code == 201
    links = started.json()
    video = Video.objects.get(public_id=links["id"])
    assert (video.status, video.expected_bytes, video.received_bytes) == ("uploading", len(content), 0)
    assert set(video.products.all()) == {good, draft}
    for start in range(0, len(content), CHUNK_BYTES):
        piece = put_piece(
            merchant_client, links["upload_url"], content[start : start + CHUNK_BYTES], start, len(content)
        )
        assert piece.status_code == 200, piece.content
        assert piece.json()["received_bytes"] == min(start + CHUNK_BYTES, len(content))
    with django_capture_on_commit_callbacks(execute=True):
        done = merchant_client.post(links["complete_url"])

    assert done.status_code == 200
    assert done.json()["status"] == "processing"
    video.refresh_from_db()
    assert video.status == VideoStatus.PROCESSING
    with video.original.open("rb") as original:
        assert original.read() == content
    assert queued_videos == [(video.pk,)]
    assert list(video.events.values_list("from_status", "to_status")) == [
        ("", "uploading"),
        ("uploading", "processing"),
    ]


def test_a_dropped_connection_resumes_from_the_servers_offset(merchant_client, seller, queued_videos):
    good = make_product(seller)
    content = mp4_bytes(3000)
    links = announce(merchant_client, [good], size=len(content)).json()
    assert put_piece(merchant_client, links["upload_url"], content[:1000], 0, 3000).status_code == 200

    # The client lost the answer and sends the same piece again: refused, not written twice.
    again = put_piece(merchant_client, links["upload_url"], content[:1000], 0, 3000)
    assert again.status_code == 409
    assert again.json()["received_bytes"] == 1000
    where = merchant_client.get(links["upload_url"]).json()
    assert where == {"status": "uploading", "received_bytes": 1000, "expected_bytes": 3000}
    assert put_piece(merchant_client, links["upload_url"], content[1000:], 1000, 3000).status_code == 200

    assert merchant_client.post(links["complete_url"]).json()["status"] == "processing"
    video = Video.objects.get(public_id=links["id"])
    with video.original.open("rb") as original:
        assert original.read() == content


def test_a_piece_ahead_of_the_offset_is_refused_with_where_to_resume(merchant_client, seller):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()

    ahead = put_piece(merchant_client, links["upload_url"], b"x" * 500, 1000, 3000)

    assert ahead.status_code == 409
    assert ahead.json()["received_bytes"] == 0
    assert Video.objects.get(public_id=links["id"]).received_bytes == 0


@pytest.mark.parametrize(
    "header",
    [
        "",
        "bytes 0-99",
        "bytes 0-99/4000",
        "bytes 10-5/3000",
        "items 0-99/3000",
        f"bytes 0-{5 * 1024 * 1024}/{MAX_VIDEO_BYTES}",
    ],
)
def test_a_piece_with_a_wrong_content_range_is_a_400_and_writes_nothing(merchant_client, seller, header):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()

    response = merchant_client.put(
        links["upload_url"], b"x" * 100, content_type="application/octet-stream", HTTP_CONTENT_RANGE=header
    )

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"]
    assert Video.objects.get(public_id=links["id"]).received_bytes == 0


def test_a_piece_shorter_than_its_range_is_refused_and_cut_off(merchant_client, seller):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()

    short = merchant_client.put(
        links["upload_url"],
        b"x" * 100,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 0-999/3000",
    )

    assert short.status_code == 400
    video = Video.objects.get(public_id=links["id"])
    assert video.received_bytes == 0
    with video.original.open("rb") as original:
        assert original.read() == b""


def test_a_file_announced_too_large_is_refused_before_any_byte(merchant_client, seller):
    response = announce(merchant_client, [make_product(seller)], size=MAX_VIDEO_BYTES + 1)

    assert response.status_code == 400
    assert response.json()["errors"]["size"]
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    ("file_name", "content_type"),
    [("voice.m4a", "audio/mp4"), ("clip.avi", "video/x-msvideo"), ("photo.mp4", "image/jpeg")],
)
def test_a_file_that_is_not_an_mp4_or_mov_is_refused(merchant_client, seller, file_name, content_type):
    response = announce(
        merchant_client, [make_product(seller)], size=3000, file_name=file_name, content_type=content_type
    )

    assert response.status_code == 400
    assert response.json()["errors"]["file_name"]
    assert not Video.objects.exists()


def test_someone_elses_goods_are_refused(merchant_client, seller):
    other = approved_merchant()
    theirs = make_product(other, title="别人的玉镯")

    response = announce(merchant_client, [make_product(seller), theirs], size=3000)

    assert response.status_code == 400
    assert "products" in response.json()["errors"]
    assert not Video.objects.exists()


def test_a_hidden_or_deleted_good_cannot_get_a_video(merchant_client, seller):
    from storefront import services

    gone = services.product_delete(product=make_product(seller), by=seller.user)

    response = announce(merchant_client, [gone], size=3000)

    assert response.status_code == 400
    assert not Video.objects.exists()


def test_a_merchant_not_yet_approved_is_refused(client):
    application = submitted_application(categories=("apparel",))
    merchant = application.merchant
    client.force_login(merchant.user)

    page = client.get(UPLOAD)
    data = {"title": "t", "products": [], "file_name": "a.mp4", "size": 10, "content_type": "video/mp4"}
    response = client.post(UPLOAD, data, **JSON)

    assert page.context["can_sell"] is False
    assert 'data-testid="video-upload-form"' not in page.content.decode()
    assert response.status_code == 400
    with pytest.raises(NotAllowedToSell):
        video_services.video_upload_start(
            merchant=merchant, by=merchant.user, title="t", products=[], file_name="a.mp4", size=10
        )
    assert not Video.objects.exists()


def test_a_visitor_is_sent_to_log_in_and_another_merchant_cannot_send_pieces(client, merchant_client, seller):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()
    assert client.get(UPLOAD).status_code == 302

    client.force_login(approved_merchant().user)
    response = put_piece(client, links["upload_url"], b"x" * 100, 0, 3000)

    assert response.status_code == 404
    assert client.post(links["complete_url"]).status_code == 404
    assert Video.objects.get(public_id=links["id"]).received_bytes == 0


def test_complete_with_a_file_that_is_not_a_video_fails_it_at_once(
    merchant_client, seller, queued_videos, django_capture_on_commit_callbacks
):
    content = b"%PDF-1.7 pretending to be a film" + bytes(100)
    links = announce(merchant_client, [make_product(seller)], size=len(content)).json()
    put_piece(merchant_client, links["upload_url"], content, 0, len(content))
    video = Video.objects.get(public_id=links["id"])
    original = video.original.name

    with django_capture_on_commit_callbacks(execute=True):
        response = merchant_client.post(links["complete_url"])

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    video.refresh_from_db()
    assert (video.status, video.failure, video.original.name) == ("failed", VideoFailure.NOT_A_VIDEO, "")
    assert not video.original.storage.exists(original)
    assert queued_videos == []
    assert VideoEvent.objects.filter(video=video, to_status="failed").get().reason


def test_complete_before_every_byte_arrived_is_refused(merchant_client, seller, queued_videos):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()
    put_piece(merchant_client, links["upload_url"], mp4_bytes(1000), 0, 3000)

    response = merchant_client.post(links["complete_url"])

    assert response.status_code == 409
    assert Video.objects.get(public_id=links["id"]).status == VideoStatus.UPLOADING
    assert queued_videos == []


def test_a_chunk_request_costs_a_fixed_few_queries(merchant_client, seller, django_assert_max_num_queries):
    content = mp4_bytes(3000)
    links = announce(merchant_client, [make_product(seller)], size=len(content)).json()

    # The session, the user, the locked read and the update, in a savepoint (two statements)
    # inside the test's transaction: nothing else.
    with django_assert_max_num_queries(6):
        assert put_piece(merchant_client, links["upload_url"], content[:1500], 0, 3000).status_code == 200


def test_without_javascript_the_form_says_so(merchant_client, seller):
    make_product(seller)
    page = merchant_client.get(UPLOAD)
    assert page.status_code == 200
    assert b"<noscript>" in page.content

    # The form posted without the script carries no file: a clear message, no video.
    response = merchant_client.post(UPLOAD, {"title": "玉镯"})

    assert response.status_code == 400
    assert "JavaScript" in response.content.decode()
    assert not Video.objects.exists()


def test_the_product_is_preselected_from_the_add_a_video_link(merchant_client, seller):
    good = make_product(seller)

    page = merchant_client.get(UPLOAD, {"product": str(good.public_id)})

    assert f'value="{good.public_id}" id="id_products_0" checked' in page.content.decode()


def test_a_shop_restricted_during_its_upload_publishes_nothing(merchant_client, seller, queued_videos):
    content = mp4_bytes(3000)
    links = announce(merchant_client, [make_product(seller)], size=len(content)).json()
    put_piece(merchant_client, links["upload_url"], content, 0, len(content))
    seller.applications.update(status="suspended")  # suspended between the last piece and "complete"

    response = merchant_client.post(links["complete_url"])

    assert response.status_code == 403
    assert Video.objects.get(public_id=links["id"]).status == VideoStatus.UPLOADING  # the sweep fails it
    assert queued_videos == []


def test_a_piece_longer_than_its_range_is_refused_before_anything_is_locked(merchant_client, seller):
    links = announce(merchant_client, [make_product(seller)], size=3000).json()

    response = merchant_client.put(
        links["upload_url"],
        mp4_bytes(1500),
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE="bytes 0-999/3000",  # says 1 000 bytes, carries 1 500
    )

    assert response.status_code == 400
    assert Video.objects.get(public_id=links["id"]).received_bytes == 0
