"""The merchant's compliance pages (merchants.compliance.views), through the test client:
who opens each page, each form's happy path, and each refusal with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.uploads import check_upload
from merchants.compliance import services
from merchants.compliance.selectors import requirements_card
from merchants.models import (
    ApplicationDocument,
    ApplicationStatus,
    Category,
    CategoryRequest,
    CategoryRequestStatus,
    DepositEntry,
    DepositEntryKind,
    DepositTransfer,
    DocumentStatus,
    MerchantCompliance,
    OnboardingApplication,
    Standing,
)
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    fill_application,
    image_upload,
    pdf_upload,
    submitted_application,
)
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
OVERVIEW = reverse("merchants:compliance")
CATEGORIES = reverse("merchants:compliance-categories")
TRANSFER = reverse("merchants:compliance-deposit-transfer")
REFUND = reverse("merchants:compliance-refund")
CLOSE = reverse("merchants:compliance-close")


def renew_url(slot_key):
    return reverse("merchants:compliance-document-renew", kwargs={"slot_key": slot_key})


def days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def text_upload(name="notes.jpg"):
    return SimpleUploadedFile(name, b"this is not a picture at all", content_type="image/jpeg")


@pytest.fixture
def seller():
    """An approved jade shop (a gem appraisal certificate among its documents)."""
    return approved_merchant(categories=("jade-jewellery",))


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller.user)
    return client


def documents_of(merchant):
    return list(
        ApplicationDocument.objects.filter(application__merchant=merchant)
        .order_by("pk")
        .values_list("pk", "status", "valid_until")
    )


def restrict_for_expired_qualification(merchant):
    ApplicationDocument.objects.filter(
        application__merchant=merchant, qualification__code="gem-appraisal"
    ).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    return services.requirements_refresh(merchant=merchant, cause="test")


def pay_deposit(merchant):
    """Record the payment as finance's confirmation does: the entry, then the requirements."""
    _held, owed = services.deposit_balance(merchant)
    entry = DepositEntry.objects.create(merchant=merchant, kind=DepositEntryKind.PAID, amount=owed)
    services.requirements_refresh(merchant=merchant, cause="paid")
    return entry


# --- Who opens what ---------------------------------------------------------------------


def owner_pages(seller):
    jade = Category.objects.get(code="jade-jewellery")
    food = Category.objects.get(code="food")
    assert jade in seller.categories.all()
    return [
        OVERVIEW,
        renew_url("id_front"),
        renew_url("business_licence"),
        renew_url("qualification-gem-appraisal"),
        CATEGORIES,
        f"{CATEGORIES}?categories={food.pk}",
        TRANSFER,
        CLOSE,
    ]


def test_each_page_opens_for_its_owner(seller_client, seller):
    for url in owner_pages(seller):
        response = seller_client.get(url, **ZH)
        assert response.status_code == 200, url
        assert response.templates[0].name.startswith("merchants/compliance/"), url


def test_anonymous_visitors_are_sent_to_log_in(client, seller):
    for url in [*owner_pages(seller), REFUND]:
        response = client.get(url) if url != REFUND else client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_a_user_without_a_shop_gets_a_404(client):
    client.force_login(UserFactory())
    for url in (OVERVIEW, TRANSFER, CLOSE, CATEGORIES, renew_url("id_front")):
        assert client.get(url).status_code == 404, url


def test_an_unknown_slot_is_a_404(seller_client):
    assert seller_client.get(renew_url("qualification-food-business-licence")).status_code == 404
    assert seller_client.get(renew_url("nonsense")).status_code == 404


