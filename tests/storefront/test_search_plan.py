"""At 100 000 products on PostgreSQL, 1-, 2- and 4-character Chinese queries use an index.

The plan is read with EXPLAIN; a sequential scan of the product table fails the test.
The same holds for both segments of a search's title-first ranking: the title matches
(the marked title grams, `t:翡翠`, on the same GIN index) and the other matches.
"""

import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from merchants.models import Category, Region
from storefront import catalog
from storefront.indexing import product_grams
from storefront.models import Product, ProductStatus, SourceKind
from tests.industrybelts.conftest import approved_merchant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SCALE = 100_000
GRAMS_TESTED = re.compile(r"search_grams @> '\{([^}]*)\}'")
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
                search_grams=product_grams(title=title, intro=""),
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

        # The two segments of the title-first ranking (catalog.title_ranking): the title
        # matches by the marked title grams alone, then the other matches.
        ranking = catalog.title_ranking(catalog.published_products(), {"q": query})
        titles = ranking.first.order_by("-published_at", "-id")
        others = queryset.exclude(search_grams__has_all=ranking.marks)
        title_plan, others_plan = titles[:25].explain(), others[:25].explain()

        assert "Seq Scan on storefront_product" not in title_plan, (query, title_plan)
        assert "Index" in title_plan, (query, title_plan)
        # Only the marked grams: the plain ones too would make PostgreSQL multiply two
        # selectivities of one fact, expect a few matches, and sort thousands.
        tested = {gram for grams in GRAMS_TESTED.findall(title_plan) for gram in grams.split(",")}
        assert tested and all(gram.startswith("t:") for gram in tested), (query, title_plan)
        if len(query) > 2:  # rarer than one title word in eight: found through the GIN index
            assert "product_search_grams_gin" in title_plan, (query, title_plan)
        assert "Seq Scan on storefront_product" not in others_plan, (query, others_plan)
        assert "Index" in others_plan, (query, others_plan)
        assert [p.pk for p in titles[:25]] == [p.pk for p in found]  # every match is a title match here
        assert not others.exists()
