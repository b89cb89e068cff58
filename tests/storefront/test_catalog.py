"""The public catalog: filters, sorts, keyset pages, product and shop pages, counters."""

import html
import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from industrybelts.models import Belt
from merchants.models import Category, Region
from storefront.models import Product, ProductStatus, SourceKind
from storefront.tasks import flush_product_counters_task
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


def titles(response):
    """The titles of the listed goods, in order, as the page shows them (not the strip's)."""
    content = response.content.decode()
    _strip_and_head, marker, results = content.partition('data-testid="catalog-results"')
    return [html.unescape(title) for title in re.findall(r"<h3>(.*?)</h3>", results)] if marker else []


def next_cursor(response):
    found = re.search(r'href="\?([^"]*)" data-testid="next-page"', response.content.decode())
    return parse_qs(html.unescape(found.group(1)))["after"][0] if found else None


def test_only_published_goods_are_listed(client, seller):
    live = make_product(seller, title="在售连衣裙")
    make_product(seller, title="草稿连衣裙", publish=False)
    from storefront import services

    hidden = make_product(seller, title="被隐藏的连衣裙")
    from tests.factories import StaffFactory

    services.product_hide(product=hidden, by=StaffFactory(is_superuser=True), reason="图片侵权")

    assert titles(client.get(CATALOG)) == [live.title]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source_kind": "origin"}, ["瑞丽翡翠"]),
        ({"province": "530000"}, ["瑞丽翡翠"]),
        ({"city": "330100"}, ["杭州女装"]),
        ({"category": "jade-jewellery"}, ["瑞丽翡翠"]),
        ({"price": "200-1000"}, ["瑞丽翡翠"]),
        ({"price": "0-50"}, ["杭州女装"]),
        ({"seller_type": "stall"}, ["杭州女装", "瑞丽翡翠"]),
        ({"q": "翡翠"}, ["瑞丽翡翠"]),
    ],
)
def test_filters(client, seller, params, expected):
    make_product(seller, title="杭州女装", price="39.00", source_kind=SourceKind.FACTORY)
    make_product(
        seller,
        title="瑞丽翡翠",
        price="500.00",
        source_kind=SourceKind.ORIGIN,
        origin_region=Region.objects.get(code="533102"),
        category=Category.objects.get(code="jade-jewellery"),
    )

    response = client.get(CATALOG, params)

    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(expected)


def test_belt_filter(client, apparel):
    from industrybelts import services as belt_services
    from tests.industrybelts.conftest import approved_provider, belt_ops

    _provider, owner = approved_provider(apparel)
    seller = approved_merchant()
    membership = belt_services.membership_apply(
        merchant=seller, belt=apparel, base=apparel.bases.first(), by=seller.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())
    make_product(seller, title="产业带女装", source_kind=SourceKind.BELT, belt=apparel)
    make_product(seller, title="工厂女装")

    response = client.get(CATALOG, {"belt": "apparel"})

    assert titles(response) == ["产业带女装"]


@pytest.mark.parametrize("query", ["x" * 10_000, "%%%", "_", "'; DROP TABLE storefront_product; --"])
def test_hostile_queries_answer_with_a_clear_error_or_nothing(client, seller, query):
    make_product(seller)

    response = client.get(CATALOG, {"q": query})

    assert response.status_code == 200
    if len(query) > 40:
        assert "q" in response.context["form"].errors
        assert "40" in " ".join(response.context["form"].errors["q"])
    else:
        assert titles(response) == []
    assert Product.objects.count() == 1


def test_keyset_pages_walk_every_product_once(client, seller):
    for n in range(30):
        make_product(seller, title=f"女装{n:02d}")

    first = client.get(CATALOG)
    second = client.get(CATALOG, {"after": next_cursor(first)})

    assert len(titles(first)) == 24
    assert len(titles(second)) == 6
    assert set(titles(first)).isdisjoint(titles(second))
    assert next_cursor(second) is None


def test_price_sort_pages_in_price_order(client, seller):
    for n, price in enumerate(["30.00", "10.00", "20.00"] * 10):
        make_product(seller, title=f"货{n:02d}", price=price)

    first = client.get(CATALOG, {"sort": "price"})
    second = client.get(CATALOG, {"sort": "price", "after": next_cursor(first)})

    prices = [Product.objects.get(title=title).wholesale_price for title in titles(first) + titles(second)]
    assert prices == sorted(prices)
    assert len(prices) == 30


def test_tampered_cursor_falls_back_to_the_first_page(client, seller):
    make_product(seller)

    response = client.get(CATALOG, {"after": "eyJzIjoibmV3In0:forged:signature"})

    assert response.status_code == 200
    assert len(titles(response)) == 1
    assert any("不再有效" in str(m) for m in response.context["messages"])


