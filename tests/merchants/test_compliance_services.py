"""The lifecycle after approval, through the services: restriction and its lifting, the
deposit ledger, category additions, reminders and store exit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.uploads import check_upload
from core.webhooks.models import EventType, WebhookDelivery
from merchants.compliance import services
from merchants.compliance.payments import SettledPayment, record_gateway_payment
from merchants.compliance.services import AmountMismatch, DeductionTooLarge, RefundNotDue
from merchants.models import (
    ApplicationDocument,
    Category,
    CategoryRequestStatus,
    ComplianceEvent,
    ComplianceReminder,
    DepositEntry,
    DepositEntryKind,
    DocumentKind,
    DocumentStatus,
    MerchantCompliance,
    MerchantProfile,
    QualificationType,
    Standing,
)
from merchants.models.compliance import HELD_SIGN
from merchants.roles import StaffGroup
from storefront import services as product_services
from storefront.campaigns import services as campaign_services
from storefront.campaigns.models import CampaignEntry
from storefront.models import Product, ProductStatus
from storefront.services import NotAllowedToSell
from tests.core.webhooks_support import endpoint_for
from tests.factories import StaffFactory, image_upload, pdf_upload, reviewer
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.campaigns.conftest import make_campaign
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

JADE = "jade-jewellery"


def finance():
    return StaffFactory(group=StaffGroup.FINANCE)


def gem_document(merchant) -> ApplicationDocument:
    return ApplicationDocument.objects.get(
        application__merchant=merchant, qualification__code="gem-appraisal", status=DocumentStatus.CURRENT
    )


def expire(document, *, days_ago=1):
    """Let time pass: the document's date is gone, and the requirements were last computed yesterday."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ApplicationDocument.objects.filter(pk=document.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    MerchantCompliance.objects.filter(merchant_id=document.application.merchant_id).update(
        computed_on=yesterday
    )


def pay_deposit(merchant):
    """Report and confirm a transfer of what the merchant owes (nothing left to pay)."""
    _held, owed = services.deposit_balance(merchant)
    upload = pdf_upload("回单.pdf")
    transfer = services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=owed,
        payer_name="杭州四季青服饰商行",
        bank_reference=f"TR{merchant.pk:08d}",
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
    )
    return services.deposit_transfer_confirm(transfer=transfer, by=finance(), amount_received=owed)


def renew(merchant, qualification_code="gem-appraisal", *, valid_days=365):
    upload = image_upload("新证书.jpg")
    return services.document_renew(
        merchant=merchant,
        by=merchant.user,
        kind=DocumentKind.QUALIFICATION,
        qualification=QualificationType.objects.get(code=qualification_code),
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
        issued_on=timezone.localdate() - datetime.timedelta(days=1),
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
    )


@pytest.fixture
def jade_seller():
    merchant = approved_merchant(categories=(JADE,))
    pay_deposit(merchant)
    return merchant


def test_approval_opens_the_deposit_and_tracks_requirements():
    merchant = approved_merchant(categories=(JADE,))

    entries = list(DepositEntry.objects.filter(merchant=merchant).values_list("kind", "amount"))
    state, requirements = services.current_requirements(merchant)

    assert entries == [(DepositEntryKind.DUE, Decimal("10000.00"))]
    assert state.status == Standing.ACTION_REQUIRED
    assert [(item.code, item.amount) for item in requirements.currently_due] == [
        ("deposit.unpaid", "10000.00")
    ]


def test_a_transfer_confirmed_in_full_pays_the_deposit(jade_seller):
    held, owed = services.deposit_balance(jade_seller)
    state = MerchantCompliance.objects.get(merchant=jade_seller)

    assert (held, owed) == (Decimal("10000.00"), Decimal("0.00"))
    assert state.status == Standing.GOOD
    assert state.events.filter(to_status=Standing.GOOD, from_status=Standing.ACTION_REQUIRED).count() == 1


def test_a_transfer_whose_amount_does_not_match_records_nothing():
    merchant = approved_merchant(categories=(JADE,))
    upload = pdf_upload()
    transfer = services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=Decimal("10000.00"),
        payer_name="王小丽",
        bank_reference="TR0001",
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
    )

    with pytest.raises(AmountMismatch):
        services.deposit_transfer_confirm(transfer=transfer, by=finance(), amount_received=Decimal("9000.00"))

    transfer.refresh_from_db()
    assert transfer.status == "submitted"
    assert not DepositEntry.objects.filter(merchant=merchant, kind=DepositEntryKind.PAID).exists()


