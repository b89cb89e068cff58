"""Campaigns, their entries and the leaderboard rows Celery writes. Belong to `storefront`."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from merchants.models import merchant_reference


class Campaign(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    description = models.TextField(_("rules and description"), blank=True, max_length=5000)
    signup_starts_at = models.DateTimeField(_("sign-up opens"))
    signup_ends_at = models.DateTimeField(_("sign-up closes"))
    belts = models.ManyToManyField(
        "industrybelts.Belt",
        verbose_name=_("belts"),
        blank=True,
        related_name="campaigns",
        help_text=_("Leave empty for goods of every belt and outside belts."),
    )
    categories = models.ManyToManyField(
        "merchants.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="campaigns",
        help_text=_("Leave empty for every category."),
    )
    min_round = models.PositiveSmallIntegerField(
        _("least discovery round reached"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("2 or 3 admits only goods that buyers already liked (the climbing mechanism's rating)."),
    )
    max_entries = models.PositiveIntegerField(
        _("cap on sign-ups"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_entries_per_merchant = models.PositiveIntegerField(
        _("cap per merchant"), default=20, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    entry_count = models.PositiveIntegerField(_("sign-ups"), default=0, editable=False)
    leaderboard_updated_at = models.DateTimeField(_("leaderboard updated"), null=True, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-signup_starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signup_ends_at__gt=F("signup_starts_at")), name="campaign_window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(min_round__gte=1, min_round__lte=3), name="campaign_min_round_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(max_entries__isnull=True) | Q(entry_count__lte=F("max_entries")),
                name="campaign_entries_within_cap",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.signup_starts_at and self.signup_ends_at and self.signup_ends_at <= self.signup_starts_at:
            errors["signup_ends_at"] = _("Sign-up must close after it opens.")
        if self.max_entries is not None and self.max_entries < self.entry_count:
            errors["max_entries"] = _("%(count)d goods are signed up already; the cap cannot be lower.") % {
                "count": self.entry_count
            }
        if errors:
            raise ValidationError(errors)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.signup_starts_at <= now < self.signup_ends_at


class CampaignEntry(TimeStampedModel):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(
        "storefront.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="campaign_entries",
    )
    merchant = merchant_reference("+")
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign entry")
        verbose_name_plural = _("campaign entries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "product"], name="campaign_entry_once_per_product")
        ]
        indexes = [models.Index(fields=["campaign", "merchant"], name="campaign_entry_merchant_idx")]

    def __str__(self):
        return f"{self.campaign_id}: {self.product_id}"


class CampaignLeaderboardRow(TimeStampedModel):
    """One place of a campaign's leaderboard, as Celery last computed it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leaderboard")
    rank = models.PositiveSmallIntegerField(_("rank"))
    product = models.ForeignKey("storefront.Product", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveBigIntegerField(_("purchase clicks"))

    class Meta:
        verbose_name = _("leaderboard place")
        verbose_name_plural = _("leaderboard places")
        ordering = ["campaign", "rank"]
        constraints = [models.UniqueConstraint(fields=["campaign", "rank"], name="campaign_rank_once")]

    def __str__(self):
        return f"{self.campaign_id} #{self.rank}"
