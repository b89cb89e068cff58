"""Staff screens after approval (merchants/compliance/admin.py): who sees which page, what
each decision of the panel changes, what bad input leaves untouched, and flat lists."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from core.uploads import check_upload
from merchants.compliance import services
from merchants.compliance.services import AmountMismatch, DeductionTooLarge
from merchants.models import (
    ApplicationDocument,
    Category,
    CategoryRequestStatus,
    CompliancePolicy,
    DepositEntry,
    DepositEntryKind,
    DepositTransferStatus,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    MerchantCompliance,
    Standing,
)
from merchants.roles import StaffGroup
from tests.factories import StaffFactory, image_upload, pdf_upload, reviewer
from tests.industrybelts.conftest import approved_merchant

pytestmark = pytest.mark.django_db


def finance():
    return StaffFactory(group=StaffGroup.FINANCE)


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


# --- Builders (also used by the role × object matrix) -------------------------------------


def renewal(merchant, *, kind=DocumentKind.ID_FRONT, issued_on=None, valid_until=None):
    """A renewed document the merchant uploaded, awaiting review."""
    upload = image_upload()
    return services.document_renew(
        merchant=merchant,
        by=merchant.user,
        kind=kind,
        upload=upload,
        checked=check_upload(upload, allow_pdf=False),
        issued_on=issued_on or days(-10),
        valid_until=valid_until or days(3650),
    )


def transfer(merchant, *, amount="2000.00", reference="BOC20261207001", pdf=False):
    upload = pdf_upload("receipt.pdf") if pdf else image_upload("receipt.jpg")
    return services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=Decimal(amount),
        payer_name="杭州四季青服饰商行",
        bank_reference=reference,
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
    )


def category_request(merchant, codes=("household",)):
    return services.category_request_submit(
        merchant=merchant,
        by=merchant.user,
        categories=list(Category.objects.filter(code__in=codes)),
        uploads={},
    )


def paid(merchant, by=None):
    """The merchant's deposit paid by a confirmed transfer."""
    _held, owed = services.deposit_balance(merchant)
    reported = transfer(merchant, amount=f"{owed:.2f}", reference=f"PAID{merchant.pk:06d}")
    return services.deposit_transfer_confirm(transfer=reported, by=by or finance(), amount_received=owed)


# --- Helpers --------------------------------------------------------------------------------


def url(model, view, *args):
    return reverse(f"admin:merchants_{model}_{view}", args=args)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def decide(client, model, obj, decision, **data):
    obj.refresh_from_db()
    payload = {"decision": decision, "expected_status": obj.status, **data}
    return client.post(url(model, "decide", obj.pk), payload)


@pytest.fixture
def merchant():
    return approved_merchant()


@pytest.fixture
def as_reviewer(client):
    client.force_login(reviewer())
    return client


@pytest.fixture
def as_finance(client):
    client.force_login(finance())
    return client


# --- Who sees which page ------------------------------------------------------------------

PAGES = ("applicationdocument", "categoryrequest", "deposittransfer", "depositentry", "merchantcompliance")
SEES = {
    StaffGroup.REVIEWER: {"applicationdocument", "categoryrequest", "merchantcompliance"},
    StaffGroup.FINANCE: {"deposittransfer", "depositentry", "merchantcompliance", "compliancepolicy"},
    StaffGroup.SUPPORT: set(),
    StaffGroup.CONTENT_EDITOR: set(),
    StaffGroup.BELT_OPERATIONS: set(),
}


@pytest.mark.parametrize("group", list(SEES))
def test_each_page_opens_for_its_group_only(client, merchant, group):
    pending = renewal(merchant)
    reported = transfer(merchant)
    request = category_request(merchant)
    entry = DepositEntry.objects.filter(merchant=merchant).first()
    objects = {
        "applicationdocument": pending,
        "categoryrequest": request,
        "deposittransfer": reported,
        "depositentry": entry,
        "merchantcompliance": MerchantCompliance.objects.get(merchant=merchant),
    }
    client.force_login(StaffFactory(group=group))

    for model in PAGES:
        expected = 200 if model in SEES[group] else 403
        assert client.get(url(model, "changelist")).status_code == expected, (group, model)
        assert client.get(url(model, "change", objects[model].pk)).status_code == expected, (group, model)
    policy = client.get(url("compliancepolicy", "changelist"))
    assert policy.status_code == (302 if "compliancepolicy" in SEES[group] else 403)


