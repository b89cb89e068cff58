"""The merchant's CSV import (storefront.imports) through its page, by the codes as column
names and values: no cell can crash it, every cell meets the editor's rules, and a refused
file changes nothing. Spreadsheets as merchants write them: test_bulk_import.py."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.inputs import UNSTORABLE_MESSAGE
from storefront.imports import CSV_CELL_LIMIT, CSV_COLUMNS
from storefront.models import Product, ProductLink, ProductStatus
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

IMPORT = reverse("storefront:product-import")
GOOD = {
    "title": "连衣裙",
    "intro": "档口直供",
    "category": "apparel",
    "source_kind": "factory",
    "belt": "",
    "base": "",
    "origin_region": "330102",
    "wholesale_price": "50.00",
    "retail_price": "99.00",
    "min_order_quantity": "5",
    "stock_status": "in_stock",
    "own_shop_price": "",
    "link": "",
}


def _line(**cells) -> str:
    row = {**GOOD, **cells}
    return ",".join(f'"{row[column]}"' for column in CSV_COLUMNS) + "\n"


def _upload(*lines: str) -> SimpleUploadedFile:
    text = ",".join(CSV_COLUMNS) + "\n" + "".join(lines)
    return SimpleUploadedFile("goods.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def shop(client, seller):
    """A logged-in seller with one good already listed, so "nothing changed" means something."""
    make_product(seller, title="已有的货")
    client.force_login(seller.user)
    return seller


def _refused(client, upload) -> dict[int, str]:
    """Post `upload`; assert the page answers 400 and nothing was written; return the row errors."""
    products, links = Product.objects.count(), ProductLink.objects.count()

    response = client.post(IMPORT, {"file": upload})

    assert response.status_code == 400
    assert (Product.objects.count(), ProductLink.objects.count()) == (products, links)
    errors = response.context["row_errors"]
    assert errors
    by_row = {}
    for error in errors:
        by_row[error["row"]] = " ".join(filter(None, [by_row.get(error["row"]), error["message"]]))
    return by_row


def _import(client, upload):
    """Upload, then confirm the preview; return the confirmation's answer."""
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 302, response.context and response.context.get("row_errors")
    return client.post(response["Location"] + "confirm/")


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"min_order_quantity": "²"}, "min_order_quantity", "整数"),
        ({"min_order_quantity": "9" * 5000}, "min_order_quantity", "整数"),
        ({"min_order_quantity": "0"}, "min_order_quantity", "1"),
        ({"wholesale_price": "9" * 5000}, "wholesale_price", "9999999.99"),
        ({"wholesale_price": "Infinity", "retail_price": "Infinity"}, "wholesale_price", "数字"),
        ({"retail_price": "1E+999999999"}, "retail_price", "9999999.99"),
        ({"retail_price": "-Infinity"}, "retail_price", "数字"),
        ({"own_shop_price": "sNaN"}, "own_shop_price", "数字"),
        ({"own_shop_price": "NaN"}, "own_shop_price", "数字"),
        ({"wholesale_price": "1E-999999999"}, "wholesale_price", "0.01"),
        ({"wholesale_price": "50.001"}, "wholesale_price", "小数"),
        ({"title": "标" * 61}, "title", "60"),
        ({"intro": "长" * 2001}, "intro", "2000"),
        ({"category": "no-such-category"}, "category", "未知的类目"),
        ({"source_kind": "made-up"}, "source_kind", "未知的货源"),
        ({"origin_region": "999999"}, "origin_region", "999999"),
        ({"stock_status": "plenty"}, "stock_status", "plenty"),
        ({"source_kind": "belt", "belt": "jade"}, "belt", "产业带"),
    ],
)
def test_a_bad_cell_is_its_rows_error_and_nothing_is_imported(client, shop, cells, column, fragment):
    errors = _refused(client, _upload(_line(), _line(**cells)))

    assert set(errors) == {3}
    assert errors[3].startswith(f"{column}：")
    assert fragment in errors[3]


@pytest.mark.parametrize(
    "link",
    [
        "javascript://taobao.com/%0aalert(1)",
        "JavaScript://shop123.taobao.com/%0aalert(document.cookie)",
        "data://taobao.com/,alert(1)",
        "ftp://shop123.taobao.com/item/9",
        "https://evil.example.com/taobao.com",
        "https://item.jd.com/100.html",  # a platform the shop did not declare
    ],
)
def test_a_link_meets_the_editors_link_rule(client, shop, link):
    errors = _refused(client, _upload(_line(link=link)))

    assert set(errors) == {2}
    assert errors[2].startswith("link：")
    assert not ProductLink.objects.filter(url=link).exists()


def test_a_declared_shop_link_is_imported(client, shop):
    response = _import(client, _upload(_line(link="https://shop123.taobao.com/item/9")))

    assert response.status_code == 302
    product = Product.objects.get(title="连衣裙")
    assert product.status == ProductStatus.DRAFT
    assert list(product.links.values_list("platform", "url")) == [
        ("taobao", "https://shop123.taobao.com/item/9")
    ]