def test_catalog_query_count_does_not_grow_with_page_size(client, seller, django_assert_max_num_queries):
    make_product(seller, title="一号")
    with django_assert_max_num_queries(10) as few:
        client.get(CATALOG)
    for n in range(25):
        make_product(seller, title=f"女装{n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CATALOG, {"q": "女装"})

    assert len(titles(response)) == 24


def test_product_and_shop_pages_query_counts_are_constant(client, seller, django_assert_max_num_queries):
    product = make_product(seller)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("storefront:product-detail", args=[product.public_id]))
        client.get(reverse("storefront:shop-detail", args=[seller.public_id]))
    for n in range(10):
        make_product(seller, title=f"女装{n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("storefront:product-detail", args=[product.public_id]))
        shop = client.get(reverse("storefront:shop-detail", args=[seller.public_id]))

    assert page.status_code == shop.status_code == 200
    assert 'data-testid="shop-card"' in page.content.decode()
    assert len(shop.context["page"].products) == 11


def test_views_and_clicks_are_buffered_then_flushed(client, seller):
    from storefront.models import ProductLink

    product = make_product(seller)
    ProductLink.objects.create(product=product, platform="taobao", url="https://shop123.taobao.com/item/1")

    for _ in range(3):
        client.get(reverse("storefront:product-detail", args=[product.public_id]))
    buy = client.get(reverse("storefront:product-buy", args=[product.public_id, "taobao"]))
    product.refresh_from_db()
    assert (product.view_count, product.click_count) == (0, 0)

    flush_product_counters_task.apply()

    product.refresh_from_db()
    assert (product.view_count, product.click_count) == (3, 1)
    assert buy.status_code == 302
    assert buy.url == "https://shop123.taobao.com/item/1"


def test_unknown_shop_or_unapproved_merchant_shop_is_404(client):
    from tests.factories import submitted_application

    pending = submitted_application().merchant

    assert client.get(reverse("storefront:shop-detail", args=[pending.public_id])).status_code == 404


def test_draft_product_is_visible_to_its_owner_only(client, seller):
    draft = make_product(seller, publish=False)
    url = reverse("storefront:product-detail", args=[draft.public_id])

    assert client.get(url).status_code == 404
    client.force_login(approved_merchant().user)
    assert client.get(url).status_code == 404
    client.force_login(seller.user)
    assert client.get(url).status_code == 200
    assert Belt.objects.count() == 2
    assert draft.status == ProductStatus.DRAFT


def result_count(response):
    found = re.search(r'data-testid="result-count">([^<]*)<', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def test_filters_other_than_the_words_fold_behind_a_filter_toggle(client, seller):
    make_product(seller)

    content = client.get(CATALOG).content.decode()

    toggle = re.search(r'<details class="filter-toggle"[^>]*>(.*?)</details>', content, re.S)
    assert toggle is not None
    assert re.search(r'<summary data-testid="filter-summary">筛选</summary>', toggle.group(1))
    assert 'name="belt"' in toggle.group(1) and 'name="sort"' in toggle.group(1)
    assert 'name="q"' not in toggle.group(1)  # the search words stay on the first screen
    assert " open" not in toggle.group(0).split(">", 1)[0]
    assert "<script" not in content.partition("<main")[2]  # a plain <details>, no script


def test_a_query_with_errors_opens_the_filters(client, seller):
    content = client.get(CATALOG, {"price": "nonsense"}).content.decode()

    assert re.search(r'<details class="filter-toggle" data-testid="filter-toggle" open>', content)


def test_result_count_is_the_whole_result_when_it_fits_one_page(client, seller):
    make_product(seller, title="女装一")
    make_product(seller, title="女装二")
    make_product(seller, title="翡翠")

    assert result_count(client.get(CATALOG)) == "共 3 件"
    assert result_count(client.get(CATALOG, {"q": "女装"})) == "共 2 件"
    assert result_count(client.get(CATALOG, {"q": "没有这种货"})) is None


def test_result_count_is_the_pages_when_there_are_more_pages(client, seller):
    for n in range(30):
        make_product(seller, title=f"女装{n:02d}")

    first = client.get(CATALOG)
    second = client.get(CATALOG, {"after": next_cursor(first)})

    # No exact total over a keyset-paginated catalog: each page says how many it shows.
    assert result_count(first) == "本页 24 件"
    assert result_count(second) == "本页 6 件"


def test_result_count_in_english(client, seller):
    make_product(seller)
    client.cookies["django_language"] = "en"

    assert result_count(client.get(CATALOG)) == "1 good in all"


def test_the_filter_button_tells_how_many_filters_are_set(client, seller):
    make_product(seller)

    content = client.get(CATALOG, {"q": "女装", "source_kind": "origin", "sort": "price"}).content.decode()

    assert '<span class="filter-count" data-testid="active-filters">（已选 2 项）</span>' in content
    assert 'data-testid="active-filters"' not in client.get(CATALOG, {"q": "女装"}).content.decode()
