"""Storage for private documents: files on disk outside MEDIA_ROOT, with no URL at all.

A template or serializer that tries `document.file.url` fails loudly instead of
printing a public address; a permission-checked view serves them (`private_file_response`).
In production shape, PRIVATE_STORAGE_BACKEND may name an S3-compatible backend
with a private bucket instead.
"""

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a permission-checked view.")


def private_file_response(field, *, content_type: str) -> FileResponse:
    """Stream a private file inline, never cached by a shared cache nor sniffed as another type.

    The caller has checked who may read it; this only decides how it is sent.
    """
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
