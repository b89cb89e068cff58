"""Celery tasks of the accounts app: ids in, services do the work."""

from celery import shared_task
from django.core.files.base import ContentFile

from core.tasks import IDEMPOTENT_TASK_OPTIONS
from core.uploads import make_thumbnail

from .compliance import services as compliance
from .models import ApplicationDocument
from .services import applications_flag_overdue


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def make_document_thumbnail_task(document_id: int) -> None:
    """Make the private WebP thumbnail reviewers see beside the fields; safe to run twice."""
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
    return len(applications_flag_overdue())


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def compliance_sweep_task() -> dict:
    """Send the day's expiry reminders and refresh requirements (beat, hourly; each reminder once)."""
    return compliance.compliance_sweep()