def test_the_admin_index_lists_only_the_groups_pages(client, merchant):
    client.force_login(finance())

    html = client.get(reverse("admin:index")).content.decode()

    assert url("deposittransfer", "changelist") in html
    assert url("depositentry", "changelist") in html
    assert url("applicationdocument", "changelist") not in html
    assert url("categoryrequest", "changelist") not in html


def test_finance_cannot_open_an_identity_document_even_through_the_document_view(as_finance, merchant):
    pending = renewal(merchant)

    assert as_finance.get(url("applicationdocument", "change", pending.pk)).status_code == 403
    assert as_finance.get(reverse("merchants:document-file", args=[pending.public_id])).status_code == 404


# --- Renewed documents --------------------------------------------------------------------


def test_the_queue_lists_pending_renewals_oldest_first_without_category_additions(as_reviewer):
    first, second = approved_merchant(), approved_merchant()
    older = renewal(first)
    newer = renewal(second)
    in_force = ApplicationDocument.objects.filter(status=DocumentStatus.CURRENT).first()

    response = as_reviewer.get(url("applicationdocument", "changelist"))

    listed = list(response.context["cl"].result_list)
    assert set(listed) == {older, newer}
    assert in_force not in listed
    ordered = list(response.context["cl"].model_admin.review_queue(response.wsgi_request))
    assert sorted(ordered, key=lambda d: (d.created_at, d.pk)) == [older, newer]


def test_the_review_page_shows_the_upload_above_the_panel_and_the_document_in_force_beside_it(
    as_reviewer, merchant
):
    pending = renewal(merchant, issued_on=days(-5), valid_until=days(3000))
    current = ApplicationDocument.objects.get(
        application=pending.application, kind=DocumentKind.ID_FRONT, status=DocumentStatus.CURRENT
    )

    html = as_reviewer.get(url("applicationdocument", "change", pending.pk)).content.decode()

    upload_at = html.index(reverse("merchants:document-file", args=[pending.public_id]))
    current_at = html.index(reverse("merchants:document-file", args=[current.public_id]))
    panel_at = html.index('class="review-panel"')
    assert upload_at < panel_at and current_at < panel_at
    # The approval form is prefilled with what the merchant entered.
    assert f'name="approve-valid_until" value="{days(3000).isoformat()}"' in html
    assert f'name="approve-issued_on" value="{days(-5).isoformat()}"' in html


