"""The "source good goods" (源头好货) catalog: products, their images and purchase links.

Design notes: docs/catalog.md (listing, moderation, counters) and docs/search.md.
Columns the catalog filters and sorts on are copied onto the product when it is
saved by a service (origin province/city, seller type), so a catalog page never
joins or scans other tables: every list is one index range, newest first.
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, public_id_field
from merchants.models import SellerType, merchant_reference
from merchants.models.onboarding import private_storage

# The audit rows live in events.py; Django finds them, and code imports them, here.
from .events import ProductEvent  # noqa: F401
from .search import GramsField

MAX_PRICE = Decimal("9999999.99")
MIN_PRICE = Decimal("0.01")


class SourceKind(models.TextChoices):
    BELT = "belt", _("Industry-belt goods")
    ORIGIN = "origin", _("Origin goods (产地)")
    FACTORY = "factory", _("Factory goods")
    EXPERT_BRAND = "expert_brand", _("Expert brand")


class StockStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    LOW = "low", _("Low stock")
    PRE_ORDER = "pre_order", _("Pre-order")
    OUT = "out", _("Out of stock")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    HIDDEN = "hidden", _("Hidden by staff")
    # Out of the catalog while the shop's requirements are past due (storefront.compliance).
    RESTRICTED = "restricted", _("Hidden: requirements past due")
    DELETED = "deleted", _("Deleted")


class Product(TimeStampedModel):
    public_id = public_id_field()
    merchant = merchant_reference("products")
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    belt = models.ForeignKey(
        "industrybelts.Belt",
        verbose_name=_("belt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    base = models.ForeignKey(
        "industrybelts.Base",
        verbose_name=_("base"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    origin_region = models.ForeignKey(
        "merchants.Region", verbose_name=_("origin"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "merchants.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    title = models.CharField(_("title"), max_length=60)
    intro = models.TextField(_("intro"), max_length=2000, blank=True)
    wholesale_price = models.DecimalField(
        _("wholesale price (CNY)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)],
    )
    retail_price = models.DecimalField(
        _("retail price (CNY)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)],
    )
    own_shop_price = models.DecimalField(
        _("price in my Kuaishou shop (CNY)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)],
    )
    min_order_quantity = models.PositiveIntegerField(
        _("minimum order quantity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    stock_status = models.CharField(
        _("stock"), max_length=20, choices=StockStatus.choices, default=StockStatus.IN_STOCK
    )
    # Copied from the merchant and the origin region by the services, for index-only filters.
    seller_type = models.CharField(
        _("seller type"), max_length=20, choices=SellerType.choices, editable=False
    )
    origin_province = models.CharField(max_length=6, editable=False)
    origin_city = models.CharField(max_length=6, editable=False)
    search_grams = GramsField(editable=False, default=list)
    view_count = models.PositiveBigIntegerField(_("views"), default=0, editable=False)
    click_count = models.PositiveBigIntegerField(_("purchase-link clicks"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    # Kept by storefront.content's services (and the product touched) so a card shows the
    # good's newest published video and its next or current live session without a query.
    featured_video = models.ForeignKey(
        "storefront.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    live_session = models.ForeignKey(
        "storefront.LiveSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-published_at", "-id"]
        permissions = [("moderate_product", _("Can hide and restore products"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(wholesale_price__lte=F("retail_price")), name="product_wholesale_not_above_retail"
            ),
            models.CheckConstraint(
                condition=Q(wholesale_price__gte=MIN_PRICE) & Q(retail_price__lte=MAX_PRICE),
                name="product_price_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(source_kind="belt") | Q(belt__isnull=False), name="product_belt_good_has_belt"
            ),
            models.CheckConstraint(condition=Q(min_order_quantity__gte=1), name="product_moq_positive"),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status="published"), name="product_feed_new_idx"
            ),
            models.Index(
                fields=["belt", "-published_at", "-id"],
                condition=Q(status="published"),
                name="product_feed_belt_idx",
            ),
            models.Index(
                fields=["wholesale_price", "id"],
                condition=Q(status="published"),
                name="product_feed_price_idx",
            ),
            models.Index(
                fields=["-click_count", "-id"],
                condition=Q(status="published"),
                name="product_feed_popular_idx",
            ),
            models.Index(fields=["merchant", "status", "-created_at"], name="product_merchant_list_idx"),
            # The partner feeds walk every good that was ever public by (updated_at, id).
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(published_at__isnull=False),
                name="product_partner_feed_idx",
            ),
            models.Index(
                fields=["belt", "updated_at", "id"],
                condition=Q(published_at__isnull=False),
                name="product_partner_belt_feed_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status == ProductStatus.PUBLISHED


def product_image_upload_to(image, filename):
    return f"products/{image.product.public_id}/{uuid.uuid4().hex}.webp"


class ProductImage(TimeStampedModel):
    """A product photo. The upload waits in `original` (private) until Celery has made the
    public WebP sizes without EXIF; until then pages show a placeholder."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    original = models.FileField(_("original upload"), storage=private_storage, max_length=200, blank=True)
    large = models.ImageField(
        _("large (WebP)"), upload_to=product_image_upload_to, blank=True, max_length=200
    )
    thumbnail = models.ImageField(
        _("thumbnail (WebP)"), upload_to=product_image_upload_to, blank=True, max_length=200
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product", "position", "pk"]

    def __str__(self):
        return f"{self.product} #{self.position}"

    @property
    def is_ready(self) -> bool:
        return bool(self.large)


class ProductLink(TimeStampedModel):
    """Where to buy: a link to the merchant's shop on a declared third-party platform."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="links"
    )
    platform = models.CharField(_("platform"), max_length=20)
    url = models.URLField(_("link"), max_length=500)

    class Meta:
        verbose_name = _("purchase link")
        verbose_name_plural = _("purchase links")
        ordering = ["product", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["product", "platform"], name="product_link_one_per_platform")
        ]

    def __str__(self):
        return self.url


class ProductBeltExit(models.Model):
    """A published good left a belt (moved or no longer a belt good): a tombstone for that
    belt's partner feed, which filters goods by their current belt and would never see it."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="belt_exits"
    )
    belt = models.ForeignKey(
        "industrybelts.Belt", verbose_name=_("belt"), on_delete=models.CASCADE, related_name="+"
    )
    left_at = models.DateTimeField(_("left at"))

    class Meta:
        verbose_name = _("product belt exit")
        verbose_name_plural = _("product belt exits")
        indexes = [models.Index(fields=["belt", "left_at", "id"], name="product_belt_exit_feed_idx")]

    def __str__(self):
        return f"{self.product_id} ← {self.belt_id}"


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Being checked")
    PREVIEWED = "previewed", _("Checked, waiting for your confirmation")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


