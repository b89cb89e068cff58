"""Turn an uploaded video into what pages play, off the request (storefront.content.tasks).

`process_video` copies the private original to a temporary folder, probes and transcodes it
(storefront.content.media), stores the MP4 and its poster in the public media storage and,
in one transaction, publishes the video: its goods point at it (featured video), it enters
discovery (VideoExposure) and the catalog's fragments are redrawn. A file that cannot be
used fails the video with its reason and the merchant is e-mailed. Whatever the outcome the
original is deleted once the outcome is committed, and the temporary files are removed.

An unexpected error (a bug, a full disk, a worker killed mid-way) leaves the video in
processing with its original, for another attempt: `fail_stale_videos`, hourly, queues it
again once it has been idle an hour and fails it after three; it also fails uploads that
were abandoned. Two attempts at once are harmless: the second's publication finds the
video no longer in processing and deletes the files it stored.
"""

import logging
import shutil
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.emails import email_user
from core.exceptions import InvalidTransition
from core.tasks import enqueue_on_commit
from merchants.services import site_base_url
from storefront.fragments import catalog_changed

from . import media
from .featured import refresh_featured_videos
from .models import Video, VideoExposure, VideoFailure, VideoStatus
from .workflows import VIDEO_WORKFLOW

logger = logging.getLogger(__name__)

PROCESS_VIDEO_TASK = "storefront.content.tasks.process_video_task"
# An upload or a processing with no sign of life for this long is stale (the task's time
# limit is a quarter of an hour, a chunk of a slow upload takes seconds).
STALE_AFTER = timedelta(hours=1)
# Processing still unfinished this long after it began was retried by the sweep (hourly)
# and never finished: the file is failed rather than tried for ever.
GIVE_UP_AFTER = timedelta(hours=3)
COPY_BUFFER_BYTES = 1024 * 1024


def process_video(video_id: int) -> str | None:
    """Publish the uploaded video, or fail it with the reason; return its new status.

    Safe to run twice: a video that is not in processing, or has no original, is left
    alone (None). Raises on an unexpected error, leaving the video for another attempt.
    """
    video = Video.objects.filter(pk=video_id).first()
    if video is None or video.status != VideoStatus.PROCESSING or not video.original:
        return None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="video-") as work:
        source, target = Path(work) / "original", Path(work) / "video.mp4"
        try:
            with video.original.open("rb") as original, source.open("wb") as copy:
                shutil.copyfileobj(original, copy, COPY_BUFFER_BYTES)
        except FileNotFoundError:
            return fail_video(video, VideoFailure.INCOMPLETE, expected_from={VideoStatus.PROCESSING})
        try:
            result = media.transcode(source, target)
        except media.VideoRejected as rejected:
            logger.info("video %s refused: %s", video_id, rejected)
            return fail_video(video, rejected.code, expected_from={VideoStatus.PROCESSING})
        except SoftTimeLimitExceeded:
            # It would time out again on every attempt: no phone video of the accepted
            # length and size takes this long, so the file is one the portal cannot read.
            logger.warning("video %s took longer than the task's time limit", video_id)
            return fail_video(video, VideoFailure.UNSUPPORTED, expected_from={VideoStatus.PROCESSING})
        return _publish(video, target, result, seconds=time.monotonic() - started)


def _publish(video, mp4_path: Path, result: media.Result, *, seconds: float) -> str | None:
    stored = []
    try:
        with mp4_path.open("rb") as mp4:
            video.file.save("video.mp4", File(mp4), save=False)
        stored.append(video.file)
        video.poster.save("poster.webp", ContentFile(result.poster), save=False)
        stored.append(video.poster)
        with transaction.atomic():
            locked = VIDEO_WORKFLOW.lock(video)
            original = locked.original.name
            published, _event = VIDEO_WORKFLOW.move(
                obj=locked,
                to=VideoStatus.PUBLISHED,
                by=None,
                locked=True,
                expected_from={VideoStatus.PROCESSING},
                updates={
                    "file": video.file.name,
                    "poster": video.poster.name,
                    "width": result.width,
                    "height": result.height,
                    "duration": Decimal(str(round(result.duration, 2))),
                    "file_bytes": result.bytes,
                    "processing_seconds": Decimal(str(round(seconds, 2))),
                    "published_at": timezone.now(),
                    "original": "",
                    "failure": "",
                },
            )
            refresh_featured_videos(published.products.values_list("pk", flat=True))
            VideoExposure.objects.get_or_create(
                video=published, defaults={"merchant_id": published.merchant_id}
            )
            catalog_changed()  # its goods' cards, the shop's and the discovery strip's videos
            delete_after_commit(locked.original.storage, original)
    except InvalidTransition:
        # Another attempt finished first (or the merchant deleted the video meanwhile).
        for field in stored:
            field.storage.delete(field.name)
        return None
    except BaseException:
        for field in stored:
            field.storage.delete(field.name)
        raise
    logger.info("video %s published in %.1f s", video.pk, seconds)
    return VideoStatus.PUBLISHED