def test_a_bank_reference_cannot_be_reported_twice(jade_seller):
    upload = pdf_upload()
    with pytest.raises(ValidationError) as error:
        services.deposit_transfer_submit(
            merchant=jade_seller,
            by=jade_seller.user,
            amount=Decimal("1.00"),
            payer_name="王小丽",
            bank_reference=f"TR{jade_seller.pk:08d}",
            upload=upload,
            checked=check_upload(upload, allow_pdf=True),
        )
    assert "bank_reference" in error.value.message_dict


def test_only_finance_confirms_transfers():
    merchant = approved_merchant()
    upload = pdf_upload()
    transfer = services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=Decimal("2000.00"),
        payer_name="王小丽",
        bank_reference="TR0002",
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
    )
    with pytest.raises(PermissionDenied):
        services.deposit_transfer_confirm(
            transfer=transfer, by=reviewer(), amount_received=Decimal("2000.00")
        )


def test_a_deduction_larger_than_the_deposit_records_nothing(jade_seller):
    with pytest.raises(DeductionTooLarge):
        services.deposit_deduct(
            merchant=jade_seller,
            by=finance(),
            amount=Decimal("10000.01"),
            violation="售假",
            reason="鉴定为仿品",
        )

    assert not DepositEntry.objects.filter(merchant=jade_seller, kind=DepositEntryKind.DEDUCTED).exists()


def test_a_deduction_lowers_the_balance_and_asks_for_a_top_up(
    jade_seller, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.deposit_deduct(
            merchant=jade_seller,
            by=finance(),
            amount=Decimal("1500.00"),
            violation="虚假宣传",
            reason="标题写天然A货，实为B货",
        )

    held, owed = services.deposit_balance(jade_seller)
    signed = sum(
        entry.amount * HELD_SIGN.get(entry.kind, 0)
        for entry in DepositEntry.objects.filter(merchant=jade_seller)
    )
    _state, requirements = services.current_requirements(jade_seller)

    assert (held, owed) == (Decimal("8500.00"), Decimal("1500.00"))
    assert held == signed
    assert [item.code for item in requirements.currently_due] == ["deposit.unpaid"]
    assert outbox.wait_for(1)[-1].to == [jade_seller.user.email]


def test_ledger_entries_are_append_only(jade_seller):
    entry = DepositEntry.objects.filter(merchant=jade_seller).first()
    entry.amount = Decimal("1.00")

    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.usefixtures("tasks_in_process")
def test_an_expired_qualification_restricts_the_shop_and_a_renewal_lifts_it(
    jade_seller, django_capture_on_commit_callbacks
):
    good = make_product(jade_seller, title="冰种翡翠手镯", category=Category.objects.get(code=JADE))
    expire(gem_document(jade_seller))

    with django_capture_on_commit_callbacks(execute=True):
        services.compliance_sweep()

    state = MerchantCompliance.objects.get(merchant=jade_seller)
    good.refresh_from_db()
    assert state.status == Standing.RESTRICTED
    assert state.restricted_category_ids == [Category.objects.get(code=JADE).pk]
    assert good.status == ProductStatus.RESTRICTED
    restriction = state.events.get(to_status=Standing.RESTRICTED)
    assert restriction.reason  # the cause
    fresh = MerchantProfile.objects.get(pk=jade_seller.pk)  # as the next request loads it
    with pytest.raises(NotAllowedToSell) as refusal:
        product_services.product_quick_list(
            merchant=fresh, by=fresh.user, photo=image_upload(), title="新品", price=Decimal("10.00")
        )
    assert "珠宝玉石鉴定证书" in str(refusal.value)

    renewal = renew(jade_seller)
    assert MerchantCompliance.objects.get(merchant=jade_seller).status == Standing.RESTRICTED
    with django_capture_on_commit_callbacks(execute=True):
        services.document_approve(document=renewal, by=reviewer())

    good.refresh_from_db()
    state.refresh_from_db()
    assert state.status == Standing.GOOD
    assert good.status == ProductStatus.PUBLISHED
    assert gem_document(jade_seller).pk == renewal.pk
    assert (
        ApplicationDocument.objects.filter(
            application__merchant=jade_seller,
            status=DocumentStatus.SUPERSEDED,
            qualification__code="gem-appraisal",
        ).count()
        == 1
    )


@pytest.mark.usefixtures("tasks_in_process")
def test_a_restricted_shop_cannot_sign_up_for_campaigns(jade_seller, django_capture_on_commit_callbacks):
    good = make_product(jade_seller, title="翡翠吊坠", category=Category.objects.get(code=JADE))
    campaign = make_campaign()
    expire(gem_document(jade_seller))
    with django_capture_on_commit_callbacks(execute=True):
        services.compliance_sweep()
    good.refresh_from_db()
    assert good.status == ProductStatus.RESTRICTED

    with pytest.raises(NotAllowedToSell):
        campaign_services.campaign_sign_up(campaign=campaign, product=good, by=jade_seller.user)
    assert not CampaignEntry.objects.filter(product=good).exists()


def test_restriction_and_its_lifting_reach_webhooks(jade_seller):
    endpoint = endpoint_for(jade_seller.user, "http://127.0.0.1:9/hooks", [EventType.REQUIREMENTS_UPDATED])
    expire(gem_document(jade_seller))

    services.compliance_sweep()

    delivery = WebhookDelivery.objects.filter(endpoint=endpoint).latest("pk")
    data = delivery.payload["data"]
    assert delivery.event_type == EventType.REQUIREMENTS_UPDATED
    assert (data["from_status"], data["to_status"]) == (Standing.GOOD, Standing.RESTRICTED)
    assert [item["key"] for item in data["requirements"]["past_due"]] == ["qualification-gem-appraisal"]


@pytest.mark.parametrize(
    "issued, valid, field",
    [
        (-10, -1, "valid_until"),  # already expired
        (-10, 0, "valid_until"),  # a renewal must outlive today
        (5, 400, "issued_on"),  # issued in the future
    ],
)
def test_impossible_validity_dates_are_refused_and_nothing_is_stored(jade_seller, issued, valid, field):
    today = timezone.localdate()
    upload = image_upload()

    with pytest.raises(ValidationError) as error:
        services.document_renew(
            merchant=jade_seller,
            by=jade_seller.user,
            kind=DocumentKind.QUALIFICATION,
            qualification=QualificationType.objects.get(code="gem-appraisal"),
            upload=upload,
            checked=check_upload(upload, allow_pdf=True),
            issued_on=today + datetime.timedelta(days=issued),
            valid_until=today + datetime.timedelta(days=valid),
        )

    assert field in error.value.message_dict
    assert not ApplicationDocument.objects.filter(
        application__merchant=jade_seller, status=DocumentStatus.PENDING
    ).exists()


def test_each_reminder_goes_out_once_however_often_the_sweep_runs(
    jade_seller, outbox, django_capture_on_commit_callbacks
):
    document = gem_document(jade_seller)
    ApplicationDocument.objects.filter(pk=document.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=5)
    )
    sent_before = len(outbox.messages())

    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_expiry_reminders()
        second = services.send_expiry_reminders()

    assert (first, second) == (1, 0)
    assert list(ComplianceReminder.objects.values_list("document_id", "days_before")) == [(document.pk, 7)]
    assert [message.to for message in outbox.wait_for(sent_before + 1)[sent_before:]] == [
        [jade_seller.user.email]
    ]
    assert (
        ComplianceEvent.objects.filter(compliance__merchant=jade_seller, details__reminder_days=7).count()
        == 1
    )