def test_a_cell_over_the_csv_limit_is_a_row_error_not_a_crash(client, shop, settings):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 10 * 1024 * 1024  # checked in the request
    # beyond the csv module's own default (131072) too, which used to be an uncaught csv.Error
    errors = _refused(client, _upload(_line(), _line(intro="长" * 200_000), _line()))

    assert list(errors) == [3]
    assert str(CSV_CELL_LIMIT) in errors[3]
    assert csv.field_size_limit() == CSV_CELL_LIMIT


def test_a_cell_just_under_the_csv_limit_gets_its_columns_message(client, shop):
    errors = _refused(client, _upload(_line(intro="长" * (CSV_CELL_LIMIT - 1))))

    assert errors[2].startswith("intro：")


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"title": "连衣\x00裙"}, "title"),
        ({"intro": "\x00"}, "intro"),
        ({"link": "https://a.taobao.com/\x00"}, "link"),
    ],
)
def test_an_unstorable_character_is_refused_at_the_boundary(client, shop, cells, column):
    """NUL reached PostgreSQL as a 500 (and SQLite stored it)."""
    errors = _refused(client, _upload(_line(), _line(**cells)))

    assert errors == {3: f"{column}：{UNSTORABLE_MESSAGE}"}


def test_an_unstorable_character_beyond_the_columns_is_refused_too(client, shop):
    errors = _refused(client, _upload(_line().rstrip("\n") + ',"\x00"\n'))

    assert errors == {2: f"第 14 列：{UNSTORABLE_MESSAGE}"}


def test_an_unstorable_header_is_the_first_rows_error(client, shop):
    text = ",".join(CSV_COLUMNS) + ",\x00\n" + _line()
    errors = _refused(client, SimpleUploadedFile("goods.csv", text.encode(), content_type="text/csv"))

    assert list(errors) == [1]


def test_a_bare_carriage_return_does_not_crash_the_import(client, shop):
    """An unquoted \\r used to be csv's "new-line character seen in unquoted field"."""
    errors = _refused(client, _upload(_line(), "坏\r行," + _line()[len('"连衣裙",') :]))

    assert 3 in errors


def test_text_that_is_not_utf8_is_refused(client, shop):
    # a lone surrogate as UTF-8 would write it (CESU): no UTF-8 decoder accepts it
    data = (",".join(CSV_COLUMNS) + "\n").encode() + b"\xed\xa0\x80," + _line().encode()[1:]
    errors = _refused(client, SimpleUploadedFile("goods.csv", data, content_type="text/csv"))

    assert "UTF-8" in errors[0]


def test_blank_lines_and_empty_spreadsheet_rows_are_skipped(client, shop):
    response = _import(client, _upload(_line(), "\n", ",,,,,,,,,,,,\n", _line(title="第二件")))

    assert response.status_code == 302
    assert set(Product.objects.filter(status=ProductStatus.DRAFT).values_list("title", flat=True)) == {
        "连衣裙",
        "第二件",
    }


def test_every_bad_row_is_listed_with_its_number(client, shop):
    errors = _refused(
        client,
        _upload(
            _line(),
            _line(min_order_quantity="²"),
            _line(title="第三件"),
            _line(retail_price="Infinity"),
            _line(link="javascript://taobao.com/%0aalert(1)"),
        ),
    )

    assert set(errors) == {3, 5, 6}


def _belt_member(seller, belt):
    from industrybelts import services as belt_services
    from tests.industrybelts.conftest import approved_provider, belt_ops

    _provider, owner = approved_provider(belt)
    membership = belt_services.membership_apply(
        merchant=seller, belt=belt, base=belt.bases.first(), by=seller.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())


def test_a_belt_good_is_imported_with_its_base_by_name(client, shop, apparel):
    _belt_member(shop, apparel)

    response = _import(client, _upload(_line(source_kind="belt", belt="apparel", base="杭州四季青服装市场")))

    assert response.status_code == 302
    product = Product.objects.get(title="连衣裙")
    assert (product.belt, product.base) == (apparel, apparel.bases.get())


@pytest.mark.parametrize(("belt", "base", "column"), [("apparel", "别处的市场", "base"), ("", "", "belt")])
def test_a_belt_good_needs_a_known_belt_and_base(client, shop, apparel, belt, base, column):
    _belt_member(shop, apparel)

    errors = _refused(client, _upload(_line(source_kind="belt", belt=belt, base=base)))

    assert errors[2].startswith(f"{column}：")


def test_a_belt_the_shop_is_not_a_member_of_is_refused(client, shop, apparel):
    errors = _refused(client, _upload(_line(source_kind="belt", belt="apparel")))

    assert errors[2] == "belt：产业带好货必须属于您已加入的产业带。"
