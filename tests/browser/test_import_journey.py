"""A merchant imports goods from a spreadsheet on a phone and on a desktop: the upload page,
the preview (encoding, rows, the first rows as read), the confirmation; a refused file's
errors by row and column; a background job's progress bar. No page scrolls sideways."""

import pytest

from storefront.models import ImportJob, ImportJobStatus, Product
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.test_bulk_import import ZH_HEADER, ZH_ROWS, csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
LONG_TITLE = "帝王绿翡翠手镯，瑞丽直播间一物一拍，支持复检证书，源头工厂直供，一件代发"


def _page(chromium, size):
    page = chromium.new_context(locale="zh-CN", viewport=SIZES[size]).new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return page, errors


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_import_a_gbk_csv_preview_then_confirm(chromium, live_server, tmp_path, size):
    seller = approved_merchant()
    rows = [[LONG_TITLE[:60], *ZH_ROWS[0][1:]], *ZH_ROWS[1:]]
    path = tmp_path / "货源表.csv"
    path.write_bytes(csv_bytes(ZH_HEADER, rows, "gbk"))
    page, errors = _page(chromium, size)
    width = SIZES[size]["width"]
    log_in(page, live_server, seller.user.email, next_path="/merchant/products/import/")

    _fits(page, width)
    _shot(page, f"import-upload-{size}")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_url("**/merchant/products/import/*/")

    assert "识别为 GBK 编码，共 3 行" in page.locator("main").inner_text()
    assert page.locator("table.import-preview tbody tr").count() == 3
    assert not Product.objects.filter(merchant=seller).exists()
    _fits(page, width)
    _shot(page, f"import-preview-{size}")
    page.get_by_role("button", name="导入 3 件商品").click()
    page.wait_for_url("**/merchant/products/")

    assert Product.objects.filter(merchant=seller).count() == 3
    assert "已导入 3 件商品（草稿）" in page.locator("main").inner_text() or page.get_by_text("3").count()
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_refused_file_lists_its_errors_and_a_running_job_shows_its_progress(
    chromium, live_server, tmp_path, size
):
    seller = approved_merchant()
    rows = [
        ZH_ROWS[0],
        [*ZH_ROWS[1][:1], "不存在的类目", *ZH_ROWS[1][2:]],
        ["=cmd|' /C calc'!A0", *ZH_ROWS[2][1:]],
    ]
    path = tmp_path / "goods.csv"
    path.write_bytes(csv_bytes(ZH_HEADER, rows))
    page, errors = _page(chromium, size)
    width = SIZES[size]["width"]
    log_in(page, live_server, seller.user.email, next_path="/merchant/products/import/")

    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="检查文件").click()

    shown = page.get_by_test_id("row-errors").inner_text()
    assert "第 3 行 B 列： 类目：未知的类目：不存在的类目" in shown and "第 4 行 A 列： 标题：" in shown
    _fits(page, width)
    _shot(page, f"import-errors-{size}")

    job = ImportJob.objects.create(
        merchant=seller,
        file_name="工厂货源表.xlsx",
        status=ImportJobStatus.RUNNING,
        row_count=10_000,
        rows_done=4_000,
    )
    page.goto(f"{live_server.url}/merchant/products/import/{job.public_id}/")
    assert page.locator("progress").get_attribute("value") == "4000"
    _fits(page, width)
    _shot(page, f"import-progress-{size}")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.DONE, created_count=10_000, rows_done=10_000
    )
    page.wait_for_selector("[data-testid=job-done]", timeout=10_000)  # htmx polled, then reloaded
    # The refused upload's own page answers 400 (its form was refused); nothing else failed.
    assert [e for e in errors if "status of 400" not in e] == []
    page.context.close()
