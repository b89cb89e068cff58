"""Celery tasks of discovery."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .services import run_cycle


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def run_discovery_cycle_task() -> dict:
    """Promote, allocate and rebuild the feed slate (beat, every five minutes; safe to repeat)."""

    figures = run_cycle()
    return {key: float(value) for key, value in figures.items()}
