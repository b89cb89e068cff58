"""Celery tasks of onboarding: thumbnails and the overdue flag (eager, or on the real worker)."""

import datetime
import time
import zoneinfo

import pytest
from PIL import Image

from merchants.models import ApplicationDocument, OnboardingApplication
from merchants.tasks import flag_overdue_applications_task
from tests.factories import ApplicationFactory, fill_application, reviewer, submitted_application

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _wait_for_thumbnails(documents, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        fresh = list(ApplicationDocument.objects.filter(pk__in=[d.pk for d in documents]))
        if all(d.thumbnail for d in fresh) or time.monotonic() > deadline:
            return fresh
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_uploaded_photos_get_a_private_webp_thumbnail_after_commit(settings):
    application = fill_application(ApplicationFactory())
    photos = list(application.documents.exclude(content_type="application/pdf"))

    fresh = _wait_for_thumbnails(photos)

    assert len(fresh) == 2
    for document in fresh:
        assert document.thumbnail.name.endswith(".webp")
        assert document.thumbnail.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        with Image.open(document.thumbnail.path) as thumbnail:
            assert thumbnail.format == "WEBP"
            assert max(thumbnail.size) <= 480
    pdf = application.documents.get(content_type="application/pdf")
    assert not pdf.thumbnail


@pytest.mark.django_db(transaction=True)
def test_thumbnail_task_run_twice_keeps_one_thumbnail():
    from merchants.tasks import make_document_thumbnail_task

    application = fill_application(ApplicationFactory())
    [document, *_] = _wait_for_thumbnails(list(application.documents.exclude(content_type="application/pdf")))
    first = document.thumbnail.name

    make_document_thumbnail_task.apply(args=[document.pk])

    document.refresh_from_db()
    assert document.thumbnail.name == first


@pytest.mark.django_db
def test_beat_task_flags_applications_over_two_working_days_once(outbox, django_capture_on_commit_callbacks):
    staff = reviewer()
    old = submitted_application()
    recent = submitted_application()
    now = datetime.datetime.now(tz=SHANGHAI)
    OnboardingApplication.objects.filter(pk=old.pk).update(submitted_at=now - datetime.timedelta(days=6))

    with django_capture_on_commit_callbacks(execute=True):
        flagged = flag_overdue_applications_task.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = flag_overdue_applications_task.apply().get()

    assert (flagged, again) == (1, 0)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.overdue_flagged_at is not None
    assert recent.overdue_flagged_at is None
    to_reviewers = [m for m in outbox.wait_for(1) if m.to == [staff.email]]
    assert len(to_reviewers) == 1
    assert old.legal_name in to_reviewers[0].body


@pytest.mark.django_db
def test_resubmitting_clears_the_overdue_flag():
    from merchants import services

    application = submitted_application()
    OnboardingApplication.objects.filter(pk=application.pk).update(
        submitted_at=datetime.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
    )
    services.applications_flag_overdue()
    services.application_request_changes(application=application, by=reviewer(), reason="请补充")

    resubmitted = services.application_submit(application=application, by=application.merchant.user)

    assert resubmitted.overdue_flagged_at is None
