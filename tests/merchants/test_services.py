"""The onboarding workflow through its services: every allowed and refused move."""

import pytest
from django.core.exceptions import PermissionDenied

from core.exceptions import InvalidTransition, ReasonRequired
from merchants import services
from merchants.exceptions import ApplicationIncomplete, DuplicateIdentity, NotEditable
from merchants.models import ApplicationEvent, ApplicationStatus, OnboardingApplication
from merchants.selectors import current_application
from merchants.workflows import APPLICATION_WORKFLOW
from tests.factories import (
    ApplicationFactory,
    StaffFactory,
    UserFactory,
    fill_application,
    reviewer,
    submitted_application,
)
from tests.identity import make_uscc

pytestmark = pytest.mark.django_db

S = ApplicationStatus
ALL_STATUSES = list(S)
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.IN_REVIEW),
    (S.SUBMITTED, S.DRAFT),  # withdrawn by the merchant
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.CHANGES_REQUESTED),
    (S.IN_REVIEW, S.REJECTED),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.APPROVED, S.SUSPENDED),
    (S.SUSPENDED, S.APPROVED),
    (S.APPROVED, S.CLOSED),  # the merchant closes its shop (退店)
    (S.SUSPENDED, S.CLOSED),
}


@pytest.mark.parametrize("source", ALL_STATUSES)
@pytest.mark.parametrize("target", ALL_STATUSES)
def test_transition_map_allows_exactly_the_documented_moves(source, target):
    application = ApplicationFactory(status=source)
    staff = reviewer()

    from django.db import transaction

    if (source, target) in ALLOWED:
        with transaction.atomic():
            moved, event = APPLICATION_WORKFLOW.move(obj=application, to=target, by=staff, reason="原因")
        assert moved.status == target
        assert (event.from_status, event.to_status, event.actor) == (source, target, staff)
    else:
        with pytest.raises(InvalidTransition), transaction.atomic():
            APPLICATION_WORKFLOW.move(obj=application, to=target, by=staff, reason="原因")
        application.refresh_from_db()
        assert application.status == source
        assert not ApplicationEvent.objects.filter(application=application).exists()


def test_submit_moves_a_complete_draft_and_emails_the_merchant(outbox, django_capture_on_commit_callbacks):
    application = fill_application(ApplicationFactory())

    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(application=application, by=application.merchant.user)

    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at is not None
    [event] = submitted.events.all()
    assert (event.from_status, event.to_status) == (S.DRAFT, S.SUBMITTED)
    [message] = outbox.wait_for(1)
    assert message.to == [application.merchant.user.email]
    assert "收到" in message.subject


def test_submit_of_an_incomplete_draft_names_the_missing_steps_and_changes_nothing():
    application = ApplicationFactory()

    with pytest.raises(ApplicationIncomplete) as refused:
        services.application_submit(application=application, by=application.merchant.user)

    assert "证件材料" in refused.value.missing or "Documents" in refused.value.missing
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert not application.events.exists()


def test_submitting_twice_is_refused_the_second_time():
    application = submitted_application()

    with pytest.raises(InvalidTransition):
        services.application_submit(application=application, by=application.merchant.user)

    assert application.events.count() == 1


def test_another_user_cannot_submit_someone_elses_application():
    application = fill_application(ApplicationFactory())
    stranger = ApplicationFactory().merchant.user

    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, by=stranger)


def test_approve_from_submitted_records_review_then_decision(outbox, django_capture_on_commit_callbacks):
    application = submitted_application()

    with django_capture_on_commit_callbacks(execute=True):
        approved = services.application_approve(application=application, by=reviewer())

    assert approved.status == S.APPROVED
    assert approved.decided_at is not None
    assert [(e.from_status, e.to_status) for e in approved.events.all()] == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.APPROVED),
    ]
    assert "通过" in outbox.wait_for(1)[-1].subject


@pytest.mark.parametrize(
    "decide",
    [
        lambda app, by: services.application_request_changes(application=app, by=by, reason="  "),
        lambda app, by: services.application_reject(application=app, by=by, reason=""),
    ],
)
def test_decisions_that_need_a_reason_refuse_without_one(decide):
    application = submitted_application()

    with pytest.raises(ReasonRequired):
        decide(application, reviewer())

    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.events.count() == 1


def test_request_changes_records_the_fields_and_reopens_editing(outbox, django_capture_on_commit_callbacks):
    application = submitted_application()

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.application_request_changes(
            application=application,
            by=reviewer(),
            reason="营业执照照片不清晰，请重新拍摄。",
            fields=["documents"],
        )

    assert changed.status == S.CHANGES_REQUESTED
    assert changed.is_editable
    event = changed.events.last()
    assert event.reason == "营业执照照片不清晰，请重新拍摄。"
    assert event.details == {"fields": ["documents"]}
    [message] = outbox.wait_for(1)
    assert "营业执照照片不清晰" in message.body
    assert "修改" in message.subject


def test_changes_requested_can_be_resubmitted():
    application = submitted_application()
    services.application_request_changes(
        application=application, by=reviewer(), reason="请补充", fields=["channels"]
    )

    resubmitted = services.application_submit(application=application, by=application.merchant.user)

    assert resubmitted.status == S.SUBMITTED


def test_merchant_cannot_edit_while_submitted():
    application = submitted_application()

    with pytest.raises(NotEditable):
        services.application_set_channels(application=application, by=application.merchant.user, channels=[])

    assert application.merchant.channels.count() == 1


