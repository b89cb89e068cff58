"""Helpers of the video tests: videos in each status, bytes that start like an MP4, the queued
processing task recorded."""

import io
import struct

from django.core.files.base import ContentFile
from django.utils import timezone

from storefront.content import video_services
from storefront.content.featured import refresh_featured_videos
from storefront.content.models import Video, VideoStatus
from storefront.content.workflows import VIDEO_WORKFLOW
from tests.storefront.conftest import make_product


def mp4_bytes(size: int = 5000) -> bytes:
    """Bytes that start like an MP4 (an `ftyp` box), padded to `size`: enough for the upload's
    own check; decoding them is the processing's business (another test module)."""
    head = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    return head + bytes(size - len(head))


def record_queued_videos(monkeypatch) -> list:
    """Record the processing task queued by name instead of running it; return the list of
    the arguments it was queued with.

    The task (storefront.content.tasks.process_video_task) is the processing's (tested in
    its own module): here only that the upload queues it, once, after its commit.
    """
    from core import tasks as core_tasks

    queued = []

    class Recorder:
        def delay(self, *args):
            queued.append(args)

    monkeypatch.setitem(core_tasks.current_app.tasks, video_services.PROCESS_VIDEO_TASK, Recorder())
    return queued


def make_video(merchant, products, *, status=VideoStatus.PUBLISHED, title="和田玉手镯 自然光下", **fields):
    """A video in `status` with its files set directly, as processing would leave it."""
    video = video_services.video_upload_start(
        merchant=merchant,
        by=merchant.user,
        title=title,
        products=products,
        file_name="IMG_0001.MOV",
        size=5000,
        content_type="video/quicktime",
    )
    if status == VideoStatus.UPLOADING:
        return video
    updates = {"received_bytes": 5000}
    if status in (VideoStatus.PUBLISHED, VideoStatus.HIDDEN):
        video.file.save("v.mp4", ContentFile(mp4_bytes()), save=False)
        video.poster.save("p.webp", ContentFile(_webp()), save=False)
        updates.update(
            file=video.file.name,
            poster=video.poster.name,
            width=720,
            height=1280,
            duration=15,
            published_at=timezone.now(),
            original="",
        )
    if status == VideoStatus.FAILED:
        updates.update(failure=fields.pop("failure", "too_long"), original="")
    updates.update(fields)
    Video.objects.filter(pk=video.pk).update(status=status, **updates)
    video.refresh_from_db()
    VIDEO_WORKFLOW.record(obj=video, by=None, reason="test")
    if status == VideoStatus.PUBLISHED:
        refresh_featured_videos([product.pk for product in products])
    return video


def _webp() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (90, 160), (200, 30, 30)).save(out, "WEBP")
    return out.getvalue()


__all__ = ["make_product", "make_video", "mp4_bytes", "record_queued_videos"]
