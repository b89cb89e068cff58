"""Every write of the lifecycle after approval: documents renewed, categories added, the
deposit paid, deducted and refunded, the shop closed, and the requirements kept current.

Each write that can change what a merchant owes ends with `requirements_refresh`, which
recomputes the requirements (requirements.py), stores them on `MerchantCompliance`,
moves the standing when it changes (an event with its cause, and a webhook) and tells
the layers above when the restriction changed (`restriction_changed`: storefront hides
or restores goods) or the shop closed (`shop_closed`: goods offline, campaign entries
ended). The daily sweep (`compliance_sweep`) sends expiry reminders and refreshes the
merchants whose figures a new day may change.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import email_user
from core.exceptions import Conflict
from core.hooks import Hook
from core.sites import portal_base_url
from core.uploads import CheckedUpload

from .. import selectors
from ..documents import document_delete, document_store, original_name, save_with_file
from ..models import (
    ApplicationDocument,
    ApplicationStatus,
    Category,
    CategoryRequest,
    CategoryRequestStatus,
    CompliancePolicy,
    ComplianceReminder,
    DepositEntry,
    DepositEntryKind,
    DepositTransfer,
    DepositTransferStatus,
    DocumentKind,
    DocumentStatus,
    MerchantCompliance,
    MerchantProfile,
    OnboardingApplication,
    Standing,
)
from ..models.compliance import HELD_SIGN
from ..workflows import APPLICATION_WORKFLOW
from . import permissions
from .requirements import (
    AFTER_APPROVAL,
    REMINDER_DAYS,
    Requirements,
    compute,
    ledger_totals,
    merchant_inputs,
    owed_from,
)
from .workflows import (
    CATEGORY_REQUEST_WORKFLOW,
    COMPLIANCE_WORKFLOW,
    DEPOSIT_TRANSFER_WORKFLOW,
    DOCUMENT_WORKFLOW,
)

# The layers above react here (storefront registers in its AppConfig.ready()).
restriction_changed = Hook(
    "merchants.restriction_changed", "listener(merchant_id): the goods a restriction hides have changed"
)
shop_closed = Hook(
    "merchants.shop_closed", "listener(merchant_id): take the shop's goods and entries offline"
)

NotApproved = Conflict.define("NotApproved", "not_approved", _("Only an approved shop can do this."))
RefundNotDue = Conflict.define(
    "RefundNotDue", "refund_not_due", _("The deposit cannot be refunded yet: %(why)s")
)
AmountMismatch = Conflict.define(
    "AmountMismatch",
    "amount_mismatch",
    _(
        "The amount received (¥%(received)s) does not match the receipt (¥%(claimed)s). "
        "Refuse the transfer instead."
    ),
)
DeductionTooLarge = Conflict.define(
    "DeductionTooLarge",
    "deduction_too_large",
    _("The deduction (¥%(amount)s) is larger than the deposit held (¥%(held)s)."),
)


# A date argument left out: the value already stored stays (None means "no date").
KEEP = object()


def today() -> datetime.date:
    return timezone.localdate()


# --- Requirements ---------------------------------------------------------------------


def merchant_state(merchant: MerchantProfile) -> MerchantCompliance:
    state, _created = MerchantCompliance.objects.get_or_create(merchant=merchant)
    return state


def standing_for(requirements: Requirements, *, closed: bool) -> str:
    if closed:
        return Standing.CLOSED
    if requirements.past_due:
        return Standing.RESTRICTED
    if requirements.currently_due or requirements.errors:
        return Standing.ACTION_REQUIRED
    return Standing.GOOD


@transaction.atomic
def requirements_refresh(
    *, merchant: MerchantProfile, by=None, cause: str = "", on: datetime.date | None = None
):
    """Recompute `merchant`'s requirements, store them, and record what changed with `cause`.

    Returns the stored `MerchantCompliance`; a merchant not yet approved has none.
    """
    on = on or today()
    inputs = merchant_inputs(merchant, today=on)
    if inputs is None or inputs["status"] not in AFTER_APPROVAL:
        return None  # onboarding is the wizard's; obligations begin at approval
    requirements = compute(**inputs, today=on)
    state = merchant_state(merchant)
    state = COMPLIANCE_WORKFLOW.lock(state, "merchant")
    snapshot = requirements.as_dict()
    closed = inputs["status"] == ApplicationStatus.CLOSED
    standing = standing_for(requirements, closed=closed)
    restriction_before = (state.restricted_shop, tuple(state.restricted_category_ids))
    restriction_after = (requirements.restricted_shop, tuple(requirements.restricted_category_ids))
    changed = snapshot != state.requirements
    updates = {
        "requirements": snapshot,
        "computed_on": on,
        "restricted_shop": requirements.restricted_shop,
        "restricted_category_ids": list(requirements.restricted_category_ids),
        "restriction_reason": requirements.restriction_reason,
    }
    details = {
        "restricted_shop": requirements.restricted_shop,
        "restricted_categories": list(requirements.restricted_category_ids),
    }
    if standing != state.status:
        state, _event = COMPLIANCE_WORKFLOW.move(
            obj=state, to=standing, by=by, reason=cause, details=details, updates=updates, locked=True
        )
    else:
        for name, value in updates.items():
            setattr(state, name, value)
        state.save(update_fields=[*updates, "updated_at"])
        if changed:
            COMPLIANCE_WORKFLOW.record(obj=state, by=by, reason=cause, details=details, emit=True)
    if restriction_before != restriction_after and not closed:
        merchant_id = merchant.pk
        for listener in restriction_changed:
            listener(merchant_id)
    return state


def current_requirements(merchant: MerchantProfile) -> tuple[MerchantCompliance | None, Requirements]:
    """Return the stored requirements, recomputed first when they are not today's.

    A page reads one row; the daily sweep recomputes, so this recomputes only when the
    sweep has not reached the merchant yet today (or never has).
    """
    state = MerchantCompliance.objects.filter(merchant=merchant).first()
    if state is None or state.computed_on != today():
        state = requirements_refresh(merchant=merchant, cause=str(_("Recomputed on reading")))
    if state is None:
        return None, Requirements()
    return state, Requirements.from_dict(state.requirements)


def selling_refusal(merchant: MerchantProfile) -> str | None:
    """Why a restricted merchant may not list goods or sign up for campaigns (None if it may)."""
    state = MerchantCompliance.objects.filter(merchant=merchant).only("status", "requirements").first()
    if state is None or state.status != Standing.RESTRICTED:
        return None
    # Rendered from the stored items, in the reader's language (the stored line is in the
    # language of whoever caused the restriction).
    return Requirements.from_dict(state.requirements).restriction_reason or str(
        _("Requirements are past due.")
    )


# --- Documents: validity, renewal, review ----------------------------------------------


def validate_validity(
    *, issued_on: datetime.date | None, valid_until: datetime.date | None, renewal: bool
) -> None:
    """Refuse impossible dates, with the field they belong to."""
    errors = {}
    if issued_on is not None and issued_on > today():
        errors["issued_on"] = _("The issue date cannot be in the future.")
    if valid_until is not None:
        if issued_on is not None and valid_until <= issued_on:
            errors["valid_until"] = _("The document must be valid after its issue date.")
        elif valid_until < today() or (renewal and valid_until <= today()):
            errors["valid_until"] = _("This date has passed: upload a document that is still valid.")
    if errors:
        raise ValidationError(errors)


def _approved_application(merchant: MerchantProfile, *, lock: bool = True) -> OnboardingApplication:
    rows = merchant.applications.filter(status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED])
    application = (rows.select_for_update() if lock else rows).first()
    if application is None:
        raise NotApproved()
    return application


def _replace_pending(application, *, kind, qualification) -> None:
    """Drop an earlier upload awaiting review for the same slot (the newer one replaces it)."""
    for previous in ApplicationDocument.objects.filter(
        application=application, kind=kind, qualification=qualification, status=DocumentStatus.PENDING
    ):
        document_delete(previous)


@transaction.atomic
def document_renew(
    *,
    merchant: MerchantProfile,
    by,
    kind: str,
    qualification=None,
    upload,
    checked: CheckedUpload,
    issued_on: datetime.date | None,
    valid_until: datetime.date | None,
) -> ApplicationDocument:
    """Upload a renewed (or missing) document after approval; it waits for a reviewer."""
    if merchant.user_id != by.pk:
        raise PermissionDenied
    validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=True)
    application = _approved_application(merchant)
    if kind == DocumentKind.QUALIFICATION and qualification is None:
        raise ValidationError(_("Choose the qualification this document is for."))
    _replace_pending(application, kind=kind, qualification=qualification)
    document = document_store(
        application=application,
        kind=kind,
        qualification=qualification,
        upload=upload,
        checked=checked,
        status=DocumentStatus.PENDING,
        issued_on=issued_on,
        valid_until=valid_until,
    )
    DOCUMENT_WORKFLOW.record(obj=document, by=by, created=True)
    requirements_refresh(
        merchant=merchant, by=by, cause=str(_("Renewed document uploaded: %(name)s") % {"name": document})
    )
    return document


def _supersede_current(document: ApplicationDocument, *, by) -> None:
    for current in ApplicationDocument.objects.select_for_update().filter(
        application_id=document.application_id,
        kind=document.kind,
        qualification_id=document.qualification_id,
        status=DocumentStatus.CURRENT,
    ):
        DOCUMENT_WORKFLOW.move(obj=current, to=DocumentStatus.SUPERSEDED, by=by, locked=True)


def _require_document_reviewer(by) -> None:
    if not permissions.can_review_documents(by):
        raise PermissionDenied


@transaction.atomic
def document_approve(
    *,
    document: ApplicationDocument,
    by,
    reason: str = "",
    issued_on=KEEP,
    valid_until=KEEP,
) -> ApplicationDocument:
    """Put a reviewed upload in force with the dates the reviewer confirmed or corrected
    (`KEEP`: the merchant's; None for `valid_until`: long-term)."""
    _require_document_reviewer(by)
    locked = DOCUMENT_WORKFLOW.lock(document, "application__merchant")
    issued_on = locked.issued_on if issued_on is KEEP else issued_on
    valid_until = locked.valid_until if valid_until is KEEP else valid_until
    validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=True)
    _supersede_current(locked, by=by)
    moved, _event = DOCUMENT_WORKFLOW.move(
        obj=locked,
        to=DocumentStatus.CURRENT,
        by=by,
        reason=reason,
        updates={
            "issued_on": issued_on,
            "valid_until": valid_until,
            "validity_confirmed_at": timezone.now(),
            "validity_confirmed_by": by,
        },
        locked=True,
    )
    requirements_refresh(
        merchant=moved.application.merchant,
        by=by,
        cause=str(_("Document approved: %(name)s") % {"name": moved}),
    )
    return moved


