"""Discovery state: staff settings, each product's pool round, daily merchant exposure,
the precomputed feed slate and a daily health row. Belongs to the `storefront` app."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from merchants.models import merchant_reference


def _share(default, low="0", high="1"):
    return {
        "max_digits": 4,
        "decimal_places": 3,
        "default": Decimal(default),
        "validators": [MinValueValidator(Decimal(low)), MaxValueValidator(Decimal(high))],
    }


class DiscoverySettings(TimeStampedModel):
    """The thresholds staff tune (one row; `manage.py simulate_discovery` shows their effect)."""

    base_budget = models.PositiveIntegerField(
        _("base exposures of a new product"),
        default=300,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
    )
    round2_budget = models.PositiveIntegerField(
        _("exposures in round 2"),
        default=3000,
        validators=[MinValueValidator(100), MaxValueValidator(1_000_000)],
    )
    round3_budget = models.PositiveIntegerField(
        _("exposures in round 3"),
        default=30000,
        validators=[MinValueValidator(1000), MaxValueValidator(10_000_000)],
    )
    round2_min_ctr = models.DecimalField(_("click-through needed for round 2"), **_share("0.080"))
    round3_min_ctr = models.DecimalField(_("click-through needed for round 3"), **_share("0.100"))
    round3_min_conversion = models.DecimalField(
        _("purchase clicks per exposure needed for round 3"), **_share("0.015")
    )
    gini_cap = models.DecimalField(
        _("Gini cap on exposure per merchant"), **_share("0.600", "0.100", "0.950")
    )
    ordinary_share_floor = models.DecimalField(
        _("least share of exposure for ordinary merchants"), **_share("0.700")
    )
    ordinary_max_followers = models.PositiveIntegerField(
        _("ordinary merchants have fewer followers than"), default=100_000
    )
    video_round2_min_completion = models.DecimalField(
        _("plays to the end per exposure needed for a video's round 2"), **_share("0.040")
    )
    video_round3_min_completion = models.DecimalField(
        _("plays to the end per exposure needed for a video's round 3"), **_share("0.060")
    )
    window_days = models.PositiveSmallIntegerField(
        _("rolling window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    slate_size = models.PositiveIntegerField(
        _("feed slots per cycle"), default=2000, validators=[MinValueValidator(50), MaxValueValidator(50_000)]
    )
    cycle_capacity = models.PositiveIntegerField(
        _("least exposures planned per cycle"),
        default=5000,
        validators=[MinValueValidator(100), MaxValueValidator(10_000_000)],
        help_text=_("Used while the portal has recorded fewer exposures in the last cycle."),
    )

    class Meta:
        verbose_name = _("discovery settings")
        verbose_name_plural = _("discovery settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(round2_budget__gt=models.F("base_budget"))
                & models.Q(round3_budget__gt=models.F("round2_budget")),
                name="discovery_budgets_grow",
            ),
            models.CheckConstraint(
                condition=models.Q(gini_cap__gte=Decimal("0.1")) & models.Q(gini_cap__lte=Decimal("0.95")),
                name="discovery_gini_cap_in_range",
            ),
        ]

    def __str__(self):
        return str(_("Discovery settings"))

    def clean(self):
        super().clean()
        errors = {}
        if (
            self.base_budget is not None
            and self.round2_budget is not None
            and self.round2_budget <= self.base_budget
        ):
            errors["round2_budget"] = _("Round 2 must give more exposures than the base.")
        if (
            self.round2_budget is not None
            and self.round3_budget is not None
            and self.round3_budget <= self.round2_budget
        ):
            errors["round3_budget"] = _("Round 3 must give more exposures than round 2.")
        if (
            self.round2_min_ctr is not None
            and self.round3_min_ctr is not None
            and self.round3_min_ctr < self.round2_min_ctr
        ):
            errors["round3_min_ctr"] = _("Round 3 cannot ask for less click-through than round 2.")
        if (
            self.video_round2_min_completion is not None
            and self.video_round3_min_completion is not None
            and self.video_round3_min_completion < self.video_round2_min_completion
        ):
            errors["video_round3_min_completion"] = _(
                "A video's round 3 cannot ask for fewer plays to the end than its round 2."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "DiscoverySettings":
        return cls.objects.get_or_create(pk=1)[0]

    def is_ordinary(self, followers: int) -> bool:
        """Whether a merchant with `followers` is ordinary: the share floor protects its exposure."""
        return followers < self.ordinary_max_followers


class ProductExposure(TimeStampedModel):
    """A product's place in the climbing mechanism and the signals of its current round."""

    product = models.OneToOneField(
        "storefront.Product", verbose_name=_("product"), primary_key=True, on_delete=models.CASCADE,
        related_name="exposure",
    )  # fmt: skip
    merchant = merchant_reference("+")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    in_pool = models.BooleanField(_("in the pool"), default=True)
    round_impressions = models.PositiveIntegerField(_("exposures this round"), default=0)
    round_views = models.PositiveIntegerField(_("views this round"), default=0)
    round_clicks = models.PositiveIntegerField(_("purchase clicks this round"), default=0)
    impressions = models.PositiveBigIntegerField(_("exposures"), default=0)
    entered_at = models.DateTimeField(_("entered the pool"), auto_now_add=True)
    round_started_at = models.DateTimeField(_("round started"), auto_now_add=True)

    class Meta:
        verbose_name = _("product exposure")
        verbose_name_plural = _("product exposure")
        ordering = ["-entered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(round__gte=1, round__lte=3), name="exposure_round_1_to_3"
            )
        ]
        indexes = [models.Index(fields=["round"], condition=models.Q(in_pool=True), name="exposure_pool_idx")]

    def __str__(self):
        return f"{self.product_id} r{self.round}"


