"""Importing goods from a spreadsheet, and exporting them: the columns, the values as a
merchant writes them, the import job (preview, then all-or-nothing), the export.

The path of a file: `spreadsheets.read_spreadsheet` (bytes → rows of strings with the
sheet's row numbers) → the header map (Chinese or English column names, or the codes) →
the value normaliser (labels in either language, region names, "¥1,299.00") → the
editor's own form, `forms.CsvRowForm` (the product contract: the same fields and rules
as the page and the API) → `services.products_import`, one transaction. Every cell
passes the input boundary (`core.inputs.refuse_unstorable`) first. Design notes and
measurements: docs/bulk-files.md.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import email_user
from core.exceptions import DomainError, InvalidTransition
from core.inputs import refuse_unstorable
from core.tasks import enqueue_on_commit
from industrybelts.models import Belt
from merchants.services import site_base_url

from . import spreadsheets
from .forms import CsvRowForm
from .models import ImportJob, ImportJobStatus, Product, ProductStatus, SourceKind, StockStatus
from .services import products_import, require_seller
from .spreadsheets import CellError, UnreadableFile


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    note: object  # a lazy translation
    required: bool = False


COLUMNS = [
    Column("title", "标题", "Title", gettext_lazy("Up to 60 characters."), required=True),
    Column(
        "category",
        "类目",
        "Category",
        gettext_lazy("A category's name in Chinese or English, or its code."),
        required=True,
    ),
    Column(
        "source_kind",
        "货源类型",
        "Source",
        gettext_lazy("Industry-belt goods, origin goods, factory goods or expert brand (or the code)."),
        required=True,
    ),
    Column(
        "origin_region",
        "产地",
        "Origin",
        gettext_lazy(
            "The district, county or city, by its full name (广东省肇庆市四会市) or GB/T 2260 code."
        ),
        required=True,
    ),
    Column(
        "wholesale_price",
        "批发价",
        "Wholesale price",
        gettext_lazy("In yuan, e.g. ¥1,299.00."),
        required=True,
    ),
    Column(
        "retail_price",
        "零售价",
        "Retail price",
        gettext_lazy("In yuan; not below the wholesale price."),
        required=True,
    ),
    Column("min_order_quantity", "起批量", "Minimum order quantity", gettext_lazy("1 when empty.")),
    Column(
        "stock_status",
        "库存",
        "Stock",
        gettext_lazy("In stock, low stock, pre-order or out of stock; in stock when empty."),
    ),
    Column("own_shop_price", "店铺价", "Price in my Kuaishou shop", gettext_lazy("Optional, in yuan.")),
    Column(
        "link",
        "购买链接",
        "Link",
        gettext_lazy("Optional: the good in your shop on a platform you declared."),
    ),
    Column("belt", "产业带", "Belt", gettext_lazy("For industry-belt goods: a belt you are a member of.")),
    Column("base", "基地", "Base", gettext_lazy("Optional, for industry-belt goods: the base's name.")),
    Column("intro", "简介", "Intro", gettext_lazy("Optional, up to 2,000 characters.")),
]
BY_FIELD = {column.field: column for column in COLUMNS}
# Kept for the API's and older callers' sake: the codes as column names.
CSV_COLUMNS = [column.field for column in COLUMNS]
CSV_CELL_LIMIT = spreadsheets.CSV_CELL_LIMIT
DEFAULTS = {"min_order_quantity": "1", "stock_status": StockStatus.IN_STOCK}
MAX_SHOWN_ERRORS = 500
PREVIEW_ROWS = 10
PROGRESS_EVERY = 250
BLANK_ROWS_ALLOWED = 10_000
EXAMPLE = {
    "title": "真丝连衣裙 夏季新款",
    "category": "服装鞋包",
    "source_kind": "工厂好货",
    "origin_region": "广东省肇庆市四会市",
    "wholesale_price": "89.00",
    "retail_price": "159.00",
    "min_order_quantity": "2",
    "stock_status": "现货",
    "own_shop_price": "",
    "link": "",
    "belt": "",
    "base": "",
    "intro": "档口直供，支持一件代发",
}


def max_bytes() -> int:
    return settings.PRODUCT_IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.PRODUCT_IMPORT_MAX_ROWS


def _key(text: str) -> str:
    """A value's name as compared: width and case folded, spaces and marks left out."""
    return re.sub(r"[\s_\-*:]", "", unicodedata.normalize("NFKC", text).casefold())


