"""Celery tasks of discovery."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def run_discovery_cycle_task() -> dict:
    """Promote, allocate and rebuild the feed slate (beat, every five minutes; safe to repeat)."""
    from .services import run_cycle

    figures = run_cycle()
    return {key: float(value) for key, value in figures.items()}
