"""After approval: a seller's standing, category additions and the deposit ledger.

The design is written down in docs/compliance.md; in short:
- `MerchantCompliance` holds the last computed requirements of a merchant (Stripe
  Connect's shape: currently due, eventually due, past due, pending verification,
  errors) and the restriction they imply. merchants.compliance.requirements computes them;
  writes and the daily sweep store them here, so a page reads one row.
- Its `standing` moves through the one transition mechanism; each move, and each change of
  the requirements, is a `ComplianceEvent` with its cause and a webhook.
- The deposit ledger is append-only: the balance is the sum of its entries, never a column.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, public_id_field, user_reference
from core.transitions import TransitionEvent, event_subject

from .onboarding import private_storage

CENT = Decimal("0.01")


class Standing(models.TextChoices):
    GOOD = "good", _("In good standing")
    ACTION_REQUIRED = "action_required", _("Action required")
    RESTRICTED = "restricted", _("Restricted")
    CLOSED = "closed", _("Closed")


class MerchantCompliance(TimeStampedModel):
    merchant = models.OneToOneField(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="compliance",
    )
    status = models.CharField(_("standing"), max_length=20, choices=Standing.choices, default=Standing.GOOD)
    requirements = models.JSONField(_("requirements"), default=dict, blank=True, editable=False)
    computed_on = models.DateField(_("requirements computed on"), null=True, blank=True, editable=False)
    # What a past-due requirement holds back: the whole shop, or the goods of some categories.
    restricted_shop = models.BooleanField(_("whole shop restricted"), default=False, editable=False)
    restricted_category_ids = models.JSONField(
        _("restricted categories"), default=list, blank=True, editable=False
    )
    restriction_reason = models.TextField(_("reason for the restriction"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    refund_due_on = models.DateField(_("deposit refund due on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("merchant compliance")
        verbose_name_plural = _("merchant compliance")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "computed_on"], name="compliance_sweep_idx")]

    def __str__(self):
        return str(self.merchant)

    @property
    def is_restricted(self) -> bool:
        return self.status == Standing.RESTRICTED


class ComplianceEvent(TransitionEvent):
    """A standing move or a change of the requirements, with its cause (`reason`, `details`)."""

    compliance = event_subject("merchants.MerchantCompliance", _("merchant compliance"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("compliance event")
        verbose_name_plural = _("compliance events")
        indexes = [models.Index(fields=["compliance", "created_at"], name="compliance_event_history_idx")]


class DocumentEvent(TransitionEvent):
    """A reviewer's decision on a document uploaded after approval (a renewal, an addition's)."""

    document = event_subject("merchants.ApplicationDocument", _("document"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("document event")
        verbose_name_plural = _("document events")


class ComplianceReminder(models.Model):
    """One expiry reminder sent: the unique key is what makes each one go out exactly once."""

    document = models.ForeignKey(
        "merchants.ApplicationDocument",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "days_before"], name="reminder_once_per_threshold"),
        ]

    def __str__(self):
        return f"{self.document} −{self.days_before}d"


class CategoryRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CategoryRequest(TimeStampedModel):
    """An approved merchant's request to sell in more categories (类目新增)."""

    public_id = public_id_field()
    merchant = models.ForeignKey(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="category_requests",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CategoryRequestStatus.choices,
        default=CategoryRequestStatus.SUBMITTED,
    )
    categories = models.ManyToManyField(
        "merchants.Category", verbose_name=_("categories to add"), related_name="+"
    )
    deposit_before = models.DecimalField(_("deposit before (CNY)"), max_digits=12, decimal_places=2)
    deposit_after = models.DecimalField(_("deposit after (CNY)"), max_digits=12, decimal_places=2)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("category request")
        verbose_name_plural = _("category requests")
        ordering = ["-created_at"]
        permissions = [("review_categoryrequest", _("Can decide on category requests"))]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status="submitted"), name="category_request_one_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="category_request_queue_idx")]

    def __str__(self):
        return _("Category request of %(merchant)s") % {"merchant": self.merchant}

    @property
    def deposit_difference(self) -> Decimal:
        return max(self.deposit_after - self.deposit_before, Decimal("0.00"))


