"""Every write to school content: saving with its revision, review, scheduling, progress.

Text becomes HTML here and only here (on save, never per request), the search grams
and reading time are computed at the same moment, and every save that changes the
text leaves a numbered revision that admin can compare and restore.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import email_user
from core.uploads import check_upload, make_webp_sizes
from merchants.services import site_base_url
from storefront.search import index_grams

from . import permissions
from .exceptions import ArticleIncomplete, NotAllowed, ScheduleInPast
from .markdown import reading_minutes, render_markdown
from .models import (
    LessonProgress,
    SchoolImage,
    SchoolItem,
    SchoolKind,
    SchoolRevision,
    SchoolStatus,
)
from .workflows import SCHOOL_WORKFLOW

INDEXED_BODY_CHARACTERS = 3000
IMAGE_MAX_SIDE = 1600
MAX_IMAGE_BYTES = 8 * 1024 * 1024


# --- Writing ----------------------------------------------------------------------------


# Only the workflow moves these; an edit made from a copy read earlier must not undo a move.
WORKFLOW_FIELDS = ("status", "publish_at", "published_at", "provider_id", "author_id")


@transaction.atomic
def school_item_save(*, item: SchoolItem, by, note: str = "") -> SchoolItem:
    """Validate and save `item`, render its text, and record a revision when the text changed.

    An existing row is locked first: its workflow fields are taken from the locked row (so
    a save racing a publish keeps the publish), and revision numbers cannot collide.
    """
    created = item.pk is None
    moved_from_container = None
    if not created:
        locked = SchoolItem.objects.select_for_update().get(pk=item.pk)
        for name in WORKFLOW_FIELDS:
            setattr(item, name, getattr(locked, name))
        if locked.parent_id != item.parent_id:
            moved_from_container = locked.parent_id
    if not item.slug:
        item.slug = f"{item.kind}-{uuid.uuid4().hex[:10]}"
    if created and item.is_part and not item.position and item.parent_id:
        last = SchoolItem.objects.filter(parent_id=item.parent_id).order_by("-position").first()
        item.position = (last.position + 1) if last else 1
    if created and item.author_id is None and getattr(by, "is_authenticated", False):
        item.author = by
    item.full_clean(exclude=["search_grams"])
    item.body_html = render_markdown(item.body)
    item.reading_minutes = reading_minutes(item.body)
    item.search_grams = index_grams(item.title, item.summary, item.body[:INDEXED_BODY_CHARACTERS])
    item.save()
    if created:
        SCHOOL_WORKFLOW.record(obj=item, by=by, created=True)
    if moved_from_container is not None:
        # Progress follows a lesson moved to another course.
        LessonProgress.objects.filter(lesson=item).update(container_id=item.parent_id)
    _record_revision(item, by=by, note=note)
    return item


def _record_revision(item, *, by, note) -> SchoolRevision | None:
    latest = item.revisions.order_by("-number").first()
    if latest and (latest.title, latest.summary, latest.body) == (item.title, item.summary, item.body):
        return None
    return SchoolRevision.objects.create(
        item=item,
        number=(latest.number + 1) if latest else 1,
        title=item.title,
        summary=item.summary,
        body=item.body,
        author=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def school_revision_restore(*, revision: SchoolRevision, by) -> SchoolItem:
    """Make `revision`'s text the current text again (as a new revision: nothing is lost)."""
    item = SchoolItem.objects.select_for_update().get(pk=revision.item_id)
    item.title, item.summary, item.body = revision.title, revision.summary, revision.body
    return school_item_save(
        item=item, by=by, note=_("Restored revision %(number)d") % {"number": revision.number}
    )


@transaction.atomic
def school_image_add(*, item: SchoolItem, upload, alt: str, by) -> SchoolImage:
    """Check an uploaded picture and store it beside `item` as WebP without EXIF."""
    check_upload(upload, allow_pdf=False, max_bytes=MAX_IMAGE_BYTES)
    (webp,) = make_webp_sizes(upload, sizes=(IMAGE_MAX_SIDE,))
    image = SchoolImage(item=item, alt=alt.strip())
    image.image.save(f"{uuid.uuid4().hex}.webp", ContentFile(webp), save=False)
    image.full_clean()
    image.save()
    return image


# --- Provider articles ------------------------------------------------------------------


@transaction.atomic
def provider_article_save(*, item: SchoolItem, provider, by) -> SchoolItem:
    """Create or edit an article of `provider`, for a belt it serves, while it may be edited."""
    if item.pk is None:
        item.kind, item.provider, item.parent = SchoolKind.ARTICLE, provider, None
        if not permissions.works_for(by, provider):
            raise NotAllowed()
    else:
        locked = SchoolItem.objects.select_for_update().get(pk=item.pk)
        if locked.provider_id != provider.pk or not permissions.can_edit_provider_article(by, locked):
            raise NotAllowed()
    if item.belt_id not in permissions.article_belt_ids(by, provider):
        raise ValidationError({"belt": _("Choose one of the belts your provider serves.")})
    return school_item_save(item=item, by=by)


@transaction.atomic
def provider_article_submit(*, item: SchoolItem, by) -> SchoolItem:
    if item.provider_id is None or not permissions.can_edit_provider_article(by, item):
        raise NotAllowed()
    if not item.body.strip() or item.belt_id is None:
        raise ArticleIncomplete()
    moved, _event = SCHOOL_WORKFLOW.move(obj=item, to=SchoolStatus.SUBMITTED, by=by)
    return moved