@transaction.atomic
def document_refuse(*, document: ApplicationDocument, by, reason: str) -> ApplicationDocument:
    _require_document_reviewer(by)
    return _refuse(
        DOCUMENT_WORKFLOW,
        obj=document,
        to=DocumentStatus.REFUSED,
        by=by,
        reason=reason,
        updates={"refusal_reason": reason.strip()},
        merchant_of=lambda moved: moved.application.merchant,
        cause=lambda moved: str(_("Document refused: %(name)s") % {"name": moved}),
        email=("merchants/email/document_refused", "document"),
    )


@transaction.atomic
def document_confirm_validity(
    *, document: ApplicationDocument, by, issued_on: datetime.date | None, valid_until: datetime.date | None
) -> ApplicationDocument:
    """Confirm or correct the dates of a document in force (an onboarding upload)."""
    _require_document_reviewer(by)
    locked = DOCUMENT_WORKFLOW.lock(document, "application__merchant")
    validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=False)
    locked.issued_on, locked.valid_until = issued_on, valid_until
    locked.validity_confirmed_at, locked.validity_confirmed_by = timezone.now(), by
    locked.save(
        update_fields=[
            "issued_on",
            "valid_until",
            "validity_confirmed_at",
            "validity_confirmed_by",
            "updated_at",
        ]
    )
    DOCUMENT_WORKFLOW.record(
        obj=locked,
        by=by,
        reason=str(_("Validity confirmed")),
        details={"issued_on": str(issued_on or ""), "valid_until": str(valid_until or "")},
    )
    if locked.application.status in (ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED):
        requirements_refresh(
            merchant=locked.application.merchant, by=by, cause=str(_("Validity dates confirmed"))
        )
    return locked


