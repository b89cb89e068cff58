"""Two requests scheduling at once cannot both pass the overlap or the cap check (PostgreSQL).

The rules read the merchant's sessions under a lock on its profile row; without the lock,
two requests each read "no overlap" (or 19 upcoming) and both inserted.
"""

import datetime
import threading

import pytest
from django.db import connection

from storefront.content import live
from storefront.content.models import LiveSession

from .conftest import at, schedule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACE_ROUNDS = 15


def _schedule_at_once(merchant, starts) -> list[str]:
    barrier = threading.Barrier(len(starts))
    outcomes = [None] * len(starts)

    def attempt(index, starts_at):
        try:
            barrier.wait(timeout=10)
            schedule(merchant, starts_at=starts_at, minutes=60, title=f"同时{index}")
            outcomes[index] = "created"
        except live.SessionOverlap:
            outcomes[index] = "overlap"
        except live.TooManyUpcoming:
            outcomes[index] = "cap"
        except Exception as error:  # any other outcome fails the test, by name
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in enumerate(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_overlapping_sessions_scheduled_at_once_are_one_session(seller):
    for round_number in range(RACE_ROUNDS):
        start = at(24 * (round_number + 1))

        outcomes = _schedule_at_once(seller, [start, start + datetime.timedelta(minutes=30)])

        assert sorted(outcomes) == ["created", "overlap"], (round_number, outcomes)
    assert LiveSession.objects.filter(merchant=seller).count() == RACE_ROUNDS


def test_the_cap_holds_when_the_last_two_places_are_asked_for_at_once(seller):
    for day in range(live.MAX_UPCOMING - 1):
        schedule(seller, hours=24 * (day + 1))

    outcomes = _schedule_at_once(seller, [at(24 * 40), at(24 * 50)])

    assert sorted(outcomes) == ["cap", "created"]
    assert LiveSession.objects.filter(merchant=seller).count() == live.MAX_UPCOMING
