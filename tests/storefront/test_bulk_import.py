"""Importing goods from spreadsheets through the merchant's pages (storefront.imports): the
same goods from every encoding and from .xlsx, values as a merchant writes them, a preview
before anything is written, every bad file refused with a clear message and nothing
written, the background path (eager Celery) with its progress page and e-mail."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from storefront.imports import COLUMNS
from storefront.models import ImportJob, ImportJobStatus, Product, ProductLink, ProductStatus
from storefront.tasks import import_products_task, preview_import_job_task
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

IMPORT = reverse("storefront:product-import")
ZH_HEADER = [column.zh for column in COLUMNS]
EN_HEADER = [column.en for column in COLUMNS]
# Three goods as a merchant in China writes them: Chinese labels, region names, ¥ and commas.
ZH_ROWS = [
    ["真丝连衣裙", "服装鞋包", "工厂好货", "广东省肇庆市四会市", "￥1,299.00", "1,599", "2", "现货", "", "", "", "", "档口直供"],  # noqa: E501
    ["棉麻衬衫", "服装鞋包", "产地好货", "浙江省杭州市上城区", "89", "159.00", "", "预售", "149.5", "", "", "", ""],  # noqa: E501
    ["羊毛围巾", "apparel", "factory", "330102", "￥35.50", "69元", "10", "low", "", "", "", "", "冬季新款"],
]  # fmt: skip
EN_ROWS = [
    ["真丝连衣裙", "Apparel, shoes and bags", "Factory goods", "Sihui, Zhaoqing, Guangdong", "1,299.00", "1599", "2", "In stock", "", "", "", "", "档口直供"],  # noqa: E501
    ["棉麻衬衫", "apparel", "Origin goods (产地)", "浙江省 杭州市 上城区", "89", "159", "", "Pre-order", "149.50", "", "", "", ""],  # noqa: E501
    ["羊毛围巾", "APPAREL", "factory", "330102", "35.5", "69", "10", "Low stock", "", "", "", "", "冬季新款"],
]  # fmt: skip
EXPECTED = {
    ("真丝连衣裙", "apparel", "factory", "441284", Decimal("1299.00"), Decimal("1599.00"), None, 2, "in_stock", "档口直供"),  # noqa: E501
    ("棉麻衬衫", "apparel", "origin", "330102", Decimal("89.00"), Decimal("159.00"), Decimal("149.50"), 1, "pre_order", ""),  # noqa: E501
    ("羊毛围巾", "apparel", "factory", "330102", Decimal("35.50"), Decimal("69.00"), None, 10, "low", "冬季新款"),  # noqa: E501
}  # fmt: skip


def csv_bytes(header, rows, encoding="utf-8", delimiter=","):
    lines = [header, *rows]
    text = "\r\n".join(
        delimiter.join(f'"{cell}"' if "," in cell else cell for cell in line) for line in lines
    )
    return (text + "\r\n").encode(encoding)


def xlsx_bytes(header, rows, *, numbers=False, edit=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([_number(cell) if numbers else cell for cell in row])
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(cell):
    try:
        return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell


def upload(data: bytes, name="goods.csv"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def goods():
    return {
        (
            p.title,
            p.category.code,
            p.source_kind,
            p.origin_region.code,
            p.wholesale_price,
            p.retail_price,
            p.own_shop_price,
            p.min_order_quantity,
            p.stock_status,
            p.intro,
        )
        for p in Product.objects.exclude(title="已有的货").select_related("category", "origin_region")
    }


@pytest.fixture
def shop(client, seller):
    make_product(seller, title="已有的货")
    client.force_login(seller.user)
    return seller


def fingerprint():
    return sorted(Product.objects.values_list("pk", "title", "status")), ProductLink.objects.count()


def preview(client, data, name="goods.csv"):
    """Upload; assert it was checked and nothing written; return the job."""
    before = fingerprint()
    response = client.post(IMPORT, {"file": upload(data, name)})
    assert fingerprint() == before
    job = ImportJob.objects.order_by("-created_at", "-id").first()
    if response.status_code == 302:
        assert response["Location"] == reverse("storefront:import-job", kwargs={"public_id": job.public_id})
    return response, job


def refused(client, data, name="goods.csv") -> list[dict]:
    response, job = preview(client, data, name)
    assert response.status_code == 400, response.status_code
    assert job.status == ImportJobStatus.FAILED
    assert not job.file  # the refused file is not kept
    return response.context["row_errors"]


def confirm(client, job):
    return client.post(reverse("storefront:import-job-confirm", kwargs={"public_id": job.public_id}))


@pytest.mark.parametrize(
    ("data", "name", "shown"),
    [
        (csv_bytes(ZH_HEADER, ZH_ROWS), "goods.csv", "UTF-8"),
        (b"\xef\xbb\xbf" + csv_bytes(ZH_HEADER, ZH_ROWS), "goods.csv", "UTF-8 (BOM)"),
        (csv_bytes(ZH_HEADER, ZH_ROWS, "gbk"), "goods.csv", "GBK"),
        (csv_bytes(ZH_HEADER, [[*r[:4], r[4].replace("￥", "¥"), *r[5:]] for r in ZH_ROWS], "gb18030"), "g.csv", "GB18030"),  # noqa: E501
        (csv_bytes(ZH_HEADER, ZH_ROWS, "utf-16", delimiter="\t"), "goods.txt", "UTF-16"),
        (csv_bytes(EN_HEADER, EN_ROWS, "utf-16-le"), "goods.csv", "UTF-16"),
        (xlsx_bytes(ZH_HEADER, ZH_ROWS), "goods.xlsx", None),
        (xlsx_bytes(ZH_HEADER, ZH_ROWS, numbers=True), "goods.xlsx", None),
        (xlsx_bytes(EN_HEADER, EN_ROWS), "goods.xlsx", None),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-tabs", "utf16le-english", "xlsx", "xlsx-numbers", "xlsx-en"],  # noqa: E501
)  # fmt: skip
def test_every_encoding_and_xlsx_import_the_same_goods(client, shop, data, name, shown):
    response, job = preview(client, data, name)

    assert response.status_code == 302
    assert job.status == ImportJobStatus.PREVIEWED
    assert (job.row_count, job.errors) == (3, [])
    page = client.get(response["Location"]).content.decode()
    found = f"识别为 {shown} 编码，共 3 行" if shown else "识别为 Excel 工作簿，共 3 行"
    assert found in page
    assert "真丝连衣裙" in page and "广东省肇庆市四会市" in page  # the preview, before anything is written

    response = confirm(client, job)

    assert response.status_code == 302
    assert goods() == EXPECTED
    assert set(Product.objects.exclude(title="已有的货").values_list("status", flat=True)) == {
        ProductStatus.DRAFT
    }
    job.refresh_from_db()
    assert (job.status, job.created_count, bool(job.file)) == (ImportJobStatus.DONE, 3, False)


def test_a_gbk_file_names_its_encoding_and_rows(client, shop):
    rows = [[f"连衣裙{n}", *ZH_ROWS[0][1:]] for n in range(1203)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.PRODUCT_IMPORT_SYNC_BYTES", 10**9)
        response, _job = preview(client, csv_bytes(ZH_HEADER, rows, "gbk"))

    page = client.get(response["Location"]).content.decode()
    assert "识别为 GBK 编码，共 1203 行" in page
    assert page.count('data-label="行"') == 10  # the first ten rows


def test_confirming_twice_imports_once(client, shop):
    _response, job = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    confirm(client, job)

    response = confirm(client, job)

    assert response.status_code == 302
    assert Product.objects.exclude(title="已有的货").count() == 3


def test_another_merchants_job_is_not_found(client, shop, seller):
    from tests.industrybelts.conftest import approved_merchant

    _response, job = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    other = approved_merchant()
    client.force_login(other.user)

    assert (
        client.get(reverse("storefront:import-job", kwargs={"public_id": job.public_id})).status_code == 404
    )
    assert confirm(client, job).status_code == 404
    assert not Product.objects.filter(title="真丝连衣裙").exists()


# --- Bad input: a clear message, nothing written, never a 500 --------------------------------


def test_a_wrong_encoding_is_refused(client, shop):
    errors = refused(client, "标题,类目\n".encode() + b"\xed\xa0\x80\xff\xfe\x00\x81,x\n")

    assert errors[0]["row"] == 0
    assert "UTF-8、GBK/GB18030 或 UTF-16" in errors[0]["message"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "密码"),
        (b"PK\x03\x04" + bytes(range(256)) * 20, "无法读取"),
        (b"", "空"),
    ],
    ids=["password-protected", "corrupt", "empty-file"],
)
def test_a_protected_corrupt_or_empty_file_is_one_clear_message(client, shop, data, fragment):
    response, _job = preview(client, data, "goods.xlsx")

    if not data:  # Django's own FileField refuses an empty upload
        assert response.status_code == 400
        assert "空" in response.content.decode()
        return
    errors = response.context["row_errors"]
    assert len(errors) == 1 and errors[0]["row"] == 0
    assert fragment in errors[0]["message"]


def test_random_bytes_named_xlsx_are_refused(client, shop):
    import random

    data = random.Random(3).randbytes(5000)
    errors = refused(client, data, "goods.xlsx")

    assert errors[0]["row"] == 0


def test_a_damaged_zip_named_xlsx_is_refused(client, shop):
    good = xlsx_bytes(ZH_HEADER, ZH_ROWS)
    errors = refused(client, good[: len(good) // 2], "goods.xlsx")

    assert "无法读取" in errors[0]["message"]


def test_an_empty_sheet_is_refused(client, shop):
    errors = refused(client, xlsx_bytes([], []), "goods.xlsx")

    assert "空" in errors[0]["message"]


def test_a_header_without_rows_is_refused(client, shop):
    errors = refused(client, csv_bytes(ZH_HEADER, []))

    assert errors == [{"row": 0, "column": "", "message": "文件中没有商品行。"}]


def test_a_formula_cell_is_its_rows_error(client, shop):
    def formula(sheet):
        sheet["A3"] = "=cmd|' /C calc'!A0"

    errors = refused(client, xlsx_bytes(ZH_HEADER, ZH_ROWS, edit=formula), "goods.xlsx")

    assert [(e["row"], e["column"]) for e in errors] == [(3, "A")]
    assert "公式" in errors[0]["message"]


@pytest.mark.parametrize(
    "title", ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|x", "-2+3+cmd|x"]
)
def test_formula_text_in_a_csv_is_refused(client, shop, title):
    errors = refused(client, csv_bytes(ZH_HEADER, [[title.replace(",", ""), *ZH_ROWS[0][1:]]]))

    assert [(e["row"], e["column"]) for e in errors] == [(2, "A")]
    assert "撇号" in errors[0]["message"]


def test_an_apostrophe_keeps_formula_text_as_text(client, shop):
    _response, job = preview(client, csv_bytes(ZH_HEADER, [["'=不是公式", *ZH_ROWS[0][1:]]]))
    confirm(client, job)

    assert Product.objects.filter(title="=不是公式").exists()


def test_merged_cells_are_refused(client, shop):
    errors = refused(
        client, xlsx_bytes(ZH_HEADER, ZH_ROWS, edit=lambda sheet: sheet.merge_cells("B2:B4")), "goods.xlsx"
    )

    assert errors[0]["row"] == 0
    assert "B2:B4" in errors[0]["message"]


def test_too_many_rows_are_refused_by_the_cap(client, shop, settings):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 10**9
    settings.PRODUCT_IMPORT_MAX_ROWS = 100
    data = csv_bytes(ZH_HEADER, [[f"连衣裙{n}", *ZH_ROWS[0][1:]] for n in range(101)])

    errors = refused(client, data)

    assert errors == [{"row": 0, "column": "", "message": "文件超过 100 行，请拆分成几个文件。"}]


def test_100k_rows_are_refused_quickly(client, shop, settings):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 10**9
    data = csv_bytes(ZH_HEADER, [ZH_ROWS[2]] * 100_000)

    errors = refused(client, data)

    assert "20000" in errors[0]["message"]


def test_a_file_over_the_size_limit_is_refused_before_reading(client, shop, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 1024 * 1024
    products = fingerprint()

    response = client.post(IMPORT, {"file": upload(b"x" * (1024 * 1024 + 1))})

    assert response.status_code == 400
    assert "大于 1 MB" in response.content.decode()
    assert fingerprint() == products and not ImportJob.objects.exists()


def test_a_50_mb_file_is_refused(client, shop):
    response = client.post(IMPORT, {"file": upload(b"0" * (50 * 1024 * 1024), "big.csv")})

    assert response.status_code == 400
    assert "大于 10 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_duplicate_rows_are_refused_with_both_row_numbers(client, shop):
    errors = refused(client, csv_bytes(ZH_HEADER, [ZH_ROWS[0], ZH_ROWS[1], ZH_ROWS[0]]))

    assert errors == [
        {"row": 4, "column": "", "message": "与第 2 行是同一件商品（标题、类目和价格相同），请只保留一行。"}
    ]


def test_errors_name_the_sheets_row_and_column(client, shop):
    rows = [
        ZH_ROWS[0],
        [*ZH_ROWS[1][:1], "不存在的类目", *ZH_ROWS[1][2:]],
        [*ZH_ROWS[2][:3], "火星", *ZH_ROWS[2][4:]],
    ]

    errors = refused(client, xlsx_bytes(ZH_HEADER, rows), "goods.xlsx")

    assert [(e["row"], e["column"]) for e in errors] == [(3, "B"), (4, "D")]
    assert errors[0]["message"] == "类目：未知的类目：不存在的类目"
    assert "火星" in errors[1]["message"]


def test_missing_columns_are_named_in_chinese(client, shop):
    errors = refused(client, csv_bytes(["标题", "类目"], [["连衣裙", "服装鞋包"]]))

    assert errors[0]["message"] == "缺少列：货源类型、产地、批发价、零售价"


# --- The background path ------------------------------------------------------------------


def run_queued(task, job, capture):
    """Run `task` for `job` here, as the worker does: in both test runs, as a real worker
    (the PostgreSQL run) could not see this test's uncommitted rows. What it queues after
    its own commit (the e-mail) is sent."""
    with capture(execute=True):
        task(job.pk)


def test_a_large_file_is_checked_and_imported_in_the_background(
    client, shop, settings, outbox, django_capture_on_commit_callbacks
):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 100
    settings.PRODUCT_IMPORT_SYNC_ROWS = 2

    with django_capture_on_commit_callbacks() as queued:
        response, job = preview(client, xlsx_bytes(ZH_HEADER, ZH_ROWS), "goods.xlsx")

    assert job.in_background and job.status == ImportJobStatus.PENDING and queued
    run_queued(preview_import_job_task, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEWED
    assert [m.subject.strip() for m in outbox.wait_for(1)] == ["[源头好货] 您的文件已检查完毕：请确认导入"]

    with django_capture_on_commit_callbacks() as queued:
        response = confirm(client, job)

    job.refresh_from_db()
    assert response["Location"] == reverse("storefront:import-job", kwargs={"public_id": job.public_id})
    assert job.status == ImportJobStatus.RUNNING and queued
    run_queued(import_products_task, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJobStatus.DONE, 3)
    assert goods() == EXPECTED
    sent = outbox.wait_for(2)
    assert sent[-1].subject.strip() == "[源头好货] 已导入 3 件商品"
    assert str(job.public_id) in sent[-1].body


def test_a_background_check_shows_a_progress_bar_until_it_ends(client, shop, settings):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 100

    response, job = preview(client, xlsx_bytes(ZH_HEADER, ZH_ROWS), "goods.xlsx")  # queued, not yet run

    page = client.get(response["Location"]).content.decode()
    assert job.status == ImportJobStatus.PENDING
    assert 'data-testid="import-progress"' in page and "正在检查文件" in page
    assert 'data-testid="confirm-import"' not in page


def test_the_progress_fragment_polls_while_working_and_reloads_when_done(client, shop):
    job = ImportJob.objects.create(
        merchant=shop, status=ImportJobStatus.RUNNING, row_count=400, rows_done=100
    )
    url = reverse("storefront:import-job-progress", kwargs={"public_id": job.public_id})

    working = client.get(url, headers={"HX-Request": "true"})
    page = client.get(reverse("storefront:import-job", kwargs={"public_id": job.public_id})).content.decode()

    assert 'hx-trigger="every 2s"' in working.content.decode()
    assert 'value="100"' in working.content.decode()
    assert "<script" not in page.split("</header>", 1)[-1]  # no inline script for the bar
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.DONE)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"


def test_the_job_page_reads_a_bounded_number_of_queries(client, shop, django_assert_max_num_queries):
    _response, job = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    url = reverse("storefront:import-job", kwargs={"public_id": job.public_id})

    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_checking_a_file_takes_a_fixed_number_of_queries(client, shop):
    """Reference data is read once per file, not once per row."""
    from storefront.imports import check_file

    few = csv_bytes(ZH_HEADER, ZH_ROWS)
    many = csv_bytes(ZH_HEADER, [[f"连衣裙{n}", *ZH_ROWS[0][1:]] for n in range(300)])

    with CaptureQueriesContext(connection) as small:
        check_file(merchant=shop, data=few)
    with CaptureQueriesContext(connection) as large:
        checked = check_file(merchant=shop, data=many)

    assert checked.row_count == 300 and not checked.errors
    assert len(large) == len(small)


def test_a_sheet_too_large_unpacked_is_refused_before_parsing(client, shop, monkeypatch):
    monkeypatch.setattr("storefront.spreadsheets.MAX_SHEET_XML_BYTES", 100)
    errors = refused(client, xlsx_bytes(ZH_HEADER, ZH_ROWS), "goods.xlsx")

    assert "太大" in errors[0]["message"]  # read from the zip's directory, before parsing


def test_a_shop_that_may_no_longer_sell_fails_its_background_import(
    client, shop, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PRODUCT_IMPORT_SYNC_ROWS = 1
    _response, job = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    with django_capture_on_commit_callbacks():
        confirm(client, job)
    monkeypatch.setattr("storefront.permissions.merchant_can_sell", lambda merchant: False)
    before = fingerprint()

    run_queued(import_products_task, job, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert job.errors[0]["row"] == 0 and "通过审核" in job.errors[0]["message"]
    assert fingerprint() == before


def test_the_sweep_ends_expired_previews_and_lost_jobs(client, shop, settings):
    import datetime

    from django.utils import timezone

    from storefront.tasks import sweep_import_jobs_task

    _response, old_preview = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    _response, fresh_preview = preview(client, csv_bytes(ZH_HEADER, ZH_ROWS))
    lost = ImportJob.objects.create(merchant=shop, status=ImportJobStatus.RUNNING, row_count=5000)
    working = ImportJob.objects.create(merchant=shop, status=ImportJobStatus.RUNNING, row_count=5000)
    now = timezone.now()
    ImportJob.objects.filter(pk=old_preview.pk).update(updated_at=now - datetime.timedelta(hours=73))
    ImportJob.objects.filter(pk=lost.pk).update(updated_at=now - datetime.timedelta(minutes=61))
    file_name = old_preview.file.name
    assert old_preview.file.storage.exists(file_name)

    assert sweep_import_jobs_task() == (1, 1)

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {
        old_preview.pk: ImportJobStatus.FAILED,
        fresh_preview.pk: ImportJobStatus.PREVIEWED,
        lost.pk: ImportJobStatus.FAILED,
        working.pk: ImportJobStatus.RUNNING,
    }
    assert not old_preview.file.storage.exists(file_name)
    old_preview.refresh_from_db()
    assert old_preview.errors[0]["message"] == "此预览未在时限内确认，请重新上传文件。"
    assert confirm(client, old_preview).status_code == 302
    assert not Product.objects.filter(title="真丝连衣裙").exists()
    assert sweep_import_jobs_task() == (0, 0)


def test_headers_with_units_and_marks_and_names_in_either_width(client, shop):
    header = ["*标题", "类目", "货源类型", "产地", "批发价（元）", "零售价 (元)", "Stock"]
    rows = [
        [
            "翡翠手镯",
            "珠宝玉石(翡翠)",
            "ＦＡＣＴＯＲＹ",
            "广东省 肇庆市 四会市",
            "１２８００",
            "25,999.00",
            "缺货",
        ]
    ]

    _response, job = preview(client, csv_bytes(header, rows))
    confirm(client, job)

    product = Product.objects.select_related("category").get(title="翡翠手镯")
    assert (product.category.code, product.source_kind, product.origin_region.code) == (
        "jade-jewellery",
        "factory",
        "441284",
    )
    assert (product.wholesale_price, product.retail_price, product.stock_status) == (
        Decimal("12800.00"),
        Decimal("25999.00"),
        "out",
    )


def test_a_name_that_is_only_part_of_a_categorys_is_refused(client, shop):
    rows = [["翡翠手镯", "珠宝玉石", "工厂好货", "441284", "1", "2"]]

    errors = refused(client, csv_bytes(ZH_HEADER[:6], rows))

    assert errors[0]["message"] == "类目：未知的类目：珠宝玉石"
