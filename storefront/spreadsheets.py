"""Spreadsheet files in and out: bytes → a header and rows of strings, and rows → files.

The reader knows nothing of goods. It takes what a merchant's spreadsheet program saves
(an .xlsx workbook, or CSV in UTF-8 with or without a BOM, GB18030/GBK or UTF-16, comma or
tab separated, as Excel in China saves "CSV" and "Unicode text"), says what it found
(format, encoding) and yields each non-blank row with the row number the spreadsheet
shows. What it cannot read is one `UnreadableFile` with a message for the merchant;
what is wrong in one cell (a formula, a value starting like a formula) is that row's
error, never a crash.

Formulas are never evaluated nor stored: an .xlsx is read with data_only=False so a
formula cell is seen as one (with data_only=True openpyxl would return its cached
result and hide it), and refused. Text starting with = + - @ (or a tab or carriage
return) is what OWASP calls CSV injection: exports prefix such a cell with an apostrophe
(`inert`), the reader takes exactly that apostrophe back off (`revived`), and an
unprefixed one is refused as a row error, so a round trip is exact and nothing that a
spreadsheet would run is ever written.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from charset_normalizer import from_bytes
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import get_column_letter

XLSX, CSV = "xlsx", "csv"
# Candidate encodings for CSV: what spreadsheet programs in China save. Nothing else is
# guessed (a Latin-1 guess would turn a GBK file into mojibake instead of an error).
CSV_ENCODINGS = ["utf_8", "gb18030", "utf_16", "utf_16_le", "utf_16_be"]
# The csv module's cell limit is process-wide, so it is set before every read. The longest
# column holds 2,000 characters: a cell up to the limit gets its column's own message, a
# longer one stops the file at its row.
CSV_CELL_LIMIT = 10_000
MAX_COLUMNS = 60
# An .xlsx is a zip: its first sheet's XML is refused above this size before it is parsed.
MAX_SHEET_XML_BYTES = 300 * 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')

FORMULA_MESSAGE = gettext_lazy("This cell is a formula; formulas are not imported. Type its value instead.")
FORMULA_TEXT_MESSAGE = gettext_lazy(
    "Text starting with =, +, - or @ could run as a formula in a spreadsheet; start it with an "
    "apostrophe (') to keep it as text."
)
ERROR_VALUE_MESSAGE = gettext_lazy("This cell holds a spreadsheet error (%(value)s).")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; `message` says why, in the merchant's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CellError:
    row: int
    column: int  # 1-based position; 0: the row as a whole
    message: str

    @property
    def letter(self) -> str:
        return get_column_letter(self.column) if self.column else ""


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (the header is usually 1)
    cells: list[str]
    errors: list[CellError] = field(default_factory=list)


@dataclass
class Sheet:
    format: str
    encoding: str  # a label for people ("UTF-8", "GBK", "UTF-16"); "" for .xlsx
    header: list[str]
    header_row: int
    rows: Iterator[Row]


def _is_number(value: str) -> bool:
    """A number with a sign (-5, +1E3, -Infinity) is a value, not a formula: the column's own
    rule judges it."""
    try:
        Decimal(value.strip())
    except ArithmeticError:
        return False
    return True


def inert(value: str) -> str:
    """The cell as written to a file: an apostrophe before text a spreadsheet would run."""
    if value.startswith((*FORMULA_STARTS, "'")) and not _is_number(value):
        return "'" + value
    return value


def revived(value: str) -> tuple[str, bool]:
    """(the value, whether it is refused): `inert` undone, a formula-like text refused."""
    if value.startswith("'") and value[1:2] and value[1] in (*FORMULA_STARTS, "'"):
        return value[1:], False
    return value, value.startswith(FORMULA_STARTS) and not _is_number(value)


def read_spreadsheet(data: bytes, *, max_row_number: int = 10**6) -> Sheet:
    """Read `data` as .xlsx or CSV (by content, not by name), or raise UnreadableFile.

    An .xlsx stops with an error row at row `max_row_number` (blank rows between data are
    read too, and a sheet may place one cell at row 1 048 576)."""
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableFile(
            _(
                "This file is password-protected, or an old Excel 97-2003 .xls workbook. Remove the "
                "password and save it as an Excel workbook (.xlsx) or CSV."
            )
        )
    if data.startswith(ZIP_SIGNATURE):
        return _read_xlsx(data, max_row_number)
    if not data.strip():
        raise UnreadableFile(_("The file is empty."))
    return _read_csv(data)


# --- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding label), detected by charset-normalizer among CSV_ENCODINGS, then
    decoded strictly as a whole (the detector samples the file)."""
    match = from_bytes(data, cp_isolation=CSV_ENCODINGS).best()
    if match is None:
        raise UnreadableFile(_not_text())
    encoding = match.encoding
    if encoding == "utf_8":
        bom = data.startswith(b"\xef\xbb\xbf")
        codec, label = ("utf-8-sig", "UTF-8 (BOM)") if bom else ("utf-8", "UTF-8")
    elif encoding == "gb18030":
        codec, label = "gb18030", "GB18030"
        try:
            data.decode("gbk")
            label = "GBK"
        except UnicodeDecodeError:
            pass
    else:
        codec, label = ("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else encoding), "UTF-16"
    try:
        return data.decode(codec), label
    except UnicodeDecodeError:
        raise UnreadableFile(_not_text()) from None


def _not_text() -> str:
    return _(
        "The file is not text in a known encoding (UTF-8, GBK/GB18030 or UTF-16), nor an .xlsx "
        "workbook. Save it from your spreadsheet as an Excel workbook (.xlsx) or CSV."
    )


def _read_csv(data: bytes) -> Sheet:
    text, label = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" is tab separated; its "CSV" is comma separated.
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    csv.field_size_limit(CSV_CELL_LIMIT)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header):
        raise UnreadableFile(_("The sheet is empty: the first row must name the columns."))
    return Sheet(CSV, label, header, 1, _csv_rows(records))