def _header_key(text: str) -> str:
    """A column's name as compared: as a value's, and a "(unit)" left out ("批发价（元）")."""
    return _key(re.sub(r"[(（].*?[)）]", "", text))


HEADER_NAMES = {
    _header_key(name): column.field for column in COLUMNS for name in (column.field, column.zh, column.en)
}


# --- The values as a merchant writes them --------------------------------------------------


class Lookups:
    """Every name a value may take, read once per file, so ten thousand rows cost no query
    each. The categories and regions are the row form's own choices (`CsvRowForm(tables=)`
    reads each choice field's queryset once): their names are taken from there, so a name
    maps to exactly what the form accepts by code. Belts by any name (a belt the shop is not
    a member of is then the form's own error)."""

    def __init__(self, merchant):
        self.merchant = merchant
        self.tables = {}  # the form's choices by code
        self.form = CsvRowForm({}, merchant=merchant, tables=self.tables)  # checks every row
        self.category = {}
        for category in self.tables["category"].values():
            for name in (category.code, category.name, category.name_en):
                if name:
                    self.category[_key(name)] = category.code
        self.belt = {}
        for belt in Belt.objects.all():
            for name in (belt.slug, belt.name, belt.name_en):
                if name:
                    self.belt[_key(name)] = belt.slug
        self.source_kind = _choice_names(SourceKind)
        self.stock_status = _choice_names(StockStatus)
        self.region = {}
        for region in self.tables["origin_region"].values():
            self.region[region.code] = region.code
            # "广东省肇庆市四会市" or "Sihui, Zhaoqing, Guangdong", as either page shows it.
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    self.region[_key(region.full_name)] = region.code

    def code(self, name: str, value: str) -> str:
        table = getattr(self, name)
        return table.get(value) or table.get(_key(value)) or value


