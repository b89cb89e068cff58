"""Writes of the catalog: listing (quick and full), publishing, moderation, CSV import.

Quick listing keeps the request path short: the photo is checked (type, pixel count
from the header, then a decode at thumbnail size, so a cut file never goes live), the
file is stored privately, the product row is written, and the full decode / EXIF
strip / resize to WebP is queued for Celery after the commit.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import send_templated_email
from core.exceptions import DomainError
from core.inputs import refuse_unstorable
from core.uploads import DRAFT, CheckedUpload, check_upload
from merchants.channels import platform_for_url, validate_shop_url
from merchants.models import MerchantProfile, SalesPlatform
from merchants.services import site_base_url

from . import permissions
from .discovery.services import enter_pool
from .fragments import catalog_changed
from .models import (
    Product,
    ProductBeltExit,
    ProductImage,
    ProductLink,
    ProductStatus,
    SourceKind,
    StockStatus,
)
from .search import index_grams
from .tasks import process_product_image_task
from .workflows import PRODUCT_WORKFLOW

MAX_PRODUCT_PHOTO_BYTES = 15 * 1024 * 1024


class NotAllowedToSell(DomainError):
    code = "not_allowed_to_sell"
    message = _("Only approved shops that are not suspended can list and publish goods.")
    http_status = 403


def _require_seller(merchant: MerchantProfile, by) -> None:
    if merchant.user_id != by.pk:
        raise PermissionDenied
    if not permissions.merchant_can_sell(merchant):
        raise NotAllowedToSell()


def _denormalize(product: Product) -> None:
    """Copy what the catalog filters on, and the search grams, onto the product row."""
    region = product.origin_region
    product.origin_province = region.code[:2] + "0000"
    product.origin_city = region.code[:4] + "00"
    product.seller_type = product.merchant.seller_type
    product.search_grams = index_grams(product.title, product.intro[:300])


def check_product_photo(photo) -> CheckedUpload:
    """Check a product photo by its content, decoding it at thumbnail size (fast enough for
    the request: a truncated or damaged photo is refused before its good goes live)."""
    return check_upload(photo, allow_pdf=False, max_bytes=MAX_PRODUCT_PHOTO_BYTES, decode=DRAFT)


def validate_prices(wholesale, retail) -> None:
    if wholesale is not None and retail is not None and wholesale > retail:
        raise ValidationError(
            {"wholesale_price": _("The wholesale price cannot be above the retail price.")},
            code="wholesale_above",
        )


# The row's foreign keys hold objects the caller loaded (the form's choices, the CSV
# import's lookups), so checking again that each exists is left to the database's own
# foreign keys, at commit.
_LOADED_RELATIONS = ("merchant", "category", "belt", "base", "origin_region")


def validate_product(product: Product) -> None:
    """`full_clean` without its queries: the fields, and the table's check constraints in
    Python, with the editor's messages.

    `full_clean` asked the database about each of the four check constraints (a query
    and a savepoint each), each foreign key and the public id: 16 of an API edit's 35
    queries (docs/performance.md, change 20). The constraints stay in the table as the
    last line; `CHECKED_IN_PYTHON` names each one's counterpart here, and a test holds
    the list equal to the table's constraints.
    """
    errors = {}
    try:
        product.clean_fields(exclude=[*_LOADED_RELATIONS, "search_grams"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for name in ("category", "origin_region"):
        if getattr(product, f"{name}_id") is None:
            errors.setdefault(name, []).append(Product._meta.get_field(name).error_messages["null"])
    if product.source_kind == SourceKind.BELT and product.belt_id is None:
        errors.setdefault("belt", []).append(_("Choose the belt this good comes from."))
    if errors:
        raise ValidationError(errors)
    # product_wholesale_not_above_retail; the prices are in range by then (clean_fields).
    validate_prices(product.wholesale_price, product.retail_price)


# Each check constraint of Product, and what catches it first in validate_product.
CHECKED_IN_PYTHON = {
    "product_wholesale_not_above_retail": "validate_prices",
    "product_price_in_range": "the price fields' validators",
    "product_belt_good_has_belt": "a belt good without a belt",
    "product_moq_positive": "min_order_quantity's validators",
}


def validate_links(merchant: MerchantProfile, urls) -> list[tuple[str, str]]:
    """Return (platform, url) for each link; each must be a web link (http or https, as the
    merchant's channels: `validate_shop_url`) on a platform the merchant declared."""
    declared = set(merchant.channels.values_list("platform", flat=True))
    links = []
    for url in urls:
        platform = platform_for_url(url)
        if platform is None or platform == SalesPlatform.KUAISHOU:
            raise ValidationError(_("%(url)s is not a link to a known shop platform.") % {"url": url[:80]})
        validate_shop_url(platform, url)
        if platform not in declared:
            raise ValidationError(
                _("Declare your %(platform)s shop in your sales channels before linking to it.")
                % {"platform": SalesPlatform(platform).label}
            )
        links.append((platform, url))
    return links


@transaction.atomic
def product_quick_list(*, merchant, by, photo, title, price, intro="") -> Product:
    """Lightning listing: one photo, a title, a price and a line of intro → a live product.

    The price is used as both wholesale and retail price; the merchant refines it in
    the full editor. Category and origin come from the merchant's profile.
    """
    _require_seller(merchant, by)
    # The form's PhotoField checked the photo already (`photo.checked`): not a second decode.
    checked = getattr(photo, "checked", None) or check_product_photo(photo)
    category = merchant.categories.order_by("position").first()
    if category is None or merchant.region_id is None:
        raise NotAllowedToSell(_("Complete your shop's categories and origin first."))
    membership = merchant.memberships.filter(status="approved").select_related("belt", "base").first()
    product = Product(
        merchant=merchant,
        title=title,
        intro=intro,
        wholesale_price=price,
        retail_price=price,
        category=category,
        origin_region=merchant.region,
        source_kind=SourceKind.BELT if membership else _default_source(merchant),
        belt=membership.belt if membership else None,
        base=membership.base if membership else None,
        status=ProductStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    _denormalize(product)
    # Written live at once: a draft row published a moment later cost a locked read and a
    # second write of all the table's indexes (docs/performance.md, change 14). The event
    # (created as published) and its webhook are the workflow's, as for any move.
    product.save()
    _add_photo(product, photo, checked, position=0)
    PRODUCT_WORKFLOW.record(obj=product, by=by, created=True)
    enter_pool(product)
    catalog_changed()
    return product


def _default_source(merchant) -> str:
    return {
        "factory": SourceKind.FACTORY,
        "expert": SourceKind.EXPERT_BRAND,
        "brand": SourceKind.EXPERT_BRAND,
    }.get(merchant.seller_type, SourceKind.ORIGIN)


def _add_photo(product: Product, photo, checked, position: int | None = None) -> ProductImage:
    if position is None:
        position = product.images.count()
    image = ProductImage(product=product, width=checked.width, height=checked.height, position=position)
    image.original.save(f"products/{product.public_id}/original", photo, save=False)
    image.save()
    transaction.on_commit(lambda: process_product_image_task.delay(image.pk))
    return image


@transaction.atomic
def product_save(*, merchant, by, product: Product | None, data: dict, photos=(), links=()) -> Product:
    """Create or update a product from the full editor (status unchanged; drafts stay drafts)."""
    _require_seller(merchant, by)
    if product is not None:
        product = Product.objects.select_for_update().get(pk=product.pk, merchant=merchant)
        product.merchant = merchant
        if product.status in (ProductStatus.HIDDEN, ProductStatus.DELETED):
            raise DomainError(_("This product cannot be edited now."))
    else:
        product = Product(merchant=merchant)
    belt_before = product.belt_id
    for name, value in data.items():
        setattr(product, name, value)
    if product.source_kind != SourceKind.BELT:
        product.belt, product.base = None, None
    _denormalize(product)
    validate_product(product)
    product.save()
    if belt_before and belt_before != product.belt_id and product.published_at:
        ProductBeltExit.objects.create(product=product, belt_id=belt_before, left_at=product.updated_at)
    for photo, checked in photos:
        _add_photo(product, photo, checked)
    product.links.all().delete()
    ProductLink.objects.bulk_create([ProductLink(product=product, platform=p, url=u) for p, u in links])
    catalog_changed()
    return product


def _move(product, *, to, by, reason="", updates=None):
    moved, _event = PRODUCT_WORKFLOW.move(obj=product, to=to, by=by, reason=reason, updates=updates)
    catalog_changed()
    return moved


@transaction.atomic
def product_publish(*, product, by) -> Product:
    _require_seller(product.merchant, by)
    updates = {} if product.published_at else {"published_at": timezone.now()}
    moved = _move(product, to=ProductStatus.PUBLISHED, by=by, updates=updates)
    enter_pool(moved)
    return moved


@transaction.atomic
def product_unpublish(*, product, by) -> Product:
    if not permissions.is_owner(by, product):
        raise PermissionDenied
    return _move(product, to=ProductStatus.UNPUBLISHED, by=by)


@transaction.atomic
def product_delete(*, product, by) -> Product:
    if not permissions.is_owner(by, product):
        raise PermissionDenied
    return _move(product, to=ProductStatus.DELETED, by=by)


@transaction.atomic
def product_hide(*, product, by, reason) -> Product:
    """Staff moderation: hide a published product with a reason; the merchant is told."""
    if not permissions.can_moderate(by):
        raise PermissionDenied
    moved = _move(product, to=ProductStatus.HIDDEN, by=by, reason=reason)
    _notify(moved, "storefront/email/product_hidden", reason)
    return moved


@transaction.atomic
def product_restore(*, product, by, reason="") -> Product:
    if not permissions.can_moderate(by):
        raise PermissionDenied
    moved, _event = PRODUCT_WORKFLOW.move(
        obj=product, to=ProductStatus.PUBLISHED, by=by, reason=reason, expected_from={ProductStatus.HIDDEN}
    )
    catalog_changed()
    _notify(moved, "storefront/email/product_restored", reason)
    return moved


def _notify(product, template_prefix, reason):
    user = product.merchant.user
    send_templated_email(
        template_prefix=template_prefix,
        to=user.email,
        context={
            "product": product,
            "reason": reason,
            "url": site_base_url() + reverse("storefront:merchant-products"),
        },
        language=user.language,
    )


def products_bulk(*, merchant, by, public_ids, action) -> tuple[int, list[str]]:
    """Apply publish / unpublish / delete to the merchant's own products; return (done, refusals)."""
    services = {"publish": product_publish, "unpublish": product_unpublish, "delete": product_delete}
    products = permissions.own_products(
        by, Product.objects.filter(merchant=merchant, public_id__in=public_ids)
    )
    done, refused = 0, []
    for product in products.select_related("merchant"):
        try:
            services[action](product=product, by=by)
            done += 1
        except DomainError as error:
            refused.append(f"{product.title}: {error}")
    return done, refused


# --- CSV import ------------------------------------------------------------------------

CSV_COLUMNS = [
    "title",
    "intro",
    "category",
    "source_kind",
    "belt",
    "base",
    "origin_region",
    "wholesale_price",
    "retail_price",
    "min_order_quantity",
    "stock_status",
    "own_shop_price",
    "link",
]
CSV_DEFAULTS = {"min_order_quantity": "1", "stock_status": StockStatus.IN_STOCK}
MAX_CSV_ROWS = 2000
# The csv module's cell limit is process-wide (128 KiB unless someone changed it), so it is
# set before every import. The longest column holds 2,000 characters: a cell up to the
# limit gets its column's own message, a longer one stops the file at its row.
CSV_CELL_LIMIT = 10_000


@dataclass
class ImportResult:
    created: list[Product] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def products_import_csv(*, merchant, by, upload) -> ImportResult:
    """Check every row first; create all products (as drafts) only if no row has an error.

    No cell can crash the import: each passes the input boundary (`refuse_unstorable`) and
    then the editor's form, field by field, as on the page and in the API (numbers as
    finite, bounded decimals; the purchase link by `validate_links`). A file that is not
    UTF-8, a cell over the csv module's limit and each refused row become errors named
    by row number (1 is the header).
    """
    _require_seller(merchant, by)
    result = ImportResult()
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, _("The file is not UTF-8 text. Save it as CSV (UTF-8).")))
        return result
    csv.field_size_limit(CSV_CELL_LIMIT)
    records = enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    rows, row_count, number = [], 0, 0
    try:
        number, header = next(records, (1, []))
        header = _csv_header(header)
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a spreadsheet's empty row
            row_count += 1
            if row_count > MAX_CSV_ROWS:
                result.errors.append((number, _("At most %(max)d rows per file.") % {"max": MAX_CSV_ROWS}))
                break
            try:
                rows.append((number, _row_data(merchant, header, cells)))
            except ValidationError as error:
                result.errors.append((number, " ".join(error.messages)))
    except csv.Error as error:  # raised reading the record after `number`
        result.errors.append((number + 1, _unreadable_row(error)))
    except ValidationError as error:  # the header's
        result.errors.append((1, " ".join(error.messages)))
    if result.errors or not rows:
        if not rows and not result.errors:
            result.errors.append((2, _("The file has no product rows.")))
        return result
    with transaction.atomic():
        for number, (data, links) in rows:
            try:
                product = product_save(merchant=merchant, by=by, product=None, data=data, links=links)
            except ValidationError as error:  # a rule of the table the form would have missed
                transaction.set_rollback(True)
                result.created.clear()
                result.errors.append((number, " ".join(error.messages)))
                break
            result.created.append(product)
    return result


