"""Every status map, move by move: what each allows, what it refuses, what it records.

The tables below are the specification, written out by hand (not read from the maps):
each workflow's map must equal its table, every listed move must succeed from a row
put in its start status (with a reason where one is required, refused without), and
every other pair of statuses must raise InvalidTransition and change nothing: not the
status, not the history.
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import InvalidTransition, ReasonRequired
from core.transitions import Workflow
from industrybelts import services as belt_services
from industrybelts.models import Belt
from industrybelts.workflows import MEMBERSHIP_WORKFLOW, PROVIDER_WORKFLOW
from merchants.compliance.workflows import (
    CATEGORY_REQUEST_WORKFLOW,
    COMPLIANCE_WORKFLOW,
    DEPOSIT_TRANSFER_WORKFLOW,
    DOCUMENT_WORKFLOW,
)
from merchants.models import (
    ApplicationDocument,
    CategoryRequest,
    DepositTransfer,
    MerchantCompliance,
    OnboardingApplication,
)
from merchants.workflows import APPLICATION_WORKFLOW
from storefront.school.workflows import SCHOOL_WORKFLOW
from storefront.workflows import PRODUCT_WORKFLOW
from tests.factories import StaffFactory, submitted_application
from tests.industrybelts.conftest import approved_merchant, approved_provider, make_base
from tests.storefront.conftest import make_product
from tests.storefront.school.conftest import make_item

pytestmark = pytest.mark.django_db

SPEC = {
    "application": {
        "edges": "draft>submitted submitted>in_review submitted>draft in_review>approved "
        "in_review>changes_requested in_review>rejected changes_requested>submitted "
        "approved>suspended suspended>approved approved>closed suspended>closed",
        "reasons": {"changes_requested", "rejected", "suspended"},
    },
    "provider": {
        "edges": "applied>approved applied>rejected approved>suspended approved>removed "
        "suspended>approved suspended>removed",
        "reasons": {"rejected", "suspended", "removed"},
    },
    "membership": {
        "edges": "applied>pre_approved applied>rejected pre_approved>approved pre_approved>rejected "
        "approved>left",
        "reasons": {"rejected"},
    },
    "product": {
        "edges": "draft>published draft>deleted published>unpublished published>hidden published>deleted "
        "unpublished>published unpublished>deleted hidden>published published>restricted "
        "restricted>published restricted>unpublished restricted>deleted",
        "reasons": {"hidden"},
    },
    "compliance": {
        "edges": "good>action_required good>restricted good>closed action_required>good "
        "action_required>restricted action_required>closed restricted>good restricted>action_required "
        "restricted>closed",
        "reasons": set(),
    },
    "document": {
        "edges": "pending>current pending>refused current>superseded",
        "reasons": {"refused"},
    },
    "category_request": {
        "edges": "submitted>approved submitted>rejected submitted>withdrawn",
        "reasons": {"rejected"},
    },
    "deposit_transfer": {
        "edges": "submitted>confirmed submitted>refused",
        "reasons": {"refused"},
    },
    "school": {
        "edges": "draft>submitted draft>scheduled draft>published submitted>draft submitted>scheduled "
        "submitted>published submitted>changes_requested submitted>rejected changes_requested>submitted "
        "scheduled>published scheduled>draft published>archived archived>published archived>draft",
        "reasons": {"changes_requested", "rejected"},
    },
}

WORKFLOWS = {
    "application": APPLICATION_WORKFLOW,
    "provider": PROVIDER_WORKFLOW,
    "membership": MEMBERSHIP_WORKFLOW,
    "product": PRODUCT_WORKFLOW,
    "school": SCHOOL_WORKFLOW,
    "compliance": COMPLIANCE_WORKFLOW,
    "document": DOCUMENT_WORKFLOW,
    "category_request": CATEGORY_REQUEST_WORKFLOW,
    "deposit_transfer": DEPOSIT_TRANSFER_WORKFLOW,
}

WORKFLOW_MODULES = [
    "merchants.workflows",
    "merchants.compliance.workflows",
    "industrybelts.workflows",
    "storefront.workflows",
    "storefront.school.workflows",
]


def _subject(name):
    """One row of the workflow's model, made through the services as users make them."""
    if name == "application":
        return submitted_application()
    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    if name == "provider":
        return approved_provider(apparel)[0]
    if name == "membership":
        merchant = approved_merchant()
        return belt_services.membership_apply(
            merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
        )
    if name == "product":
        return make_product(approved_merchant(), publish=False)
    if name in ("compliance", "document", "category_request", "deposit_transfer"):
        return _compliance_subject(name)
    item = make_item(title="开播前的三件事", publish=False)
    # A scheduled item has a time (the table's school_scheduled_has_time): give it one up
    # front, so the item can be put in any status.
    item.publish_at = timezone.now() + datetime.timedelta(days=1)
    item.save(update_fields=["publish_at"])
    return item