def test_another_merchant_sees_none_of_the_sellers_data(client, seller):
    upload = image_upload("receipt.jpg")
    transfer = services.deposit_transfer_submit(
        merchant=seller,
        by=seller.user,
        amount=Decimal("10000.00"),
        payer_name="瑞丽翡翠商行",
        bank_reference="SELLER-REF-001",
        upload=upload,
        checked=services_check(upload),
    )
    food = Category.objects.get(code="food")
    licence = pdf_upload()
    valid_until = timezone.localdate() + datetime.timedelta(days=365)
    request = services.category_request_submit(
        merchant=seller,
        by=seller.user,
        categories=[food],
        uploads={
            food.required_qualifications.get().pk: (licence, services_check(licence), None, valid_until)
        },
    )
    other = approved_merchant()
    client.force_login(other.user)

    page = client.get(OVERVIEW).content.decode()
    assert "SELLER-REF-001" not in page
    assert str(transfer.public_id) not in page
    receipt = reverse("merchants:compliance-receipt", kwargs={"public_id": transfer.public_id})
    assert client.get(receipt).status_code == 404
    withdraw = reverse("merchants:compliance-category-withdraw", kwargs={"public_id": request.public_id})
    assert client.post(withdraw).status_code == 404
    assert CategoryRequest.objects.get(pk=request.pk).status == CategoryRequestStatus.SUBMITTED

    client.logout()
    assert client.get(receipt).status_code == 404  # anonymous: the same 404, no log-in redirect
    client.force_login(seller.user)
    response = client.get(receipt)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"


def services_check(upload, *, allow_pdf=True):
    return check_upload(upload, allow_pdf=allow_pdf)


def test_a_shop_not_yet_approved_sees_no_requirements_and_cannot_write(client):
    application = submitted_application()
    client.force_login(application.merchant.user)

    page = client.get(OVERVIEW, **ZH).content.decode()
    assert 'data-testid="not-approved"' in page
    assert not MerchantCompliance.objects.filter(merchant=application.merchant).exists()
    for url in (TRANSFER, CLOSE, CATEGORIES, renew_url("id_front")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == OVERVIEW, url


# --- The overview ----------------------------------------------------------------------


def test_overview_shows_the_standing_the_deposit_due_and_its_action(seller_client, seller):
    page = seller_client.get(OVERVIEW, **ZH).content.decode()

    assert 'data-testid="standing-badge"' in page
    assert 'data-testid="deposit-owed">¥10000.00<' in page
    assert 'data-testid="deposit-held">¥0.00<' in page
    assert f'href="{TRANSFER}" data-testid="action-deposit"' in page
    assert 'data-testid="transfers-empty"' in page
    assert 'data-testid="category-requests-empty"' in page
    assert 'data-testid="refund-obstacle"' in page  # open shops cannot ask for the refund
    assert f'href="{CLOSE}"' in page


def test_overview_shows_a_restriction_with_its_reason_and_the_renew_link(seller_client, seller):
    restrict_for_expired_qualification(seller)

    page = seller_client.get(OVERVIEW, **ZH).content.decode()

    assert 'class="badge badge-restricted"' in page
    assert 'data-testid="restriction-reason"' in page
    assert "珠宝玉石鉴定证书" in page
    assert f'href="{renew_url("qualification-gem-appraisal")}"' in page
    renew = seller_client.get(renew_url("qualification-gem-appraisal"), **ZH).content.decode()
    assert 'data-testid="current-expired"' in renew and "已于" in renew


def test_overview_query_count_does_not_grow_with_the_ledger(
    seller_client, seller, django_assert_max_num_queries
):
    seller_client.get(OVERVIEW)  # the requirements of today are stored
    with django_assert_max_num_queries(12) as first:
        seller_client.get(OVERVIEW)
    for n in range(5):
        DepositEntry.objects.create(merchant=seller, kind=DepositEntryKind.PAID, amount=Decimal("1.00"))
        DepositTransfer.objects.create(
            merchant=seller,
            amount=Decimal("1.00"),
            payer_name="x",
            bank_reference=f"R{n}",
            receipt="deposits/x.jpg",
            content_type="image/jpeg",
            size=1,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = seller_client.get(OVERVIEW).content.decode()
    assert page.count('class="badge badge-submitted"') == 5


# --- Renewing a document ---------------------------------------------------------------


def test_renew_uploads_a_document_awaiting_review(seller_client, seller):
    before = documents_of(seller)

    response = seller_client.post(
        renew_url("qualification-gem-appraisal"),
        {"upload": pdf_upload("cert-2027.pdf"), "issued_on": days(-3), "valid_until": days(700)},
    )

    assert response.status_code == 302 and response["Location"] == OVERVIEW
    new = ApplicationDocument.objects.exclude(pk__in=[pk for pk, *_ in before]).get()
    assert new.status == DocumentStatus.PENDING
    assert new.qualification.code == "gem-appraisal"
    assert (new.issued_on.isoformat(), new.valid_until.isoformat()) == (days(-3), days(700))
    assert new.original_name == "cert-2027.pdf"
    _state, requirements = services.current_requirements(seller)
    assert [i.key for i in requirements.pending_verification if i.code == "document.pending"] == [
        "qualification-gem-appraisal"
    ]


def test_renew_with_long_term_stores_no_end_date(seller_client, seller):
    response = seller_client.post(
        renew_url("id_front"), {"upload": image_upload(), "issued_on": days(-10), "long_term": "on"}
    )

    assert response.status_code == 302
    document = ApplicationDocument.objects.get(application__merchant=seller, status=DocumentStatus.PENDING)
    assert document.kind == "id_front" and document.valid_until is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"issued_on": days(-400), "valid_until": days(-1)}, "valid_until", "日期已过"),
        ({"issued_on": days(-3), "valid_until": days(-5)}, "valid_until", "签发日期之后"),
        ({"issued_on": days(2), "valid_until": days(300)}, "issued_on", "签发日期不能是将来"),
        ({"issued_on": days(-3)}, "valid_until", "长期"),
    ],
    ids=["past-validity", "before-issue", "issued-in-future", "no-end-and-not-long-term"],
)
def test_renew_refuses_impossible_dates_and_writes_nothing(seller_client, seller, data, field, message):
    before = documents_of(seller)

    response = seller_client.post(
        renew_url("qualification-gem-appraisal"), {"upload": pdf_upload(), **data}, **ZH
    )

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert documents_of(seller) == before


