"""Exporting the merchant's goods and downloading the import's templates (storefront.imports,
storefront.spreadsheets): Chinese headers and labels, cells a spreadsheet would run made
inert, and a round trip export → import that changes nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from merchants.models import Region
from storefront import services
from storefront.imports import COLUMNS, EXAMPLE
from storefront.models import ImportJob, ImportJobStatus, Product, ProductStatus, StockStatus
from storefront.spreadsheets import inert, revived
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

EXPORT = reverse("storefront:product-export")
IMPORT = reverse("storefront:product-import")
ZH_HEADER = [column.zh for column in COLUMNS]
TRICKY_TITLES = ["=cmd|' /C calc'!A0", "+连衣裙", "-新款-", "@SUM(A1)", "'已有撇号", "普通的标题"]


def _fields(product):
    link = product.links.first()
    return (
        product.title,
        product.intro,
        product.category_id,
        product.source_kind,
        product.origin_region_id,
        product.wholesale_price,
        product.retail_price,
        product.own_shop_price,
        product.min_order_quantity,
        product.stock_status,
        product.belt_id,
        link.url if link else "",
    )


@pytest.fixture
def shop(client, seller):
    client.force_login(seller.user)
    sihui = Region.objects.get(code="441284")
    for number, title in enumerate(TRICKY_TITLES):
        make_product(
            seller,
            title=title,
            intro=f'第{number}件\n=HYPERLINK("http://x")' if number == 0 else "",
            price=f"{1299 + number}.50",
            retail="9999.00",
            origin_region=sihui,
            own_shop_price=Decimal("1500.00") if number % 2 else None,
            stock_status=StockStatus.PRE_ORDER if number == 1 else StockStatus.IN_STOCK,
            min_order_quantity=number + 1,
            publish=number % 2 == 0,
        )
    deleted = make_product(seller, title="已删除的货")
    services.product_delete(product=deleted, by=seller.user)
    return seller


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_csv_export_has_chinese_headers_and_labels_and_inert_cells(client, shop):
    response = client.get(EXPORT, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(b"".join(response.streaming_content))
    assert rows[0] == ZH_HEADER
    assert len(rows) == 1 + len(TRICKY_TITLES)  # the deleted good is not exported
    first = dict(zip(ZH_HEADER, rows[1], strict=True))
    assert first["标题"] == "'=cmd|' /C calc'!A0"
    assert first["类目"] == "服装鞋包" and first["货源类型"] == "工厂好货" and first["库存"] == "现货"
    assert first["产地"] == "广东省肇庆市四会市" and first["批发价"] == "1299.50"
    titles = [row[0] for row in rows[1:]]
    assert titles == [inert(title) for title in TRICKY_TITLES]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_the_xlsx_export_holds_text_not_formulas(client, shop):
    response = client.get(EXPORT, {"format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    cells = list(sheet.iter_rows())
    assert [cell.value for cell in cells[0]] == ZH_HEADER
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert cells[1][0].value == "'=cmd|' /C calc'!A0"
    assert cells[1][4].value == Decimal("1299.50") or cells[1][4].value == 1299.5  # a number


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_round_trip_export_then_import_changes_nothing(client, shop, file_format):
    """The goods exported, imported back into another shop, are the same goods field by field."""
    response = client.get(EXPORT, {"format": file_format})
    data = b"".join(response.streaming_content) if file_format == "csv" else response.content
    originals = sorted(_fields(p) for p in Product.objects.filter(merchant=shop).exclude(status="deleted"))
    other = approved_merchant()
    client.force_login(other.user)

    upload = SimpleUploadedFile(f"goods.{file_format}", data)
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 302, response.context and response.context["row_errors"]
    job = ImportJob.objects.get(merchant=other)
    client.post(reverse("storefront:import-job-confirm", kwargs={"public_id": job.public_id}))

    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJobStatus.DONE, len(TRICKY_TITLES))
    imported = sorted(_fields(p) for p in Product.objects.filter(merchant=other))
    assert imported == originals
    statuses = set(Product.objects.filter(merchant=other).values_list("status", flat=True))
    assert statuses == {ProductStatus.DRAFT}


def test_the_export_reads_a_fixed_number_of_queries(client, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(EXPORT, {"format": "csv"})
        b"".join(response.streaming_content)
    for number in range(20):
        make_product(shop, title=f"更多的货{number}")
    with django_assert_max_num_queries(12):
        response = client.get(EXPORT, {"format": "csv"})
        b"".join(response.streaming_content)


def test_an_unknown_format_is_not_found(client, shop):
    assert client.get(EXPORT, {"format": "pdf"}).status_code == 404


def test_another_shops_goods_are_not_exported(client, shop):
    other = approved_merchant()
    make_product(other, title="别人的货")
    response = client.get(EXPORT, {"format": "csv"})

    assert "别人的货" not in b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_imports_as_its_example(client, shop, file_format):
    response = client.get(reverse("storefront:import-template", kwargs={"file_format": file_format}))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if file_format == "csv" else response.content
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(data))
        assert [sheet.title for sheet in workbook.worksheets] == ["商品", "填写说明"]
        notes = [[cell.value for cell in row] for row in workbook.worksheets[1].iter_rows()]
        assert notes[0] == ["列", "必填", "填写说明"]
        assert notes[1][:2] == ["标题", "是"] and "60" in notes[1][2]
    else:
        assert _csv_rows(data) == [ZH_HEADER, [EXAMPLE[column.field] for column in COLUMNS]]

    response = client.post(IMPORT, {"file": SimpleUploadedFile(f"template.{file_format}", data)})

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.row_count) == (ImportJobStatus.PREVIEWED, 1)
    assert job.preview[0][1:5] == ["真丝连衣裙 夏季新款", "服装鞋包", "工厂好货", "广东省肇庆市四会市"]


def test_the_template_in_english(client, shop):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("storefront:import-template", kwargs={"file_format": "csv"}))

    rows = _csv_rows(b"".join(response.streaming_content))
    assert rows[0] == [column.en for column in COLUMNS]


def test_an_unknown_template_format_is_not_found(client, shop):
    assert client.get("/merchant/products/import/template.pdf").status_code == 404


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+86 138", "-新款", "@a", "\tx", "\rx", "'=x", "''", "'", "'abc", "abc", "-5", "-Infinity", ""],
)
def test_inert_and_revived_are_inverse(value):
    assert revived(inert(value)) == (value, False)