# --- Category additions ----------------------------------------------------------------


def addable_categories(merchant: MerchantProfile):
    return (
        Category.objects.filter(is_active=True)
        .exclude(pk__in=merchant.categories.all())
        .prefetch_related("required_qualifications")
    )


def qualifications_needed(merchant: MerchantProfile, categories) -> list:
    """Return the qualifications `categories` need that the merchant holds no valid document for."""
    application = _approved_application(merchant, lock=False)
    held = set(
        ApplicationDocument.objects.filter(application=application, status=DocumentStatus.CURRENT)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today()))
        .exclude(qualification=None)
        .values_list("qualification_id", flat=True)
    )
    needed = {}
    for category in categories:
        for qualification in category.required_qualifications.all():
            if qualification.pk not in held:
                needed.setdefault(qualification.pk, qualification)
    return sorted(needed.values(), key=lambda q: q.code)


def deposit_after_adding(merchant: MerchantProfile, categories) -> tuple[Decimal, Decimal]:
    before, _held_categories = selectors.deposit_breakdown(merchant)
    after = max([before, *(c.deposit_amount for c in categories)])
    return before, after


@transaction.atomic
def category_request_submit(*, merchant: MerchantProfile, by, categories, uploads: dict) -> CategoryRequest:
    """Ask to sell in `categories`; `uploads` maps a qualification's pk to
    (upload, checked, issued_on, valid_until) for each qualification still needed."""
    if merchant.user_id != by.pk:
        raise PermissionDenied
    application = _approved_application(merchant)
    MerchantProfile.objects.select_for_update().filter(pk=merchant.pk).values_list("pk").get()
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("Choose at least one category.")})
    addable = set(addable_categories(merchant).values_list("pk", flat=True))
    refused = [str(c) for c in categories if c.pk not in addable]
    if refused:
        raise ValidationError(
            {"categories": _("These categories cannot be added: %(names)s") % {"names": "、".join(refused)}}
        )
    if merchant.category_requests.filter(status=CategoryRequestStatus.SUBMITTED).exists():
        raise Conflict(_("A request to add categories is already awaiting review."))
    needed = qualifications_needed(merchant, categories)
    missing = [q.localized_name for q in needed if q.pk not in uploads]
    if missing:
        raise ValidationError(_("Upload these qualifications: %(names)s") % {"names": "、".join(missing)})
    for qualification in needed:
        _upload, _checked, issued_on, valid_until = uploads[qualification.pk]
        validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=True)
    before, after = deposit_after_adding(merchant, categories)
    request = CategoryRequest.objects.create(merchant=merchant, deposit_before=before, deposit_after=after)
    request.categories.set(categories)
    for qualification in needed:
        upload, checked, issued_on, valid_until = uploads[qualification.pk]
        _replace_pending(application, kind=DocumentKind.QUALIFICATION, qualification=qualification)
        document = document_store(
            application=application,
            kind=DocumentKind.QUALIFICATION,
            qualification=qualification,
            upload=upload,
            checked=checked,
            status=DocumentStatus.PENDING,
            issued_on=issued_on,
            valid_until=valid_until,
            category_request=request,
        )
        DOCUMENT_WORKFLOW.record(obj=document, by=by, created=True)
    CATEGORY_REQUEST_WORKFLOW.record(obj=request, by=by, created=True)
    requirements_refresh(merchant=merchant, by=by, cause=str(_("Categories requested")))
    return request


