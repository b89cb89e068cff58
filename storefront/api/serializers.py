"""What the catalog API reads and writes. Business rules stay in storefront.forms.ProductForm
and storefront.services: the write serializer only fixes the shape (names, types, no unknown
fields) and hands the values to the form the merchant's own editor uses."""

import re
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictSerializer
from industrybelts.api.serializers import BeltSummarySerializer
from storefront.catalog import image_url
from storefront.models import MAX_PRICE, MIN_PRICE, Product, SourceKind, StockStatus

# A price as the editor takes it: MIN_PRICE to MAX_PRICE, at most two decimals, no sign,
# exponent or leading zero (which Decimal() would read, and the schema would not allow).
MONEY = re.compile(r"(?:[1-9]\d{0,6}(?:\.\d{1,2})?|0\.(?:0[1-9]|[1-9]\d?))")


def _url(file) -> str | None:
    return file.url if file else None


class ProductImageSerializer(serializers.Serializer):
    large = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    def get_large(self, image) -> str | None:
        return _url(image.large)

    def get_thumbnail(self, image) -> str | None:
        return _url(image.thumbnail)


_CENT = Decimal("0.01")


def _money(value: Decimal) -> str:
    """As DRF's DecimalField(decimal_places=2) writes money: a string with two places."""
    return f"{value.quantize(_CENT):f}"


def _time(value) -> str | None:
    """As DRF's DateTimeField writes an aware time: ISO 8601 in the current time zone.

    Both by hand: DRF's fields took 5 ms of a feed page's 9 on the bench machine (300
    values); the tests that compare with DRF's walk hold them equal.
    """
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ProductSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    merchant = serializers.UUIDField(source="merchant.public_id", read_only=True)
    shop_name = serializers.CharField(source="merchant.display_name", read_only=True)
    belt = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    origin = serializers.CharField(source="origin_region.code", read_only=True)
    images = ProductImageSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "merchant", "shop_name", "title", "intro", "source_kind", "belt", "origin",
            "origin_province", "origin_city", "seller_type", "wholesale_price", "retail_price",
            "min_order_quantity", "stock_status", "images", "published_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, row):
        """A good from `storefront.catalog.api_rows` (a row, not a model instance), as DRF's
        field walk writes out the model instance.

        The public lists, the detail and the partner feed read rows: the walk cost 0.1 ms a
        good on the bench machine, building a ModelSerializer's fields from the model 3 ms
        a request, and the instances twice the rows' load (docs/performance.md, change 13).
        The declared fields still give the shape and the schema. A test holds this equal
        to the walk over instances, key for key.
        """
        return {
            "id": str(row["public_id"]),
            "merchant": str(row["merchant__public_id"]),
            "shop_name": row["merchant__display_name"],
            "title": row["title"],
            "intro": row["intro"],
            "source_kind": row["source_kind"],
            "belt": row["belt__slug"],
            "origin": row["origin_region__code"],
            "origin_province": row["origin_province"],
            "origin_city": row["origin_city"],
            "seller_type": row["seller_type"],
            "wholesale_price": _money(row["wholesale_price"]),
            "retail_price": _money(row["retail_price"]),
            "min_order_quantity": row["min_order_quantity"],
            "stock_status": row["stock_status"],
            "images": [
                {"large": image_url(large), "thumbnail": image_url(thumbnail)}
                for large, thumbnail in row["images"]
            ],
            "published_at": _time(row["published_at"]),
        }


_PUBLIC_PRODUCT = ProductSerializer()


