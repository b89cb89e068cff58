"""How a deposit reaches the platform: bank transfer (对公转账) now, online gateways later.

Bank transfer is built in: the merchant reports the transfer with its receipt
(`services.deposit_transfer_submit`) and finance confirms the amount received. An online
gateway (WeChat Pay, Alipay, a bank's B2B checkout) is a `PaymentGateway` registered on
`payment_gateways` by the package that implements it; none ships, because a gateway that
does not move money would only teach merchants to press a button that does nothing.

A registered gateway starts a payment (`start` returns the URL to send the merchant to)
and, when its server notifies the portal, verifies the notification and hands back the
settled amount; `record_gateway_payment` then writes the ledger's `paid` entry, once per
gateway reference.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.hooks import Hook

from ..models import DepositEntry, DepositEntryKind
from . import services

payment_gateways = Hook("merchants.payment_gateways", "PaymentGateway instances offered beside bank transfer")


@dataclass(frozen=True)
class SettledPayment:
    merchant_id: int
    amount: Decimal
    reference: str


class PaymentGateway(Protocol):
    code: str
    label: str

    def start(self, *, merchant, amount: Decimal, return_url: str) -> str:
        """Open a payment of `amount` for `merchant`; return the URL the merchant continues at."""

    def settle(self, *, request) -> SettledPayment | None:
        """Verify the gateway's notification (its signature) and return what was paid, or None."""


def available_gateways() -> list[PaymentGateway]:
    return list(payment_gateways)


@transaction.atomic
def record_gateway_payment(*, gateway: PaymentGateway, payment: SettledPayment) -> DepositEntry:
    """Write the `paid` entry of a settled gateway payment; a repeated notification writes nothing."""
    reason = f"{gateway.code}:{payment.reference}"
    existing = DepositEntry.objects.filter(
        merchant_id=payment.merchant_id, kind=DepositEntryKind.PAID, reason=reason
    ).first()
    if existing is not None:
        return existing
    entry = DepositEntry.objects.create(
        merchant_id=payment.merchant_id, kind=DepositEntryKind.PAID, amount=payment.amount, reason=reason
    )
    services.requirements_refresh(merchant=entry.merchant, cause=str(_("Deposit paid online")))
    return entry


BANK_TRANSFER_LABEL = _("Bank transfer (对公转账)")
