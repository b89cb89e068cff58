import datetime
import zoneinfo

import pytest

from merchants.workdays import working_days_between

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)  # 2026-11-20 is a Friday


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(23), at(24), 1.0),  # Monday → Tuesday
        (at(20), at(23), 1.0),  # Friday 10:00 → Monday 10:00: the weekend does not count
        (at(20), at(24, 11), 2 + 1 / 24),  # Friday → Tuesday 11:00
        (at(21), at(22), 0.0),  # Saturday → Sunday
        (at(24), at(23), 0.0),  # end before start
    ],
)
def test_working_days_skip_weekends(start, end, expected):
    assert working_days_between(start, end) == pytest.approx(expected)