def _csv_rows(records) -> Iterator[Row]:
    # A spreadsheet shows one row per record (a quoted cell may span several lines).
    number = 1
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(number + 1, [], [CellError(number + 1, 0, _unreadable_row(error))])
            return
        number += 1
        if any(cell.strip() for cell in cells):
            yield _checked(Row(number, cells))


def _unreadable_row(error: csv.Error) -> str:
    # The csv module raises one error class for everything; with newline="" and the default
    # dialect, a cell over the limit is the only likely cause left.
    if "field limit" in str(error):
        return _("A cell of this row is longer than %(limit)d characters.") % {"limit": CSV_CELL_LIMIT}
    return _("This row cannot be read as CSV.")


def _checked(row: Row) -> Row:
    """Take the export's apostrophe off; refuse formula-like text."""
    for position, cell in enumerate(row.cells):
        value, refused = revived(cell)
        row.cells[position] = value
        if refused:
            row.errors.append(CellError(row.number, position + 1, str(FORMULA_TEXT_MESSAGE)))
    return row


# --- xlsx ---------------------------------------------------------------------------------


def _read_xlsx(data: bytes, max_row_number: int) -> Sheet:
    corrupt = _(
        "This .xlsx workbook cannot be read: it is damaged or not a workbook. Open it in your "
        "spreadsheet and save it again as an Excel workbook (.xlsx) or CSV."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # What the zip unpacks to, from its directory, before any part is parsed (the
            # shared strings are read whole when the workbook opens).
            if sum(info.file_size for info in archive.infolist()) > MAX_SHEET_XML_BYTES:
                raise UnreadableFile(_("The workbook is too large; split it into several files."))
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            sheet = workbook.worksheets[0]
            # openpyxl's read-only sheets do not read merged ranges; the sheet's own XML says.
            merged = _merged_ranges(archive, sheet._worksheet_path)  # private; openpyxl is pinned
        if merged:
            raise UnreadableFile(
                _(
                    "The sheet has merged cells (%(ranges)s). Unmerge them so that every row holds "
                    "its own values."
                )
                % {"ranges": ", ".join(merged[:5])}
            )
        # The rows the sheet holds, not the size its <dimension> claims (which may be the
        # whole grid): gaps between rows are still filled, and bounded by `max_row_number`.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS)
        header_row, header = _first_row(rows, max_row_number)
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key, value errors) on a bad file
        raise UnreadableFile(corrupt) from None
    if header is None:
        raise UnreadableFile(_("The sheet is empty: the first row must name the columns."))
    rows = _xlsx_rows(rows, header_row, corrupt, workbook, max_row_number)
    return Sheet(XLSX, "", header, header_row, rows)


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[str]:
    found, tail = [], b""
    with archive.open(path) as source:
        while chunk := source.read(1024 * 1024):
            block = tail + chunk
            found.extend(ref.decode() for ref in MERGE_REF.findall(block))
            tail = block[-200:]
            if found:
                break
    return list(dict.fromkeys(found))