def test_a_category_request_needs_its_qualifications_and_adds_the_deposit_difference():
    merchant = approved_merchant(categories=("apparel",))
    pay_deposit(merchant)
    jade = Category.objects.get(code=JADE)
    gem = QualificationType.objects.get(code="gem-appraisal")

    with pytest.raises(ValidationError):
        services.category_request_submit(merchant=merchant, by=merchant.user, categories=[jade], uploads={})
    assert not merchant.category_requests.exists()

    upload = image_upload("鉴定证书.jpg")
    request = services.category_request_submit(
        merchant=merchant,
        by=merchant.user,
        categories=[jade],
        uploads={
            gem.pk: (
                upload,
                check_upload(upload, allow_pdf=True),
                None,
                timezone.localdate() + datetime.timedelta(days=700),
            )
        },
    )
    assert request.deposit_difference == Decimal("8000.00")
    services.category_request_approve(request=request, by=reviewer())

    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.APPROVED
    assert set(merchant.categories.values_list("code", flat=True)) == {"apparel", JADE}
    assert services.deposit_balance(merchant)[1] == Decimal("8000.00")
    assert gem_document(merchant).category_request_id == request.pk


def test_a_refused_category_request_refuses_its_documents():
    merchant = approved_merchant(categories=("apparel",))
    jade = Category.objects.get(code=JADE)
    gem = QualificationType.objects.get(code="gem-appraisal")
    upload = image_upload()
    request = services.category_request_submit(
        merchant=merchant,
        by=merchant.user,
        categories=[jade],
        uploads={gem.pk: (upload, check_upload(upload, allow_pdf=True), None, None)},
    )

    services.category_request_reject(request=request, by=reviewer(), reason="证书非CMA机构出具")

    document = ApplicationDocument.objects.get(category_request=request)
    _state, requirements = services.current_requirements(merchant)
    assert (document.status, document.refusal_reason) == (DocumentStatus.REFUSED, "证书非CMA机构出具")
    assert "apparel" in merchant.categories.values_list("code", flat=True)
    assert not merchant.categories.filter(code=JADE).exists()
    assert [item.code for item in requirements.errors] == ["category_request.rejected"]


