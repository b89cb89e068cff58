"""Short videos and live sessions, with their audit rows and discovery state.

A video is uploaded in chunks into private storage (`original`), probed and transcoded by
Celery (storefront.content.media) into a public H.264/AAC MP4 with a poster; the original
is deleted when processing ends, whatever the outcome. Only a published video is public.

A live session is announced by its merchant, marked live and ended by it (or ended by the
beat sweep once it overran its expected length); the goods it shows carry its badge.
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel, public_id_field
from core.transitions import TransitionEvent, event_subject
from merchants.models import merchant_reference
from merchants.models.onboarding import private_storage

# Limits of what a merchant may upload (checked on the chunks and again by the probe).
MAX_VIDEO_BYTES = 200 * 1024 * 1024
MAX_VIDEO_SECONDS = 300
MIN_VIDEO_SECONDS = Decimal("1.0")


class VideoStatus(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    PROCESSING = "processing", _("Processing")
    # Not the goods' "Published" (上架): a video is 发布ed.
    PUBLISHED = "published", pgettext_lazy("video status", "Published")
    FAILED = "failed", _("Could not be used")
    HIDDEN = "hidden", _("Hidden by staff")
    DELETED = "deleted", _("Deleted")


class VideoFailure(models.TextChoices):
    """Why a video could not be used: a code the merchant reads in its own language."""

    NOT_A_VIDEO = "not_a_video", _("The file is not a video.")
    NO_PICTURE = "no_picture", _("The file has sound only; a video needs pictures.")
    EMPTY = "empty", _("The file is empty or broken.")
    TOO_LONG = "too_long", _("The video is longer than 5 minutes.")
    TOO_SHORT = "too_short", _("The video is shorter than 1 second.")
    TOO_LARGE = "too_large", _("The file is larger than 200 MB.")
    UNSUPPORTED = "unsupported", _("This video format cannot be read. Upload an MP4 or MOV from your phone.")
    INCOMPLETE = "incomplete", _("The upload did not finish. Upload the video again.")


def video_upload_to(video, filename):
    return f"videos/{video.public_id}/{uuid.uuid4().hex}.mp4"


def poster_upload_to(video, filename):
    return f"videos/{video.public_id}/{uuid.uuid4().hex}.webp"


def original_upload_to(video, filename):
    return f"videos/{video.public_id}/original"


class Video(TimeStampedModel):
    public_id = public_id_field()
    merchant = merchant_reference("videos")
    products = models.ManyToManyField(
        "storefront.Product", verbose_name=_("goods"), related_name="videos", blank=True
    )
    title = models.CharField(_("title"), max_length=60)
    status = models.CharField(
        _("status"), max_length=20, choices=VideoStatus.choices, default=VideoStatus.UPLOADING
    )
    # The upload as sent, in private storage, until processing ends.
    original = models.FileField(
        _("original upload"),
        storage=private_storage,
        upload_to=original_upload_to,
        max_length=200,
        blank=True,
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    expected_bytes = models.PositiveBigIntegerField(_("size announced"), default=0)
    received_bytes = models.PositiveBigIntegerField(_("bytes received"), default=0)
    # What pages play: H.264/AAC MP4 (faststart) at phone size, and its poster frame.
    file = models.FileField(_("video (MP4)"), upload_to=video_upload_to, max_length=200, blank=True)
    poster = models.ImageField(_("poster (WebP)"), upload_to=poster_upload_to, max_length=200, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration = models.DecimalField(
        _("duration (seconds)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    file_bytes = models.PositiveBigIntegerField(_("size of the MP4"), null=True, blank=True)
    processing_seconds = models.DecimalField(
        _("processing time (seconds)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    failure = models.CharField(
        _("why it could not be used"), max_length=20, choices=VideoFailure.choices, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    play_count = models.PositiveBigIntegerField(_("plays"), default=0, editable=False)
    completion_count = models.PositiveBigIntegerField(_("plays to the end"), default=0, editable=False)
    click_count = models.PositiveBigIntegerField(_("purchase-link clicks"), default=0, editable=False)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at", "-id"]
        permissions = [("moderate_video", _("Can hide and restore videos"))]
        indexes = [
            models.Index(fields=["merchant", "status", "-created_at"], name="video_merchant_list_idx"),
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status="published"), name="video_feed_idx"
            ),
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(published_at__isnull=False),
                name="video_partner_feed_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status == VideoStatus.PUBLISHED

    @property
    def is_working(self) -> bool:
        return self.status in (VideoStatus.UPLOADING, VideoStatus.PROCESSING)


class VideoEvent(TransitionEvent):
    video = event_subject("storefront.Video", _("video"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("video event")
        verbose_name_plural = _("video events")


class LiveStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live now")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


def cover_upload_to(session, filename):
    return f"live/{session.public_id}/{uuid.uuid4().hex}.webp"


class LiveSession(TimeStampedModel):
    """A live session (直播场次) a merchant announces on its shop, belt and home pages."""

    public_id = public_id_field()
    merchant = merchant_reference("live_sessions")
    title = models.CharField(_("title"), max_length=60)
    description = models.TextField(_("what you will show"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LiveStatus.choices, default=LiveStatus.SCHEDULED
    )
    starts_at = models.DateTimeField(_("starts at"))
    expected_minutes = models.PositiveSmallIntegerField(
        _("expected length (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(720)]
    )
    # starts_at + expected_minutes, kept by the services: overlap checks and lists read it.
    expected_end_at = models.DateTimeField(_("expected end"), editable=False)
    room_url = models.URLField(_("live room link"), max_length=500, blank=True)
    products = models.ManyToManyField(
        "storefront.Product", verbose_name=_("goods shown"), related_name="live_sessions", blank=True
    )
    cover_original = models.FileField(_("cover upload"), storage=private_storage, max_length=200, blank=True)
    cover = models.ImageField(_("cover (WebP)"), upload_to=cover_upload_to, max_length=200, blank=True)
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "id"]
        permissions = [("moderate_live_session", _("Can cancel live sessions"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_end_at__gt=F("starts_at")), name="live_session_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "starts_at"], name="live_session_merchant_idx"),
            models.Index(
                fields=["starts_at", "id"],
                condition=Q(status__in=["scheduled", "live"]),
                name="live_session_upcoming_idx",
            ),
            models.Index(fields=["updated_at", "id"], name="live_session_partner_feed_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_upcoming_or_live(self) -> bool:
        return self.status in (LiveStatus.SCHEDULED, LiveStatus.LIVE)


class LiveSessionEvent(TransitionEvent):
    session = event_subject("storefront.LiveSession", _("live session"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("live session event")
        verbose_name_plural = _("live session events")


class VideoExposure(TimeStampedModel):
    """A published video's place in the climbing mechanism (the twin of ProductExposure).

    Signals of a video's round: exposures in the strip, plays to the end (its click-through
    counterpart: the completion rate) and purchase-link clicks from its player.
    """

    video = models.OneToOneField(
        Video, verbose_name=_("video"), primary_key=True, on_delete=models.CASCADE, related_name="exposure"
    )
    merchant = merchant_reference("+")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    in_pool = models.BooleanField(_("in the pool"), default=True)
    round_impressions = models.PositiveIntegerField(_("exposures this round"), default=0)
    round_completions = models.PositiveIntegerField(_("plays to the end this round"), default=0)
    round_clicks = models.PositiveIntegerField(_("purchase clicks this round"), default=0)
    impressions = models.PositiveBigIntegerField(_("exposures"), default=0)
    entered_at = models.DateTimeField(_("entered the pool"), auto_now_add=True)
    round_started_at = models.DateTimeField(_("round started"), auto_now_add=True)

    class Meta:
        verbose_name = _("video exposure")
        verbose_name_plural = _("video exposure")
        ordering = ["-entered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(round__gte=1, round__lte=3), name="video_exposure_round_1_to_3"
            )
        ]
        indexes = [models.Index(fields=["round"], condition=Q(in_pool=True), name="video_exposure_pool_idx")]

    def __str__(self):
        return f"{self.video_id} r{self.round}"
