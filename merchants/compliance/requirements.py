"""What an approved merchant owes the platform, computed in one place.

The shape follows Stripe Connect's account requirements:
- `past_due`: a document in force has expired, or a deposit or top-up is unpaid after its
  deadline. The shop is restricted: the whole shop for an ID card, a licence or the
  deposit; the goods of the categories that need it for a category qualification.
- `currently_due`: a document expires within `DUE_SOON_DAYS`, a required document is
  missing (a qualification staff added to a category later), a deposit is unpaid before
  its deadline; `current_deadline` is the earliest of their deadlines.
- `eventually_due`: documents with a validity date further away, with that date.
- `pending_verification`: uploads, bank transfers and category requests awaiting staff.
- `errors`: what staff refused, with their reason, until the merchant sends something new.

`compute` is a pure function of plain values (table-driven tests call it directly);
`merchant_inputs` loads those values for one merchant in a fixed number of queries.
Items keep codes and both languages' labels, so the snapshot stored on
`MerchantCompliance` renders in the reader's language without another query.
"""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import (
    ApplicationStatus,
    CategoryRequestStatus,
    CompliancePolicy,
    DepositEntry,
    DepositEntryKind,
    DepositTransferEvent,
    DepositTransferStatus,
    DocumentStatus,
)
from ..models.compliance import OWED_SIGN

DUE_SOON_DAYS = 30
# Reminders go out this many days before a document expires (each once: ComplianceReminder).
REMINDER_DAYS = (30, 7, 1)
# A refusal stays in `errors` this long unless something newer replaces it.
ERROR_DAYS = 30

# Applications whose merchant has obligations after approval.
AFTER_APPROVAL = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED, ApplicationStatus.CLOSED}
)

# What each item code tells the merchant; `%(date)s` is the item's deadline.
ITEM_TEXT = {
    "document.missing": _("Upload it: your categories require it."),
    "document.expiring": _("Expires on %(date)s: upload the renewed document before then."),
    "document.expired": _("Expired on %(date)s: upload the renewed document."),
    "document.renewal": _("Valid until %(date)s."),
    "document.pending": _("The new upload awaits review."),
    "document.refused": _("The upload was refused: %(reason)s"),
    "deposit.unpaid": _("Pay ¥%(amount)s by bank transfer by %(date)s."),
    "deposit.overdue": _("¥%(amount)s was due on %(date)s: pay it by bank transfer."),
    "deposit.transfer_pending": _("Your bank transfer awaits confirmation by finance."),
    "deposit.transfer_refused": _("Your bank transfer was refused: %(reason)s"),
    "category_request.pending": _("Your request to add categories awaits review."),
    "category_request.rejected": _("Your request to add categories was refused: %(reason)s"),
}

DISABLED_TEXT = {
    "requirements.past_due": _("Requirements are past due."),
    "shop.suspended": _("The shop is suspended."),
    "shop.closed": _("The shop is closed."),
}


@dataclass(frozen=True)
class Slot:
    """A document the merchant must hold: its key, its name in both languages, and the
    categories that need it (empty: the whole shop needs it)."""

    key: str
    labels: dict
    category_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Doc:
    key: str
    status: str
    valid_until: datetime.date | None
    created_at: datetime.datetime
    refusal_reason: str = ""


@dataclass(frozen=True)
class Deposit:
    owed: Decimal = Decimal("0.00")
    deadline: datetime.date | None = None
    pending_transfers: int = 0
    refused_transfer_reason: str | None = None


@dataclass(frozen=True)
class CategoryRequestState:
    pending: bool = False
    rejected_reason: str | None = None


@dataclass(frozen=True)
class Item:
    code: str
    key: str
    labels: dict
    deadline: str | None = None  # ISO date: the snapshot is JSON
    reason: str = ""
    amount: str = ""
    category_ids: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return self.labels.get(language) or self.labels.get(settings.LANGUAGE_CODE) or self.key

    @property
    def text(self) -> str:
        return ITEM_TEXT[self.code] % {
            "date": self.deadline or "",
            "reason": self.reason,
            "amount": self.amount,
        }


GROUPS = ("past_due", "currently_due", "eventually_due", "pending_verification", "errors")


