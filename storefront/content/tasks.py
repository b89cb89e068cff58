"""Celery tasks of content commerce: short videos and live sessions."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .live import sweep_live_sessions
from .live_media import process_live_cover
from .processing import fail_stale_videos, process_video

# --- Videos -------------------------------------------------------------------------------

# Transcoding is bounded by the upload limits (5 minutes, 200 MB). A 15-second 1080×1920
# HEVC clip took 34 s on a busy 2-core machine (docs/content.md, Timings): a 5-minute one
# would take 11 to 12 minutes there. The soft limit lets the task fail the video cleanly;
# the hard one, a minute later, ends a decoder that does not come back.
PROCESS_VIDEO_SOFT_TIME_LIMIT = 15 * 60


# acks_late without reject_on_worker_lost (core.tasks.IDEMPOTENT_TASK_OPTIONS has both): a
# file that crashes the decoder would otherwise be redelivered, and crash a worker, for
# ever. A worker shut down mid-way still gets the message again; a video left in
# processing by a crash is queued again or failed by the hourly sweep.
@shared_task(
    acks_late=True,
    soft_time_limit=PROCESS_VIDEO_SOFT_TIME_LIMIT,
    time_limit=PROCESS_VIDEO_SOFT_TIME_LIMIT + 60,
)
def process_video_task(video_id: int) -> str | None:
    """Probe, transcode and publish an uploaded video, or fail it (safe to run twice)."""
    return process_video(video_id)


@shared_task(acks_late=True)
def fail_stale_videos_task() -> dict[str, int]:
    """Fail abandoned uploads and lost processing (Celery beat, hourly; safe to run twice)."""
    return fail_stale_videos()


# --- Live sessions ------------------------------------------------------------------------


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def process_live_cover_task(session_id: int) -> None:
    """Turn a session's private cover upload into its public WebP (safe to run twice)."""
    process_live_cover(session_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def live_sessions_sweep_task() -> tuple[int, int]:
    """End overrun live sessions, cancel those that never started (Celery beat; safe twice)."""
    return sweep_live_sessions()