def test_renew_refuses_a_file_that_is_not_a_picture_and_a_pdf_where_only_photos_go(seller_client, seller):
    before = documents_of(seller)

    not_image = seller_client.post(renew_url("id_front"), {"upload": text_upload(), "long_term": "on"})
    pdf_for_id = seller_client.post(renew_url("id_front"), {"upload": pdf_upload(), "long_term": "on"})

    assert not_image.status_code == 400 and "upload" in not_image.context["form"].errors
    assert pdf_for_id.status_code == 400
    assert pdf_for_id.context["form"].errors.as_data()["upload"][0].code == "pdf_not_allowed"
    assert documents_of(seller) == before


def test_a_closed_shop_is_sent_back_from_the_renew_page(seller_client, seller):
    services.shop_close(merchant=seller, by=seller.user, reason="不做了")
    before = documents_of(seller)

    response = seller_client.post(renew_url("id_front"), {"upload": image_upload(), "long_term": "on"})

    assert response.status_code == 302 and response["Location"] == OVERVIEW
    assert documents_of(seller) == before


# --- Adding categories -----------------------------------------------------------------


def test_category_step_one_lists_only_categories_not_sold_yet(seller_client):
    response = seller_client.get(CATEGORIES, **ZH)

    choices = list(response.context["form"].fields["categories"].queryset.values_list("code", flat=True))
    assert "jade-jewellery" not in choices
    assert {"food", "apparel"} <= set(choices)


def test_category_step_two_shows_the_deposit_change_and_the_qualifications_needed(seller_client):
    food, apparel = Category.objects.get(code="food"), Category.objects.get(code="apparel")

    response = seller_client.get(CATEGORIES, {"categories": [food.pk, apparel.pk]}, **ZH)

    page = response.content.decode()
    assert response.context["step"] == 2
    assert 'data-testid="deposit-before">¥10000.00<' in page
    assert 'data-testid="deposit-after">¥10000.00<' in page  # the highest category's, once
    assert 'data-testid="deposit-difference"><strong>¥0.00<' in page
    assert [q.code for q in response.context["form"].qualifications] == ["food-business-licence"]
    assert 'data-testid="qualification-food-business-licence"' in page


