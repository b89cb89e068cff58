"""Two reviewers deciding at once on PostgreSQL: row locks let exactly one win."""

import threading

import pytest
from django.db import connection

from core.exceptions import InvalidTransition
from merchants import services
from merchants.models import ApplicationStatus, OnboardingApplication
from tests.factories import reviewer, submitted_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_decisions_exactly_one_wins():
    application = submitted_application()
    services.application_start_review(application=application, by=reviewer())
    first, second = reviewer(), reviewer()
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, call):
        try:
            barrier.wait()
            call()
            outcomes[name] = "won"
        except InvalidTransition:
            outcomes[name] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=decide,
            args=("approve", lambda: services.application_approve(application=application, by=first)),
        ),
        threading.Thread(
            target=decide,
            args=(
                "reject",
                lambda: services.application_reject(application=application, by=second, reason="证件不符"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "won"]
    application = OnboardingApplication.objects.get(pk=application.pk)
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    expected = ApplicationStatus.APPROVED if winner == "approve" else ApplicationStatus.REJECTED
    assert application.status == expected
    decisions = application.events.filter(
        to_status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]
    )
    assert decisions.count() == 1
