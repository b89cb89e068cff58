"""Measure a spreadsheet import of goods: the POST that starts it, the preview, the confirmation.

    python -m bench.bulk_import [--rows 10000] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import python -m bench.bulk_import
    make bench-import   (the same, ROWS=10000 by default)

Builds an .xlsx of `--rows` goods written as a merchant writes them (Chinese headers and
labels, region names, "¥1,299.00"), then, through Django's test client in this process,
times: the upload's POST (the file stored, the check queued: the request a merchant waits
for), the check itself (what the Celery task does: read, normalise, validate every row, the
preview), the confirmation's POST (queues the write) and the write (the task: every row
checked again, then all goods in one transaction), and reports rows per second. Celery
tasks are caught at `.delay` and run here, one after the other, so each is timed alone.
Without DATABASE_URL a fresh SQLite file in a temporary directory is used; with it, give a
fresh (empty) database: it is migrated and an approved merchant made by the test factories.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

BUDGET_MS = 100  # the upload's POST, p50
ROW = ["{title}", "服装鞋包", "工厂好货", "广东省肇庆市四会市", "¥{price}", "¥1,599.00", "2", "现货"]
HEADER = ["标题", "类目", "货源类型", "产地", "批发价", "零售价", "起批量", "库存"]


def workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品")
    sheet.append(HEADER)
    for number in range(rows):
        price = f"{100 + number % 900:,}.{number % 100:02d}"
        title = f"源头工厂真丝连衣裙 夏季新款 {number:05d}"
        sheet.append([cell.format(title=title, price=price) for cell in ROW])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="uploads timed for the POST's percentiles")
    parser.add_argument("--json", type=Path, help="also write the measurements here (bench.run does)")
    args = parser.parse_args(argv)
    # A fresh database each run (the test factories count from 0 in each process), and the
    # uploads kept out of the work tree.
    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(scratch / "private"))
    os.environ.setdefault("MEDIA_ROOT", str(scratch / "media"))

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    # Both steps in "Celery" whatever the size, so that each is timed alone (10 000 rows are
    # above both thresholds anyway).
    settings.PRODUCT_IMPORT_SYNC_BYTES = settings.PRODUCT_IMPORT_SYNC_ROWS = 0
    setup_test_environment()
    call_command("migrate", verbosity=0)

    from storefront import tasks
    from storefront.models import ImportJob, ImportJobStatus, Product
    from tests.industrybelts.conftest import approved_merchant

    queued = []
    for task in (tasks.preview_import_job_task, tasks.import_products_task):
        task.delay = lambda *task_args, task=task: queued.append((task, task_args))

    started = time.perf_counter()
    data = workbook(args.rows)
    print(f"{args.rows} rows: .xlsx of {len(data) / 1024:.0f} KiB built in {_ms(started):.0f} ms")
    print(f"database: {connection.vendor}")
    seller = approved_merchant()
    client = Client()
    client.force_login(seller.user)

    posts, queries = [], 0
    for _ in range(args.repeat):
        queued.clear()
        upload = SimpleUploadedFile("工厂货源表.xlsx", data)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/merchant/products/import/", {"file": upload})
        posts.append(_ms(started))
        queries = len(captured)
        assert response.status_code == 302, response.status_code
    posts.sort()
    print(
        f"upload POST (file stored, check queued): p50 {statistics.median(posts):.1f} ms, "
        f"p95 {posts[int(0.95 * (len(posts) - 1))]:.1f} ms, max {posts[-1]:.1f} ms ({queries} queries)"
    )

    task, task_args = queued[-1]
    started = time.perf_counter()
    task(*task_args)
    check = _ms(started)
    job = ImportJob.objects.get(pk=task_args[0])
    assert job.status == ImportJobStatus.PREVIEWED, job.errors[:3]
    rate = job.row_count / check * 1000
    print(f"preview (read + check {job.row_count} rows): {check / 1000:.2f} s, {rate:.0f} rows/s")

    queued.clear()
    started = time.perf_counter()
    response = client.post(f"/merchant/products/import/{job.public_id}/confirm/")
    confirm_post = _ms(started)
    assert response.status_code == 302
    task, task_args = queued[-1]
    before = Product.objects.filter(merchant=seller).count()
    started = time.perf_counter()
    task(*task_args)
    write = _ms(started)
    job.refresh_from_db()
    created = Product.objects.filter(merchant=seller).count() - before
    assert (job.status, created) == (ImportJobStatus.DONE, args.rows), (job.status, created, job.errors[:3])
    print(f"confirm POST (write queued): {confirm_post:.1f} ms")
    print(
        f"import (check again + write {created} goods in one transaction): {write / 1000:.2f} s, "
        f"{created / write * 1000:.0f} rows/s"
    )
    print(f"upload to done, worker time: {(check + write) / 1000:.2f} s for {args.rows} rows")
    ImportJob.objects.filter(merchant=seller).delete()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": args.rows,
                    "database": connection.vendor,
                    "xlsx_kib": round(len(data) / 1024),
                    "upload_post_p50_ms": round(statistics.median(posts), 1),
                    "upload_post_p95_ms": round(posts[int(0.95 * (len(posts) - 1))], 1),
                    "upload_post_queries": queries,
                    "preview_seconds": round(check / 1000, 2),
                    "preview_rows_per_second": round(job.row_count / check * 1000),
                    "confirm_post_ms": round(confirm_post, 1),
                    "import_seconds": round(write / 1000, 2),
                    "import_rows_per_second": round(created / write * 1000),
                }
            )
        )
    return 0 if statistics.median(posts) < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