class OwnProductSerializer(ProductSerializer):
    """A merchant's own good: also its status, category and counters."""

    category = serializers.CharField(source="category.code", read_only=True)

    # One good at a time, and more fields: the generic walk.
    to_representation = serializers.ModelSerializer.to_representation

    class Meta(ProductSerializer.Meta):
        fields = [
            *ProductSerializer.Meta.fields, "status", "category", "own_shop_price", "view_count",
            "click_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": f"^{MONEY.pattern}$",
        "description": f"CNY, {MIN_PRICE} to {MAX_PRICE}, at most two decimals.",
        "example": "89.00",
    }
)
class MoneyField(serializers.DecimalField):
    """A price in CNY: a string of MONEY's shape, within the editor's bounds."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=2, min_value=MIN_PRICE, max_value=MAX_PRICE, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not MONEY.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ProductWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=60)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    category = serializers.CharField(help_text="Category code, e.g. `apparel`.")
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    belt = serializers.CharField(required=False, allow_blank=True, help_text="Belt slug (belt goods only).")
    origin_region = serializers.CharField(help_text="GB/T 2260 code of the district, county or city.")
    wholesale_price = MoneyField(help_text="At most the retail price.")
    retail_price = MoneyField()
    own_shop_price = MoneyField(required=False, allow_null=True)
    min_order_quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    stock_status = serializers.ChoiceField(choices=StockStatus.choices)
    link = serializers.URLField(max_length=500, required=False, allow_blank=True)


class QuickListSerializer(StrictSerializer):
    photo = serializers.FileField()
    title = serializers.CharField(max_length=60)
    price = MoneyField(help_text="Both the wholesale and the retail price.")
    intro = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BeltSerializer(BeltSummarySerializer):
    description = serializers.CharField()


class FeedEntrySerializer(serializers.Serializer):
    """One change in the partner feed: a published good, or a tombstone for one that left."""

    id = serializers.UUIDField(source="public_id")
    deleted = serializers.BooleanField(help_text="True: the good is no longer public (here); drop it.")
    updated_at = serializers.DateTimeField()
    product = ProductSerializer(allow_null=True)

    def to_representation(self, entry):
        """Written out as ProductSerializer's is (a feed page is 100 of these)."""
        return {
            "id": str(entry.public_id),
            "deleted": entry.deleted,
            "updated_at": _time(entry.updated_at),
            "product": None if entry.product is None else _PUBLIC_PRODUCT.to_representation(entry.product),
        }


class FeedPageSerializer(serializers.Serializer):
    results = FeedEntrySerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Resume here next time, even when `has_more` is false."
    )
    has_more = serializers.BooleanField()


# What names a school item wherever the API lists one (a comment, not a docstring: the
# schema would show a docstring as the description of every serializer built on this one).
class SchoolItemReferenceSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    kind = serializers.CharField()
    title = serializers.CharField()


class SchoolItemCardSerializer(SchoolItemReferenceSerializer):
    summary = serializers.CharField()
    audience = serializers.CharField()
    level = serializers.CharField()
    stage = serializers.CharField()
    belt = serializers.CharField(source="belt.slug", allow_null=True, default=None)
    reading_minutes = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class SchoolPartSerializer(SchoolItemReferenceSerializer):
    reading_minutes = serializers.IntegerField()


class SchoolItemSerializer(SchoolItemCardSerializer):
    course = serializers.CharField(source="parent.slug", allow_null=True, default=None)
    tags = serializers.SerializerMethodField()
    body_markdown = serializers.CharField(source="body")
    body_html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown.")
    parts = serializers.SerializerMethodField(help_text="Lessons or chapters, in reading order.")
    updated_at = serializers.DateTimeField()

    def get_tags(self, item) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def get_parts(self, item) -> SchoolPartSerializer(many=True):
        return SchoolPartSerializer(self.context.get("parts", []), many=True).data


class ImportUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="An .xlsx workbook or a CSV file (UTF-8, GBK/GB18030 or UTF-16).")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="The row as the spreadsheet numbers it (0: the file as a whole)."
    )
    column = serializers.CharField(help_text="The column's letter (A, B, …), or empty for the whole row.")
    message = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(
        choices=["pending", "previewed", "running", "done", "failed"],
        help_text="pending: being checked; previewed: checked without errors, waiting for `confirm`; "
        "running: being written; done; failed: see `errors` (nothing was written).",
    )
    file_name = serializers.CharField()
    format = serializers.CharField(source="file_format", help_text="`xlsx` or `csv` (empty until checked).")
    encoding = serializers.CharField(help_text="A CSV's detected encoding, e.g. `GBK`; empty for .xlsx.")
    row_count = serializers.IntegerField()
    rows_done = serializers.IntegerField(help_text="Rows checked or written so far (the progress).")
    created_count = serializers.IntegerField()
    error_count = serializers.IntegerField(help_text="All errors found; `errors` lists the first 500.")
    errors = ImportErrorSerializer(many=True)
    preview = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The first rows as read: row number, title, category, source, origin, wholesale "
        "and retail price, minimum order, stock.",
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, job):
        data = super().to_representation(job)
        data["preview"] = [[str(cell) for cell in row] for row in job.preview]
        return data