def _first_row(rows, max_row_number: int) -> tuple[int, list[str] | None]:
    for number, cells in enumerate(rows, start=1):
        if number > max_row_number:
            break
        if all(cell is EMPTY_CELL for cell in cells):
            continue
        values, _errors = _xlsx_values(number, cells)
        if any(value.strip() for value in values):
            return number, values
    return 0, None


def _xlsx_rows(rows, header_row: int, corrupt: str, workbook, max_row_number: int) -> Iterator[Row]:
    number = header_row
    try:
        for number, cells in enumerate(rows, start=header_row + 1):
            if number > max_row_number:
                message = _("The sheet has rows beyond row %(max)d; split it into several files.")
                yield Row(number, [], [CellError(number, 0, message % {"max": max_row_number})])
                return
            if all(cell is EMPTY_CELL for cell in cells):
                continue  # a gap between rows, filled by openpyxl
            values, errors = _xlsx_values(number, cells)
            if any(value.strip() for value in values) or errors:
                row = _checked(Row(number, values))
                row.errors[:0] = errors
                yield row
    except Exception:  # a damaged part of the sheet, found while streaming it
        yield Row(number + 1, [], [CellError(number + 1, 0, corrupt)])
    finally:
        workbook.close()


def _xlsx_values(number: int, cells) -> tuple[list[str], list[CellError]]:
    values, errors = [], []
    for position, cell in enumerate(cells, start=1):
        kind, value = getattr(cell, "data_type", "n"), cell.value
        if kind == "f":
            errors.append(CellError(number, position, str(FORMULA_MESSAGE)))
            values.append("")
        elif kind == "e":
            errors.append(CellError(number, position, str(ERROR_VALUE_MESSAGE) % {"value": value}))
            values.append("")
        else:
            values.append(_as_text(value))
    while values and not values[-1]:
        values.pop()
    return values, errors


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


# --- Writing ------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV for Excel: a BOM first (so Excel opens UTF-8), then every cell made inert."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([inert(str(cell)) for cell in header])
    for row in rows:
        yield writer.writerow([inert(_written(cell)) for cell in row])


def _written(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def xlsx_bytes(sheets: list[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """An .xlsx (openpyxl's write-only mode: rows streamed to a temporary file), each text
    cell made inert, numbers as numbers. `sheets`: (title, header, rows)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append([inert(str(cell)) for cell in header])
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FILE_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(file_format: str, name: str, sheets: list[tuple[str, list[str], Iterable[list]]]):
    """A spreadsheet as a download: a CSV (the first sheet) streamed row by row, or an .xlsx."""
    if file_format == CSV:
        _title, header, rows = sheets[0]
        response = StreamingHttpResponse(csv_lines(header, rows), content_type=FILE_TYPES[CSV])
    else:
        response = HttpResponse(xlsx_bytes(sheets), content_type=FILE_TYPES[XLSX])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{file_format}")
    return response


def _xlsx_cell(value):
    if value is None or isinstance(value, int | Decimal):
        return value
    return inert(str(value))
