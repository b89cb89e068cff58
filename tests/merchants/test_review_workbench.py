"""The reviewer's workbench on the application page: queue, claims, the decision panel."""

import datetime
import threading

import pytest
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import claims
from core.claims import ReviewClaim
from merchants.models import ApplicationEvent, ApplicationStatus, OnboardingApplication
from tests.factories import ApplicationFactory, reviewer, submitted_application

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:merchants_onboardingapplication_changelist")
CLAIM_NEXT = reverse("admin:merchants_onboardingapplication_claim_next")


def _page(application):
    return reverse("admin:merchants_onboardingapplication_change", args=[application.pk])


def _decide(application):
    return reverse("admin:merchants_onboardingapplication_decide", args=[application.pk])


def _logged_in(staff=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(staff or reviewer())
    return client


def _submitted_at(application, days_ago):
    OnboardingApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_the_queue_opens_on_what_awaits_review_oldest_first_with_counts():
    newer, older = submitted_application(), submitted_application()
    _submitted_at(newer, 1)
    _submitted_at(older, 5)
    draft = ApplicationFactory()

    response = _logged_in().get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [older, newer]
    tabs = {str(tab["label"]): tab["count"] for tab in response.context["queue_tabs"]}
    assert tabs["待审核"] == 2
    assert tabs["草稿"] == 1
    html = response.content.decode()
    assert str(draft.public_id)[:8] not in html  # no row is named by a hex code
    assert older.legal_name in html


def test_the_panel_offers_the_moves_of_the_current_status():
    application = submitted_application()

    panel = _logged_in().get(_page(application)).context["review_panel"]

    keys = [item["decision"].key for item in panel["decisions"]]
    assert keys == ["start_review", "approve", "request_changes", "reject"]
    assert panel["status"] == ApplicationStatus.SUBMITTED


def test_approve_with_a_note_lands_on_the_next_application_claimed():
    first, second = submitted_application(), submitted_application()
    _submitted_at(first, 3)
    _submitted_at(second, 2)
    staff = reviewer()
    client = _logged_in(staff)

    response = client.post(
        _decide(first), {"decision": "approve", "expected_status": "submitted", "note": "资料齐全"}
    )

    first.refresh_from_db()
    assert first.status == ApplicationStatus.APPROVED
    assert first.events.order_by("-pk").first().reason == "资料齐全"
    assert response.status_code == 302 and response.url == _page(second)
    assert claims.holder(second).claimed_by == staff
    assert claims.holder(first) is None


def test_request_changes_records_the_reason_and_what_it_is_about():
    application = submitted_application()

    _logged_in().post(
        _decide(application),
        {
            "decision": "request_changes",
            "expected_status": "submitted",
            "reason": "营业执照照片模糊",
            "concerns": ["documents"],
        },
    )

    event = application.events.order_by("-pk").first()
    assert (event.to_status, event.reason, event.details["fields"]) == (
        ApplicationStatus.CHANGES_REQUESTED,
        "营业执照照片模糊",
        ["documents"],
    )


def test_a_missing_reason_records_nothing():
    application = submitted_application()
    events = ApplicationEvent.objects.count()

    response = _logged_in().post(
        _decide(application),
        {"decision": "reject", "expected_status": "submitted", "reason": "  "},
        follow=True,
    )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert ApplicationEvent.objects.count() == events
    assert "理由" in response.content.decode()


def test_a_stale_page_or_a_double_click_records_one_decision():
    application = submitted_application()
    client = _logged_in()
    data = {"decision": "approve", "expected_status": "submitted"}

    client.post(_decide(application), data)
    events = ApplicationEvent.objects.filter(application=application).count()
    again = client.post(_decide(application), data, follow=True)

    assert ApplicationEvent.objects.filter(application=application).count() == events
    assert "已被他人处理" in again.content.decode()


def test_a_decision_waits_for_the_claims_holder_unless_taken_over():
    application = submitted_application()
    holder, other = reviewer(), reviewer()
    claims.claim(application, by=holder)
    client = _logged_in(other)
    data = {"decision": "approve", "expected_status": "submitted"}

    refused = client.post(_decide(application), data, follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert holder.email in refused.content.decode() or holder.name in refused.content.decode()

    client.post(_decide(application), {**data, "take_over": "on"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    takeover = application.events.filter(details__kind="takeover").get()
    assert (takeover.actor, takeover.details["from"]) == (other, holder.email)


def test_a_claim_lapses_after_its_time():
    application = submitted_application()
    holder, other = reviewer(), reviewer()
    claims.claim(application, by=holder)
    ReviewClaim.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    claims.claim(application, by=other)

    assert claims.holder(application).claimed_by == other
    assert not application.events.filter(details__kind="takeover").exists()


def test_claim_next_skips_what_another_reviewer_holds():
    taken, free = submitted_application(), submitted_application()
    _submitted_at(taken, 4)
    _submitted_at(free, 1)
    claims.claim(taken, by=reviewer())
    staff = reviewer()

    response = _logged_in(staff).post(CLAIM_NEXT)

    assert response.url == _page(free)
    assert claims.holder(free).claimed_by == staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins_the_other_is_told():
    application = submitted_application()
    staff = [reviewer(), reviewer()]
    barrier = threading.Barrier(2)
    answers = []

    def decide(user, decision, extra):
        client = _logged_in(user)
        barrier.wait(timeout=10)
        response = client.post(
            _decide(application), {"decision": decision, "expected_status": "submitted", **extra}, follow=True
        )
        answers.append(response.content.decode())
        close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(staff[0], "approve", {})),
        threading.Thread(target=decide, args=(staff[1], "reject", {"reason": "资质不符"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    application.refresh_from_db()
    assert application.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
    decided = application.events.filter(
        to_status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]
    )
    assert decided.count() == 1
    assert sum("已被他人处理" in answer for answer in answers) == 1


def test_the_merchant_fixes_exactly_the_step_the_reviewer_flagged(client):
    application = submitted_application()
    _logged_in().post(
        _decide(application),
        {
            "decision": "request_changes",
            "expected_status": "submitted",
            "reason": "身份证号与证件照不一致",
            "concerns": ["id_number"],
        },
    )
    client.force_login(application.merchant.user)

    dashboard = client.get(reverse("merchants:dashboard")).content.decode()
    step = client.get(reverse("merchants:application-step", args=["entity"])).content.decode()
    documents = client.get(reverse("merchants:application-step", args=["documents"])).content.decode()

    assert reverse("merchants:application-step", args=["entity"]) in dashboard
    assert "身份证号与证件照不一致" in step
    assert step.count("is-flagged") == 2  # the step in the list, and the ID number field
    assert 'field is-flagged">' not in documents and "is-flagged" in documents  # the list's step only


def test_a_flagged_documents_step_is_where_fixing_starts(client):
    application = submitted_application()
    _logged_in().post(
        _decide(application),
        {
            "decision": "request_changes",
            "expected_status": "submitted",
            "reason": "营业执照过期",
            "concerns": ["documents"],
        },
    )
    client.force_login(application.merchant.user)

    dashboard = client.get(reverse("merchants:dashboard")).content.decode()

    assert reverse("merchants:application-step", args=["documents"]) in dashboard
