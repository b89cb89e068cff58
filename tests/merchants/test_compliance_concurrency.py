"""Two beat runs at once on PostgreSQL: each expiry reminder is sent exactly once."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from merchants.compliance import services
from merchants.models import ApplicationDocument, ComplianceReminder, DocumentStatus
from tests.industrybelts.conftest import approved_merchant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_sweeps_send_each_reminder_once(outbox):
    merchants = [approved_merchant(categories=("jade-jewellery",)) for _ in range(3)]
    soon = timezone.localdate() + datetime.timedelta(days=6)
    ApplicationDocument.objects.filter(
        application__merchant__in=merchants,
        qualification__code="gem-appraisal",
        status=DocumentStatus.CURRENT,
    ).update(valid_until=soon)
    sent_before = len(outbox.messages())
    barrier = threading.Barrier(2)
    counts = []

    def sweep():
        try:
            barrier.wait()
            counts.append(services.send_expiry_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    reminders = ComplianceReminder.objects.filter(document__application__merchant__in=merchants)
    # Only the reminders: on the worker run, the merchants' approval e-mails may still be
    # arriving after `sent_before` was read.
    recipients = {m.user.email for m in merchants}
    deadline = time.monotonic() + 20
    while True:
        messages = [
            m
            for m in outbox.messages()[sent_before:]
            if m.to[0] in recipients and any(word in m.subject for word in ("过期", "expires"))
        ]
        if len(messages) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sum(counts) == 3
    assert sorted(reminders.values_list("days_before", flat=True)) == [7, 7, 7]
    assert sorted(m.to[0] for m in messages) == sorted(m.user.email for m in merchants)
    print(f"\nsweeps sent {counts}; reminder rows {reminders.count()}; e-mails {len(messages)}")
