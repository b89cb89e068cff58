"""A merchant uploads a short video for a good on a phone: the file goes in pieces, a dropped
piece is retried from the server's offset, and the video's page shows it processing; a file
that is not a video is refused at once with its reason. No page scrolls sideways."""

import re

import pytest

from storefront.content.models import Video, VideoStatus
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.content.video_helpers import make_product, mp4_bytes, record_queued_videos

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
VIDEO_PAGE = re.compile(r"/merchant/videos/[0-9a-f-]{36}/$")


@pytest.fixture
def queued_videos(monkeypatch):
    return record_queued_videos(monkeypatch)


def _page(chromium):
    page = chromium.new_context(locale="zh-CN", viewport=PHONE).new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return page, errors


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_video_uploads_in_pieces_survives_a_dropped_piece_and_shows_processing(
    chromium, live_server, tmp_path, queued_videos
):
    seller = approved_merchant()
    good = make_product(seller, title="帝王绿翡翠手镯")
    content = mp4_bytes(5 * 1024 * 1024 + 321)  # three pieces of 2 MB
    path = tmp_path / "IMG_0420.mp4"
    path.write_bytes(content)
    page, errors = _page(chromium)
    log_in(page, live_server, seller.user.email, next_path=f"/merchant/videos/new/?product={good.public_id}")
    _fits(page)
    dropped = []

    def drop_the_second_piece_once(route):
        second = "bytes 2097152-" in (route.request.headers.get("content-range") or "")
        if route.request.method == "PUT" and second and not dropped:
            dropped.append(route.request.url)
            return route.abort("connectionreset")
        return route.continue_()

    page.route("**/merchant/videos/*/upload/", drop_the_second_piece_once)
    page.locator("[data-testid=video-file]").set_input_files(str(path))
    page.get_by_label("标题").fill("帝王绿手镯 自然光下转一圈")
    page.locator("[data-testid=video-upload-submit]").click()
    page.wait_for_url(VIDEO_PAGE, timeout=30_000)

    video = Video.objects.get(merchant=seller)
    assert dropped  # the second piece was lost once, and sent again
    assert (video.status, video.received_bytes) == (VideoStatus.PROCESSING, len(content))
    with video.original.open("rb") as original:
        assert original.read() == content
    assert list(video.products.all()) == [good]
    assert queued_videos == [(video.pk,)]
    assert page.locator(f"[data-testid=video-status-{video.public_id}][hx-get]").count() == 1
    _fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "video-processing-phone.png"), full_page=True)
    assert [error for error in errors if "ERR_CONNECTION_RESET" not in error] == []
    page.context.close()


def test_a_file_that_only_claims_to_be_a_video_fails_at_once(chromium, live_server, tmp_path, queued_videos):
    seller = approved_merchant()
    make_product(seller, title="冰种飘花吊坠")
    path = tmp_path / "not-really.mov"
    path.write_bytes(b"%PDF-1.7 " + bytes(4000))
    page, _errors = _page(chromium)
    log_in(page, live_server, seller.user.email, next_path="/merchant/videos/new/")

    page.locator("[data-testid=video-file]").set_input_files(str(path))
    page.get_by_label("标题").fill("吊坠")
    page.locator("input[name=products]").first.check()
    page.locator("[data-testid=video-upload-submit]").click()
    page.wait_for_url(VIDEO_PAGE)

    video = Video.objects.get(merchant=seller)
    assert (video.status, video.failure) == (VideoStatus.FAILED, "not_a_video")
    assert page.locator("[data-testid=video-failure]").inner_text().startswith(video.get_failure_display())
    assert queued_videos == []
    page.context.close()


def test_a_file_too_large_is_refused_before_a_byte_is_sent(chromium, live_server, tmp_path, queued_videos):
    seller = approved_merchant()
    make_product(seller)
    page, _errors = _page(chromium)
    log_in(page, live_server, seller.user.email, next_path="/merchant/videos/new/")
    sent = []
    page.on("request", lambda request: request.method == "PUT" and sent.append(request.url))
    # A 201 MB file the browser only announces: set_input_files cannot send a sparse file
    # that big cheaply, so the size is what the script reads from the File object.
    page.evaluate(
        """() => {
            const input = document.querySelector('[data-testid=video-file]');
            const file = new File([new Uint8Array(16)], 'huge.mp4', {type: 'video/mp4'});
            Object.defineProperty(file, 'size', {value: 201 * 1024 * 1024});
            const list = new DataTransfer(); list.items.add(file); input.files = list.files;
        }"""
    )
    page.get_by_label("标题").fill("太大了")
    page.locator("input[name=products]").first.check()
    page.locator("[data-testid=video-upload-submit]").click()

    size_error = page.locator("[data-errors-for=size] li")
    size_error.wait_for()
    assert size_error.inner_text()
    assert sent == []
    assert not Video.objects.exists()
    page.context.close()


def test_the_product_page_player_reports_a_play_and_a_play_to_the_end(chromium, live_server):
    from storefront import counters
    from tests.storefront.content.video_helpers import make_video

    seller = approved_merchant()
    good = make_product(seller, title="帝王绿翡翠手镯")
    video = make_video(seller, [good])
    page, errors = _page(chromium)
    page.goto(f"{live_server.url}/catalog/p/{good.public_id}/")
    player = page.locator("[data-testid=product-video]")
    assert player.get_attribute("autoplay") is None
    _fits(page)

    # The events a real playback fires (the test's file is not a decodable film).
    with page.expect_response("**/signal/play/") as played:
        player.dispatch_event("play")
    with page.expect_response("**/signal/completion/") as ended:
        player.dispatch_event("ended")
    player.dispatch_event("play")  # a replay: counted once per page view and per session

    assert (played.value.status, ended.value.status) == (204, 204)
    assert counters._drain("video-play") == {video.pk: 1}
    assert counters._drain("video-completion") == {video.pk: 1}
    assert errors == []
    page.context.close()