@transaction.atomic
def provider_article_withdraw(*, item: SchoolItem, by) -> SchoolItem:
    if item.provider_id is None or not permissions.works_for(by, item.provider):
        raise NotAllowed()
    moved, _event = SCHOOL_WORKFLOW.move(
        obj=item, to=SchoolStatus.DRAFT, by=by, expected_from=[SchoolStatus.SUBMITTED]
    )
    return moved


# --- Staff decisions --------------------------------------------------------------------


def _require_publisher(by):
    if not permissions.can_publish(by):
        raise NotAllowed()


def _provider_review_start(item, *allowed):
    """A provider's article goes live only after the provider submitted it (never from its draft)."""
    return list(allowed) if item.provider_id else None


@transaction.atomic
def school_item_publish(*, item: SchoolItem, by) -> SchoolItem:
    _require_publisher(by)
    return _publish(item, by=by)


def _publish(item, *, by):
    now = timezone.now()
    moved, event = SCHOOL_WORKFLOW.move(
        obj=item,
        to=SchoolStatus.PUBLISHED,
        by=by,
        updates={"published_at": item.published_at or now, "publish_at": None},
        expected_from=_provider_review_start(
            item, SchoolStatus.SUBMITTED, SchoolStatus.SCHEDULED, SchoolStatus.ARCHIVED
        ),
    )
    _notify_provider_author(moved, event)
    return moved


@transaction.atomic
def school_item_schedule(*, item: SchoolItem, by, publish_at) -> SchoolItem:
    """Publish `item` at `publish_at` (beat's task does it), which must be in the future."""
    _require_publisher(by)
    if publish_at is None or publish_at <= timezone.now():
        raise ScheduleInPast()
    moved, _event = SCHOOL_WORKFLOW.move(
        obj=item,
        to=SchoolStatus.SCHEDULED,
        by=by,
        updates={"publish_at": publish_at},
        details={"publish_at": publish_at.isoformat()},
        expected_from=_provider_review_start(item, SchoolStatus.SUBMITTED),
    )
    return moved


@transaction.atomic
def school_item_unpublish(*, item: SchoolItem, by) -> SchoolItem:
    _require_publisher(by)
    moved, _event = SCHOOL_WORKFLOW.move(obj=item, to=SchoolStatus.ARCHIVED, by=by)
    return moved


@transaction.atomic
def school_item_to_draft(*, item: SchoolItem, by) -> SchoolItem:
    """Take a scheduled or unpublished item back to a draft."""
    _require_publisher(by)
    moved, _event = SCHOOL_WORKFLOW.move(
        obj=item,
        to=SchoolStatus.DRAFT,
        by=by,
        updates={"publish_at": None},
        expected_from=[SchoolStatus.SCHEDULED, SchoolStatus.ARCHIVED],
    )
    return moved


def _send_back(item, *, to, by, reason):
    """Staff's answer with a reason the provider's author reads: check, move, tell the author."""
    _require_publisher(by)
    moved, event = SCHOOL_WORKFLOW.move(obj=item, to=to, by=by, reason=reason)
    _notify_provider_author(moved, event)
    return moved


@transaction.atomic
def school_item_request_changes(*, item: SchoolItem, by, reason: str) -> SchoolItem:
    return _send_back(item, to=SchoolStatus.CHANGES_REQUESTED, by=by, reason=reason)


@transaction.atomic
def school_item_reject(*, item: SchoolItem, by, reason: str) -> SchoolItem:
    return _send_back(item, to=SchoolStatus.REJECTED, by=by, reason=reason)


def publish_due_items(*, now=None) -> int:
    """Publish every scheduled item whose time has come; return how many (beat calls this)."""
    now = now or timezone.now()
    due = list(
        SchoolItem.objects.filter(status=SchoolStatus.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at")
        .values_list("pk", flat=True)[:500]
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            item = SchoolItem.objects.select_for_update().get(pk=pk)
            # Unscheduled or moved since the list was read: someone else decided.
            if item.status != SchoolStatus.SCHEDULED or item.publish_at > now:
                continue
            _publish(item, by=None)
            published += 1
    return published


def _notify_provider_author(item, event):
    """Tell a provider's author what staff decided about the article."""
    if item.provider_id is None or item.author is None or event.actor_id == item.author_id:
        return
    email_user(
        item.author,
        template_prefix=f"storefront/email/school_article_{event.to_status}",
        context={
            "item": item,
            "event": event,
            "link": site_base_url() + reverse("school:provider-articles"),
        },
    )


# --- Reading progress -------------------------------------------------------------------


def lesson_mark_read(*, user, lesson: SchoolItem, done: bool = False) -> None:
    """Remember that `user` opened `lesson` (and, with `done`, finished it). Idempotent."""
    if not user.is_authenticated or not lesson.is_part:
        return
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        [LessonProgress(user=user, lesson=lesson, container_id=lesson.parent_id, last_read_at=now)],
        update_conflicts=True,
        unique_fields=["user", "lesson"],
        update_fields=["container", "last_read_at", "updated_at"],
    )
    if done:
        # The first completion time is kept: reading a lesson again does not move it.
        LessonProgress.objects.filter(user=user, lesson=lesson, completed_at__isnull=True).update(
            completed_at=now, updated_at=now
        )
