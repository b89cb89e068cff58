"""At 100 000 products on PostgreSQL, 1-, 2- and 4-character Chinese queries use an index.

The plan is read with EXPLAIN; a sequential scan of the product table fails the test.
"""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from merchants.models import Category, Region
from storefront import catalog
from storefront.models import Product, ProductStatus, SourceKind
from storefront.search import index_grams
from tests.industrybelts.conftest import approved_merchant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SCALE = 100_000
WORDS = [
    "冰种",
    "翡翠",
    "手镯",
    "吊坠",
    "真丝",
    "连衣裙",
    "女装",
    "童装",
    "羊毛",
    "大衣",
    "衬衫",
    "牛仔裤",
    "红茶",
    "普洱",
    "脐橙",
    "核桃",
    "蜂蜜",
    "玉器",
    "和田",
    "棉麻",
    "围巾",
    "茶具",
    "瓷器",
    "竹编",
]


@pytest.fixture
def hundred_thousand_products():
    merchant = approved_merchant()
    category = Category.objects.get(code="apparel")
    region = Region.objects.get(code="330102")
    rng = random.Random(2026)
    now = timezone.now()
    batch = []
    for n in range(SCALE):
        title = "".join(rng.sample(WORDS, 3)) + f"{n % 97}号"
        batch.append(
            Product(
                merchant=merchant,
                status=ProductStatus.PUBLISHED,
                source_kind=SourceKind.FACTORY,
                category=category,
                origin_region=region,
                title=title,
                intro="",
                wholesale_price=Decimal("10.00"),
                retail_price=Decimal("20.00"),
                seller_type="stall",
                origin_province="330000",
                origin_city="330100",
                search_grams=index_grams(title),
                published_at=now - timezone.timedelta(seconds=n),
            )
        )
    Product.objects.bulk_create(batch, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE storefront_product")
    return merchant


QUERIES = ["镯", "翡翠", "翡翠手镯", "棉麻围巾"]


def test_search_plans_use_an_index_not_a_table_scan(hundred_thousand_products):
    assert Product.objects.count() == SCALE
    for query in QUERIES:
        queryset = catalog.filter_products(catalog.published_products(), {"q": query}).order_by(
            "-published_at", "-id"
        )

        plan = queryset[:25].explain()
        found = list(queryset[:25])

        assert "Seq Scan on storefront_product" not in plan, (query, plan)
        assert "Index" in plan, (query, plan)
        assert found, query
        assert all(query in product.title for product in found), query
