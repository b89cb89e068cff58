"""Reads the compliance pages and the API share."""

from ..models import DepositEntry
from . import services
from .requirements import GROUPS


def ledger(merchant, *, limit: int = 200):
    """The merchant's ledger, newest first, with who recorded each line."""
    return DepositEntry.objects.filter(merchant=merchant).order_by("-created_at", "-pk")[:limit]


def overview(merchant) -> dict:
    """Everything the overview page shows, in a fixed number of queries."""
    state, requirements = services.current_requirements(merchant)
    held, owed = services.deposit_balance(merchant)
    return {
        "merchant": merchant,
        "state": state,
        "requirements": requirements,
        "groups": [(group, getattr(requirements, group)) for group in GROUPS],
        "held": held,
        "owed": owed,
        "entries": ledger(merchant),
        "transfers": merchant.deposit_transfers.order_by("-created_at")[:20],
        "category_requests": merchant.category_requests.prefetch_related("categories").order_by(
            "-created_at"
        )[:10],
        "refund_obstacle": services.refund_obstacle(merchant, state=state) if state else None,
    }
