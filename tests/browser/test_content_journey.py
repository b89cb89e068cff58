"""The issue's journey on a 390 px phone, end to end with the real pipeline: a merchant
uploads a phone video for a good, sees it processing, and then it plays on the product page
(decoded by Chromium, upright, without its location); the live-session half of the journey
(schedule, then see it on the shop page) is tests/browser/test_live_journey.py."""

import re

import av
import pytest

from storefront.content import processing
from storefront.content.models import Video, VideoStatus
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.content.clips import LOCATION, LOCATION_TAGS, make_clip
from tests.storefront.content.video_helpers import make_product

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
VIDEO_PAGE = re.compile(r"/merchant/videos/[0-9a-f-]{36}/$")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_upload_a_phone_video_see_it_processing_then_playing_on_the_product_page(
    chromium, live_server, tmp_path, monkeypatch, tasks_in_process
):
    # The task runs in this process (not the PostgreSQL run's worker) and is held back, so
    # the page can be seen while the video is processing.
    held = []
    monkeypatch.setattr("storefront.content.tasks.process_video", held.append)
    seller = approved_merchant()
    good = make_product(seller, title="帝王绿翡翠手镯")
    clip = make_clip(tmp_path / "IMG_0421.MOV", width=360, height=640, seconds=3, tags=LOCATION_TAGS)
    page = chromium.new_context(locale="zh-CN", viewport=PHONE).new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    log_in(page, live_server, seller.user.email, next_path=f"/merchant/videos/new/?product={good.public_id}")
    page.locator("[data-testid=video-file]").set_input_files(str(clip))
    page.get_by_label("标题").fill("帝王绿手镯 自然光下转一圈")
    page.locator("[data-testid=video-upload-submit]").click()
    page.wait_for_url(VIDEO_PAGE, timeout=30_000)

    video = Video.objects.get(merchant=seller)
    assert video.status == VideoStatus.PROCESSING and held == [video.pk]
    status = page.locator(f"[data-testid=video-status-{video.public_id}]")
    assert status.get_attribute("hx-get")  # the page asks again until the video is ready
    _fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "content-journey-processing-phone.png"), full_page=True)

    assert processing.process_video(video.pk) == VideoStatus.PUBLISHED  # the worker's turn
    page.locator(f"[data-testid=video-status-{video.public_id}]:not([hx-get])").wait_for(timeout=20_000)

    video.refresh_from_db()
    with av.open(video.file.path) as played:  # what the page serves: upright, no location
        assert (played.streams.video[0].width, played.streams.video[0].height) == (360, 640)
        assert "location" not in played.metadata
    assert LOCATION.encode() not in video.file.read()

    page.goto(f"{live_server.url}/catalog/p/{good.public_id}/")
    player = page.locator("[data-testid=product-video]").first
    assert player.get_attribute("autoplay") is None
    assert player.get_attribute("poster")
    playing = player.evaluate(
        """async (element) => {
            element.muted = true;
            await element.play();
            await new Promise((done) => setTimeout(done, 1200));
            return {time: element.currentTime, width: element.videoWidth, height: element.videoHeight};
        }"""
    )
    assert playing["time"] > 0.3, playing  # Chromium decoded it and the clock moved
    assert (playing["width"], playing["height"]) == (360, 640)
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "content-journey-playing-phone.png"), full_page=True)
    assert errors == []
    page.context.close()
