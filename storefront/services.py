"""Writes of the catalog: listing (quick and full), publishing, moderation (the CSV import: imports.py).

Quick listing keeps the request path short: the photo is checked (type, pixel count
from the header, then a decode at thumbnail size, so a cut file never goes live), the
file is stored privately, the product row is written, and the full decode / EXIF
strip / resize to WebP is queued for Celery after the commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails import email_user
from core.exceptions import DomainError, Forbidden
from core.tasks import enqueue_on_commit
from merchants.compliance.services import selling_refusal
from merchants.models import MerchantProfile
from merchants.services import site_base_url

from . import permissions
from .contract import BELT_REQUIRED_MESSAGE, check_product_photo, needs_belt, validate_prices
from .discovery.selectors import slate_shows
from .discovery.services import enter_pool
from .fragments import catalog_changed
from .indexing import product_grams
from .models import (
    Product,
    ProductBeltExit,
    ProductImage,
    ProductLink,
    ProductStatus,
    SourceKind,
)
from .workflows import PRODUCT_WORKFLOW

NotAllowedToSell = Forbidden.define(
    "NotAllowedToSell",
    "not_allowed_to_sell",
    _("Only approved shops that are not suspended can list and publish goods."),
)


def restriction_message(merchant: MerchantProfile) -> tuple:
    """The refusal's message for a restricted shop, with its reason (empty: the generic one)."""
    reason = selling_refusal(merchant)
    if reason is None:
        return ()
    return (_("Your shop is restricted until its requirements are met: %(reason)s") % {"reason": reason},)


def require_seller(merchant: MerchantProfile, by) -> None:
    if merchant.user_id != by.pk:
        raise PermissionDenied
    if not permissions.merchant_can_sell(merchant):
        raise NotAllowedToSell(*restriction_message(merchant))


def good_changed(product_id: int) -> None:
    """A write to this one good is done (call inside its transaction): the catalog's lists
    are drawn again, and the discovery strip only if its slate shows the good."""
    catalog_changed(strip=slate_shows(product_id))


def _denormalize(product: Product) -> None:
    """Copy what the catalog filters on, and the search grams, onto the product row.

    The grams hold the category's, belt's and source kind's words too (a buyer searching
    玉 means the 珠宝玉石 goods), read from the relations the caller loaded.
    """
    region = product.origin_region
    product.origin_province = region.code[:2] + "0000"
    product.origin_city = region.code[:4] + "00"
    product.seller_type = product.merchant.seller_type
    product.search_grams = product_grams(
        title=product.title,
        intro=product.intro,
        category=product.category if product.category_id else None,
        belt=product.belt if product.belt_id else None,
        source_kind=product.source_kind,
    )


def goods_point_at(product_ids, *, field: str, targets: dict, touch=None) -> int:
    """Set each good's `field`, a row its card shows (the featured video, the live session),
    to its id in `targets` (None when absent), and return how many goods were saved.

    A good that changes is saved with a new `updated_at` (its card's and page's cache key);
    so is one still pointing at `touch`, a row whose shown state just changed.
    """
    now = timezone.now()
    saved = 0
    touched = []
    for product_id, current in Product.objects.filter(pk__in=product_ids).values_list("pk", field):
        target = targets.get(product_id)
        if target != current:
            Product.objects.filter(pk=product_id).update(**{field: target, "updated_at": now})
            saved += 1
        elif touch is not None and current == touch:
            touched.append(product_id)
    if touched:
        Product.objects.filter(pk__in=touched).update(updated_at=now)
    return saved + len(touched)


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
    if needs_belt(product.source_kind, product.belt_id):
        errors.setdefault("belt", []).append(BELT_REQUIRED_MESSAGE)
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


@transaction.atomic
def product_quick_list(*, merchant, by, photo, title, price, intro="") -> Product:
    """Lightning listing: one photo, a title, a price and a line of intro → a live product.

    The price is used as both wholesale and retail price; the merchant refines it in
    the full editor. Category and origin come from the merchant's profile.
    """
    require_seller(merchant, by)
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
    catalog_changed(strip=False)  # new: in no slate until the next cycle draws one
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
    enqueue_on_commit("storefront.tasks.process_product_image_task", image.pk)
    return image


@transaction.atomic
def product_save(*, merchant, by, product: Product | None, data: dict, photos=(), links=()) -> Product:
    """Create or update a product from the full editor (status unchanged; drafts stay drafts)."""
    require_seller(merchant, by)
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
    good_changed(product.pk)
    return product


IMPORT_BATCH = 500


@transaction.atomic
def products_import(*, merchant, by, rows, progress=None) -> int:
    """Create drafts from checked rows ((data, links), as CsvRowForm gives them), all or none.

    Each product meets `validate_product` as `product_save` does; the rows are written in
    batches (one INSERT per batch, its links in another) instead of a save per row, so ten
    thousand goods take seconds, not minutes. A rule the form missed raises a
    ValidationError naming the row's position; the transaction then writes nothing.
    `progress(done)` is called after each batch (the import job reports it; the rows are
    not visible to others until the commit).
    """
    require_seller(merchant, by)
    done = 0
    for start in range(0, len(rows), IMPORT_BATCH):
        batch = rows[start : start + IMPORT_BATCH]
        products = []
        for position, (data, _links) in enumerate(batch, start=start):
            product = Product(merchant=merchant, **data)
            if product.source_kind != SourceKind.BELT:
                product.belt, product.base = None, None
            _denormalize(product)
            try:
                validate_product(product)
            except ValidationError as error:
                raise ValidationError({"__row__": [position], **error.message_dict}) from None
            products.append(product)
        Product.objects.bulk_create(products)
        ProductLink.objects.bulk_create(
            [
                ProductLink(product=product, platform=platform, url=url)
                for product, (_data, links) in zip(products, batch, strict=True)
                for platform, url in links
            ]
        )
        done += len(batch)
        if progress is not None:
            progress(done)
    catalog_changed(strip=False)  # new drafts
    return done


def _move(product, *, to, by, reason="", updates=None):
    moved, _event = PRODUCT_WORKFLOW.move(obj=product, to=to, by=by, reason=reason, updates=updates)
    good_changed(product.pk)
    return moved


@transaction.atomic
def product_publish(*, product, by) -> Product:
    require_seller(product.merchant, by)
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
    good_changed(product.pk)
    _notify(moved, "storefront/email/product_restored", reason)
    return moved


def _notify(product, template_prefix, reason):
    email_user(
        product.merchant.user,
        template_prefix=template_prefix,
        context={
            "product": product,
            "reason": reason,
            "url": site_base_url() + reverse("storefront:merchant-products"),
        },
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