class MerchantExposureDay(TimeStampedModel):
    """A merchant's funnel on one day: exposures (the Gini window is made of these), views and
    purchase-link clicks of its goods, as the counters flush them (the dashboard's chart)."""

    merchant = merchant_reference("+")
    day = models.DateField(_("day"))
    impressions = models.PositiveBigIntegerField(_("exposures"), default=0)
    views = models.PositiveBigIntegerField(_("views"), default=0)
    clicks = models.PositiveBigIntegerField(_("purchase clicks"), default=0)

    class Meta:
        verbose_name = _("merchant exposure per day")
        verbose_name_plural = _("merchant exposure per day")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="exposure_day_once_per_merchant")
        ]
        indexes = [models.Index(fields=["day"], name="exposure_day_window_idx")]

    def __str__(self):
        return f"{self.merchant_id} {self.day}: {self.impressions}"


class FeedSlot(models.Model):
    """One position of the current discovery slate (rebuilt each cycle; pages read a window).

    A slot shows a work: a good, or a video (`video` set), which the strip shows with the
    good it sells (`product`, the video's first published good when the slate was made).
    """

    position = models.PositiveIntegerField(_("position"), primary_key=True)
    belt_position = models.PositiveIntegerField(_("position in its belt"), null=True)
    product = models.ForeignKey("storefront.Product", on_delete=models.CASCADE, related_name="+")
    belt = models.ForeignKey("industrybelts.Belt", null=True, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey(
        "storefront.Video", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("feed slot")
        verbose_name_plural = _("feed slots")
        ordering = ["position"]
        indexes = [models.Index(fields=["belt", "belt_position"], name="feed_slot_belt_idx")]

    def __str__(self):
        return f"#{self.position} {self.product_id}"


class ExposureHealth(TimeStampedModel):
    """Today's figures for staff, written by every allocation run (one row per day)."""

    day = models.DateField(_("day"), unique=True)
    gini = models.DecimalField(_("Gini of exposure"), max_digits=4, decimal_places=3, default=0)
    ordinary_share = models.DecimalField(
        _("ordinary merchants' share"), max_digits=4, decimal_places=3, default=0
    )
    pool_round1 = models.PositiveIntegerField(_("products in round 1"), default=0)
    pool_round2 = models.PositiveIntegerField(_("products in round 2"), default=0)
    pool_round3 = models.PositiveIntegerField(_("products in round 3"), default=0)
    video_pool_round1 = models.PositiveIntegerField(_("videos in round 1"), default=0)
    video_pool_round2 = models.PositiveIntegerField(_("videos in round 2"), default=0)
    video_pool_round3 = models.PositiveIntegerField(_("videos in round 3"), default=0)
    video_share = models.DecimalField(
        _("videos' share of the planned exposure"), max_digits=4, decimal_places=3, default=0
    )
    merchants = models.PositiveIntegerField(_("merchants exposed in the window"), default=0)
    impressions = models.PositiveBigIntegerField(_("exposures in the window"), default=0)

    class Meta:
        verbose_name = _("exposure health")
        verbose_name_plural = _("exposure health")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)