def test_suspend_needs_a_reason_and_reinstate_returns_to_approved():
    application = submitted_application()
    staff = reviewer()
    services.application_approve(application=application, by=staff)

    with pytest.raises(ReasonRequired):
        services.application_suspend(application=application, by=staff, reason="")
    suspended = services.application_suspend(application=application, by=staff, reason="售假投诉核实中")
    reinstated = services.application_reinstate(application=application, by=staff)

    assert suspended.status == S.SUSPENDED
    assert reinstated.status == S.APPROVED


def test_staff_without_the_reviewer_group_cannot_decide():
    application = submitted_application()

    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, by=StaffFactory(group="support"))

    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_rejected_merchant_can_start_a_new_application():
    application = submitted_application()
    services.application_reject(application=application, by=reviewer(), reason="资料不实")

    fresh = services.application_start(merchant=application.merchant)

    assert fresh.pk != application.pk
    assert fresh.status == S.DRAFT


def test_start_returns_the_active_application_instead_of_a_second_one():
    application = ApplicationFactory()

    assert services.application_start(merchant=application.merchant) == application
    assert OnboardingApplication.objects.filter(merchant=application.merchant).count() == 1


def test_one_merchant_per_uscc_from_submission_on():
    taken = submitted_application()
    other = fill_application(ApplicationFactory())
    entity = {
        "entity_type": taken.entity_type,
        "legal_name": "另一家",
        "uscc": taken.uscc,
        "legal_representative": "李四",
        "id_number": taken.id_number,
    }
    services.application_update_entity(
        application=other,
        by=other.merchant.user,
        entity=entity,
        profile={},
        categories=other.merchant.categories.all(),
    )

    with pytest.raises(DuplicateIdentity) as refused:
        services.application_submit(application=other, by=other.merchant.user)

    other.refresh_from_db()
    assert other.status == S.DRAFT
    assert "联系客服" in str(refused.value)
    assert taken.merchant.display_name not in str(refused.value)


def test_a_draft_does_not_hold_a_number_against_its_owner():
    squatter = ApplicationFactory()
    owner_application = fill_application(ApplicationFactory())
    services.application_update_entity(
        application=squatter,
        by=squatter.merchant.user,
        entity={
            "entity_type": owner_application.entity_type,
            "legal_name": "冒用",
            "uscc": owner_application.uscc,
            "legal_representative": "张三",
            "id_number": owner_application.id_number,
        },
        profile={},
        categories=[],
    )

    submitted = services.application_submit(application=owner_application, by=owner_application.merchant.user)

    assert submitted.status == S.SUBMITTED


def test_a_reviewer_cannot_decide_on_their_own_application():
    from merchants.exceptions import SelfReview

    staff = reviewer()
    own = fill_application(ApplicationFactory(merchant__user=staff))
    services.application_submit(application=own, by=staff)

    with pytest.raises(SelfReview):
        services.application_approve(application=own, by=staff)

    own.refresh_from_db()
    assert own.status == S.SUBMITTED


def test_decision_emails_keep_the_reason_as_typed(outbox, django_capture_on_commit_callbacks):
    application = submitted_application()

    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=application, by=reviewer(), reason='"A&B" <证件> 不符')

    assert '"A&B" <证件> 不符' in outbox.wait_for(1)[-1].body


def test_uscc_is_free_again_after_a_rejection():
    taken = submitted_application()
    services.application_reject(application=taken, by=reviewer(), reason="资料不实")
    other = ApplicationFactory()

    services.application_update_entity(
        application=other,
        by=other.merchant.user,
        entity={
            "entity_type": taken.entity_type,
            "legal_name": "新店",
            "uscc": taken.uscc,
            "legal_representative": "李四",
            "id_number": taken.id_number,
        },
        profile={},
        categories=[],
    )

    other.refresh_from_db()
    assert other.uscc == taken.uscc
    assert make_uscc() != taken.uscc


def test_jade_category_requires_the_appraisal_certificate_and_the_highest_deposit():
    from merchants import selectors

    application = fill_application(ApplicationFactory(), categories=("apparel", "jade-jewellery"))
    application = selectors.application_with_details().get(pk=application.pk)

    slots = selectors.document_slots(application)
    amount, _categories = selectors.deposit_breakdown(application.merchant)

    assert [s.qualification.code for s in slots if s.qualification] == ["gem-appraisal"]
    assert str(amount) == "10000.00"
    assert str(application.deposit_amount) == "10000.00"


def test_changing_categories_after_the_deposit_asks_for_it_again():
    from merchants import selectors
    from merchants.models import Category

    application = fill_application(ApplicationFactory())
    application.merchant.categories.add(Category.objects.get(code="food"))
    application = selectors.application_with_details().get(pk=application.pk)

    assert not selectors.deposit_acknowledged(application)
    assert any("保证金" in m or "Deposit" in m for m in selectors.missing_for_submit(application))


def test_the_current_application_is_the_active_one_else_the_latest_rejected_with_or_without_details(
    django_assert_num_queries,
):
    """current_application(details=False) is a query compiled once per process; it must
    answer as the ORM's does, with the shop and its user attached."""
    application = submitted_application()
    user = application.merchant.user
    assert current_application(user) == current_application(user, details=False) == application

    services.application_reject(application=application, by=reviewer(), reason="资料不实")
    rejected = current_application(user, details=False)
    assert rejected == current_application(user) == application
    assert rejected.status == S.REJECTED

    fresh = services.application_start(merchant=application.merchant)
    with django_assert_num_queries(1):
        current = current_application(user, details=False)
        assert (current.merchant.display_name, current.merchant.user) == (
            application.merchant.display_name,
            user,
        )
    assert current == current_application(user) == fresh
    assert current.status == S.DRAFT and current.updated_at == fresh.updated_at
    assert current_application(UserFactory(), details=False) is None