class CategoryRequestEvent(TransitionEvent):
    request = event_subject("merchants.CategoryRequest", _("category request"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("category request event")
        verbose_name_plural = _("category request events")


class DepositEntryKind(models.TextChoices):
    DUE = "due", _("Deposit due")
    PAID = "paid", _("Paid")
    DEDUCTED = "deducted", _("Deducted for a violation")
    TOP_UP_DUE = "top_up_due", _("Top-up due")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUNDED = "refunded", _("Refunded")


# How each kind moves the two figures the ledger derives (merchants.compliance.deposit):
# the deposit held by the platform, and what the merchant still owes.
HELD_SIGN = {DepositEntryKind.PAID: 1, DepositEntryKind.DEDUCTED: -1, DepositEntryKind.REFUNDED: -1}
OWED_SIGN = {DepositEntryKind.DUE: 1, DepositEntryKind.TOP_UP_DUE: 1, DepositEntryKind.PAID: -1}


class DepositEntry(models.Model):
    """One line of a merchant's deposit ledger (保证金明细). Append-only: never edited or deleted."""

    public_id = public_id_field()
    merchant = models.ForeignKey(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="deposit_entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DepositEntryKind.choices)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    reason = models.TextField(_("reason"), blank=True)
    violation = models.CharField(_("violation"), max_length=200, blank=True)
    transfer = models.ForeignKey(
        "merchants.DepositTransfer",
        verbose_name=_("bank transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    recorded_by = user_reference(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deposit ledger entry")
        verbose_name_plural = _("deposit ledger")
        ordering = ["created_at", "pk"]
        permissions = [("record_depositentry", _("Can record deposit deductions and refunds"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_entry_amount_positive"),
        ]
        indexes = [models.Index(fields=["merchant", "created_at"], name="deposit_ledger_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} ¥{self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Deposit ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Deposit ledger entries are append-only.")


class DepositTransferStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


def receipt_upload_to(transfer, filename):
    extension = {"application/pdf": "pdf", "image/png": "png", "image/webp": "webp"}.get(
        transfer.content_type, "jpg"
    )
    return f"deposits/{transfer.merchant.public_id}/{transfer.public_id}.{extension}"


class DepositTransfer(TimeStampedModel):
    """A bank transfer (对公转账) the merchant reports with its receipt; finance confirms it."""

    public_id = public_id_field()
    merchant = models.ForeignKey(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="deposit_transfers",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DepositTransferStatus.choices,
        default=DepositTransferStatus.SUBMITTED,
    )
    amount = models.DecimalField(
        _("amount transferred (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    payer_name = models.CharField(_("paying account name"), max_length=100)
    bank_reference = models.CharField(_("bank reference number"), max_length=64)
    receipt = models.FileField(
        _("receipt"), storage=private_storage, upload_to=receipt_upload_to, max_length=200
    )
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    confirmed_amount = models.DecimalField(
        _("amount received (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deposit bank transfer")
        verbose_name_plural = _("deposit bank transfers")
        ordering = ["-created_at"]
        permissions = [("confirm_deposittransfer", _("Can confirm deposit transfers"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_transfer_amount_positive"),
            models.UniqueConstraint(
                fields=["bank_reference"],
                condition=~Q(status="refused"),
                name="deposit_transfer_reference_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="deposit_transfer_queue_idx")]

    def __str__(self):
        return f"¥{self.amount} · {self.bank_reference}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class DepositTransferEvent(TransitionEvent):
    transfer = event_subject("merchants.DepositTransfer", _("bank transfer"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("bank transfer event")
        verbose_name_plural = _("bank transfer events")


class CompliancePolicy(TimeStampedModel):
    """The figures staff set for the lifecycle; one row (`CompliancePolicy.current()`)."""

    refund_hold_days = models.PositiveSmallIntegerField(
        _("days between closing and the deposit refund"),
        default=90,
        help_text=_("After-sales disputes of a closed shop are settled from the deposit during this period."),
    )
    deposit_payment_days = models.PositiveSmallIntegerField(
        _("days to pay a deposit or a top-up"), default=15
    )

    class Meta:
        verbose_name = _("compliance policy")
        verbose_name_plural = _("compliance policy")

    def __str__(self):
        return str(_("Compliance policy"))

    @classmethod
    def current(cls) -> "CompliancePolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