def _require_category_reviewer(by) -> None:
    if not permissions.can_review_category_requests(by):
        raise PermissionDenied


@transaction.atomic
def category_request_approve(*, request: CategoryRequest, by, reason: str = "") -> CategoryRequest:
    """Open the categories for listing, put the request's qualifications in force, and
    write the deposit difference as a top-up due."""
    _require_category_reviewer(by)
    locked = CATEGORY_REQUEST_WORKFLOW.lock(request, "merchant")
    merchant = locked.merchant
    for document in ApplicationDocument.objects.select_for_update().filter(
        category_request=locked, status=DocumentStatus.PENDING
    ):
        _supersede_current(document, by=by)
        DOCUMENT_WORKFLOW.move(
            obj=document,
            to=DocumentStatus.CURRENT,
            by=by,
            updates={"validity_confirmed_at": timezone.now(), "validity_confirmed_by": by},
            locked=True,
        )
    moved, _event = CATEGORY_REQUEST_WORKFLOW.move(
        obj=locked,
        to=CategoryRequestStatus.APPROVED,
        by=by,
        reason=reason,
        updates={"decided_at": timezone.now()},
        locked=True,
    )
    merchant.categories.add(*moved.categories.all())
    if moved.deposit_difference > 0:
        DepositEntry.objects.create(
            merchant=merchant,
            kind=DepositEntryKind.TOP_UP_DUE,
            amount=moved.deposit_difference,
            reason=str(_("Categories added")),
            recorded_by=by,
        )
    requirements_refresh(merchant=merchant, by=by, cause=str(_("Categories added")))
    _email(merchant, "merchants/email/category_request_approved", {"request": moved})
    return moved


