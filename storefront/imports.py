"""The CSV import of goods: a parser that cannot crash, and all-or-nothing writes.

Every cell passes the input boundary (core.inputs), then each row the editor's form by
codes (forms.CsvRowForm: the product contract's fields and rules, as on the page and in
the API); only when every row is valid are the goods written, as drafts, through
services.product_save in one transaction.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.inputs import refuse_unstorable

from .forms import CsvRowForm
from .models import Product, StockStatus
from .services import product_save, require_seller

# --- CSV import ------------------------------------------------------------------------

CSV_COLUMNS = [
    "title",
    "intro",
    "category",
    "source_kind",
    "belt",
    "base",
    "origin_region",
    "wholesale_price",
    "retail_price",
    "min_order_quantity",
    "stock_status",
    "own_shop_price",
    "link",
]
CSV_DEFAULTS = {"min_order_quantity": "1", "stock_status": StockStatus.IN_STOCK}
MAX_CSV_ROWS = 2000
# The csv module's cell limit is process-wide (128 KiB unless someone changed it), so it is
# set before every import. The longest column holds 2,000 characters: a cell up to the
# limit gets its column's own message, a longer one stops the file at its row.
CSV_CELL_LIMIT = 10_000


@dataclass
class ImportResult:
    created: list[Product] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def products_import_csv(*, merchant, by, upload) -> ImportResult:
    """Check every row first; create all products (as drafts) only if no row has an error.

    No cell can crash the import: each passes the input boundary (`refuse_unstorable`) and
    then the editor's form, field by field, as on the page and in the API (numbers as
    finite, bounded decimals; the purchase link by `validate_links`). A file that is not
    UTF-8, a cell over the csv module's limit and each refused row become errors named
    by row number (1 is the header).
    """
    require_seller(merchant, by)
    result = ImportResult()
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, _("The file is not UTF-8 text. Save it as CSV (UTF-8).")))
        return result
    csv.field_size_limit(CSV_CELL_LIMIT)
    records = enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    rows, row_count, number = [], 0, 0
    try:
        number, header = next(records, (1, []))
        header = _csv_header(header)
        for number, cells in records:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a spreadsheet's empty row
            row_count += 1
            if row_count > MAX_CSV_ROWS:
                result.errors.append((number, _("At most %(max)d rows per file.") % {"max": MAX_CSV_ROWS}))
                break
            try:
                rows.append((number, _row_data(merchant, header, cells)))
            except ValidationError as error:
                result.errors.append((number, " ".join(error.messages)))
    except csv.Error as error:  # raised reading the record after `number`
        result.errors.append((number + 1, _unreadable_row(error)))
    except ValidationError as error:  # the header's
        result.errors.append((1, " ".join(error.messages)))
    if result.errors or not rows:
        if not rows and not result.errors:
            result.errors.append((2, _("The file has no product rows.")))
        return result
    with transaction.atomic():
        for number, (data, links) in rows:
            try:
                product = product_save(merchant=merchant, by=by, product=None, data=data, links=links)
            except ValidationError as error:  # a rule of the table the form would have missed
                transaction.set_rollback(True)
                result.created.clear()
                result.errors.append((number, " ".join(error.messages)))
                break
            result.created.append(product)
    return result


def _unreadable_row(error: csv.Error) -> str:
    # The csv module raises one error class for everything; with newline="" and the
    # default dialect, a cell over the limit is the only cause left.
    if "field limit" in str(error):
        return _("A cell of this row is longer than %(limit)d characters.") % {"limit": CSV_CELL_LIMIT}
    return _("This row cannot be read as CSV.")


def _cell_error(column: str, messages) -> str:
    return _("%(column)s: %(message)s") % {"column": column, "message": " ".join(messages)}


def _csv_header(cells: list[str]) -> list[str]:
    """Return the column names, or raise a ValidationError: unstorable or missing columns."""
    for cell in cells:
        refuse_unstorable(cell)
    header = [cell.strip() for cell in cells]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    return header


def _row_data(merchant, header: list[str], cells: list[str]) -> tuple[dict, list]:
    """Return a row's product data and links, checked by the editor's form, or raise its errors.

    Every cell passes the input boundary first, those beyond the named columns too.
    """
    errors = []
    for position, cell in enumerate(cells):
        try:
            refuse_unstorable(cell)
        except ValidationError as error:
            column = (
                header[position]
                if position < len(header)
                else _("column %(number)d") % {"number": position + 1}
            )
            errors.append(_cell_error(column, error.messages))
    if errors:
        raise ValidationError(errors)
    data = {column: cell.strip() for column, cell in zip(header, cells, strict=False) if column}
    for column, default in CSV_DEFAULTS.items():
        data[column] = data.get(column) or default
    form = CsvRowForm(data, merchant=merchant)
    if not form.is_valid():
        raise ValidationError(
            [
                " ".join(messages) if column == NON_FIELD_ERRORS else _cell_error(column, messages)
                for column, messages in form.errors.items()
            ]
        )
    return form.product_data(), form.cleaned_data.get("links", [])