def test_approving_a_renewal_with_corrected_dates_puts_it_in_force(as_reviewer, merchant):
    pending = renewal(merchant, valid_until=days(3000))
    current = ApplicationDocument.objects.get(
        application=pending.application, kind=DocumentKind.ID_FRONT, status=DocumentStatus.CURRENT
    )

    response = decide(
        as_reviewer,
        "applicationdocument",
        pending,
        "approve",
        note="核对无误",
        **{"approve-issued_on": days(-20).isoformat(), "approve-valid_until": days(2000).isoformat()},
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    current.refresh_from_db()
    assert pending.status == DocumentStatus.CURRENT
    assert (pending.issued_on, pending.valid_until) == (days(-20), days(2000))
    assert pending.validity_confirmed_by is not None
    assert current.status == DocumentStatus.SUPERSEDED
    assert pending.events.filter(to_status=DocumentStatus.CURRENT, reason="核对无误").count() == 1


def test_a_second_approval_post_is_refused_and_records_nothing(as_reviewer, merchant):
    pending = renewal(merchant)
    stale = {"decision": "approve", "expected_status": DocumentStatus.PENDING}
    as_reviewer.post(url("applicationdocument", "decide", pending.pk), stale)
    events = DocumentEvent.objects.count()

    response = as_reviewer.post(url("applicationdocument", "decide", pending.pk), stale)

    assert response.status_code == 302
    assert DocumentEvent.objects.count() == events
    assert any("已被他人处理" in m or "Someone else" in m for m in texts(response))


def test_refusing_a_renewal_needs_a_reason(as_reviewer, merchant):
    pending = renewal(merchant)

    decide(as_reviewer, "applicationdocument", pending, "refuse", reason="  ")
    pending.refresh_from_db()
    assert pending.status == DocumentStatus.PENDING
    assert pending.events.count() == 1  # the upload only

    decide(as_reviewer, "applicationdocument", pending, "refuse", reason="照片模糊，请重新拍摄。")
    pending.refresh_from_db()
    assert pending.status == DocumentStatus.REFUSED
    assert pending.refusal_reason == "照片模糊，请重新拍摄。"


def test_impossible_dates_on_approval_record_nothing(as_reviewer, merchant):
    pending = renewal(merchant)
    events = DocumentEvent.objects.count()

    response = decide(
        as_reviewer,
        "applicationdocument",
        pending,
        "approve",
        **{"approve-issued_on": days(-5).isoformat(), "approve-valid_until": days(-1).isoformat()},
    )

    pending.refresh_from_db()
    assert pending.status == DocumentStatus.PENDING
    assert DocumentEvent.objects.count() == events
    assert texts(response)


def test_finance_cannot_decide_a_renewal(as_finance, merchant):
    pending = renewal(merchant)

    response = decide(as_finance, "applicationdocument", pending, "approve")

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == DocumentStatus.PENDING


def test_a_reviewer_confirms_the_dates_of_a_document_in_force(as_reviewer, merchant):
    document = ApplicationDocument.objects.filter(
        application__merchant=merchant, status=DocumentStatus.CURRENT
    ).first()
    page = as_reviewer.get(url("applicationdocument", "change", document.pk)).content.decode()
    assert 'name="confirm_validity-valid_until"' in page

    decide(
        as_reviewer,
        "applicationdocument",
        document,
        "confirm_validity",
        **{"confirm_validity-issued_on": days(-400).isoformat(), "confirm_validity-valid_until": ""},
    )

    document.refresh_from_db()
    assert document.status == DocumentStatus.CURRENT
    assert (document.issued_on, document.valid_until) == (days(-400), None)
    assert document.validity_confirmed_at is not None


def test_the_application_page_shows_requirements_and_dates_beside_the_documents(as_reviewer, merchant):
    application = merchant.applications.get()
    services.document_confirm_validity(
        document=application.documents.first(), by=reviewer(), issued_on=days(-30), valid_until=days(20)
    )

    html = as_reviewer.get(url("onboardingapplication", "change", application.pk)).content.decode()

    assert days(20).isoformat() in html
    assert url("applicationdocument", "change", application.documents.first().pk) in html
    assert 'class="requirements' in html


# --- Category requests ----------------------------------------------------------------------


def test_approving_a_category_request_opens_the_categories(as_reviewer, merchant):
    request = category_request(merchant)
    page = as_reviewer.get(url("categoryrequest", "change", request.pk)).content.decode()
    assert "日用百货" in page

    decide(as_reviewer, "categoryrequest", request, "approve", note="")

    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.APPROVED
    assert merchant.categories.filter(code="household").exists()


def test_a_category_request_decided_once_refuses_the_stale_page(as_reviewer, merchant):
    request = category_request(merchant)
    seen = {"decision": "approve", "expected_status": CategoryRequestStatus.SUBMITTED, "note": ""}
    as_reviewer.post(url("categoryrequest", "decide", request.pk), seen)
    events, entries = request.events.count(), DepositEntry.objects.count()

    stale = {"decision": "reject", "expected_status": CategoryRequestStatus.SUBMITTED, "reason": "重复"}
    response = as_reviewer.post(url("categoryrequest", "decide", request.pk), stale)

    request.refresh_from_db()
    assert response.status_code == 302
    assert request.status == CategoryRequestStatus.APPROVED
    assert (request.events.count(), DepositEntry.objects.count()) == (events, entries)


def test_finance_cannot_decide_a_category_request(as_finance, merchant):
    request = category_request(merchant)

    response = decide(as_finance, "categoryrequest", request, "approve")

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.SUBMITTED


def test_rejecting_a_category_request_needs_a_reason(as_reviewer, merchant):
    request = category_request(merchant)

    decide(as_reviewer, "categoryrequest", request, "reject", reason="")
    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.SUBMITTED

    decide(as_reviewer, "categoryrequest", request, "reject", reason="经营范围不含日用百货。")
    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.REJECTED
    assert not merchant.categories.filter(code="household").exists()


def test_a_category_request_shows_its_qualifications_and_deposit_difference(as_reviewer, merchant):
    upload = image_upload()
    gem = Category.objects.get(code="jade-jewellery").required_qualifications.get()
    request = services.category_request_submit(
        merchant=merchant,
        by=merchant.user,
        categories=[Category.objects.get(code="jade-jewellery")],
        uploads={gem.pk: (upload, check_upload(upload, allow_pdf=True), days(-3), days(700))},
    )
    document = ApplicationDocument.objects.get(category_request=request)

    html = as_reviewer.get(url("categoryrequest", "change", request.pk)).content.decode()

    assert reverse("merchants:document-file", args=[document.public_id]) in html
    assert "¥8000.00" in html  # 10000 for jade − 2000 for apparel
    # Its upload is decided with the request, not in the renewals' queue.
    queue = as_reviewer.get(url("applicationdocument", "changelist"))
    assert document not in queue.context["cl"].result_list


# --- Bank transfers -----------------------------------------------------------------------


def test_finance_confirms_a_transfer_and_the_ledger_records_it(as_finance, merchant):
    reported = transfer(merchant)

    decide(as_finance, "deposittransfer", reported, "confirm", **{"confirm-amount_received": "2000.00"})

    reported.refresh_from_db()
    assert reported.status == DepositTransferStatus.CONFIRMED
    assert reported.confirmed_amount == Decimal("2000.00")
    paid_entries = DepositEntry.objects.filter(merchant=merchant, kind=DepositEntryKind.PAID)
    assert [e.amount for e in paid_entries] == [Decimal("2000.00")]
    assert services.deposit_balance(merchant) == (Decimal("2000.00"), Decimal("0.00"))

    again = decide(
        as_finance, "deposittransfer", reported, "confirm", **{"confirm-amount_received": "2000.00"}
    )
    assert again.status_code == 302
    assert DepositEntry.objects.filter(merchant=merchant, kind=DepositEntryKind.PAID).count() == 1


def test_an_amount_mismatch_is_shown_and_records_nothing(as_finance, merchant):
    reported = transfer(merchant)
    entries = DepositEntry.objects.count()

    response = decide(
        as_finance, "deposittransfer", reported, "confirm", **{"confirm-amount_received": "1999.00"}
    )

    reported.refresh_from_db()
    assert reported.status == DepositTransferStatus.SUBMITTED
    assert reported.events.count() == 1
    assert DepositEntry.objects.count() == entries
    assert str(AmountMismatch(received="1999.00", claimed="2000.00")) in texts(response)


def test_refusing_a_transfer_needs_a_reason(as_finance, merchant):
    reported = transfer(merchant)

    decide(as_finance, "deposittransfer", reported, "refuse", reason="")
    reported.refresh_from_db()
    assert reported.status == DepositTransferStatus.SUBMITTED

    decide(as_finance, "deposittransfer", reported, "refuse", reason="未查到到账记录。")
    reported.refresh_from_db()
    assert reported.status == DepositTransferStatus.REFUSED


def test_a_reviewer_cannot_confirm_a_transfer(as_reviewer, merchant):
    reported = transfer(merchant)

    response = decide(
        as_reviewer, "deposittransfer", reported, "confirm", **{"confirm-amount_received": "2000.00"}
    )

    assert response.status_code == 403
    reported.refresh_from_db()
    assert reported.status == DepositTransferStatus.SUBMITTED


def test_finance_reads_the_receipt_and_nobody_else_on_staff(client, merchant):
    reported = transfer(merchant, pdf=True)
    receipt_url = url("deposittransfer", "receipt", reported.pk)

    client.force_login(finance())
    response = client.get(receipt_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = client.get(url("deposittransfer", "change", reported.pk)).content.decode()
    assert receipt_url in page

    for group in (StaffGroup.REVIEWER, StaffGroup.SUPPORT, StaffGroup.CONTENT_EDITOR):
        client.force_login(StaffFactory(group=group))
        assert client.get(receipt_url).status_code == 403, group


# --- The ledger: deductions and refunds --------------------------------------------------------


def test_the_ledger_is_read_only(as_finance, merchant):
    entry = DepositEntry.objects.filter(merchant=merchant).first()

    assert as_finance.get(url("depositentry", "add")).status_code == 403
    assert as_finance.post(url("depositentry", "change", entry.pk), {"amount": "1"}).status_code == 403
    assert as_finance.post(url("depositentry", "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert DepositEntry.objects.filter(pk=entry.pk, amount=entry.amount).exists()


def test_the_ledger_filters_by_kind_and_searches_by_merchant(as_finance, merchant):
    other = approved_merchant()
    paid(merchant)

    by_kind = as_finance.get(url("depositentry", "changelist"), {"kind__exact": "paid"})
    by_merchant = as_finance.get(url("depositentry", "changelist"), {"q": other.user.email})

    assert {e.kind for e in by_kind.context["cl"].result_list} == {DepositEntryKind.PAID}
    assert {e.merchant_id for e in by_merchant.context["cl"].result_list} == {other.pk}


def test_finance_records_a_deduction_and_the_top_up_falls_due(as_finance, merchant):
    paid(merchant)

    response = as_finance.post(
        url("depositentry", "deduct", merchant.pk),
        {"amount": "500.00", "violation": "虚假发货", "reason": "订单 123 超时未发货且虚假上传单号。"},
    )

    assert response.status_code == 302
    kinds = list(DepositEntry.objects.filter(merchant=merchant).values_list("kind", "amount").order_by("pk"))
    assert kinds[-2:] == [
        (DepositEntryKind.DEDUCTED, Decimal("500.00")),
        (DepositEntryKind.TOP_UP_DUE, Decimal("500.00")),
    ]
    assert services.deposit_balance(merchant) == (Decimal("1500.00"), Decimal("500.00"))


def test_a_deduction_larger_than_the_deposit_records_nothing(as_finance, merchant):
    paid(merchant)
    entries = DepositEntry.objects.count()

    response = as_finance.post(
        url("depositentry", "deduct", merchant.pk),
        {"amount": "2000.01", "violation": "售假", "reason": "鉴定为假货。"},
    )

    assert response.status_code == 200
    assert DepositEntry.objects.count() == entries
    message = str(DeductionTooLarge(amount="2000.01", held="2000.00"))
    assert message in response.content.decode()


def test_a_deduction_without_a_reason_records_nothing(as_finance, merchant):
    paid(merchant)
    entries = DepositEntry.objects.count()

    response = as_finance.post(
        url("depositentry", "deduct", merchant.pk), {"amount": "10.00", "violation": "售假", "reason": ""}
    )

    assert response.status_code == 200
    assert DepositEntry.objects.count() == entries


def test_a_reviewer_cannot_record_ledger_entries(as_reviewer, merchant):
    entries = DepositEntry.objects.count()

    deduct = as_reviewer.post(
        url("depositentry", "deduct", merchant.pk), {"amount": "1.00", "violation": "x", "reason": "x"}
    )
    refund = as_reviewer.post(url("depositentry", "refund", merchant.pk), {"bank_reference": "X"})

    assert (deduct.status_code, refund.status_code) == (403, 403)
    assert DepositEntry.objects.count() == entries


def test_finance_records_the_refund_a_closed_shop_asked_for(as_finance, merchant):
    paid(merchant)
    services.shop_close(merchant=merchant, by=merchant.user, reason="转行")
    MerchantCompliance.objects.filter(merchant=merchant).update(refund_due_on=days(-1))
    refund_url = url("depositentry", "refund", merchant.pk)

    early = as_finance.post(refund_url, {"bank_reference": "REFUND001"})
    assert early.status_code == 200  # nothing asked for yet
    assert not DepositEntry.objects.filter(merchant=merchant, kind=DepositEntryKind.REFUNDED).exists()

    services.deposit_refund_request(merchant=merchant, by=merchant.user)
    listed = as_finance.get(url("merchantcompliance", "changelist"), {"refund": "asked"})
    assert [s.merchant_id for s in listed.context["cl"].result_list] == [merchant.pk]

    response = as_finance.post(refund_url, {"bank_reference": "REFUND001"})

    assert response.status_code == 302
    refunded = DepositEntry.objects.get(merchant=merchant, kind=DepositEntryKind.REFUNDED)
    assert refunded.amount == Decimal("2000.00")
    assert services.deposit_balance(merchant)[0] == Decimal("0.00")
    listed = as_finance.get(url("merchantcompliance", "changelist"), {"refund": "asked"})
    assert list(listed.context["cl"].result_list) == []


# --- Standing and policy --------------------------------------------------------------------


def test_the_compliance_page_shows_requirements_balance_and_finance_links(client, merchant):
    paid(merchant)
    state = MerchantCompliance.objects.get(merchant=merchant)

    client.force_login(finance())
    html = client.get(url("merchantcompliance", "change", state.pk)).content.decode()
    assert "¥2000.00 / ¥0.00" in html
    assert url("depositentry", "deduct", merchant.pk) in html
    assert 'class="requirements' in html or "requirements-none" in html
    ledger_url = url("depositentry", "changelist") + f"?merchant__id__exact={merchant.pk}"
    assert ledger_url in html
    ledger = client.get(ledger_url)
    assert {e.merchant_id for e in ledger.context["cl"].result_list} == {merchant.pk}

    client.force_login(reviewer())
    html = client.get(url("merchantcompliance", "change", state.pk)).content.decode()
    assert url("depositentry", "deduct", merchant.pk) not in html


def test_the_compliance_list_shows_each_merchants_held_and_owed(as_finance, merchant):
    other = approved_merchant()
    paid(merchant)

    response = as_finance.get(url("merchantcompliance", "changelist"), {"q": ""})

    figures = {s.merchant_id: (s.held, max(s.owed, Decimal("0"))) for s in response.context["cl"].result_list}
    assert figures[merchant.pk] == services.deposit_balance(merchant)
    assert figures[other.pk] == services.deposit_balance(other)


def test_finance_changes_the_hold_period_and_nobody_adds_or_deletes_the_policy(client):
    policy = CompliancePolicy.current()
    client.force_login(finance())

    response = client.post(
        url("compliancepolicy", "change", policy.pk), {"refund_hold_days": "60", "deposit_payment_days": "15"}
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.refund_hold_days == 60
    assert client.get(url("compliancepolicy", "add")).status_code == 403
    assert client.post(url("compliancepolicy", "delete", policy.pk), {"post": "yes"}).status_code == 403

    client.force_login(reviewer())
    response = client.post(
        url("compliancepolicy", "change", policy.pk), {"refund_hold_days": "1", "deposit_payment_days": "1"}
    )
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.refund_hold_days == 60


def test_a_restricted_merchant_reads_restricted_on_its_page(as_reviewer, merchant):
    document = ApplicationDocument.objects.filter(
        application__merchant=merchant, kind=DocumentKind.ID_FRONT, status=DocumentStatus.CURRENT
    ).get()
    ApplicationDocument.objects.filter(pk=document.pk).update(valid_until=days(-1), issued_on=days(-900))
    state = services.requirements_refresh(merchant=merchant)
    assert state.status == Standing.RESTRICTED

    html = as_reviewer.get(url("merchantcompliance", "change", state.pk)).content.decode()

    assert "requirements-past_due" in html
    assert days(-1).isoformat() in html


# --- Lists stay flat ----------------------------------------------------------------------------


def _flat(client, changelists, grow, django_assert_max_num_queries):
    """Count each list's queries with one row, add rows, and check no list needs more."""
    counts = {}
    for changelist in changelists:
        with django_assert_max_num_queries(60) as first:
            client.get(changelist)
        counts[changelist] = len(first.captured_queries)
    grow()
    responses = {}
    for changelist in changelists:
        with django_assert_max_num_queries(counts[changelist]):
            responses[changelist] = client.get(changelist)
    return [responses[c].context["cl"].result_list for c in changelists]


def test_the_reviewers_lists_stay_flat(as_reviewer, django_assert_max_num_queries):
    merchant = approved_merchant()
    renewal(merchant)
    category_request(merchant)

    def grow():
        for _ in range(3):
            other = approved_merchant()
            renewal(other)
            category_request(other)

    lists = [url("applicationdocument", "changelist"), url("categoryrequest", "changelist")]
    documents, requests = _flat(as_reviewer, lists, grow, django_assert_max_num_queries)
    assert (len(documents), len(requests)) == (4, 4)


def test_the_finance_lists_stay_flat(as_finance, django_assert_max_num_queries):
    transfer(approved_merchant(), reference="REF-0")

    def grow():
        for number in range(1, 4):
            transfer(approved_merchant(), reference=f"REF-{number}")

    lists = [url(model, "changelist") for model in ("deposittransfer", "depositentry", "merchantcompliance")]
    transfers, entries, states = _flat(as_finance, lists, grow, django_assert_max_num_queries)
    assert (len(transfers), len(entries), len(states)) == (4, 4, 4)