def test_category_request_is_sent_with_its_qualification(seller_client, seller):
    food = Category.objects.get(code="food")
    licence = food.required_qualifications.get()
    prefix = f"q{licence.pk}_"

    response = seller_client.post(
        CATEGORIES,
        {
            "categories": [food.pk],
            f"{prefix}upload": pdf_upload("food-licence.pdf"),
            f"{prefix}issued_on": days(-30),
            f"{prefix}valid_until": days(900),
        },
    )

    assert response.status_code == 302 and response["Location"] == OVERVIEW
    request = CategoryRequest.objects.get(merchant=seller)
    assert request.status == CategoryRequestStatus.SUBMITTED
    assert list(request.categories.all()) == [food]
    document = request.documents.get()
    assert (document.qualification, document.status) == (licence, DocumentStatus.PENDING)
    assert document.valid_until.isoformat() == days(900)


def test_category_request_without_its_qualification_writes_nothing(seller_client, seller):
    food = Category.objects.get(code="food")
    licence = food.required_qualifications.get()
    before = documents_of(seller)

    response = seller_client.post(
        CATEGORIES, {"categories": [food.pk], f"q{licence.pk}_valid_until": days(900)}, **ZH
    )

    assert response.status_code == 400
    assert f"q{licence.pk}_upload" in response.context["form"].errors
    assert not CategoryRequest.objects.exists()
    assert documents_of(seller) == before


def test_category_request_with_a_past_validity_writes_nothing(seller_client, seller):
    food = Category.objects.get(code="food")
    prefix = f"q{food.required_qualifications.get().pk}_"

    response = seller_client.post(
        CATEGORIES,
        {"categories": [food.pk], f"{prefix}upload": pdf_upload(), f"{prefix}valid_until": days(-2)},
    )

    assert response.status_code == 400
    assert f"{prefix}valid_until" in response.context["form"].errors
    assert not CategoryRequest.objects.exists()


def test_category_request_for_a_category_already_sold_is_refused(seller_client):
    jade = Category.objects.get(code="jade-jewellery")

    response = seller_client.post(CATEGORIES, {"categories": [jade.pk]})

    assert response.status_code == 400
    assert "categories" in response.context["form"].errors
    assert not CategoryRequest.objects.exists()


def test_an_open_request_can_be_withdrawn_and_its_uploads_go(seller_client, seller):
    apparel = Category.objects.get(code="apparel")
    seller_client.post(CATEGORIES, {"categories": [apparel.pk]})
    request = CategoryRequest.objects.get(merchant=seller)

    page = seller_client.get(CATEGORIES, **ZH).content.decode()
    assert 'data-testid="open-request"' in page
    withdraw = reverse("merchants:compliance-category-withdraw", kwargs={"public_id": request.public_id})
    overview = seller_client.get(OVERVIEW).content.decode()
    assert f'action="{withdraw}"' in overview and f'data-testid="withdraw-{request.public_id}"' in overview
    response = seller_client.post(withdraw)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CategoryRequestStatus.WITHDRAWN
    again = seller_client.post(withdraw)  # a decided request stays as it is
    assert again.status_code == 302
    assert CategoryRequest.objects.get(pk=request.pk).status == CategoryRequestStatus.WITHDRAWN


# --- The deposit -----------------------------------------------------------------------


def transfer_data(**overrides):
    return {
        "amount": "10000.00",
        "payer_name": "瑞丽翡翠商行",
        "bank_reference": "20261207-0001",
        "receipt": image_upload("receipt.jpg"),
        **overrides,
    }


def test_transfer_page_shows_the_account_to_pay_into_and_the_amount_due(seller_client, settings):
    settings.DEPOSIT_BANK_ACCOUNT = {
        "name": "源头好货科技有限公司",
        "bank": "招商银行杭州分行",
        "account": "5719 0000 1234",
    }

    response = seller_client.get(TRANSFER, **ZH)

    page = response.content.decode()
    assert "源头好货科技有限公司" in page and "5719 0000 1234" in page
    assert response.context["form"].initial["amount"] == Decimal("10000.00")