@dataclass
class Requirements:
    past_due: list[Item] = field(default_factory=list)
    currently_due: list[Item] = field(default_factory=list)
    eventually_due: list[Item] = field(default_factory=list)
    pending_verification: list[Item] = field(default_factory=list)
    errors: list[Item] = field(default_factory=list)
    current_deadline: str | None = None
    disabled_reason: str = ""
    restricted_shop: bool = False
    restricted_category_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["restricted_category_ids"] = list(self.restricted_category_ids)
        for group in GROUPS:
            for item in data[group]:
                item["category_ids"] = list(item["category_ids"])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Requirements":
        if not data:
            return cls()
        values = {
            group: [
                Item(**{**item, "category_ids": tuple(item["category_ids"])}) for item in data.get(group, [])
            ]
            for group in GROUPS
        }
        return cls(
            **values,
            current_deadline=data.get("current_deadline"),
            disabled_reason=data.get("disabled_reason", ""),
            restricted_shop=data.get("restricted_shop", False),
            restricted_category_ids=tuple(data.get("restricted_category_ids", ())),
        )

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, group) for group in GROUPS)

    @property
    def owes_deposit(self) -> bool:
        """Whether the ledger showed a deposit or top-up still to pay (paid: nothing owed)."""
        return any(item.key == "deposit" for item in (*self.past_due, *self.currently_due))

    @property
    def disabled_text(self) -> str:
        return str(DISABLED_TEXT.get(self.disabled_reason, ""))

    @property
    def restriction_reason(self) -> str:
        """The past-due items as one line, for the refusals of listings and sign-ups."""
        return "; ".join(f"{item.label}: {item.text}" for item in self.past_due)


def bilingual(text) -> dict:
    """Return `text` (lazy) rendered in every language the portal speaks."""
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(text)
    return labels


def compute(
    *,
    status: str,
    slots: list[Slot],
    documents: list[Doc],
    deposit: Deposit,
    category_request: CategoryRequestState,
    today: datetime.date,
) -> Requirements:
    """Return the requirements of a merchant whose application is in `status`."""
    result = Requirements()
    if status not in AFTER_APPROVAL:
        return result
    if status == ApplicationStatus.CLOSED:
        result.disabled_reason = "shop.closed"
        return result
    error_since = datetime.datetime.combine(today - datetime.timedelta(days=ERROR_DAYS), datetime.time.min)
    deposit_labels = bilingual(_("Deposit"))
    for slot in slots:
        mine = [d for d in documents if d.key == slot.key]
        current = next((d for d in mine if d.status == DocumentStatus.CURRENT), None)
        pending = next((d for d in mine if d.status == DocumentStatus.PENDING), None)
        refused = max(
            (d for d in mine if d.status == DocumentStatus.REFUSED), key=lambda d: d.created_at, default=None
        )

        def item(code, deadline=None, reason="", slot=slot):
            return Item(
                code=code,
                key=slot.key,
                labels=slot.labels,
                deadline=deadline.isoformat() if deadline else None,
                reason=reason,
                category_ids=slot.category_ids,
            )

        if pending is not None:
            result.pending_verification.append(item("document.pending"))
        elif (
            refused is not None
            and refused.created_at.replace(tzinfo=None) >= error_since
            and (current is None or refused.created_at > current.created_at)
        ):
            result.errors.append(item("document.refused", reason=refused.refusal_reason))
        if current is None:
            if pending is None:
                result.currently_due.append(item("document.missing"))
            continue
        expires = current.valid_until
        if expires is None:
            continue
        if expires < today:
            result.past_due.append(item("document.expired", expires))
        elif expires <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            if pending is None:
                result.currently_due.append(item("document.expiring", expires))
        else:
            result.eventually_due.append(item("document.renewal", expires))

    if deposit.owed > 0:
        overdue = deposit.deadline is not None and deposit.deadline < today
        result_group = result.past_due if overdue else result.currently_due
        result_group.append(
            Item(
                code="deposit.overdue" if overdue else "deposit.unpaid",
                key="deposit",
                labels=deposit_labels,
                deadline=deposit.deadline.isoformat() if deposit.deadline else None,
                amount=f"{deposit.owed:.2f}",
            )
        )
    _awaiting_or_refused(
        result,
        key="deposit",
        labels=deposit_labels,
        awaiting=bool(deposit.pending_transfers),
        refusal=deposit.refused_transfer_reason,
        codes=("deposit.transfer_pending", "deposit.transfer_refused"),
    )
    _awaiting_or_refused(
        result,
        key="category_request",
        labels=bilingual(_("Category addition")),
        awaiting=category_request.pending,
        refusal=category_request.rejected_reason,
        codes=("category_request.pending", "category_request.rejected"),
    )

    deadlines = [item.deadline for item in result.currently_due if item.deadline]
    result.current_deadline = min(deadlines) if deadlines else None
    if result.past_due:
        result.disabled_reason = "requirements.past_due"
        result.restricted_shop = any(not item.category_ids for item in result.past_due)
        if not result.restricted_shop:
            result.restricted_category_ids = tuple(
                sorted({pk for item in result.past_due for pk in item.category_ids})
            )
    elif status == ApplicationStatus.SUSPENDED:
        result.disabled_reason = "shop.suspended"
    return result


