from decimal import Decimal

import pytest

from merchants.models import Category, Region
from storefront import services
from storefront.models import SourceKind
from tests.factories import image_upload
from tests.industrybelts.conftest import apparel, approved_merchant, jade  # noqa: F401 (fixtures)


def make_product(
    merchant,
    *,
    title="新款女装连衣裙",
    intro="杭州四季青档口直供",
    price="59.00",
    retail=None,
    publish=True,
    **extra,
):
    data = {
        "title": title,
        "intro": intro,
        "category": extra.pop("category", None) or Category.objects.get(code="apparel"),
        "source_kind": extra.pop("source_kind", SourceKind.FACTORY),
        "belt": extra.pop("belt", None),
        "base": None,
        "origin_region": extra.pop("origin_region", None) or Region.objects.get(code="330102"),
        "wholesale_price": Decimal(price),
        "retail_price": Decimal(retail or price),
        "own_shop_price": None,
        "min_order_quantity": 1,
        "stock_status": "in_stock",
        **extra,
    }
    product = services.product_save(merchant=merchant, by=merchant.user, product=None, data=data)
    if publish:
        product = services.product_publish(product=product, by=merchant.user)
    return product


@pytest.fixture
def seller():
    return approved_merchant()


@pytest.fixture
def photo():
    return image_upload("IMG_0001.jpg", size=(1600, 1200))
