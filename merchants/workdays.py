"""Working days in Beijing time: Monday to Friday.

Public holidays and their swapped working weekends (调休) are not modelled; an
application submitted before the Spring Festival will be flagged during it. The
reviewer group can ignore those flags; a holiday calendar would be a staff-edited
table if it proves needed.
"""

import datetime

from django.utils import timezone


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Return the working days elapsed from `start` to `end`, counting only Monday–Friday time."""
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
        if cursor.weekday() < 5:
            total += segment_end - cursor
        cursor = segment_end
    return total / datetime.timedelta(days=1)