@transaction.atomic
def category_request_reject(*, request: CategoryRequest, by, reason: str) -> CategoryRequest:
    """Refuse the request, and with it the qualifications uploaded for it."""
    _require_category_reviewer(by)

    def refuse_documents(moved, event):
        for document in ApplicationDocument.objects.select_for_update().filter(
            category_request=moved, status=DocumentStatus.PENDING
        ):
            DOCUMENT_WORKFLOW.move(
                obj=document,
                to=DocumentStatus.REFUSED,
                by=by,
                reason=event.reason,
                updates={"refusal_reason": event.reason},
                locked=True,
            )

    return _refuse(
        CATEGORY_REQUEST_WORKFLOW,
        obj=request,
        to=CategoryRequestStatus.REJECTED,
        by=by,
        reason=reason,
        updates={"decided_at": timezone.now()},
        merchant_of=lambda moved: moved.merchant,
        cause=lambda moved: str(_("Category request refused")),
        email=("merchants/email/category_request_rejected", "request"),
        also=refuse_documents,
    )


@transaction.atomic
def category_request_withdraw(*, request: CategoryRequest, by) -> CategoryRequest:
    if request.merchant.user_id != by.pk:
        raise PermissionDenied
    moved, _event = CATEGORY_REQUEST_WORKFLOW.move(obj=request, to=CategoryRequestStatus.WITHDRAWN, by=by)
    for document in ApplicationDocument.objects.filter(category_request=moved, status=DocumentStatus.PENDING):
        document_delete(document)
    requirements_refresh(merchant=moved.merchant, by=by, cause=str(_("Category request withdrawn")))
    return moved


# --- The deposit ledger ------------------------------------------------------------------


def held_from(totals: dict) -> Decimal:
    return sum((totals[kind] * sign for kind, sign in HELD_SIGN.items()), Decimal("0.00"))


def deposit_balance(merchant: MerchantProfile) -> tuple[Decimal, Decimal]:
    """Return (held, owed): the deposit the platform holds and what the merchant still owes."""
    totals = ledger_totals(merchant)
    return held_from(totals), max(owed_from(totals), Decimal("0.00"))


@transaction.atomic
def deposit_open(*, merchant: MerchantProfile, amount: Decimal | None, by=None) -> DepositEntry | None:
    """Write the deposit due at approval (once: a reinstated shop owes nothing new)."""
    if not amount or merchant.deposit_entries.filter(kind=DepositEntryKind.DUE).exists():
        return None
    return DepositEntry.objects.create(
        merchant=merchant,
        kind=DepositEntryKind.DUE,
        amount=amount,
        reason=str(_("Shop approved")),
        recorded_by=by,
    )