def _choice_names(choices) -> dict[str, str]:
    names = {}
    for value, label in choices.choices:
        names[_key(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[_key(str(label))] = value
    return names


PRICE_FIELDS = ("wholesale_price", "retail_price", "own_shop_price")
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")


def plain_number(value: str) -> str:
    """ "¥1,299.00" → "1299.00": the currency sign, "元" and thousands separators off.
    Anything else is left for the form to judge (and explain)."""
    value = value.strip().replace("，", ",")
    for sign in ("¥", "￥", "RMB", "CNY"):
        value = value.removeprefix(sign).strip()
    value = value.removesuffix("元").strip()
    if THOUSANDS.fullmatch(value):
        value = value.replace(",", "")
    return value


def normalised(data: dict, lookups: Lookups) -> dict:
    for name in ("category", "source_kind", "stock_status", "belt"):
        if data.get(name):
            data[name] = lookups.code(name, data[name])
    if data.get("origin_region"):
        data["origin_region"] = lookups.code("region", data["origin_region"])
    for name in (*PRICE_FIELDS, "min_order_quantity"):
        if data.get(name):
            data[name] = plain_number(data[name])
    return data


# --- Checking a file --------------------------------------------------------------------


@dataclass
class Checked:
    format: str = ""
    encoding: str = ""
    rows: list = field(default_factory=list)  # (row number, data, links)
    row_count: int = 0
    errors: list[CellError] = field(default_factory=list)
    preview: list = field(default_factory=list)


def _header(sheet) -> tuple[dict[str, int], list[CellError]]:
    """{field: column position} from the header row, or its errors."""
    errors, positions = [], {}
    for position, cell in enumerate(sheet.header, start=1):
        try:
            refuse_unstorable(cell)
        except ValidationError as error:
            errors.append(CellError(sheet.header_row, position, " ".join(error.messages)))
            continue
        name = HEADER_NAMES.get(_header_key(cell))
        if name is None:
            continue  # a column of the merchant's own: ignored (its cells still pass the boundary)
        if name in positions:
            errors.append(
                CellError(
                    sheet.header_row,
                    position,
                    _("Two columns are %(column)s; keep one.") % {"column": BY_FIELD[name].zh},
                )
            )
        positions[name] = position
    missing = [column.zh for column in COLUMNS if column.required and column.field not in positions]
    if missing and not errors:
        errors.append(
            CellError(
                sheet.header_row, 0, _("Missing columns: %(columns)s") % {"columns": "、".join(missing)}
            )
        )
    return positions, errors


def check_file(*, merchant, data: bytes, progress=None) -> Checked:
    """Read and check every row of `data`; nothing is written. Errors carry the sheet's row
    numbers and columns; a whole-file problem is row 0."""
    checked = Checked()
    limit = max_rows()
    try:
        # Blank rows keep their numbers, so a sheet may hold some beyond the row cap.
        sheet = spreadsheets.read_spreadsheet(data, max_row_number=limit + BLANK_ROWS_ALLOWED)
    except UnreadableFile as error:
        checked.errors.append(CellError(0, 0, error.message))
        return checked
    checked.format, checked.encoding = sheet.format, sheet.encoding
    positions, header_errors = _header(sheet)
    if header_errors:
        checked.errors = header_errors
        return checked
    lookups, seen = Lookups(merchant), {}
    names = {position: sheet.header[position - 1].strip() for position in range(1, len(sheet.header) + 1)}
    for row in sheet.rows:
        if not row.cells and row.errors:  # the file stops being readable here
            checked.errors.extend(row.errors)
            break
        checked.row_count += 1
        if checked.row_count > limit:
            checked.errors = [
                CellError(
                    0,
                    0,
                    _("The file has more than %(max)d rows; split it into several files.") % {"max": limit},
                )
            ]
            checked.rows.clear()
            return checked
        errors = [_named(error, names) for error in row.errors] or _row(
            row, positions, names, lookups, checked, seen
        )
        checked.errors.extend(errors)
        if progress is not None and checked.row_count % PROGRESS_EVERY == 0:
            progress(checked.row_count)
    if not checked.row_count and not checked.errors:
        checked.errors.append(CellError(0, 0, _("The file has no product rows.")))
    return checked


def _row(row, positions, names, lookups, checked, seen) -> list[CellError]:
    errors = []
    for position, cell in enumerate(row.cells, start=1):
        try:
            refuse_unstorable(cell)
        except ValidationError as error:
            name = names.get(position) or _("column %(number)d") % {"number": position}
            errors.append(CellError(row.number, position, _cell_error(name, error.messages)))
    if errors:
        return errors
    data = {
        name: row.cells[position - 1].strip() if position <= len(row.cells) else ""
        for name, position in positions.items()
    }
    for name, default in DEFAULTS.items():
        data[name] = data.get(name) or default
    data = normalised(data, lookups)
    form = lookups.form.rebind(data)
    if not form.is_valid():
        for name, messages in form.errors.items():
            if name == NON_FIELD_ERRORS:
                errors.append(CellError(row.number, 0, " ".join(messages)))
            else:
                position = positions.get(name, 0)
                errors.append(
                    CellError(row.number, position, _cell_error(names.get(position, name), messages))
                )
        return errors
    product = form.product_data()
    key = (product["title"], product["category"].pk, product["wholesale_price"], product["retail_price"])
    if key in seen:
        return [
            CellError(
                row.number,
                0,
                _("The same good as row %(row)d (title, category and prices); keep one.")
                % {"row": seen[key]},
            )
        ]
    seen[key] = row.number
    checked.rows.append((row.number, product, form.cleaned_data.get("links", [])))
    if len(checked.preview) < PREVIEW_ROWS:
        checked.preview.append(_preview_row(row.number, product))
    return []


def _named(error: CellError, names: dict) -> CellError:
    if error.column:
        name = names.get(error.column) or _("column %(number)d") % {"number": error.column}
        error.message = _cell_error(name, [error.message])
    return error


def _cell_error(column: str, messages) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": " ".join(messages)}


def _preview_row(number: int, product: dict) -> list:
    return [
        number,
        product["title"],
        product["category"].localized_name,
        str(SourceKind(product["source_kind"]).label),
        product["origin_region"].full_name,
        f"{product['wholesale_price']:.2f}",
        f"{product['retail_price']:.2f}",
        product["min_order_quantity"],
        str(StockStatus(product["stock_status"]).label),
    ]


def errors_as_json(errors: list[CellError]) -> list[dict]:
    return [
        {"row": error.row, "column": error.letter, "message": error.message}
        for error in errors[:MAX_SHOWN_ERRORS]
    ]


# --- The import job ------------------------------------------------------------------------


def import_job_create(*, merchant, by, upload) -> ImportJob:
    """Keep the file and check it: in the request when it is small, else in Celery (the page
    polls). Nothing is written to the catalog."""
    require_seller(merchant, by)
    job = ImportJob(merchant=merchant, file_name=(upload.name or "")[:200])
    job.in_background = upload.size > settings.PRODUCT_IMPORT_SYNC_BYTES
    job.file.save("upload", upload, save=False)
    job.save()
    if job.in_background:
        enqueue_on_commit("storefront.tasks.preview_import_job_task", job.pk)
    else:
        preview_import_job(job)
    return job


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as source:
        return source.read()


def preview_import_job(job: ImportJob) -> ImportJob:
    """Check the job's file and record what was found (status previewed, or failed)."""

    def progress(done):
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, updated_at=timezone.now())

    checked = check_file(
        merchant=job.merchant, data=_read(job), progress=progress if job.in_background else None
    )
    job.file_format, job.encoding, job.row_count = checked.format, checked.encoding, checked.row_count
    job.rows_done = checked.row_count
    job.errors, job.error_count = errors_as_json(checked.errors), len(checked.errors)
    job.preview = checked.preview
    job.status = ImportJobStatus.FAILED if checked.errors else ImportJobStatus.PREVIEWED
    if checked.errors:
        job.finished_at = timezone.now()
    job.save()
    if checked.errors:
        _drop_file(job)
    if job.in_background:
        _tell(job)
    return job


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """The merchant confirmed the preview: write every good, or none. Small files in the
    request; larger ones in Celery (status running, the page polls, an e-mail at the end)."""
    require_seller(job.merchant, by)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("merchant__user").get(pk=job.pk)
        if job.status != ImportJobStatus.PREVIEWED:
            raise InvalidTransition(
                current=job.status,
                target=ImportJobStatus.RUNNING,
                current_label=job.get_status_display(),
                target_label=ImportJobStatus.RUNNING.label,
            )
        job.status, job.rows_done = ImportJobStatus.RUNNING, 0
        job.in_background = job.row_count > settings.PRODUCT_IMPORT_SYNC_ROWS
        job.save(update_fields=["status", "rows_done", "in_background", "updated_at"])
        if job.in_background:
            enqueue_on_commit("storefront.tasks.import_products_task", job.pk)
    if not job.in_background:
        run_import_job(job.pk)
        job.refresh_from_db()
    return job


def progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:written"


def run_import_job(job_id: int) -> None:
    """Check the file again (shops, belts and regions may have changed since the preview)
    and write its goods in one transaction; the job's end is written in that transaction
    too, so a task that runs twice finds the job done and stops.

    Progress: the rows checked go to the job row (committed as they go); the rows written
    inside the open transaction cannot, so they go to the cache, which the page reads.
    """
    job = ImportJob.objects.select_related("merchant__user").filter(pk=job_id).first()
    if job is None or job.status != ImportJobStatus.RUNNING:
        return
    total = job.row_count

    def checked_progress(done):
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done // 2, updated_at=timezone.now())

    checked = check_file(merchant=job.merchant, data=_read(job), progress=checked_progress)
    failed = list(checked.errors)
    if not failed:
        rows = [(data, links) for _number, data, links in checked.rows]

        def written(done):
            cache.set(progress_key(job.pk), total // 2 + done // 2, 3600)

        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportJobStatus.RUNNING:
                    return
                created = products_import(
                    merchant=job.merchant, by=job.merchant.user, rows=rows, progress=written
                )
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportJobStatus.DONE,
                    created_count=created,
                    rows_done=total,
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                )
        except ValidationError as error:  # a rule of the table the form would have missed
            position = error.message_dict.pop("__row__", [0])[0]
            number = checked.rows[position][0] if checked.rows else 0
            failed = [CellError(number, 0, " ".join(m for ms in error.message_dict.values() for m in ms))]
        except DomainError as error:  # the shop may no longer sell (restricted, suspended)
            failed = [CellError(0, 0, str(error))]
    if failed:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJobStatus.FAILED,
            errors=errors_as_json(failed),
            error_count=len(failed),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    cache.delete(progress_key(job.pk))
    job.refresh_from_db()
    _drop_file(job)
    if job.in_background:
        _tell(job)


def sweep_import_jobs() -> tuple[int, int]:
    """End what nobody will finish: previews not confirmed in PRODUCT_IMPORT_PREVIEW_HOURS
    (their files deleted), and jobs whose task has not moved for PRODUCT_IMPORT_STALE_MINUTES
    (a lost task; nothing was written: the write commits with the job's end). Returns
    (expired, stale). A job being written holds its row's lock, so the update waits for it
    and then finds it done."""
    now = timezone.now()
    expired_before = now - datetime.timedelta(hours=settings.PRODUCT_IMPORT_PREVIEW_HOURS)
    stale_before = now - datetime.timedelta(minutes=settings.PRODUCT_IMPORT_STALE_MINUTES)
    outcomes = []
    for statuses, before, message in (
        (
            [ImportJobStatus.PREVIEWED],
            expired_before,
            _("This preview was not confirmed in time; upload the file again."),
        ),
        (
            [ImportJobStatus.PENDING, ImportJobStatus.RUNNING],
            stale_before,
            _("This import did not finish and nothing was written; upload the file again."),
        ),
    ):
        count = 0
        for job in ImportJob.objects.filter(status__in=statuses, updated_at__lt=before).select_related(
            "merchant__user"
        ):
            with translation.override(job.merchant.user.language):
                errors = errors_as_json([CellError(0, 0, str(message))])
            moved = ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at__lt=before).update(
                status=ImportJobStatus.FAILED, errors=errors, error_count=1, finished_at=now, updated_at=now
            )
            if moved:
                count += 1
                _drop_file(job)
        outcomes.append(count)
    return outcomes[0], outcomes[1]