def _awaiting_or_refused(result, *, key, labels, awaiting: bool, refusal: str | None, codes) -> None:
    """Something sent to staff: awaiting them, or refused with their reason (None: neither)."""
    awaiting_code, refused_code = codes
    if awaiting:
        result.pending_verification.append(Item(code=awaiting_code, key=key, labels=labels))
    elif refusal is not None:
        result.errors.append(Item(code=refused_code, key=key, labels=labels, reason=refusal))


# --- Loading one merchant's inputs ------------------------------------------------------


def merchant_inputs(merchant, *, today: datetime.date) -> dict | None:
    """Return `compute`'s keyword arguments for `merchant` (None before it has applied).

    Queries: the application with its documents, the categories with their
    qualifications (prefetched), the ledger's sums, the transfers and category requests.
    """
    application = (
        merchant.applications.exclude(status=ApplicationStatus.REJECTED)
        .select_related("merchant")
        .prefetch_related("documents__qualification", "merchant__categories__required_qualifications")
        .first()
    )
    if application is None:
        return None
    categories = list(application.merchant.categories.all())
    slots = [
        Slot(
            key=slot.key,
            labels=slot_labels(slot),
            category_ids=tuple(
                category.pk
                for category in categories
                if slot.qualification is not None
                and any(q.pk == slot.qualification.pk for q in category.required_qualifications.all())
            ),
        )
        for slot in selectors.document_slots(application)
    ]
    documents = [
        Doc(
            key=document.slot_key,
            status=document.status,
            valid_until=document.valid_until,
            created_at=document.created_at,
            refusal_reason=document.refusal_reason,
        )
        for document in application.documents.all()
    ]
    return {
        "status": application.status,
        "slots": slots,
        "documents": documents,
        "deposit": deposit_state(merchant),
        "category_request": category_request_state(merchant, today=today),
    }


def slot_labels(slot) -> dict:
    """A document slot's name in every language (a qualification's from its two columns)."""
    qualification = slot.qualification
    if qualification is None:
        return bilingual(slot.label)
    return {
        code: (qualification.name_en or qualification.name) if code.startswith("en") else qualification.name
        for code, _name in settings.LANGUAGES
    }


def ledger_totals(merchant) -> dict[str, Decimal]:
    """Return the sum of each kind of the merchant's ledger entries (one query)."""
    totals = dict.fromkeys(DepositEntryKind.values, Decimal("0.00"))
    rows = DepositEntry.objects.filter(merchant=merchant).values("kind").annotate(total=Sum("amount"))
    for row in rows:
        totals[row["kind"]] = row["total"]
    return totals


def owed_from(totals: dict[str, Decimal]) -> Decimal:
    return sum((totals[kind] * sign for kind, sign in OWED_SIGN.items()), Decimal("0.00"))


def deposit_state(merchant) -> Deposit:
    totals = ledger_totals(merchant)
    owed = owed_from(totals)
    deadline = None
    if owed > 0:
        last_due = (
            DepositEntry.objects.filter(
                merchant=merchant, kind__in=[DepositEntryKind.DUE, DepositEntryKind.TOP_UP_DUE]
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last_due is not None:
            days = CompliancePolicy.current().deposit_payment_days
            deadline = last_due.date() + datetime.timedelta(days=days)
    transfers = list(merchant.deposit_transfers.order_by("-created_at").values("pk", "status")[:20])
    pending = sum(1 for t in transfers if t["status"] == DepositTransferStatus.SUBMITTED)
    refused_reason = None
    if transfers and transfers[0]["status"] == DepositTransferStatus.REFUSED:
        # The latest transfer was refused: its refusal's reason, read by the row already fetched.
        refused_reason = (
            DepositTransferEvent.objects.filter(transfer_id=transfers[0]["pk"])
            .order_by("-created_at")
            .values_list("reason", flat=True)
            .first()
            or ""
        )
    return Deposit(
        owed=max(owed, Decimal("0.00")),
        deadline=deadline,
        pending_transfers=pending,
        refused_transfer_reason=refused_reason,
    )


def category_request_state(merchant, *, today: datetime.date) -> CategoryRequestState:
    latest = merchant.category_requests.order_by("-created_at").first()
    if latest is None:
        return CategoryRequestState()
    if latest.status == CategoryRequestStatus.SUBMITTED:
        return CategoryRequestState(pending=True)
    if (
        latest.status == CategoryRequestStatus.REJECTED
        and latest.decided_at
        and (latest.decided_at.date() >= today - datetime.timedelta(days=ERROR_DAYS))
    ):
        event = latest.events.order_by("-created_at").first()
        return CategoryRequestState(rejected_reason=event.reason if event else "")
    return CategoryRequestState()