@pytest.mark.usefixtures("tasks_in_process")
def test_closing_takes_goods_offline_withdraws_open_sign_ups_and_holds_the_refund(
    jade_seller, django_capture_on_commit_callbacks
):
    good = make_product(jade_seller, title="和田玉籽料", category=Category.objects.get(code=JADE))
    campaign = make_campaign()
    campaign_services.campaign_sign_up(campaign=campaign, product=good, by=jade_seller.user)

    with django_capture_on_commit_callbacks(execute=True):
        state = services.shop_close(merchant=jade_seller, by=jade_seller.user, reason="转行")

    good.refresh_from_db()
    campaign.refresh_from_db()
    assert state.status == Standing.CLOSED
    assert good.status == ProductStatus.UNPUBLISHED
    assert not CampaignEntry.objects.filter(product=good).exists()
    assert campaign.entry_count == 0
    assert state.refund_due_on == timezone.localdate() + datetime.timedelta(days=90)
    with pytest.raises(RefundNotDue):
        services.deposit_refund_request(merchant=jade_seller, by=jade_seller.user)

    MerchantCompliance.objects.filter(pk=state.pk).update(refund_due_on=timezone.localdate())
    services.deposit_refund_request(merchant=jade_seller, by=jade_seller.user)
    services.deposit_refund_record(merchant=jade_seller, by=finance(), bank_reference="RF0001")

    assert services.deposit_balance(jade_seller)[0] == Decimal("0.00")
    assert list(Product.objects.filter(merchant=jade_seller).values_list("status", flat=True)) == [
        "unpublished"
    ]


def test_a_refund_cannot_be_asked_while_the_shop_is_open(jade_seller):
    with pytest.raises(RefundNotDue):
        services.deposit_refund_request(merchant=jade_seller, by=jade_seller.user)
    assert not DepositEntry.objects.filter(
        merchant=jade_seller, kind=DepositEntryKind.REFUND_REQUESTED
    ).exists()


def test_a_failed_write_leaves_the_requirements_as_they_were(jade_seller):
    before = MerchantCompliance.objects.get(merchant=jade_seller).requirements
    expire(gem_document(jade_seller))

    with pytest.raises(RuntimeError), transaction.atomic():
        services.requirements_refresh(merchant=jade_seller, cause="测试")
        raise RuntimeError

    assert MerchantCompliance.objects.get(merchant=jade_seller).requirements == before


class _GatewayDouble:
    """A test double: the portal ships no gateway (merchants.compliance.payments)."""

    code = "double"
    label = "Double"


def test_a_gateway_payment_is_recorded_once_per_reference():
    merchant = approved_merchant()
    payment = SettledPayment(merchant_id=merchant.pk, amount=Decimal("2000.00"), reference="PAY-1")

    first = record_gateway_payment(gateway=_GatewayDouble(), payment=payment)
    second = record_gateway_payment(gateway=_GatewayDouble(), payment=payment)

    assert first.pk == second.pk
    assert services.deposit_balance(merchant) == (Decimal("2000.00"), Decimal("0.00"))
    assert MerchantCompliance.objects.get(merchant=merchant).status == Standing.GOOD


def test_a_refused_transfer_is_an_error_with_finances_reason():
    merchant = approved_merchant()
    upload = pdf_upload()
    transfer = services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=Decimal("2000.00"),
        payer_name="王小丽",
        bank_reference="TR-REFUSED",
        upload=upload,
        checked=check_upload(upload, allow_pdf=True),
    )

    services.deposit_transfer_refuse(transfer=transfer, by=finance(), reason="回单金额与到账不符")

    _state, requirements = services.current_requirements(merchant)
    assert [(item.code, item.reason) for item in requirements.errors] == [
        ("deposit.transfer_refused", "回单金额与到账不符")
    ]
