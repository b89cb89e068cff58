"""Writes of short videos: the chunked upload, the merchant's changes, staff moderation.

The upload is three steps so that a phone on a slow connection never starts again:
`video_upload_start` checks what the merchant announces (title, goods, file name, size,
type) and creates the video in UPLOADING with the size expected; `video_chunk_append`
appends one chunk to the private original, only at the offset already received (a
resumed upload asks where to go on; a chunk sent twice is refused, never written twice);
`video_upload_complete` checks that the file starts like an MP4/MOV (an `ftyp` box) and
hands it to Celery (storefront.content.tasks.process_video_task), which probes,
transcodes and publishes it. A chunk only appends bytes under the row's lock: no probe,
no query beyond the locked read and the update (docs/content.md).

Every write that changes which videos a good shows refreshes the goods' featured video
(storefront.content.featured) in the same transaction.
"""

import os
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import email_user
from core.exceptions import Conflict
from core.tasks import enqueue_on_commit
from merchants.services import site_base_url
from storefront.models import Product
from storefront.services import require_seller

from . import video_permissions as permissions
from .featured import refresh_featured_videos
from .media import ISO_MEDIA_FIRST_BOXES
from .models import MAX_VIDEO_BYTES, Video, VideoFailure, VideoStatus
from .processing import PROCESS_VIDEO_TASK, delete_after_commit, move_to_failed
from .workflows import VIDEO_WORKFLOW

# What the browser sends per request (video-upload.js) and the most a chunk may be: small
# enough to finish on a slow phone connection before a proxy times out, large enough that
# a 50 MB video is 25 requests.
CHUNK_BYTES = 2 * 1024 * 1024
MAX_CHUNK_BYTES = 4 * 1024 * 1024
VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v")
VIDEO_CONTENT_TYPES = ("video/mp4", "video/quicktime", "video/x-m4v", "")  # "" : the phone did not say
MAX_GOODS_PER_VIDEO = 10


class UploadOffsetMismatch(Conflict):
    """A chunk that does not start where the upload stands: the client resumes from there."""

    code = "upload_offset_mismatch"
    message = gettext_lazy("The upload stands at byte %(received)d; send the file from there.")

    def __init__(self, *, received: int):
        self.received = received
        super().__init__(received=received)


VideoNotUploading = Conflict.define(
    "VideoNotUploading",
    "video_not_uploading",
    gettext_lazy("This video is not being uploaded any more."),
)
UploadIncomplete = Conflict.define(
    "UploadIncomplete",
    "upload_incomplete",
    gettext_lazy("The upload is not complete yet: %(received)d of %(expected)d bytes received."),
)
VideoNotEditable = Conflict.define(
    "VideoNotEditable", "video_not_editable", gettext_lazy("This video cannot be changed now.")
)


