"""seed_demo's shops after approval (merchants/compliance/demo.py): one in each state, and
the second run changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from merchants.compliance import services
from merchants.models import (
    ApplicationDocument,
    CategoryRequest,
    CategoryRequestStatus,
    ComplianceReminder,
    DepositEntry,
    DepositEntryKind,
    DepositTransfer,
    DepositTransferStatus,
    DocumentStatus,
    MerchantCompliance,
    MerchantProfile,
    Standing,
    User,
)
from merchants.roles import StaffGroup
from storefront.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _merchant(email):
    return MerchantProfile.objects.get(user__email=email)


def _state(email):
    return MerchantCompliance.objects.get(merchant__user__email=email)


def _rows():
    return (
        DepositEntry.objects.count(),
        DepositTransfer.objects.count(),
        ApplicationDocument.objects.count(),
        CategoryRequest.objects.count(),
        ComplianceReminder.objects.count(),
    )


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_every_state_after_approval_has_a_demo_shop(seeded):
    today = timezone.localdate()

    factory = _merchant("factory@demo.local")
    assert _state("factory@demo.local").status == Standing.GOOD
    assert services.deposit_balance(factory) == (Decimal("2000.00"), Decimal("0.00"))

    ruili = _merchant("ruili@demo.local")
    gem = ApplicationDocument.objects.get(
        application__merchant=ruili, qualification__code="gem-appraisal", status=DocumentStatus.CURRENT
    )
    assert gem.valid_until == today + datetime.timedelta(days=5)
    assert ComplianceReminder.objects.filter(document=gem, days_before=7).exists()
    assert _state("ruili@demo.local").status == Standing.ACTION_REQUIRED

    renewal = _merchant("renewal@demo.local")
    assert _state("renewal@demo.local").status == Standing.RESTRICTED
    assert ApplicationDocument.objects.filter(
        application__merchant=renewal, status=DocumentStatus.PENDING, category_request=None
    ).exists()

    request = CategoryRequest.objects.get(merchant__user__email="categories@demo.local")
    assert request.status == CategoryRequestStatus.SUBMITTED
    assert [c.code for c in request.categories.all()] == ["jade-jewellery"]
    assert request.deposit_difference == Decimal("8000.00")
    assert request.documents.filter(status=DocumentStatus.PENDING).count() == 1

    transfer = DepositTransfer.objects.get(merchant__user__email="transfer@demo.local")
    assert transfer.status == DepositTransferStatus.SUBMITTED
    assert not DepositEntry.objects.filter(merchant=transfer.merchant, kind=DepositEntryKind.PAID).exists()

    topup = _merchant("topup@demo.local")
    assert services.deposit_balance(topup) == (Decimal("1500.00"), Decimal("500.00"))
    assert topup.deposit_entries.filter(kind=DepositEntryKind.TOP_UP_DUE, amount=Decimal("500.00")).exists()

    closed = _state("closed@demo.local")
    assert closed.status == Standing.CLOSED
    assert closed.refund_due_on > today
    assert services.deposit_balance(closed.merchant)[0] == Decimal("2000.00")


def test_the_finance_demo_account_logs_in_to_the_deposit_pages(seeded, client):
    finance = User.objects.get(email="finance@demo.local")
    assert finance.is_staff and not finance.is_superuser
    assert list(finance.groups.values_list("name", flat=True)) == [str(StaffGroup.FINANCE)]
    assert client.login(email=finance.email, password=DEMO_PASSWORD)

    response = client.get("/admin/merchants/deposittransfer/")

    assert response.status_code == 200
    assert [t.merchant.user.email for t in response.context["cl"].result_list] == ["transfer@demo.local"]


def test_seeding_again_changes_nothing(seeded):
    before = _rows()
    standings = dict(MerchantCompliance.objects.values_list("merchant_id", "status"))

    call_command("seed_demo")

    assert _rows() == before
    assert dict(MerchantCompliance.objects.values_list("merchant_id", "status")) == standings