def fail_video(video, code: VideoFailure, *, expected_from) -> str | None:
    """Move the video to failed with `code`, delete its original, e-mail its merchant.

    Returns None when the video has meanwhile left `expected_from` (nothing is changed).
    """
    code = VideoFailure(code)
    try:
        with transaction.atomic():
            locked = VIDEO_WORKFLOW.lock(video)  # the video's row only, not its merchant's
            failed = move_to_failed(locked, code, by=None, expected_from=expected_from)
            email_user(
                failed.merchant.user,
                template_prefix="storefront/email/video_failed",
                context={
                    "video": failed,
                    "url": site_base_url()
                    + reverse("videos:video-detail", kwargs={"public_id": failed.public_id}),
                },
            )
    except InvalidTransition:
        return None
    return VideoStatus.FAILED


def move_to_failed(locked, code: VideoFailure, *, by, expected_from=None) -> Video:
    """Fail the locked video with `code` in the caller's transaction; its original is deleted
    once that commits. Every failure goes through here: processing, the sweep and the upload's
    last step (which tells the merchant on the page instead of by e-mail)."""
    original = locked.original.name
    failed, _event = VIDEO_WORKFLOW.move(
        obj=locked,
        to=VideoStatus.FAILED,
        by=by,
        reason=code.value,
        locked=True,
        expected_from=expected_from,
        updates={"failure": code.value, "original": ""},
    )
    if original:
        delete_after_commit(locked.original.storage, original)
    return failed


def fail_stale_videos(*, older_than: timedelta = STALE_AFTER, now=None) -> dict[str, int]:
    """Fail abandoned uploads and lost processing, queue processing again once; return counts.

    Uploading with no chunk for `older_than`: failed (incomplete). Processing idle that
    long: failed (incomplete) when its original is gone; queued again when it is there,
    until GIVE_UP_AFTER, then failed (unsupported: attempts never finished). Celery beat,
    hourly; safe to run twice (every change is a locked move from the status it read).
    """
    now = now or timezone.now()
    cutoff = now - older_than
    counts = {"failed": 0, "queued": 0}
    uploads = Video.objects.filter(status=VideoStatus.UPLOADING, updated_at__lt=cutoff)
    for video in uploads.order_by("pk"):
        if _last_activity(video) < cutoff and fail_video(
            video, VideoFailure.INCOMPLETE, expected_from={VideoStatus.UPLOADING}
        ):
            counts["failed"] += 1
    processing = Video.objects.filter(status=VideoStatus.PROCESSING, updated_at__lt=cutoff)
    for video in processing.order_by("pk"):
        if not _original_exists(video):
            code = VideoFailure.INCOMPLETE
        elif video.updated_at < now - GIVE_UP_AFTER:
            code = VideoFailure.UNSUPPORTED
        else:
            enqueue_on_commit(PROCESS_VIDEO_TASK, video.pk)
            counts["queued"] += 1
            continue
        if fail_video(video, code, expected_from={VideoStatus.PROCESSING}):
            counts["failed"] += 1
    return counts


def _last_activity(video):
    """When the upload last moved: the row, or the original's last appended chunk."""
    if not _original_exists(video):
        return video.updated_at
    return max(video.updated_at, video.original.storage.get_modified_time(video.original.name))


def _original_exists(video) -> bool:
    return bool(video.original) and video.original.storage.exists(video.original.name)


def delete_after_commit(storage, name: str) -> None:
    # Only once nothing points at it: a rolled-back outcome keeps the original for a retry.
    transaction.on_commit(lambda: storage.delete(name), robust=True)