def _unreadable_row(error: csv.Error) -> str:
    # The csv module raises one error class for everything; with newline="" and the
    # default dialect, a cell over the limit is the only cause left.
    if "field limit" in str(error):
        return _("A cell of this row is longer than %(limit)d characters.") % {"limit": CSV_CELL_LIMIT}
    return _("This row cannot be read as CSV.")


def _cell_error(column: str, messages) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": " ".join(messages)}


def _csv_header(cells: list[str]) -> list[str]:
    """Return the column names, or raise a ValidationError: unstorable or missing columns."""
    for cell in cells:
        refuse_unstorable(cell)
    header = [cell.strip() for cell in cells]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    return header


def _row_data(merchant, header: list[str], cells: list[str]) -> tuple[dict, list]:
    """Return a row's product data and links, checked by the editor's form, or raise its errors.

    Every cell passes the input boundary first, those beyond the named columns too.
    """
    from .forms import CsvRowForm  # the forms import this module

    errors = []
    for position, cell in enumerate(cells):
        try:
            refuse_unstorable(cell)
        except ValidationError as error:
            column = (
                header[position]
                if position < len(header)
                else _("column %(number)d") % {"number": position + 1}
            )
            errors.append(_cell_error(column, error.messages))
    if errors:
        raise ValidationError(errors)
    data = {column: cell.strip() for column, cell in zip(header, cells, strict=False) if column}
    for column, default in CSV_DEFAULTS.items():
        data[column] = data.get(column) or default
    form = CsvRowForm(data, merchant=merchant)
    if not form.is_valid():
        raise ValidationError(
            [
                " ".join(messages) if column == NON_FIELD_ERRORS else _cell_error(column, messages)
                for column, messages in form.errors.items()
            ]
        )
    return form.product_data(), form.cleaned_data.get("links", [])
