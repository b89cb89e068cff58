"""Celery tasks of content commerce (videos, live sessions)."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .live import sweep_live_sessions
from .live_media import process_live_cover

# --- Live sessions ------------------------------------------------------------------------


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def process_live_cover_task(session_id: int) -> None:
    """Turn a session's private cover upload into its public WebP (safe to run twice)."""
    process_live_cover(session_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def live_sessions_sweep_task() -> tuple[int, int]:
    """End overrun live sessions, cancel those that never started (Celery beat; safe twice)."""
    return sweep_live_sessions()
