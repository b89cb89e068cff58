"""Celery tasks of the school."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .services import publish_due_items


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def publish_scheduled_school_items_task() -> int:
    """Publish the school items whose scheduled time has come (beat, every minute; safe to repeat)."""

    return publish_due_items()
