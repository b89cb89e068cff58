"""Working days in Beijing time, with China's public holidays and swapped workdays (调休).

The platform promises a decision within 1–3 working days, so a review is overdue after
two *working* days: the National Day week does not count, and a Saturday made a working
day (to bridge a holiday) does. The calendar comes from `chinese-calendar`, which carries
the State Council's published schedule year by year; for a year it does not know yet
(the schedule is announced each November or December), Monday to Friday are the working
days and a warning is logged once, until the package is updated.
"""

import datetime
import functools
import logging

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2048)
def is_working_day(day: datetime.date) -> bool:
    """Return whether `day` is a working day in mainland China."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar has no schedule for yet
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@functools.cache
def _warn_unknown_year(year: int) -> None:
    logger.warning("chinese-calendar has no holiday schedule for %s: counting Monday to Friday", year)


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Return the working days elapsed from `start` to `end`, counting only working days' time."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end <= start:
        return 0.0
    total = datetime.timedelta()
    cursor = start
    while cursor < end:
        next_midnight = (cursor + datetime.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        segment_end = min(end, next_midnight)
        if is_working_day(cursor.date()):
            total += segment_end - cursor
        cursor = segment_end
    return total / datetime.timedelta(days=1)
