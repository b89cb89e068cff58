"""The merchant's profile: who sells, from where, what, and through which channels."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import localized_name
from core.models import TimeStampedModel, public_id_field


class SellerType(models.TextChoices):
    FACTORY = "factory", _("Factory owner")
    STALL = "stall", _("Market stall owner")
    VILLAGE = "village", _("Village co-op / village official")
    WHOLESALE_MARKET = "wholesale_market", _("Wholesale market")
    EXPERT = "expert", _("Recommendation expert")
    BRAND = "brand", _("Brand")


class BilingualNameMixin(models.Model):
    """Staff-edited rows carry a Chinese name and an English one; pages pick by language."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized_name(self.name, self.name_en)


class QualificationType(BilingualNameMixin, TimeStampedModel):
    """A certificate a category asks for, e.g. a gem appraisal certificate (CMA/CNAS lab)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("what to upload"), blank=True)

    class Meta:
        verbose_name = _("qualification type")
        verbose_name_plural = _("qualification types")
        ordering = ["code"]


class Category(BilingualNameMixin, TimeStampedModel):
    """A main category a merchant sells in, with its deposit and required qualifications."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    deposit_amount = models.DecimalField(
        _("deposit (CNY)"), max_digits=12, decimal_places=2, help_text=_("Amount in yuan, e.g. 2000.00.")
    )
    required_qualifications = models.ManyToManyField(
        QualificationType, verbose_name=_("required qualifications"), blank=True, related_name="categories"
    )
    is_active = models.BooleanField(_("open for new merchants"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deposit_amount__gte=0), name="category_deposit_not_negative"
            ),
        ]


class MerchantProfile(TimeStampedModel):
    public_id = public_id_field()
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="merchant"
    )
    seller_type = models.CharField(_("seller type"), max_length=20, choices=SellerType.choices, blank=True)
    display_name = models.CharField(_("shop name"), max_length=60, blank=True)
    # Discovery treats merchants below a staff-set follower band as "ordinary" (storefront.discovery).
    follower_count = models.PositiveIntegerField(
        _("followers"),
        default=0,
        help_text=_("Followers of the merchant's main account, as checked by staff."),
    )
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    region = models.ForeignKey(
        "merchants.Region",
        verbose_name=_("origin region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    categories = models.ManyToManyField(Category, verbose_name=_("main categories"), blank=True)

    class Meta:
        verbose_name = _("merchant profile")
        verbose_name_plural = _("merchant profiles")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact_mobile"], name="merchant_mobile_idx")]

    def __str__(self):
        return self.display_name or self.user.email


def merchant_reference(related_name: str) -> models.ForeignKey:
    """Return the key of a row that belongs to a merchant (an application, a good, a membership,
    an exposure...): the row goes with the merchant's profile."""
    return models.ForeignKey(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name=related_name,
    )


class SalesPlatform(models.TextChoices):
    KUAISHOU = "kuaishou", _("Own Kuaishou shop")
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    YOUZAN = "youzan", _("Youzan")
    MOKUAI = "mokuai", _("Mokuai (魔筷星选)")


class SalesChannel(TimeStampedModel):
    """Where a merchant sells: its own Kuaishou shop and/or a third-party shop link."""

    merchant = merchant_reference("channels")
    platform = models.CharField(_("platform"), max_length=20, choices=SalesPlatform.choices)
    url = models.URLField(_("shop link"), max_length=500)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["platform", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "url"], name="channel_unique_per_merchant"
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.url}"