@transaction.atomic
def deposit_transfer_submit(
    *,
    merchant: MerchantProfile,
    by,
    amount: Decimal,
    payer_name: str,
    bank_reference: str,
    upload,
    checked: CheckedUpload,
) -> DepositTransfer:
    """Report a bank transfer with its receipt; finance confirms the amount received."""
    if merchant.user_id != by.pk:
        raise PermissionDenied
    _approved_application(merchant)
    bank_reference = bank_reference.strip()
    if (
        DepositTransfer.objects.filter(bank_reference=bank_reference)
        .exclude(status=DepositTransferStatus.REFUSED)
        .exists()
    ):
        raise ValidationError({"bank_reference": _("This bank reference number has been reported already.")})
    transfer = DepositTransfer(
        merchant=merchant,
        amount=amount,
        payer_name=payer_name.strip(),
        bank_reference=bank_reference,
        content_type=checked.content_type,
        size=checked.size,
        original_name=original_name(upload),
    )
    save_with_file(transfer, field="receipt", upload=upload, name="receipt")
    DEPOSIT_TRANSFER_WORKFLOW.record(obj=transfer, by=by, created=True)
    requirements_refresh(merchant=merchant, by=by, cause=str(_("Bank transfer reported")))
    return transfer


def _require_finance(by) -> None:
    if not permissions.can_handle_deposits(by):
        raise PermissionDenied


@transaction.atomic
def deposit_transfer_confirm(
    *, transfer: DepositTransfer, by, amount_received: Decimal, reason: str = ""
) -> DepositTransfer:
    """Confirm a transfer whose amount arrived in full: the ledger records it as paid."""
    _require_finance(by)
    locked = DEPOSIT_TRANSFER_WORKFLOW.lock(transfer, "merchant")
    if amount_received != locked.amount:
        raise AmountMismatch(received=f"{amount_received:.2f}", claimed=f"{locked.amount:.2f}")
    moved, _event = DEPOSIT_TRANSFER_WORKFLOW.move(
        obj=locked,
        to=DepositTransferStatus.CONFIRMED,
        by=by,
        reason=reason,
        updates={"confirmed_amount": amount_received, "decided_at": timezone.now()},
        locked=True,
    )
    DepositEntry.objects.create(
        merchant=moved.merchant,
        kind=DepositEntryKind.PAID,
        amount=amount_received,
        transfer=moved,
        reason=str(_("Bank transfer %(reference)s") % {"reference": moved.bank_reference}),
        recorded_by=by,
    )
    requirements_refresh(merchant=moved.merchant, by=by, cause=str(_("Deposit payment confirmed")))
    _email(moved.merchant, "merchants/email/deposit_transfer_confirmed", {"transfer": moved})
    return moved


@transaction.atomic
def deposit_transfer_refuse(*, transfer: DepositTransfer, by, reason: str) -> DepositTransfer:
    _require_finance(by)
    return _refuse(
        DEPOSIT_TRANSFER_WORKFLOW,
        obj=transfer,
        to=DepositTransferStatus.REFUSED,
        by=by,
        reason=reason,
        updates={"decided_at": timezone.now()},
        merchant_of=lambda moved: moved.merchant,
        cause=lambda moved: str(_("Bank transfer refused")),
        email=("merchants/email/deposit_transfer_refused", "transfer"),
    )


def _lock_merchant(merchant: MerchantProfile) -> None:
    """Ledger writes of one merchant take turns: a balance checked is the balance written against."""
    MerchantProfile.objects.select_for_update().filter(pk=merchant.pk).values_list("pk").get()


@transaction.atomic
def deposit_deduct(
    *, merchant: MerchantProfile, by, amount: Decimal, violation: str, reason: str
) -> DepositEntry:
    """Deduct `amount` from the deposit for a violation; an open shop owes it back as a top-up."""
    _require_finance(by)
    if not (violation or "").strip() or not (reason or "").strip():
        raise ValidationError(_("Name the violation and give the reason."))
    _lock_merchant(merchant)
    held, _owed = deposit_balance(merchant)
    if amount <= 0 or amount > held:
        raise DeductionTooLarge(amount=f"{amount:.2f}", held=f"{held:.2f}")
    entry = DepositEntry.objects.create(
        merchant=merchant,
        kind=DepositEntryKind.DEDUCTED,
        amount=amount,
        violation=violation.strip(),
        reason=reason.strip(),
        recorded_by=by,
    )
    state = merchant_state(merchant)
    if state.status != Standing.CLOSED:
        DepositEntry.objects.create(
            merchant=merchant,
            kind=DepositEntryKind.TOP_UP_DUE,
            amount=amount,
            reason=str(_("Top-up after a deduction: %(violation)s") % {"violation": entry.violation}),
            recorded_by=by,
        )
    requirements_refresh(
        merchant=merchant,
        by=by,
        cause=str(_("Deposit deducted: %(violation)s") % {"violation": entry.violation}),
    )
    _email(merchant, "merchants/email/deposit_deducted", {"entry": entry})
    return entry


