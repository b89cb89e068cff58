"""Reads the compliance pages and the API share."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import selectors as merchant_selectors
from ..models import ApplicationStatus, DepositEntry, DocumentStatus
from . import services
from .requirements import AFTER_APPROVAL, GROUPS, Item

# The item codes a new upload answers, and what its link says.
DOCUMENT_ACTIONS = {
    "document.missing": _("Upload it"),
    "document.expired": _("Upload the renewed document"),
    "document.expiring": _("Upload the renewed document"),
    "document.refused": _("Upload it again"),
    "document.renewal": _("Renew early"),
}
DEPOSIT_ACTIONS = {
    "deposit.unpaid": _("Pay by bank transfer"),
    "deposit.overdue": _("Pay by bank transfer"),
    "deposit.transfer_refused": _("Report the transfer again"),
}
CATEGORY_ACTIONS = {"category_request.rejected": _("Ask again")}


@dataclass(frozen=True)
class Action:
    url: str
    label: str


def item_action(item: Item) -> Action | None:
    """Where the merchant answers `item` (None: nothing to do but wait)."""
    if item.code in DOCUMENT_ACTIONS:
        url = reverse("merchants:compliance-document-renew", kwargs={"slot_key": item.key})
        return Action(url, str(DOCUMENT_ACTIONS[item.code]))
    if item.code in DEPOSIT_ACTIONS:
        return Action(reverse("merchants:compliance-deposit-transfer"), str(DEPOSIT_ACTIONS[item.code]))
    if item.code in CATEGORY_ACTIONS:
        return Action(reverse("merchants:compliance-categories"), str(CATEGORY_ACTIONS[item.code]))
    return None


def grouped_with_actions(requirements) -> list[tuple[str, list[tuple[Item, Action | None]]]]:
    return [(group, [(item, item_action(item)) for item in getattr(requirements, group)]) for group in GROUPS]


def application_status(merchant) -> str | None:
    """The status of the merchant's application that counts (its latest not rejected)."""
    return (
        merchant.applications.exclude(status=ApplicationStatus.REJECTED)
        .order_by("-created_at")
        .values_list("status", flat=True)
        .first()
    )


def approved_application(merchant):
    """The merchant's approved (or suspended) application with its documents and slots' data."""
    return (
        merchant_selectors.application_with_details(
            merchant.applications.filter(status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED])
        )
        .order_by("-created_at")
        .first()
    )


def pending_document(application, slot_key: str):
    """The upload awaiting review for a slot (from the prefetched documents), if any."""
    return next(
        (
            d
            for d in application.documents.all()
            if d.status == DocumentStatus.PENDING and d.slot_key == slot_key
        ),
        None,
    )


def ledger(merchant, *, limit: int = 200):
    """The merchant's ledger, newest first, with who recorded each line."""
    return DepositEntry.objects.filter(merchant=merchant).order_by("-created_at", "-pk")[:limit]


def transfers(merchant, *, limit: int = 20):
    return merchant.deposit_transfers.order_by("-created_at")[:limit]


def category_requests(merchant, *, limit: int = 10):
    return merchant.category_requests.prefetch_related("categories").order_by("-created_at")[:limit]


def overview(merchant) -> dict:
    """Everything the overview page shows, in a fixed number of queries.

    Before approval there is nothing to show, and nothing is computed (or stored).
    """
    status = application_status(merchant)
    if status not in AFTER_APPROVAL:
        return {"merchant": merchant, "state": None, "application_status": status}
    state, requirements = services.current_requirements(merchant)
    held, owed = services.deposit_balance(merchant)
    return {
        "merchant": merchant,
        "application_status": status,
        "state": state,
        "requirements": requirements,
        "groups": grouped_with_actions(requirements),
        "held": held,
        "owed": owed,
        "entries": ledger(merchant),
        "transfers": transfers(merchant),
        "category_requests": category_requests(merchant),
        "can_close": status in (ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED),
        "refund_obstacle": services.refund_obstacle(merchant, state=state) if state else None,
    }


def requirements_card(merchant, application) -> dict:
    """The dashboard's compact card: the standing and what is due (one query when current)."""
    if merchant is None or application is None or application.status not in AFTER_APPROVAL:
        return {}
    state, requirements = services.current_requirements(merchant)
    if state is None:
        return {}
    return {
        "compliance_card": {
            "state": state,
            "requirements": requirements,
            "past_due": len(requirements.past_due),
            "currently_due": len(requirements.currently_due),
            "pending": len(requirements.pending_verification),
            "errors": len(requirements.errors),
            "first": (requirements.past_due + requirements.currently_due + requirements.errors)[:3],
        }
    }
