"""The product contract: what a merchant edits on a good, and the rules every way in applies.

The page's form (forms.ProductForm), the partner API (by codes, forms.ProductByCodeForm),
the CSV import (imports.py, one form per row) and the writes (services.product_save and
its `validate_product`) all take their fields and rules from here, so a rule changes in
one place: the editable fields, the price rule, the belt rule, the purchase-link rule and
the photo check.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads import DRAFT, CheckedUpload, check_upload
from merchants.channels import platform_for_url, validate_shop_url
from merchants.models import MerchantProfile, SalesPlatform

from .models import SourceKind

# The fields a merchant edits, in the editor's order (the API's and the CSV's names too).
EDITABLE_FIELDS = (
    "title",
    "intro",
    "category",
    "source_kind",
    "belt",
    "origin_region",
    "wholesale_price",
    "retail_price",
    "own_shop_price",
    "min_order_quantity",
    "stock_status",
)
MAX_PRODUCT_PHOTO_BYTES = 15 * 1024 * 1024
BELT_REQUIRED_MESSAGE = gettext_lazy("Choose the belt this good comes from.")


def needs_belt(source_kind, belt) -> bool:
    """A belt good must name its belt (the table's product_belt_good_has_belt)."""
    return source_kind == SourceKind.BELT and not belt


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