def refund_obstacle(merchant: MerchantProfile, *, state: MerchantCompliance | None = None) -> str | None:
    """Why the merchant cannot ask for its deposit back now (None when it can)."""
    state = state or merchant_state(merchant)
    if state.status != Standing.CLOSED:
        return str(_("the shop must be closed first"))
    if state.refund_due_on and today() < state.refund_due_on:
        return str(_("the after-sales period ends on %(date)s") % {"date": state.refund_due_on.isoformat()})
    if merchant.deposit_transfers.filter(status=DepositTransferStatus.SUBMITTED).exists():
        return str(_("a bank transfer still awaits confirmation"))
    totals = ledger_totals(merchant)
    if totals[DepositEntryKind.REFUND_REQUESTED] > totals[DepositEntryKind.REFUNDED]:
        return str(_("a refund has been asked for already"))
    if held_from(totals) <= 0:
        return str(_("no deposit is held"))
    return None


@transaction.atomic
def deposit_refund_request(*, merchant: MerchantProfile, by) -> DepositEntry:
    if merchant.user_id != by.pk:
        raise PermissionDenied
    _lock_merchant(merchant)
    why = refund_obstacle(merchant)
    if why:
        raise RefundNotDue(why=why)
    held, _owed = deposit_balance(merchant)
    entry = DepositEntry.objects.create(
        merchant=merchant,
        kind=DepositEntryKind.REFUND_REQUESTED,
        amount=held,
        reason=str(_("Shop closed")),
        recorded_by=by,
    )
    requirements_refresh(merchant=merchant, by=by, cause=str(_("Deposit refund requested")))
    return entry


@transaction.atomic
def deposit_refund_record(*, merchant: MerchantProfile, by, bank_reference: str) -> DepositEntry:
    """Record that finance paid the requested refund back (the whole deposit held)."""
    _require_finance(by)
    _lock_merchant(merchant)
    totals = ledger_totals(merchant)
    if totals[DepositEntryKind.REFUND_REQUESTED] <= totals[DepositEntryKind.REFUNDED]:
        raise Conflict(_("No refund has been asked for."))
    held = held_from(totals)
    if held <= 0:
        raise Conflict(_("No deposit is held."))
    if not (bank_reference or "").strip():
        raise ValidationError({"bank_reference": _("Give the bank reference number of the refund.")})
    entry = DepositEntry.objects.create(
        merchant=merchant,
        kind=DepositEntryKind.REFUNDED,
        amount=held,
        reason=str(_("Refund transfer %(reference)s") % {"reference": bank_reference.strip()}),
        recorded_by=by,
    )
    requirements_refresh(merchant=merchant, by=by, cause=str(_("Deposit refunded")))
    _email(merchant, "merchants/email/deposit_refunded", {"entry": entry})
    return entry


# --- Closing the shop (退店) ---------------------------------------------------------------


@transaction.atomic
def shop_close(*, merchant: MerchantProfile, by, reason: str) -> MerchantCompliance:
    """Close the shop: goods offline, open campaign entries ended, the refund due after the hold."""
    if merchant.user_id != by.pk:
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Tell us why you are closing the shop.")})
    application = _approved_application(merchant)
    APPLICATION_WORKFLOW.move(obj=application, to=ApplicationStatus.CLOSED, by=by, reason=reason, locked=True)
    state = merchant_state(merchant)
    policy = CompliancePolicy.current()
    MerchantCompliance.objects.filter(pk=state.pk).update(
        closed_at=timezone.now(), refund_due_on=today() + datetime.timedelta(days=policy.refund_hold_days)
    )
    state = requirements_refresh(merchant=merchant, by=by, cause=reason.strip())
    merchant_id = merchant.pk
    for listener in shop_closed:
        listener(merchant_id)
    _email(merchant, "merchants/email/shop_closed", {"state": state, "reason": reason.strip()})
    return state


