"""Processing an uploaded video end to end (storefront.content.processing and its tasks)."""

import os
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import av
import pytest
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image

from core.tasks import enqueue_on_commit
from core.webhooks.models import EventType, WebhookDelivery
from storefront.content import media, processing
from storefront.content.models import Video, VideoExposure, VideoFailure, VideoStatus
from storefront.content.workflows import VIDEO_WORKFLOW
from tests.core.webhooks_support import endpoint_for
from tests.factories import image_upload
from tests.storefront.conftest import make_product

from .clips import LOCATION, LOCATION_TAGS, make_audio_only, make_clip

pytestmark = pytest.mark.django_db

PROCESS_TASK = "storefront.content.tasks.process_video_task"


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("processing-clips")


@pytest.fixture(scope="module")
def portrait_clip(clip_dir):
    return make_clip(clip_dir / "IMG_0002.MOV", width=540, height=960, tags=LOCATION_TAGS)


@pytest.fixture(scope="module")
def small_clip(clip_dir):
    return make_clip(clip_dir / "small.mp4", width=320, height=240, seconds=1.5, audio=False)


def uploaded(merchant, path: Path, *, products=(), status=VideoStatus.PROCESSING, title="翡翠手镯") -> Video:
    """A video whose upload has arrived (private original), as the upload service leaves it."""
    video = Video.objects.create(merchant=merchant, title=title, status=status, original_name=path.name)
    with path.open("rb") as upload:
        video.original.save(path.name, File(upload), save=True)
    video.products.set(products)
    return video


def private_path(video_or_name) -> Path:
    name = video_or_name if isinstance(video_or_name, str) else video_or_name.original.name
    return Path(settings.PRIVATE_MEDIA_ROOT) / name


def public_files(video) -> list[str]:
    folder = f"videos/{video.public_id}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def test_a_processed_video_is_published_with_its_files_goods_discovery_and_webhook(
    seller, portrait_clip, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(seller.user, "http://127.0.0.1:9/hook", [EventType.VIDEO_PUBLISHED])
    bracelet, ring = make_product(seller, title="冰种翡翠手镯"), make_product(seller, title="翡翠戒指")
    video = uploaded(seller, portrait_clip, products=[bracelet, ring])
    original = private_path(video)
    assert original.exists()
    before = {p.pk: p.updated_at for p in (bracelet, ring)}

    with django_capture_on_commit_callbacks(execute=True):
        outcome = processing.process_video(video.pk)

    assert outcome == VideoStatus.PUBLISHED
    video.refresh_from_db()
    assert video.status == VideoStatus.PUBLISHED and video.published_at is not None
    assert (video.width, video.height) == (540, 960)
    assert Decimal("2.9") <= video.duration <= Decimal("3.2")
    assert video.file_bytes == video.file.size > 0
    assert video.processing_seconds > 0
    assert video.failure == "" and video.original == ""
    assert not original.exists()
    assert sorted(Path(name).suffix for name in public_files(video)) == [".mp4", ".webp"]
    with av.open(video.file.path) as played:
        assert [s.codec_context.name for s in played.streams] == ["h264", "aac"]
        assert sum(1 for _ in played.decode(video=0)) == 90
    assert LOCATION.encode() not in Path(video.file.path).read_bytes()
    assert Image.open(video.poster.path).format == "WEBP"
    assert Image.open(video.poster.path).size == (540, 960)
    for product in (bracelet, ring):
        product.refresh_from_db()
        assert product.featured_video_id == video.pk
        assert product.updated_at > before[product.pk]
    exposure = VideoExposure.objects.get(video=video)
    assert (exposure.merchant_id, exposure.round, exposure.in_pool) == (seller.pk, 1, True)
    [delivery] = WebhookDelivery.objects.filter(event_type=EventType.VIDEO_PUBLISHED)
    assert delivery.endpoint == endpoint
    assert delivery.payload["data"]["video"]["id"] == str(video.public_id)
    assert delivery.payload["data"]["video"]["status"] == "published"
    [event] = video.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("processing", "published", None)


