"""What every app's Celery tasks share, and the kernel's own task (sending e-mail).

Task modules import their options from here rather than from `config.celery_app`, so an
app never imports the configuration layer above it (docs/layout.md).
"""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection

# Options for tasks that are safe to run twice: the message is acknowledged only after
# the task ran, and redelivered if the worker died mid-way.
IDEMPOTENT_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


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
