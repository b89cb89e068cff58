"""Private files stored with their rows: written before the row, removed with it after commit.

The onboarding wizard, renewals, category requests and bank-transfer receipts all keep a
checked upload in private storage this way, so a failed save leaves no orphan file and a
deleted row's file outlives the transaction only until it commits.
"""

from django.db import transaction

from core.tasks import enqueue_on_commit
from core.uploads import CheckedUpload

from .models import ApplicationDocument


def original_name(upload) -> str:
    return (getattr(upload, "name", "") or "")[:200]


def save_with_file(instance, *, field: str, upload, name: str):
    """Write `upload` to `instance`'s file `field`, then the row; remove the file if the row fails."""
    file = getattr(instance, field)
    file.save(name, upload, save=False)
    saved_name = file.name
    try:
        instance.save()
    except Exception:
        file.storage.delete(saved_name)
        raise
    return instance


def delete_with_files(instance, *fields: str) -> None:
    """Delete the row now and its files once the transaction commits (a rollback keeps both)."""
    files = [getattr(instance, field) for field in fields]
    storage_names = [(f.storage, f.name) for f in files if f]
    instance.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in storage_names])


def document_store(
    *, application, kind: str, qualification, upload, checked: CheckedUpload, **fields
) -> ApplicationDocument:
    """Store a checked upload as a document of `application`; Celery makes its thumbnail."""
    document = ApplicationDocument(
        application=application,
        kind=kind,
        qualification=qualification,
        content_type=checked.content_type,
        size=checked.size,
        width=checked.width,
        height=checked.height,
        original_name=original_name(upload),
        **fields,
    )
    save_with_file(document, field="file", upload=upload, name="upload")
    if not document.is_pdf:
        enqueue_on_commit("merchants.tasks.make_document_thumbnail_task", document.pk)
    return document


def document_delete(document: ApplicationDocument) -> None:
    delete_with_files(document, "file", "thumbnail")