def test_a_transfer_is_reported_with_its_receipt(seller_client, seller):
    response = seller_client.post(TRANSFER, transfer_data(receipt=pdf_upload("回单.pdf")))

    assert response.status_code == 302 and response["Location"] == OVERVIEW
    transfer = DepositTransfer.objects.get(merchant=seller)
    assert (transfer.amount, transfer.bank_reference, transfer.content_type) == (
        Decimal("10000.00"),
        "20261207-0001",
        "application/pdf",
    )
    assert transfer.status == "submitted"
    assert not DepositEntry.objects.filter(merchant=seller, kind=DepositEntryKind.PAID).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"payer_name": "  "}, "payer_name"),
        ({"receipt": text_upload("receipt.png")}, "receipt"),
    ],
    ids=["zero", "negative", "three-decimals", "no-payer", "not-an-image"],
)
def test_a_bad_transfer_is_refused_and_nothing_is_written(seller_client, seller, overrides, field):
    response = seller_client.post(TRANSFER, transfer_data(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not DepositTransfer.objects.exists()


def test_a_bank_reference_reported_before_is_refused(seller_client, seller):
    seller_client.post(TRANSFER, transfer_data())

    response = seller_client.post(TRANSFER, transfer_data(amount="5.00"), **ZH)

    assert response.status_code == 400
    assert "bank_reference" in response.context["form"].errors
    assert DepositTransfer.objects.count() == 1


# --- Refund and closing ----------------------------------------------------------------


def test_refund_before_closing_is_refused_with_why(seller_client, seller):
    pay_deposit(seller)

    response = seller_client.post(REFUND, follow=True, **ZH)

    assert "店铺需先关闭" in response.content.decode() or "refund" in str(list(response.context["messages"]))
    assert not DepositEntry.objects.filter(kind=DepositEntryKind.REFUND_REQUESTED).exists()


def test_refund_during_the_hold_is_refused_then_possible_after_it(seller_client, seller):
    pay_deposit(seller)
    services.shop_close(merchant=seller, by=seller.user, reason="转行")
    state = MerchantCompliance.objects.get(merchant=seller)
    assert state.refund_due_on > timezone.localdate()

    seller_client.post(REFUND)
    assert not DepositEntry.objects.filter(kind=DepositEntryKind.REFUND_REQUESTED).exists()
    page = seller_client.get(OVERVIEW, **ZH).content.decode()
    assert 'data-testid="refund-obstacle"' in page and state.refund_due_on.isoformat() in page

    MerchantCompliance.objects.filter(pk=state.pk).update(
        refund_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert 'data-testid="ask-refund"' in seller_client.get(OVERVIEW).content.decode()
    response = seller_client.post(REFUND)

    assert response.status_code == 302
    entry = DepositEntry.objects.get(kind=DepositEntryKind.REFUND_REQUESTED)
    assert (entry.merchant, entry.amount) == (seller, Decimal("10000.00"))


def test_close_page_explains_the_hold_period(seller_client):
    page = seller_client.get(CLOSE, **ZH).content.decode()

    assert 'data-testid="refund-hold"' in page and "90" in page


@pytest.mark.parametrize(
    "data",
    [{"reason": "", "confirm": "on"}, {"reason": "   ", "confirm": "on"}, {"reason": "不做了"}],
    ids=["no-reason", "blank-reason", "not-confirmed"],
)
def test_close_without_reason_or_confirmation_writes_nothing(seller_client, seller, data):
    response = seller_client.post(CLOSE, data)

    assert response.status_code == 400
    assert OnboardingApplication.objects.get(merchant=seller).status == ApplicationStatus.APPROVED
    assert MerchantCompliance.objects.get(merchant=seller).closed_at is None


@pytest.mark.usefixtures("tasks_in_process")
def test_closing_the_shop_takes_its_goods_offline(seller_client, seller, django_capture_on_commit_callbacks):
    good = make_product(seller, category=Category.objects.get(code="jade-jewellery"), title="冰种手镯")

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(CLOSE, {"reason": "年纪大了，不做了", "confirm": "on"})

    assert response.status_code == 302
    assert OnboardingApplication.objects.get(merchant=seller).status == ApplicationStatus.CLOSED
    state = MerchantCompliance.objects.get(merchant=seller)
    assert state.status == Standing.CLOSED and state.closed_at is not None
    good.refresh_from_db()
    assert good.status == "unpublished"
    page = seller_client.get(OVERVIEW, **ZH).content.decode()
    assert 'data-testid="closed-shop"' in page and f'href="{CLOSE}"' not in page


# --- The dashboard card, the home checklist and the goods page --------------------------


def test_dashboard_card_shows_the_standing_in_two_queries_at_most(
    client, seller, django_assert_max_num_queries
):
    application = OnboardingApplication.objects.get(merchant=seller)
    services.current_requirements(seller)  # today's requirements are stored

    with django_assert_max_num_queries(2):
        card = requirements_card(seller, application)

    assert card["compliance_card"]["state"].status == Standing.ACTION_REQUIRED
    client.force_login(seller.user)
    page = client.get(reverse("merchants:dashboard"), **ZH).content.decode()
    assert 'data-testid="requirements-card"' in page
    assert f'href="{OVERVIEW}" data-testid="card-link"' in page


def test_dashboard_card_waits_for_approval(client):
    application = submitted_application()
    client.force_login(application.merchant.user)

    page = client.get(reverse("merchants:dashboard")).content.decode()

    assert 'data-testid="requirements-card"' not in page


def test_home_checklist_deposit_step_is_done_when_nothing_is_owed(seller_client, seller):
    dashboard = reverse("merchants:dashboard")
    assert 'class="" data-testid="step-deposit"' in seller_client.get(dashboard).content.decode()

    pay_deposit(seller)

    assert 'class="is-done" data-testid="step-deposit"' in seller_client.get(dashboard).content.decode()


def test_goods_page_of_a_restricted_shop_says_why(seller_client, seller):
    restrict_for_expired_qualification(seller)

    page = seller_client.get(reverse("storefront:merchant-products"), **ZH).content.decode()

    assert 'data-testid="restriction-banner"' in page
    assert "珠宝玉石鉴定证书" in page
    assert f'href="{OVERVIEW}"' in page


# --- The onboarding wizard's documents step: validity dates ----------------------------


@pytest.fixture
def applicant_client(client):
    application = fill_application(ApplicationFactory(), categories=("jade-jewellery",))
    client.force_login(application.merchant.user)
    client.application = application
    return client


def test_wizard_stores_the_dates_of_an_uploaded_document(applicant_client):
    response = applicant_client.post(
        reverse("merchants:application-step", kwargs={"step": "documents"}),
        {
            "qualification-gem-appraisal": pdf_upload("ngtc.pdf"),
            "qualification-gem-appraisal__issued_on": days(-20),
            "qualification-gem-appraisal__valid_until": days(345),
            "id_front": image_upload(),
        },
    )

    assert response.status_code == 302
    application = applicant_client.application
    cert = application.documents.get(qualification__code="gem-appraisal", status=DocumentStatus.CURRENT)
    assert (cert.issued_on.isoformat(), cert.valid_until.isoformat()) == (days(-20), days(345))
    front = application.documents.get(kind="id_front", status=DocumentStatus.CURRENT)
    assert (front.issued_on, front.valid_until) == (None, None)  # optional: long-term or unknown


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"__issued_on": days(-20), "__valid_until": days(-1)}, "__valid_until"),
        ({"__issued_on": days(-20), "__valid_until": days(-30)}, "__valid_until"),
        ({"__issued_on": days(5)}, "__issued_on"),
    ],
    ids=["past-validity", "before-issue", "issued-in-future"],
)
def test_wizard_refuses_impossible_dates_and_keeps_the_old_document(applicant_client, dates, field):
    application = applicant_client.application
    before = list(application.documents.values_list("pk", "file"))
    key = "qualification-gem-appraisal"

    response = applicant_client.post(
        reverse("merchants:application-step", kwargs={"step": "documents"}),
        {key: pdf_upload(), **{key + suffix: value for suffix, value in dates.items()}},
    )

    assert response.status_code == 400
    assert key + field in response.context["form"].errors
    assert list(application.documents.values_list("pk", "file")) == before
