"""The reader and writers of spreadsheet files (storefront.spreadsheets), on their own: what a
file is, its encoding, its rows with the numbers the spreadsheet shows, and what it refuses."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from storefront.spreadsheets import (
    CSV,
    XLSX,
    UnreadableFile,
    csv_lines,
    read_spreadsheet,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


TEXT = '标题,类目,批发价\r\n真丝连衣裙,服装鞋包,"￥1,299.00"\r\n\r\n棉麻衬衫,服装鞋包,89\r\n'


def _rows(sheet):
    return [(row.number, row.cells, [(e.column, e.message) for e in row.errors]) for row in sheet.rows]


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8 (BOM)"),
        (TEXT.encode("gbk"), "GBK"),
        (TEXT.replace("真丝", "€真丝").encode("gb18030"), "GB18030"),  # € is not in GBK
        (TEXT.encode("utf-16"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16"),
        (TEXT.encode("utf-16-be"), "UTF-16"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom", "utf16le", "utf16be"],
)
def test_csv_encodings_are_detected_and_named(data, label):
    sheet = read_spreadsheet(data)

    assert (sheet.format, sheet.encoding, sheet.header) == (CSV, label, ["标题", "类目", "批发价"])
    rows = _rows(sheet)
    assert [number for number, _cells, _errors in rows] == [2, 4]  # the blank row keeps its number
    assert rows[0][1][2] == "￥1,299.00"


def test_excels_unicode_text_is_tab_separated():
    sheet = read_spreadsheet(TEXT.replace(",", "\t").replace('"￥1\t299.00"', "￥1,299.00").encode("utf-16"))

    assert sheet.header == ["标题", "类目", "批发价"]
    assert _rows(sheet)[0][1] == ["真丝连衣裙", "服装鞋包", "￥1,299.00"]


def test_a_quoted_cell_over_several_lines_is_one_row():
    sheet = read_spreadsheet('标题,简介\n连衣裙,"第一行\n第二行"\n衬衫,x\n'.encode())

    assert [(number, cells) for number, cells, _ in _rows(sheet)] == [
        (2, ["连衣裙", "第一行\n第二行"]),
        (3, ["衬衫", "x"]),
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password"),
        (b"PK\x03\x04garbage", "damaged"),
        ("標題".encode("big5") + b"\xff\xfe\xfd\x80\x81", "encoding"),
    ],
)
def test_what_cannot_be_read_is_one_message(data, fragment):
    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(data)

    assert fragment in refused.value.message


def _xlsx(rows, edit=None) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    if edit:
        edit(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_become_text_as_the_merchant_sees_them():
    data = _xlsx(
        [
            ["标题", "批发价", "起批量", "日期", "空"],
            [None, None, None, None, None],
            ["连衣裙", 1299.5, 10, datetime.datetime(2026, 12, 7, 8, 0), None],
            ["衬衫", 89.0, 1.0, None, None],
        ]
    )

    sheet = read_spreadsheet(data)

    assert (sheet.format, sheet.encoding, sheet.header_row) == (XLSX, "", 1)
    assert [(number, cells) for number, cells, _ in _rows(sheet)] == [
        (3, ["连衣裙", "1299.5", "10", "2026-12-07 08:00:00"]),
        (4, ["衬衫", "89", "1"]),
    ]


def test_a_formula_and_an_error_value_are_their_cells_errors():
    def edit(sheet):
        sheet["B2"] = "=SUM(1,2)"
        sheet["C2"] = "#DIV/0!"
        sheet["C2"].data_type = "e"

    sheet = read_spreadsheet(_xlsx([["标题", "批发价", "零售价"], ["连衣裙", 1, 2]], edit))

    [(number, cells, errors)] = _rows(sheet)
    assert (number, cells) == (2, ["连衣裙"])
    assert [column for column, _message in errors] == [2, 3]
    assert "formula" in errors[0][1] and "#DIV/0!" in errors[1][1]


def test_merged_cells_are_refused_with_their_ranges():
    data = _xlsx([["标题", "类目"], ["a", "b"], ["c", "d"]], lambda sheet: sheet.merge_cells("A2:A3"))

    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(data)

    assert "A2:A3" in refused.value.message


def test_an_empty_workbook_is_refused():
    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(_xlsx([]))

    assert "empty" in refused.value.message


def test_formula_like_text_is_refused_and_an_apostrophe_keeps_it():
    sheet = read_spreadsheet("标题,价格\n=1+1,-5\n'=1+1,+86\n".encode())

    rows = _rows(sheet)
    assert rows[0][2] == [(1, rows[0][2][0][1])] and "apostrophe" in rows[0][2][0][1]  # -5 is a number
    assert (rows[1][1], rows[1][2]) == (["=1+1", "+86"], [])  # +86 is a number too


def test_the_writers_make_formula_text_inert():
    header, rows = ["标题", "价格"], [['=HYPERLINK("http://x")', 5], ["@a", None]]

    text = "".join(csv_lines(header, rows))
    sheet = load_workbook(io.BytesIO(xlsx_bytes([("商品", header, rows)]))).active

    assert text == '\ufeff标题,价格\r\n"\'=HYPERLINK(""http://x"")",5\r\n\'@a,\r\n'
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["标题", "价格"],
        ['\'=HYPERLINK("http://x")', 5],
        ["'@a", None],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_sheet_with_a_cell_far_below_stops_at_the_row_bound_quickly():
    import time

    data = _xlsx(
        [["标题", "类目"], ["连衣裙", "服装鞋包"]],
        lambda sheet: sheet.cell(row=1_048_576, column=1, value="x"),
    )

    started = time.perf_counter()
    rows = _rows(read_spreadsheet(data, max_row_number=30_000))

    assert [number for number, _cells, _errors in rows] == [2, 30_001]
    assert "30000" in rows[-1][2][0][1]
    assert time.perf_counter() - started < 5


def test_a_header_far_below_is_not_searched_for_ever():
    data = _xlsx([], lambda sheet: sheet.cell(row=1_000_000, column=1, value="标题"))

    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(data, max_row_number=1000)

    assert "empty" in refused.value.message


def test_a_workbook_that_unpacks_too_large_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr("storefront.spreadsheets.MAX_SHEET_XML_BYTES", 1000)

    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(_xlsx([["标题"], ["连衣裙"]]))

    assert "too large" in refused.value.message