@dataclass(frozen=True)
class ChunkRange:
    """A `Content-Range: bytes start-end/total` header, read."""

    start: int
    end: int  # inclusive, as HTTP writes it
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_content_range(header: str | None) -> ChunkRange:
    """Read `bytes start-end/total`; raise a ValidationError in the merchant's words otherwise."""
    message = _("Send each piece with a Content-Range header such as “bytes 0-2097151/52428800”.")
    if not header or not header.startswith("bytes "):
        raise ValidationError(message, code="content_range")
    try:
        span, total = header[len("bytes ") :].split("/")
        start, end = span.split("-")
        chunk = ChunkRange(int(start), int(end), int(total))
    except ValueError:
        raise ValidationError(message, code="content_range") from None
    if chunk.start < 0 or chunk.end < chunk.start or chunk.end >= chunk.total:
        raise ValidationError(message, code="content_range")
    if chunk.length > MAX_CHUNK_BYTES:
        raise ValidationError(
            _("Send the file in pieces of at most %(megabytes)d MB.")
            % {"megabytes": MAX_CHUNK_BYTES // (1024 * 1024)},
            code="chunk_too_large",
        )
    return chunk


def check_announced_file(*, file_name: str, size: int, content_type: str) -> dict[str, list[str]]:
    """What is wrong with the file the merchant announces, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if not file_name.lower().endswith(VIDEO_EXTENSIONS) or content_type.lower() not in VIDEO_CONTENT_TYPES:
        errors.setdefault("file_name", []).append(
            _("Choose an MP4 or MOV video (the files your phone records).")
        )
    if size <= 0:
        errors.setdefault("size", []).append(str(VideoFailure.EMPTY.label))
    elif size > MAX_VIDEO_BYTES:
        errors.setdefault("size", []).append(str(VideoFailure.TOO_LARGE.label))
    return errors


def check_goods(merchant, products) -> list:
    """The goods, if each is the merchant's own and may carry a video; else a ValidationError."""
    products = list(products)
    if not products:
        raise ValidationError({"products": [_("Choose at least one of your goods for the video.")]})
    if len(products) > MAX_GOODS_PER_VIDEO:
        raise ValidationError(
            {"products": [_("A video can show at most %(count)d goods.") % {"count": MAX_GOODS_PER_VIDEO}]}
        )
    allowed = set(
        permissions.attachable_products(merchant)
        .filter(pk__in=[product.pk for product in products])
        .values_list("pk", flat=True)
    )
    if any(product.pk not in allowed for product in products):
        raise ValidationError({"products": [_("Choose only your own goods that are not hidden or deleted.")]})
    return products


@transaction.atomic
def video_upload_start(*, merchant, by, title, products, file_name, size, content_type="") -> Video:
    """Create a video waiting for its `size` bytes, attached to the merchant's `products`."""
    require_seller(merchant, by)
    errors = check_announced_file(file_name=file_name, size=size, content_type=content_type)
    if errors:
        raise ValidationError(errors)
    products = check_goods(merchant, products)
    video = Video(
        merchant=merchant,
        title=title,
        original_name=os.path.basename(file_name)[:200],
        expected_bytes=size,
    )
    video.full_clean(exclude=["merchant", "original", "file", "poster"])
    video.save()
    video.products.set(products)
    # An empty original to append to: its name is fixed (original_upload_to), one per video.
    video.original.save("original", ContentFile(b""), save=False)
    Video.objects.filter(pk=video.pk).update(original=video.original.name)
    VIDEO_WORKFLOW.record(obj=video, by=by, created=True)
    return video


def _original_path(video) -> str:
    # Appending needs a file: the private storage is on disk (core.storage). An object store
    # would take the chunks as a multipart upload instead (docs/content.md).
    return video.original.storage.path(video.original.name)


def video_chunk_append(*, public_id, by, chunk: ChunkRange, stream) -> Video:
    """Append `chunk` (read from `stream`) to the original of `by`'s video `public_id` if it
    starts where the upload stands; raise Video.DoesNotExist for anyone else's.

    The piece is read from the client first, into memory (at most MAX_CHUNK_BYTES): on a slow
    connection that takes seconds, and no row lock or transaction is held meanwhile. Then
    the row is locked for the write, so two requests carrying the same chunk (a retry whose
    first try did arrive) cannot both append it: the second meets the new offset (409).
    """
    data = stream.read(chunk.length + 1)  # one byte more: a body longer than its range
    if len(data) != chunk.length:
        raise ValidationError(
            _("The piece holds %(written)d bytes but its Content-Range says %(length)d.")
            % {"written": len(data), "length": chunk.length},
            code="content_range",
        )
    with transaction.atomic():
        return _append(public_id=public_id, by=by, chunk=chunk, data=data)


def _append(*, public_id, by, chunk: ChunkRange, data: bytes) -> Video:
    locked = (
        Video.objects.select_for_update(of=("self",))
        .filter(merchant__user_id=by.pk)
        .only("pk", "status", "original", "expected_bytes", "received_bytes", "updated_at")
        .get(public_id=public_id)
    )
    if locked.status != VideoStatus.UPLOADING:
        raise VideoNotUploading()
    if chunk.total != locked.expected_bytes:
        raise ValidationError(
            _("The file is %(expected)d bytes as announced, not %(total)d.")
            % {"expected": locked.expected_bytes, "total": chunk.total},
            code="content_range",
        )
    if chunk.start != locked.received_bytes:
        raise UploadOffsetMismatch(received=locked.received_bytes)
    with open(_original_path(locked), "r+b") as original:
        # Whatever a dropped request left past the offset is cut off before appending.
        original.seek(locked.received_bytes)
        original.truncate()
        original.write(data)
    written = len(data)
    locked.received_bytes += written
    locked.save(update_fields=["received_bytes", "updated_at"])
    return locked


def looks_like_video(first_bytes: bytes) -> bool:
    """An MP4 / MOV / M4V file starts with a box whose type is at bytes 4–8 (the probe's list)."""
    return len(first_bytes) >= 8 and first_bytes[4:8] in ISO_MEDIA_FIRST_BOXES


@transaction.atomic
def video_upload_complete(*, video, by) -> Video:
    """Hand a fully received upload to Celery, or fail it at once if it is not a video."""
    locked = VIDEO_WORKFLOW.lock(video, "merchant")
    if locked.merchant.user_id != by.pk:
        raise PermissionDenied
    require_seller(locked.merchant, by)  # a shop restricted meanwhile publishes nothing more
    if locked.status != VideoStatus.UPLOADING:
        raise VideoNotUploading()
    if locked.received_bytes != locked.expected_bytes:
        raise UploadIncomplete(received=locked.received_bytes, expected=locked.expected_bytes)
    with locked.original.open("rb") as original:
        first_bytes = original.read(12)
    if not looks_like_video(first_bytes):
        return move_to_failed(locked, VideoFailure.NOT_A_VIDEO, by=by)
    moved, _event = VIDEO_WORKFLOW.move(obj=locked, to=VideoStatus.PROCESSING, by=by, locked=True)
    enqueue_on_commit(PROCESS_VIDEO_TASK, moved.pk)
    return moved


@transaction.atomic
def video_update(*, video, by, title, products) -> Video:
    """Change a video's title and goods (its own merchant's goods only)."""
    locked = VIDEO_WORKFLOW.lock(video, "merchant")
    if locked.merchant.user_id != by.pk:
        raise PermissionDenied
    require_seller(locked.merchant, by)  # as the goods' editor: a restricted shop edits nothing
    if locked.status in (VideoStatus.HIDDEN, VideoStatus.DELETED):
        raise VideoNotEditable()
    products = check_goods(locked.merchant, products)
    before = set(locked.products.values_list("pk", flat=True))
    locked.title = title
    locked.full_clean(exclude=["merchant", "original", "file", "poster"])
    locked.save(update_fields=["title", "updated_at"])
    locked.products.set(products)
    after = {product.pk for product in products}
    # A good that lost the video may have a newer one still: its page's cached body is keyed
    # by its videos' latest change (catalog.product_page_row), which its own change moves.
    Product.objects.filter(pk__in=before ^ after).update(updated_at=timezone.now())
    refresh_featured_videos(before | after)
    return locked


@transaction.atomic
def video_delete(*, video, by) -> Video:
    """Delete a video: it leaves every page at once; its files go after the commit."""
    locked = VIDEO_WORKFLOW.lock(video, "merchant")
    if locked.merchant.user_id != by.pk:
        raise PermissionDenied
    files = [field for field in (locked.original, locked.file, locked.poster) if field]
    moved, _event = VIDEO_WORKFLOW.move(obj=locked, to=VideoStatus.DELETED, by=by, locked=True)
    for field in files:
        delete_after_commit(field.storage, field.name)
    refresh_featured_videos(moved.products.values_list("pk", flat=True))
    return moved


@transaction.atomic
def video_hide(*, video, by, reason) -> Video:
    """Staff moderation: hide a published video with a reason; its merchant is told why."""
    if not permissions.can_moderate_videos(by):
        raise PermissionDenied
    moved, _event = VIDEO_WORKFLOW.move(obj=video, to=VideoStatus.HIDDEN, by=by, reason=reason)
    refresh_featured_videos(moved.products.values_list("pk", flat=True))
    _notify(moved, "storefront/email/video_hidden", reason)
    return moved


@transaction.atomic
def video_restore(*, video, by, reason="") -> Video:
    if not permissions.can_moderate_videos(by):
        raise PermissionDenied
    moved, _event = VIDEO_WORKFLOW.move(
        obj=video, to=VideoStatus.PUBLISHED, by=by, reason=reason, expected_from={VideoStatus.HIDDEN}
    )
    refresh_featured_videos(moved.products.values_list("pk", flat=True))
    _notify(moved, "storefront/email/video_restored", reason)
    return moved


def _notify(video, template_prefix, reason):
    merchant = video.merchant
    email_user(
        merchant.user,
        template_prefix=template_prefix,
        context={
            "video": video,
            "reason": reason,
            "url": site_base_url() + reverse("videos:video-detail", kwargs={"public_id": video.public_id}),
        },
    )


__all__ = [
    "CHUNK_BYTES",
    "UploadIncomplete",
    "UploadOffsetMismatch",
    "VideoNotEditable",
    "VideoNotUploading",
    "check_announced_file",
    "check_goods",
    "parse_content_range",
    "video_chunk_append",
    "video_delete",
    "video_hide",
    "video_restore",
    "video_update",
    "video_upload_complete",
    "video_upload_start",
]
