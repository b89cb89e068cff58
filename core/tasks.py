"""What every app's Celery tasks share, and the kernel's own task (sending e-mail).

Task modules import their options from here rather than from `config.celery_app`, so an
app never imports the configuration layer above it (docs/layout.md).
"""

import logging
import threading

from celery import current_app, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# Options for tasks that are safe to run twice: the message is acknowledged only after
# the task ran, and redelivered if the worker died mid-way.
IDEMPOTENT_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task named `task_name` with `args` once the current transaction commits.

    By name, so a services module need not import the tasks module that imports it (no
    import circle). The task is looked up in the registry (every app's tasks register at
    start-up, core/apps.py), so eager mode (the embedded portal, the SQLite tests) runs it
    in-process as `.delay()` would, and a misspelt name fails at once, never silently.
    """
    task = current_app.tasks[task_name]
    if current_app.conf.task_always_eager and task_name in settings.EAGER_TASKS_IN_BACKGROUND:
        transaction.on_commit(lambda: _run_in_background(task, args))
        return
    transaction.on_commit(lambda: task.delay(*args))


def _run_in_background(task, args) -> None:
    """Run an eager task in a thread of its own, as a worker would run it beside the page.

    Only for the embedded portal's long tasks (settings.EAGER_TASKS_IN_BACKGROUND): run
    eagerly, transcoding a video would hold the request that completes its upload for
    seconds, and the merchant would never see it "processing".
    """

    def run():
        try:
            task.apply(args=args)
        except Exception:  # a worker logs a failed task and goes on; so does this thread
            logger.exception("background task %s failed", task.name)
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=run, name=f"task:{task.name}", daemon=True).start()


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    **IDEMPOTENT_TASK_OPTIONS,
)
def send_email_task(self, message: dict) -> None:
    """Send one rendered e-mail; a resend after a lost worker is harmless."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message.get("headers") or None,
        connection=get_connection(),
    )
    for content, mimetype in message.get("alternatives", []):
        email.attach_alternative(content, mimetype)
    email.send()
