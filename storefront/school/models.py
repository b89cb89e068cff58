"""School content as one tree of items, so authoring, review, search and progress are written once.

A course holds ordered lessons, a manual holds ordered chapters, a method article stands
alone. All five kinds are `SchoolItem` rows (a lesson's parent is its course); each has
a Markdown body rendered once, on save, into sanitised HTML (storefront/school/markdown.py),
its own status on the shared transition mechanism, append-only revisions and search grams.
A lesson is visible only while it and its course are both published.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel, user_reference
from merchants.models import SellerType
from storefront.search import GramsField

# The audit rows live in events.py; Django finds them, and code imports them, here.
from .events import SchoolEvent  # noqa: F401

MAX_BODY_CHARACTERS = 60_000
MAX_SUMMARY_CHARACTERS = 300
RESERVED_SLUGS = frozenset({"search"})  # /school/search/ is a page of its own


class SchoolKind(models.TextChoices):
    COURSE = "course", _("Course")
    LESSON = "lesson", _("Lesson")
    MANUAL = "manual", _("Manual")
    CHAPTER = "chapter", _("Chapter")
    ARTICLE = "article", _("Method article")


TOP_LEVEL_KINDS = (SchoolKind.COURSE, SchoolKind.MANUAL, SchoolKind.ARTICLE)
# kind of a part -> kind of the container it belongs to
PART_KINDS = {SchoolKind.LESSON: SchoolKind.COURSE, SchoolKind.CHAPTER: SchoolKind.MANUAL}


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    GROWING = "growing", _("Growing")
    ADVANCED = "advanced", _("Advanced")


class Stage(models.TextChoices):
    ANY = "any", _("Every merchant")
    ONBOARDING = "onboarding", _("Merchants not yet approved")
    APPROVED = "approved", _("Approved merchants")


class SchoolStatus(models.TextChoices):
    # A context of their own: the catalog's "Published" is 已上架 (on the shelf), the school's 已发布.
    DRAFT = "draft", pgettext_lazy("school status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("school status", "Submitted for review")
    CHANGES_REQUESTED = "changes_requested", pgettext_lazy("school status", "Changes requested")
    SCHEDULED = "scheduled", pgettext_lazy("school status", "Scheduled")
    PUBLISHED = "published", pgettext_lazy("school status", "Published")
    ARCHIVED = "archived", pgettext_lazy("school status", "Unpublished")
    REJECTED = "rejected", pgettext_lazy("school status", "Rejected")


class SchoolTag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("school tag")
        verbose_name_plural = _("school tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


def school_cover_upload_to(item, filename):
    return f"school/covers/{uuid.uuid4().hex}.webp"


class SchoolItem(TimeStampedModel):
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        blank=True,
        help_text=_("Latin letters, digits and dashes; left empty, one is made up."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SchoolKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("course or manual"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        limit_choices_to={"kind__in": list(PART_KINDS.values())},
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=80)
    summary = models.CharField(_("summary"), max_length=MAX_SUMMARY_CHARACTERS, blank=True)
    body = models.TextField(
        _("text (Markdown)"), blank=True, validators=[MaxLengthValidator(MAX_BODY_CHARACTERS)]
    )
    body_html = models.TextField(editable=False, blank=True)
    cover = models.ImageField(_("cover image"), upload_to=school_cover_upload_to, blank=True, max_length=200)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=SellerType.choices,
        blank=True,
        help_text=_("Leave empty for every kind of seller."),
    )
    belt = models.ForeignKey(
        "industrybelts.Belt",
        verbose_name=_("belt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school_items",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.BEGINNER)
    stage = models.CharField(_("recommended to"), max_length=12, choices=Stage.choices, default=Stage.ANY)
    tags = models.ManyToManyField(SchoolTag, verbose_name=_("tags"), blank=True, related_name="items")
    status = models.CharField(
        _("status"), max_length=20, choices=SchoolStatus.choices, default=SchoolStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("scheduled for"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1, editable=False)
    author = user_reference(_("author"), editable=False)
    provider = models.ForeignKey(
        "industrybelts.ServiceProvider",
        verbose_name=_("service provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school_articles",
        editable=False,
    )
    search_grams = GramsField(editable=False, default=list)

    class Meta:
        verbose_name = _("school item")
        verbose_name_plural = _("school items")
        ordering = ["position", "id"]
        permissions = [("publish_schoolitem", _("Can publish, schedule and review school content"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=TOP_LEVEL_KINDS) & Q(parent__isnull=True))
                | (Q(kind__in=list(PART_KINDS)) & Q(parent__isnull=False)),
                name="school_parts_have_a_container",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="school_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=True) | Q(kind="article"),
                name="school_provider_writes_articles",
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "-published_at", "-id"],
                condition=Q(status="published", parent__isnull=True),
                name="school_home_level_idx",
            ),
            models.Index(fields=["parent", "position", "id"], name="school_parts_order_idx"),
            models.Index(
                fields=["publish_at"], condition=Q(status="scheduled"), name="school_due_schedule_idx"
            ),
            models.Index(fields=["provider", "-updated_at"], name="school_provider_list_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("This address is taken by a page of the school; choose another.")}
            )
        container_kind = PART_KINDS.get(self.kind)
        if container_kind is None and self.parent_id is not None:
            raise ValidationError({"parent": _("Only lessons and chapters belong to a course or manual.")})
        if container_kind is not None:
            if self.parent_id is None:
                raise ValidationError({"parent": _("Choose the course or manual this belongs to.")})
            if self.parent.kind != container_kind:
                raise ValidationError({"parent": _("A lesson belongs to a course, a chapter to a manual.")})

    @property
    def is_part(self) -> bool:
        return self.kind in PART_KINDS

    @property
    def is_container(self) -> bool:
        return self.kind in PART_KINDS.values()


class SchoolImage(TimeStampedModel):
    """A picture uploaded beside an item's text, re-encoded to WebP without EXIF."""

    item = models.ForeignKey(
        SchoolItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to="school/images/", max_length=200)
    alt = models.CharField(_("description (for screen readers)"), max_length=120)

    class Meta:
        verbose_name = _("school image")
        verbose_name_plural = _("school images")
        ordering = ["item", "pk"]

    def __str__(self):
        return self.alt

    @property
    def markdown(self) -> str:
        return f"![{self.alt}]({self.image.url})" if self.image else ""


class SchoolRevision(TimeStampedModel):
    """The text as it was after one save: compared and restored from admin; append-only."""

    item = models.ForeignKey(
        SchoolItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=80)
    summary = models.CharField(_("summary"), max_length=MAX_SUMMARY_CHARACTERS, blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    author = user_reference(_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="school_revision_number_unique")
        ]

    def __str__(self):
        return f"{self.item} r{self.number}"


class LessonProgress(TimeStampedModel):
    """One reader's progress on one lesson or chapter (`container` copied for per-course counts)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        SchoolItem, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="progress"
    )
    container = models.ForeignKey(
        SchoolItem, verbose_name=_("course or manual"), on_delete=models.CASCADE, related_name="+"
    )
    last_read_at = models.DateTimeField(_("last read"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        ordering = ["-last_read_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="school_progress_once_per_lesson")
        ]
        indexes = [
            models.Index(fields=["user", "-last_read_at"], name="school_progress_recent_idx"),
            models.Index(fields=["user", "container"], name="school_progress_course_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.lesson}"
