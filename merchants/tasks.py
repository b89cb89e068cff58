"""Celery tasks of the accounts app."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection

from config.celery_app import IDEMPOTENT_TASK_OPTIONS


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
