"""Celery tasks of the accounts app."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection

from core.tasks import IDEMPOTENT_TASK_OPTIONS


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


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def make_document_thumbnail_task(document_id: int) -> None:
    """Make the private WebP thumbnail reviewers see beside the fields; safe to run twice."""
    from django.core.files.base import ContentFile

    from .models import ApplicationDocument
    from .uploads import make_thumbnail

    document = ApplicationDocument.objects.filter(pk=document_id).first()
    if document is None or document.is_pdf or document.thumbnail:
        return
    with document.file.open("rb") as source:
        thumbnail = make_thumbnail(source)
    document.thumbnail.save("thumb.webp", ContentFile(thumbnail), save=False)
    ApplicationDocument.objects.filter(pk=document.pk, thumbnail="").update(thumbnail=document.thumbnail.name)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def flag_overdue_applications_task() -> int:
    """Flag applications waiting over two working days and e-mail the reviewers (beat, hourly)."""
    from .services import applications_flag_overdue

    return len(applications_flag_overdue())


# The webhooks package's tasks, registered with the app's (Celery autodiscovers merchants.tasks).
from .webhooks.tasks import deliver_webhook_task, send_due_webhook_deliveries_task  # noqa: E402, F401
