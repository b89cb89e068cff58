"""Spreadsheet imports and the export through the API (storefront.api.views): upload a file,
poll the job, read its errors, confirm; export as CSV or .xlsx. Errors in the one shape."""

import io

import pytest
from openpyxl import load_workbook

from core.api.scopes import Scope
from storefront.models import ImportJob, ImportJobStatus, Product
from storefront.tasks import import_products_task, preview_import_job_task
from tests.apiclient import api_client
from tests.storefront.conftest import make_product
from tests.storefront.test_bulk_import import (
    EXPECTED,
    ZH_HEADER,
    ZH_ROWS,
    csv_bytes,
    goods,
    run_queued,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/merchant/imports/"
EXPORT = "/api/v1/merchant/products/export/"


def _client(user, scopes=(Scope.PRODUCTS_READ, Scope.PRODUCTS_WRITE)):
    return api_client(user, scopes)


def _file(data, name="goods.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_upload_poll_and_confirm(seller):
    client = _client(seller.user)

    created = client.post(IMPORTS, {"file": _file(xlsx_bytes(ZH_HEADER, ZH_ROWS))}, format="multipart")

    assert created.status_code == 201
    job = created.json()
    assert (job["status"], job["format"], job["row_count"], job["errors"]) == ("previewed", "xlsx", 3, [])
    assert job["preview"][0][:5] == ["2", "真丝连衣裙", "服装鞋包", "工厂好货", "广东省肇庆市四会市"]
    assert not Product.objects.exists()
    polled = client.get(f"{IMPORTS}{job['id']}/")
    assert polled.status_code == 200 and polled.json()["status"] == "previewed"

    confirmed = client.post(f"{IMPORTS}{job['id']}/confirm/")

    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["created_count"]) == ("done", 3)
    assert goods() == EXPECTED


def test_a_refused_file_lists_its_errors_by_row_and_column(seller):
    rows = [ZH_ROWS[0], [*ZH_ROWS[1][:1], "不存在的类目", *ZH_ROWS[1][2:]]]
    client = _client(seller.user)

    created = client.post(
        IMPORTS, {"file": _file(csv_bytes(ZH_HEADER, rows, "gbk"), "g.csv")}, format="multipart"
    )

    job = created.json()
    assert (job["status"], job["encoding"], job["error_count"]) == ("failed", "GBK", 1)
    assert job["errors"] == [{"row": 3, "column": "B", "message": "类目：未知的类目：不存在的类目"}]
    refused = client.post(f"{IMPORTS}{job['id']}/confirm/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    assert not Product.objects.exists()


def test_a_large_file_is_pending_then_done_in_the_background(
    seller, settings, django_capture_on_commit_callbacks
):
    settings.PRODUCT_IMPORT_SYNC_BYTES = 100
    settings.PRODUCT_IMPORT_SYNC_ROWS = 1
    client = _client(seller.user)

    with django_capture_on_commit_callbacks():
        created = client.post(IMPORTS, {"file": _file(xlsx_bytes(ZH_HEADER, ZH_ROWS))}, format="multipart")
    assert created.json()["status"] == "pending"
    job = ImportJob.objects.get(public_id=created.json()["id"])
    run_queued(preview_import_job_task, job, django_capture_on_commit_callbacks)
    assert client.get(f"{IMPORTS}{job.public_id}/").json()["status"] == "previewed"

    with django_capture_on_commit_callbacks():
        confirmed = client.post(f"{IMPORTS}{job.public_id}/confirm/")
    assert (confirmed.status_code, confirmed.json()["status"]) == (202, "running")
    run_queued(import_products_task, job, django_capture_on_commit_callbacks)
    done = client.get(f"{IMPORTS}{job.public_id}/").json()
    assert (done["status"], done["created_count"], done["rows_done"]) == ("done", 3, 3)


def test_a_missing_or_oversized_file_is_a_400_in_the_one_shape(seller, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 1000
    client = _client(seller.user)

    missing = client.post(IMPORTS, {}, format="multipart")
    oversized = client.post(IMPORTS, {"file": _file(b"x" * 1001, "big.csv")}, format="multipart")

    assert missing.status_code == 400 and list(missing.json()["error"]["fields"]) == ["file"]
    assert oversized.status_code == 400
    assert "大于" in oversized.json()["error"]["fields"]["file"][0]["message"]
    assert not ImportJob.objects.exists()


def test_a_body_over_the_api_limit_is_a_413(seller):
    client = _client(seller.user)

    response = client.post(IMPORTS, {"file": _file(b"0" * (12 * 1024 * 1024), "big.csv")}, format="multipart")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_another_merchants_job_is_a_404(seller):
    from tests.industrybelts.conftest import approved_merchant

    created = _client(seller.user).post(
        IMPORTS, {"file": _file(xlsx_bytes(ZH_HEADER, ZH_ROWS))}, format="multipart"
    )
    other = _client(approved_merchant().user)

    assert other.get(f"{IMPORTS}{created.json()['id']}/").status_code == 404
    assert other.post(f"{IMPORTS}{created.json()['id']}/confirm/").status_code == 404
    assert ImportJob.objects.get().status == ImportJobStatus.PREVIEWED


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export(seller, file_format):
    make_product(seller, title="=cmd|' /C calc'!A0")

    response = _client(seller.user, (Scope.PRODUCTS_READ,)).get(EXPORT, {"format": file_format})

    assert response.status_code == 200
    if file_format == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert text.splitlines()[1].startswith("'=cmd")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet["A2"].value == "'=cmd|' /C calc'!A0"


def test_an_unknown_export_format_is_a_400_in_json(seller):
    response = _client(seller.user).get(EXPORT, {"format": "pdf"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["format"]
