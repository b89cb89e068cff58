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


def on(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


# The State Council's 2026 schedule: National Day and Mid-Autumn, 1–7 October off;
# Sunday 20 September and Saturday 10 October are working days.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (on(9, 30), on(10, 8), 1.0),  # Wednesday 30 Sep → Thursday 8 Oct: the holiday week is not counted
        (on(9, 30), on(10, 9), 2.0),  # → Friday 9 Oct: two working days, overdue only after this
        (on(10, 9), on(10, 12), 2.0),  # Friday → Monday, through the swapped working Saturday 10 Oct
        (on(9, 19), on(9, 21, 0), 1.0),  # Saturday → Monday 0:00: Sunday 20 Sep is a working day
        (on(10, 3), on(10, 5), 0.0),  # inside the holiday
    ],
)
def test_working_days_follow_chinas_holidays_and_swapped_workdays(start, end, expected):
    assert working_days_between(start, end) == pytest.approx(expected)


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday(caplog):
    start = datetime.datetime(2031, 5, 2, 10, tzinfo=SHANGHAI)  # a Friday
    end = datetime.datetime(2031, 5, 5, 10, tzinfo=SHANGHAI)  # the Monday after

    assert working_days_between(start, end) == pytest.approx(1.0)
    assert "2031" in caplog.text