# --- The daily sweep -----------------------------------------------------------------------


def reminder_threshold(days_left: int) -> int | None:
    """The reminder a document `days_left` from expiry is due: the nearest threshold not yet passed."""
    due = [days for days in REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


def send_expiry_reminders(*, on: datetime.date | None = None) -> int:
    """E-mail each merchant whose document expires within 30 days, once per threshold.

    The reminder row is written first under its unique key; the e-mail is queued only by
    the transaction that wrote it, so two sweeps at once send each reminder once.
    """
    on = on or today()
    horizon = on + datetime.timedelta(days=max(REMINDER_DAYS))
    documents = (
        ApplicationDocument.objects.filter(
            status=DocumentStatus.CURRENT,
            valid_until__gte=on,
            valid_until__lte=horizon,
            application__status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED],
        )
        .select_related("application__merchant__user", "qualification")
        .order_by("pk")
    )
    sent = 0
    for document in documents.iterator(chunk_size=500):
        days_left = (document.valid_until - on).days
        threshold = reminder_threshold(days_left)
        if threshold is None:
            continue
        try:
            with transaction.atomic():
                ComplianceReminder.objects.create(document=document, days_before=threshold)
                merchant = document.application.merchant
                state = merchant_state(merchant)
                COMPLIANCE_WORKFLOW.record(
                    obj=state,
                    by=None,
                    reason=str(
                        _("Expiry reminder: %(name)s expires on %(date)s")
                        % {"name": document, "date": document.valid_until.isoformat()}
                    ),
                    details={"reminder_days": threshold, "document": str(document.public_id)},
                )
                _email(
                    merchant,
                    "merchants/email/document_expiring",
                    {"document": document, "days_left": days_left, "valid_until": document.valid_until},
                )
        except IntegrityError:
            continue  # another sweep sent this one
        sent += 1
    return sent


def merchants_to_refresh(*, on: datetime.date):
    """Approved, suspended or closed shops whose requirements are not today's."""
    return (
        MerchantProfile.objects.filter(
            applications__status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED]
        )
        .filter(
            Q(compliance__isnull=True)
            | Q(compliance__computed_on__lt=on)
            | Q(compliance__computed_on__isnull=True)
        )
        .order_by("pk")
    )


def compliance_sweep(*, on: datetime.date | None = None, batch: int = 500) -> dict:
    """Send the day's reminders and refresh every shop not yet refreshed today (beat)."""
    on = on or today()
    reminders = send_expiry_reminders(on=on)
    merchant_ids = list(merchants_to_refresh(on=on).values_list("pk", flat=True))
    refreshed = 0
    for start in range(0, len(merchant_ids), batch):
        for merchant in MerchantProfile.objects.filter(pk__in=merchant_ids[start : start + batch]).order_by(
            "pk"
        ):
            requirements_refresh(merchant=merchant, cause=str(_("Daily check")), on=on)
            refreshed += 1
    return {"reminders": reminders, "refreshed": refreshed}


def _refuse(workflow, *, obj, to, by, reason, updates, merchant_of, cause, email, also=None):
    """A staff refusal: move with the reason, recompute the merchant's requirements, tell it.

    `email` is (template prefix, the context name of the refused object); `also(moved, event)`
    runs inside the same transaction before the requirements are recomputed.
    """
    moved, event = workflow.move(obj=obj, to=to, by=by, reason=reason, updates=updates)
    if also is not None:
        also(moved, event)
    merchant = merchant_of(moved)
    requirements_refresh(merchant=merchant, by=by, cause=cause(moved))
    template, name = email
    _email(merchant, template, {name: moved, "reason": event.reason})
    return moved


def _email(merchant: MerchantProfile, template_prefix: str, context: dict) -> None:
    email_user(
        merchant.user,
        template_prefix=template_prefix,
        context={
            **context,
            "merchant": merchant,
            "compliance_url": portal_base_url() + reverse("merchants:compliance"),
        },
    )