def job_progress(job: ImportJob) -> int:
    """Rows done so far (checked, then written), for the progress bar."""
    if job.status == ImportJobStatus.RUNNING:
        return max(job.rows_done, cache.get(progress_key(job.pk)) or 0)
    return job.rows_done


def _drop_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def _tell(job: ImportJob) -> None:
    """E-mail the merchant that a background job ended (they may have left the page)."""
    email_user(
        job.merchant.user,
        template_prefix="storefront/email/import_job",
        context={
            "job": job,
            "url": site_base_url() + reverse("storefront:import-job", kwargs={"public_id": job.public_id}),
        },
    )


# --- Export and the template --------------------------------------------------------------


def headers(language_en: bool) -> list[str]:
    return [column.en if language_en else column.zh for column in COLUMNS]


def export_sheets(merchant):
    """The export's one sheet, its headers and labels in the active language."""
    english = (translation.get_language() or "").startswith("en")
    return [(_("Goods"), headers(english), export_rows(merchant))]


def export_rows(merchant):
    """The merchant's goods (not deleted) as rows of the import's columns, values as the
    import reads them back (labels in the page's language, regions by full name)."""
    products = (
        Product.objects.filter(merchant=merchant)
        .exclude(status=ProductStatus.DELETED)
        .select_related("category", "belt", "base", "origin_region__parent__parent")
        .prefetch_related("links")
        .order_by("created_at", "pk")
    )
    for product in products.iterator(chunk_size=1000):
        link = next(iter(product.links.all()), None)
        values = {
            "title": product.title,
            "category": product.category.localized_name,
            "source_kind": str(SourceKind(product.source_kind).label),
            "origin_region": product.origin_region.full_name,
            "wholesale_price": product.wholesale_price,
            "retail_price": product.retail_price,
            "min_order_quantity": product.min_order_quantity,
            "stock_status": str(StockStatus(product.stock_status).label),
            "own_shop_price": product.own_shop_price,
            "link": link.url if link else "",
            "belt": product.belt.localized_name if product.belt_id else "",
            "base": product.base.name if product.base_id else "",
            "intro": product.intro,
        }
        yield [values[column.field] for column in COLUMNS]


def template_sheets(language_en: bool):
    """The template's sheets: the goods (a header and one example row) and the notes."""
    example = [EXAMPLE[column.field] for column in COLUMNS]
    notes_header = [_("Column"), _("Required"), _("What to write")]
    notes = [
        [column.en if language_en else column.zh, _("yes") if column.required else "", str(column.note)]
        for column in COLUMNS
    ]
    return [(_("Goods"), headers(language_en), [example]), (_("Notes"), notes_header, notes)]