def import_file_upload_to(job, filename):
    return f"imports/{job.public_id}/{uuid.uuid4().hex}"


class ImportJob(TimeStampedModel):
    """A spreadsheet of goods a merchant uploaded: checked first (the preview), written all
    or nothing once the merchant confirms (storefront.imports; docs/bulk-files.md).

    The file waits in private storage until the job ends; `errors` holds each problem with
    its row and column as the spreadsheet numbers them.
    """

    public_id = public_id_field()
    merchant = models.ForeignKey(
        "merchants.MerchantProfile",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=import_file_upload_to, max_length=200, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked or written"), default=0)
    in_background = models.BooleanField(_("runs in the background"), default=False)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    preview = models.JSONField(_("first rows"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("goods created"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="import_job_merchant_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in (ImportJobStatus.PENDING, ImportJobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status in (ImportJobStatus.DONE, ImportJobStatus.PREVIEWED):
            return 100
        return min(99, self.rows_done * 100 // self.row_count) if self.row_count else 0


# The school's models belong to this app (see storefront/school/__init__.py).
from .campaigns.models import Campaign, CampaignEntry, CampaignLeaderboardRow  # noqa: E402, F401
from .content.models import (  # noqa: E402, F401
    LiveSession,
    LiveSessionEvent,
    Video,
    VideoEvent,
    VideoExposure,
)
from .discovery.models import (  # noqa: E402, F401
    DiscoverySettings,
    ExposureHealth,
    FeedSlot,
    MerchantExposureDay,
    ProductExposure,
)
from .school.models import (  # noqa: E402, F401
    LessonProgress,
    SchoolEvent,
    SchoolImage,
    SchoolItem,
    SchoolRevision,
    SchoolTag,
)
