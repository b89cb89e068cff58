"""Storage for private documents: files on disk outside MEDIA_ROOT, with no URL at all.

A template or serializer that tries `document.file.url` fails loudly instead of
printing a public address; documents are served by `DocumentFileView` only.
In production shape, PRIVATE_STORAGE_BACKEND may name an S3-compatible backend
with a private bucket instead.
"""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a permission-checked view.")
