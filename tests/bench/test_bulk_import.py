"""The spreadsheet import's bench (bench/bulk_import.py) builds a file the import takes whole."""

import pytest

from bench.bulk_import import workbook
from storefront.imports import check_file
from tests.industrybelts.conftest import approved_merchant

pytestmark = pytest.mark.django_db


def test_the_benchs_workbook_is_checked_without_an_error():
    checked = check_file(merchant=approved_merchant(), data=workbook(50))

    assert (checked.format, checked.row_count, checked.errors) == ("xlsx", 50, [])
    assert checked.rows[0][1]["wholesale_price"] == 100