def _compliance_subject(name):
    merchant = approved_merchant()
    if name == "compliance":
        return MerchantCompliance.objects.get(merchant=merchant)
    if name == "document":
        return ApplicationDocument.objects.filter(application__merchant=merchant).first()
    if name == "category_request":
        return CategoryRequest.objects.create(merchant=merchant, deposit_before=0, deposit_after=0)
    return DepositTransfer.objects.create(
        merchant=merchant,
        amount=Decimal("2000.00"),
        payer_name="王小丽",
        bank_reference="TR-SPEC",
        receipt="deposits/spec.pdf",
        content_type="application/pdf",
        size=100,
    )


def _edges(name) -> set[tuple[str, str]]:
    return {tuple(edge.split(">")) for edge in SPEC[name]["edges"].split()}


class _Undo(Exception):
    """Raised to roll one cell's savepoint back, so every cell starts from the same row."""


def _attempt(workflow, obj, start, target, reason):
    """Put `obj` in `start`, try the move, and return (outcome, status after, events written)."""
    model = workflow.model
    outcome = None
    try:
        with transaction.atomic():
            model._default_manager.filter(pk=obj.pk).update(**{workflow.status_field: start})
            events_before = workflow.event_model.objects.count()
            try:
                _moved, event = workflow.move(obj=obj, to=target, by=None, reason=reason)
                outcome = ("moved", event.from_status, event.to_status)
            except (InvalidTransition, ReasonRequired) as error:
                outcome = (type(error).__name__,)
            status = (
                model._default_manager.filter(pk=obj.pk).values_list(workflow.status_field, flat=True).get()
            )
            written = workflow.event_model.objects.count() - events_before
            raise _Undo((outcome, status, written))
    except _Undo as undo:
        return undo.args[0]


def test_every_workflow_is_in_the_table():
    declared = {
        id(value)
        for module in WORKFLOW_MODULES
        for value in vars(importlib.import_module(module)).values()
        if isinstance(value, Workflow)
    }

    assert declared == {id(workflow) for workflow in WORKFLOWS.values()}
    assert set(SPEC) == set(WORKFLOWS)


@pytest.mark.parametrize("name", list(SPEC))
def test_the_map_is_the_specification(name):
    workflow = WORKFLOWS[name]
    mapped = {(start, target) for start, targets in workflow.transitions.items() for target in targets}

    assert mapped == _edges(name)
    assert set(workflow.reason_required) == SPEC[name]["reasons"]


@pytest.mark.parametrize("name", list(SPEC))
def test_every_pair_of_statuses_moves_or_is_refused_as_the_table_says(name):
    workflow = WORKFLOWS[name]
    obj = _subject(name)
    statuses = [value for value, _label in workflow.model._meta.get_field(workflow.status_field).choices]
    allowed, reasons = _edges(name), SPEC[name]["reasons"]
    wrong = []
    for start in statuses:
        for target in statuses:
            if (start, target) in allowed:
                expected = (("moved", start, target), target, 1)
                if target in reasons:
                    unexplained = _attempt(workflow, obj, start, target, reason="")
                    if unexplained != (("ReasonRequired",), start, 0):
                        wrong.append(f"{start}>{target} without a reason: {unexplained}")
                got = _attempt(workflow, obj, start, target, reason="表格测试")
            else:
                expected = (("InvalidTransition",), start, 0)
                got = _attempt(workflow, obj, start, target, reason="表格测试")
            if got != expected:
                wrong.append(f"{start}>{target}: {got}, expected {expected}")
    print(f"\n{name}: {len(statuses) ** 2} pairs checked, {len(allowed)} allowed")
    assert wrong == []


@pytest.mark.parametrize("name", list(SPEC))
def test_events_are_append_only(name):
    workflow = WORKFLOWS[name]
    event = workflow.record(obj=_subject(name), by=None, reason="记录")

    event.reason = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert workflow.event_model.objects.get(pk=event.pk).reason == "记录"


@pytest.mark.django_db(transaction=True)
def test_a_move_outside_a_transaction_is_refused_before_it_reads():
    """The lock of a move lasts as long as its transaction: without one it would protect nothing."""
    product = make_product(approved_merchant(), publish=False)
    staff = StaffFactory()

    with pytest.raises(RuntimeError):
        PRODUCT_WORKFLOW.move(obj=product, to="published", by=staff)

    product.refresh_from_db()
    assert product.status == "draft"
    assert not PRODUCT_WORKFLOW.event_model.objects.filter(product=product, to_status="published").exists()


def test_a_guarded_move_reads_its_row_once():
    """The service's guard (who may) and the move share one locked read of the row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from merchants import services as merchant_services

    application = submitted_application()
    table = OnboardingApplication._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        merchant_services.application_withdraw(application=application, by=application.merchant.user)

    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]
    assert len(reads) == 1, reads
