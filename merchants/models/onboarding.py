"""The onboarding application and its private documents.

The status moves only through `merchants.services` (see `merchants.workflows`);
it is read-only everywhere else.
"""

import uuid

from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, public_id_field, user_reference

from .profiles import merchant_reference


def private_storage():
    """Storage for identity documents: outside MEDIA_ROOT, with no public URL."""
    return storages["private"]


class EntityType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (resident ID card)")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    ENTERPRISE = "enterprise", _("Enterprise")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    # The merchant closed its shop (退店): goods offline, the account and history kept.
    CLOSED = "closed", _("Closed")


# Statuses in which the merchant may edit; everything else is frozen for review.
EDITABLE_STATUSES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED})
# Statuses a reviewer works on: the review queue and the overdue flag look at these.
AWAITING_REVIEW_STATUSES = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW})


class OnboardingApplication(TimeStampedModel):
    public_id = public_id_field()
    merchant = merchant_reference("applications")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    entity_type = models.CharField(_("entity type"), max_length=20, choices=EntityType.choices, blank=True)
    legal_name = models.CharField(
        _("legal name"),
        max_length=100,
        blank=True,
        help_text=_("The name on the ID card, or the name on the business licence."),
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    legal_representative = models.CharField(_("legal representative / operator"), max_length=50, blank=True)
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        blank=True,
        help_text=_("Of the individual, or of the legal representative / operator."),
    )
    deposit_amount = models.DecimalField(
        _("deposit due (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deposit_acknowledged_at = models.DateTimeField(_("deposit acknowledged at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged as overdue at"), null=True, blank=True)

    class Meta:
        verbose_name = _("onboarding application")
        verbose_name_plural = _("onboarding applications")
        ordering = ["-created_at"]
        permissions = [("review_onboardingapplication", _("Can decide on onboarding applications"))]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"],
                condition=~Q(status="rejected"),
                name="application_one_active_per_merchant",
            ),
            # Numbers are held from submission on: a draft holds nothing (see services).
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc="") & ~Q(status__in=["draft", "rejected"]),
                name="application_uscc_one_merchant",
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number="")
                & Q(entity_type="individual")
                & ~Q(status__in=["draft", "rejected"]),
                name="application_individual_id_one_merchant",
            ),
            models.CheckConstraint(
                condition=Q(id_number="") | Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="application_id_number_ascii",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_queue_idx"),
        ]

    def __str__(self):
        return self.legal_name or str(self.public_id)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_business(self) -> bool:
        return self.entity_type in (EntityType.INDIVIDUAL_BUSINESS, EntityType.ENTERPRISE)


class DocumentStatus(models.TextChoices):
    """Where a document stands. Onboarding uploads are `current` at once (the application's
    review covers them); a renewal or a category addition's upload after approval waits as
    `pending` until a reviewer confirms it, then replaces the `current` one (`superseded`)."""

    CURRENT = "current", _("In force")
    PENDING = "pending", _("Awaiting review")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced")


class DocumentKind(models.TextChoices):
    ID_FRONT = "id_front", _("ID card, portrait side")
    ID_BACK = "id_back", _("ID card, national emblem side")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    QUALIFICATION = "qualification", _("Category qualification")


def document_upload_to(document, filename):
    # The original name never reaches the file system: only its (checked) type does.
    return f"applications/{document.application.public_id}/{uuid.uuid4().hex}.{document.extension}"


def thumbnail_upload_to(document, filename):
    return f"applications/{document.application.public_id}/thumbs/{uuid.uuid4().hex}.webp"


class ApplicationDocument(TimeStampedModel):
    public_id = public_id_field()
    application = models.ForeignKey(
        OnboardingApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    qualification = models.ForeignKey(
        "merchants.QualificationType",
        verbose_name=_("qualification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_upload_to, max_length=200)
    thumbnail = models.ImageField(
        _("thumbnail"), storage=private_storage, upload_to=thumbnail_upload_to, blank=True, max_length=200
    )
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    # Entered by the merchant, confirmed or corrected by the reviewer (validity_confirmed_*).
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty for a long-term (长期) document.")
    )
    validity_confirmed_at = models.DateTimeField(_("validity confirmed at"), null=True, blank=True)
    validity_confirmed_by = user_reference(_("validity confirmed by"))
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    category_request = models.ForeignKey(
        "merchants.CategoryRequest",
        verbose_name=_("category request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["kind", "created_at"]
        indexes = [
            models.Index(fields=["valid_until"], condition=Q(status="current"), name="document_expiry_idx"),
        ]
        constraints = [
            # One document in force per slot, and at most one awaiting review beside it.
            models.UniqueConstraint(
                fields=["application", "kind", "status"],
                condition=Q(qualification__isnull=True, status__in=["current", "pending"]),
                name="document_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["application", "qualification", "status"],
                condition=Q(qualification__isnull=False, status__in=["current", "pending"]),
                name="document_one_per_qualification",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(valid_until__gt=F("issued_on")),
                name="document_valid_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(kind="qualification", qualification__isnull=False)
                | (~Q(kind="qualification") & Q(qualification__isnull=True)),
                name="document_qualification_matches_kind",
            ),
        ]

    def __str__(self):
        if self.qualification_id:
            return str(self.qualification)
        return self.get_kind_display()

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/webp": "webp"}.get(
            self.content_type, "jpg"
        )

    @property
    def slot_key(self) -> str:
        """The requirement this document fills: its kind, or its qualification's code."""
        return f"qualification-{self.qualification.code}" if self.qualification_id else self.kind

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
