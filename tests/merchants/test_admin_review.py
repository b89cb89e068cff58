"""The reviewers' queue in Django admin: filters, search, documents beside fields, decisions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants import services
from merchants.models import ApplicationStatus, OnboardingApplication
from tests.factories import ApplicationFactory, reviewer, submitted_application

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:merchants_onboardingapplication_changelist")


@pytest.fixture
def reviewer_client(client):
    staff = reviewer()
    client.force_login(staff)
    client.staff = staff
    return client


def _action(client, action, applications, **extra):
    """A bulk action from the "all" tab (the default tab lists only what awaits review)."""
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    return client.post(CHANGELIST + "?queue=all", data, follow=True)


def test_queue_filters_by_status_and_searches_by_uscc_and_mobile(reviewer_client):
    waiting = submitted_application()
    ApplicationFactory()  # a draft

    by_status = reviewer_client.get(CHANGELIST, {"status__exact": "submitted"})
    by_uscc = reviewer_client.get(CHANGELIST, {"q": waiting.uscc})
    by_mobile = reviewer_client.get(CHANGELIST, {"q": "+8613812345678"})

    assert list(by_status.context["cl"].result_list) == [waiting]
    assert list(by_uscc.context["cl"].result_list) == [waiting]
    assert waiting in by_mobile.context["cl"].result_list


@pytest.mark.parametrize(
    "params",
    [
        {"entity_type__exact": "individual_business"},
        {"merchant__seller_type__exact": "stall"},
        {"province": "330000"},
        {"overdue": "today"},
        {"merchant__categories__id__exact": "1"},
    ],
)
def test_every_filter_answers(reviewer_client, params):
    waiting = submitted_application()

    response = reviewer_client.get(CHANGELIST, params)

    assert response.status_code == 200
    assert waiting in response.context["cl"].result_list


def test_queue_query_count_does_not_grow_with_rows(reviewer_client, django_assert_max_num_queries):
    submitted_application()
    with django_assert_max_num_queries(40) as first:
        reviewer_client.get(CHANGELIST)
    for _ in range(6):
        submitted_application()

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = reviewer_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 7


def test_change_page_shows_documents_beside_fields_and_read_only_history(reviewer_client):
    application = submitted_application()

    response = reviewer_client.get(
        reverse("admin:merchants_onboardingapplication_change", args=[application.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    for document in application.documents.all():
        assert reverse("merchants:document-file", args=[document.public_id]) in html
    assert "已提交" in html
    assert 'name="status"' not in html
    # The history inline (prefix "events", the events' related name) shows the submission
    # and offers no field to edit it, nor a row to add.
    assert 'name="events-TOTAL_FORMS"' in html
    assert 'name="events-0-reason"' not in html
    assert 'name="events-0-to_status"' not in html
    assert 'name="events-__prefix__-reason"' not in html
    assert html.count("已提交") >= 2  # the status above, and the move in the history


def test_bulk_approve_moves_every_selected_application(
    reviewer_client, outbox, django_capture_on_commit_callbacks
):
    applications = [submitted_application() for _ in range(3)]

    confirmation = _action(reviewer_client, "approve", applications[:2])
    assert [OnboardingApplication.objects.get(pk=a.pk).status for a in applications] == [
        ApplicationStatus.SUBMITTED
    ] * 3  # nothing changes until the page listing the two is confirmed
    assert confirmation.content.decode().count("已通过") >= 2

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(reviewer_client, "approve", applications[:2], apply="1", confirm="1")

    statuses = [OnboardingApplication.objects.get(pk=a.pk).status for a in applications]
    assert statuses == [ApplicationStatus.APPROVED, ApplicationStatus.APPROVED, ApplicationStatus.SUBMITTED]
    assert "2" in " ".join(str(m) for m in response.context["messages"])
    assert {m.to[0] for m in outbox.wait_for(2)} == {a.merchant.user.email for a in applications[:2]}


def test_request_changes_asks_for_a_reason_first(reviewer_client):
    application = submitted_application()

    form_page = _action(reviewer_client, "request_changes", [application])
    empty = _action(reviewer_client, "request_changes", [application], apply="1", reason="")
    done = _action(
        reviewer_client,
        "request_changes",
        [application],
        apply="1",
        reason="身份证照片反光，请重拍",
        concerns=["documents"],
    )

    assert "reason" in form_page.context["form"].fields
    assert empty.context["form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    event = application.events.last()
    assert (event.reason, event.details, event.actor) == (
        "身份证照片反光，请重拍",
        {"fields": ["documents"]},
        reviewer_client.staff,
    )
    assert done.status_code == 200


def test_a_refused_decision_is_reported_not_applied(reviewer_client):
    draft = ApplicationFactory()

    confirmation = _action(reviewer_client, "approve", [draft])
    _action(reviewer_client, "approve", [draft], apply="1", confirm="1")

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert "草稿" in confirmation.content.decode()  # listed as staying as it is


def test_suspend_and_reinstate_from_admin(reviewer_client):
    application = submitted_application()
    services.application_approve(application=application, by=reviewer_client.staff)

    _action(reviewer_client, "suspend", [application], apply="1", reason="多次发货超时")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUSPENDED
    _action(reviewer_client, "reinstate", [application], apply="1", confirm="1")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_overdue_filter_lists_flagged_applications(reviewer_client):
    application = submitted_application()
    OnboardingApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=10)
    )
    services.applications_flag_overdue()

    response = reviewer_client.get(CHANGELIST, {"overdue": "yes"})

    assert list(response.context["cl"].result_list) == [application]
    assert "⚠" in response.content.decode()


def test_change_page_query_count_does_not_grow_with_history(reviewer_client, django_assert_max_num_queries):
    application = submitted_application()
    url = reverse("admin:merchants_onboardingapplication_change", args=[application.pk])
    with django_assert_max_num_queries(40) as first:
        reviewer_client.get(url)
    for _ in range(4):
        services.application_request_changes(application=application, by=reviewer(), reason="请补充")
        services.application_submit(application=application, by=application.merchant.user)

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = reviewer_client.get(url)

    assert response.status_code == 200