def test_processing_twice_does_nothing_the_second_time(
    seller, small_clip, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)
    with django_capture_on_commit_callbacks(execute=True):
        processing.process_video(video.pk)
    video.refresh_from_db()
    published = (video.file.name, video.poster.name, video.updated_at)

    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_video(video.pk) is None

    video.refresh_from_db()
    assert (video.file.name, video.poster.name, video.updated_at) == published
    assert video.events.count() == 1
    assert len(public_files(video)) == 2


@pytest.mark.parametrize("status", [VideoStatus.UPLOADING, VideoStatus.FAILED, VideoStatus.DELETED])
def test_a_video_not_in_processing_is_left_alone(seller, small_clip, status):
    video = uploaded(seller, small_clip, status=status)

    assert processing.process_video(video.pk) is None

    video.refresh_from_db()
    assert video.status == status and private_path(video).exists()
    assert not video.events.exists() and public_files(video) == []


def test_a_missing_video_id_is_left_alone():
    assert processing.process_video(987654) is None


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_FILES = {
    "jpeg-renamed": (lambda d: _write(d / "IMG_0003.mp4", image_upload().read()), VideoFailure.NOT_A_VIDEO),
    "zero-length": (lambda d: _write(d / "empty.mp4", b""), VideoFailure.EMPTY),
    "audio-only": (lambda d: make_audio_only(d / "voice.mp4"), VideoFailure.NO_PICTURE),
    "truncated": (
        lambda d: _write(d / "cut.mp4", (b := make_clip(d / "whole.mp4").read_bytes())[: len(b) * 3 // 10]),
        VideoFailure.EMPTY,
    ),
    "two-hours": (
        lambda d: make_clip(d / "long.mp4", timestamps=[0, 7200], audio=False),
        VideoFailure.TOO_LONG,
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_an_unusable_file_fails_the_video_with_its_reason_and_the_merchant_is_told(
    seller, tmp_path, name, outbox, django_capture_on_commit_callbacks
):
    make, code = BAD_FILES[name]
    bracelet = make_product(seller)
    video = uploaded(seller, make(tmp_path), products=[bracelet])
    original = private_path(video)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = processing.process_video(video.pk)

    assert outcome == VideoStatus.FAILED
    video.refresh_from_db()
    assert (video.status, video.failure) == (VideoStatus.FAILED, code)
    assert video.original == "" and not original.exists()
    assert video.file == "" and video.poster == "" and public_files(video) == []
    [event] = video.events.all()
    assert (event.to_status, event.reason) == ("failed", code)
    bracelet.refresh_from_db()
    assert bracelet.featured_video_id is None
    assert not VideoExposure.objects.filter(video=video).exists()
    assert not WebhookDelivery.objects.filter(event_type=EventType.VIDEO_PUBLISHED).exists()
    [message] = [m for m in outbox.wait_for(1) if m.to == [seller.user.email]]
    assert video.title in message.subject
    with translation.override(seller.user.language):
        assert str(code.label) in message.body


def test_a_lost_original_fails_the_video_as_incomplete(
    seller, small_clip, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)
    private_path(video).unlink()

    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_video(video.pk) == VideoStatus.FAILED

    video.refresh_from_db()
    assert (video.status, video.failure) == (VideoStatus.FAILED, VideoFailure.INCOMPLETE)


def test_a_crash_leaves_the_video_processing_with_its_original_and_no_public_file(
    seller, small_clip, monkeypatch, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)

    def crash(*args, **kwargs):
        raise MemoryError("the worker ran out of memory")

    monkeypatch.setattr(media, "transcode", crash)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MemoryError):
        processing.process_video(video.pk)

    video.refresh_from_db()
    assert video.status == VideoStatus.PROCESSING and private_path(video).exists()
    assert public_files(video) == [] and not video.events.exists()


def test_a_transcode_past_the_time_limit_fails_the_video(
    seller, small_clip, monkeypatch, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)
    original = private_path(video)

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(media, "transcode", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_video(video.pk) == VideoStatus.FAILED

    video.refresh_from_db()
    assert (video.status, video.failure) == (VideoStatus.FAILED, VideoFailure.UNSUPPORTED)
    assert not original.exists()


def test_a_video_deleted_while_it_was_transcoded_leaves_no_public_file(
    seller, small_clip, monkeypatch, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)
    original = private_path(video)
    real_transcode = media.transcode

    def transcode_while_the_merchant_deletes(*args, **kwargs):
        result = real_transcode(*args, **kwargs)
        with transaction.atomic():  # the merchant's request, in the middle of the task
            VIDEO_WORKFLOW.move(obj=video, to=VideoStatus.DELETED, by=seller.user)
        return result

    monkeypatch.setattr(media, "transcode", transcode_while_the_merchant_deletes)
    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_video(video.pk) is None

    video.refresh_from_db()
    assert video.status == VideoStatus.DELETED and video.file == ""
    assert public_files(video) == []
    assert original.exists()  # the deletion's own service owns the original's removal


def _idle(video, hours: float):
    then = timezone.now() - timedelta(hours=hours)
    Video.objects.filter(pk=video.pk).update(updated_at=then)
    if video.original and private_path(video).exists():
        os.utime(private_path(video), (then.timestamp(), then.timestamp()))


def test_the_sweep_fails_abandoned_uploads_and_lost_processing(
    seller, small_clip, outbox, django_capture_on_commit_callbacks
):
    abandoned = uploaded(seller, small_clip, status=VideoStatus.UPLOADING, title="abandoned")
    _idle(abandoned, 2)
    slow_upload = uploaded(seller, small_clip, status=VideoStatus.UPLOADING, title="slow")
    Video.objects.filter(pk=slow_upload.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    recent = uploaded(seller, small_clip, status=VideoStatus.UPLOADING, title="recent")
    lost = uploaded(seller, small_clip, title="lost")
    private_path(lost).unlink()
    _idle(lost, 2)
    never_finishes = uploaded(seller, small_clip, title="never")
    _idle(never_finishes, 4)
    abandoned_original = private_path(abandoned)

    with django_capture_on_commit_callbacks(execute=True):
        counts = processing.fail_stale_videos()

    assert counts == {"failed": 3, "queued": 0}
    states = {v.title: (v.status, v.failure) for v in Video.objects.all()}
    assert states == {
        "abandoned": (VideoStatus.FAILED, VideoFailure.INCOMPLETE),
        "slow": (VideoStatus.UPLOADING, ""),  # its last chunk arrived a moment ago
        "recent": (VideoStatus.UPLOADING, ""),
        "lost": (VideoStatus.FAILED, VideoFailure.INCOMPLETE),
        "never": (VideoStatus.FAILED, VideoFailure.UNSUPPORTED),
    }
    assert not abandoned_original.exists()
    assert not private_path(never_finishes).exists()
    assert private_path(slow_upload).exists() and private_path(recent).exists()
    told = [m for m in outbox.wait_for(3) if m.to == [seller.user.email]]
    assert len(told) == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert processing.fail_stale_videos() == {"failed": 0, "queued": 0}


def test_the_sweep_queues_processing_lost_in_the_queue_again(
    seller, small_clip, tasks_in_process, django_capture_on_commit_callbacks
):
    stuck = uploaded(seller, small_clip)
    _idle(stuck, 1.5)

    with django_capture_on_commit_callbacks(execute=True):
        counts = processing.fail_stale_videos()

    assert counts == {"failed": 0, "queued": 1}
    stuck.refresh_from_db()
    assert stuck.status == VideoStatus.PUBLISHED and stuck.file_bytes > 0


def test_the_task_is_queued_by_name_runs_and_has_a_time_limit(
    seller, small_clip, tasks_in_process, django_capture_on_commit_callbacks
):
    video = uploaded(seller, small_clip)
    task = current_app.tasks[PROCESS_TASK]
    assert task.soft_time_limit == 15 * 60 and task.time_limit > task.soft_time_limit
    assert task.acks_late and not task.reject_on_worker_lost

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(PROCESS_TASK, video.pk)

    video.refresh_from_db()
    assert video.status == VideoStatus.PUBLISHED
    assert time.monotonic() - started < 10


def test_the_sweep_runs_hourly_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["fail-stale-videos"]

    assert entry["schedule"] == 60 * 60
    assert entry["task"] in current_app.tasks
