"""Writes of the merchants app: accounts, API tokens and the onboarding application.

Every function is keyword-only and atomic, raises a domain error from
`exceptions.py` when the action is not possible, and schedules its side effects
(e-mails, thumbnails) with `transaction.on_commit`, so a refused or rolled-back
action leaves nothing behind.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.emails import email_user
from core.sites import portal_base_url
from core.uploads import CheckedUpload

from . import documents, permissions, selectors
from .compliance import services as compliance
from .exceptions import (
    ApplicationIncomplete,
    DuplicateIdentity,
    NotEditable,
    SelfReview,
)
from .models import (
    AWAITING_REVIEW_STATUSES,
    ApiToken,
    ApplicationDocument,
    ApplicationStatus,
    DocumentStatus,
    EntityType,
    MerchantProfile,
    OnboardingApplication,
    SalesChannel,
    User,
)
from .workdays import working_days_between
from .workflows import APPLICATION_WORKFLOW

# Applications waiting longer than this (weekends skipped) are flagged for reviewers.
REVIEW_DUE_WORKING_DAYS = 2


def user_send_welcome(*, user: User, request=None) -> None:
    """Queue the welcome e-mail, in the user's language, for after the commit."""
    email_user(
        user,
        template_prefix="merchants/email/welcome",
        context={"user": user, "base_url": site_base_url(request)},
    )


def site_base_url(request=None) -> str:
    """Return the portal's scheme and host for links in e-mails (core.sites decides which)."""
    return portal_base_url(request)


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime.datetime | None = None,
    provider=None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw key, which is never stored or shown again.

    With `provider`, the token acts for that provider (the caller checked the user manages it).
    """
    raw_key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        provider=provider,
        name=name,
        scopes=sorted(set(scopes or [])),
        expires_at=expires_at,
        key_prefix=raw_key[: len(ApiToken.PREFIX) + 6],
        key_digest=ApiToken.digest(raw_key),
    )
    return token, raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token now; revoking twice keeps the first time."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


# --- Onboarding: the merchant's side -------------------------------------------------


def merchant_profile_ensure(*, user: User) -> MerchantProfile:
    """Return the user's merchant profile, creating an empty one the first time."""
    profile, _created = MerchantProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def application_start(*, merchant: MerchantProfile) -> OnboardingApplication:
    """Return the merchant's active application, or open a new draft (after a rejection too)."""
    MerchantProfile.objects.select_for_update().get(pk=merchant.pk)
    active = merchant.applications.exclude(status=ApplicationStatus.REJECTED).first()
    if active is not None:
        return active
    return OnboardingApplication.objects.create(merchant=merchant)


def _lock_own(application: OnboardingApplication, by: User) -> OnboardingApplication:
    """Lock the application; refuse anyone but its merchant."""
    locked = APPLICATION_WORKFLOW.lock(application)
    if not permissions.is_application_owner(by, locked):
        raise PermissionDenied
    return locked


def _lock_editable(application: OnboardingApplication, by: User) -> OnboardingApplication:
    locked = (
        OnboardingApplication.objects.select_related("merchant").select_for_update().get(pk=application.pk)
    )
    if not permissions.is_application_owner(by, locked):
        raise PermissionDenied
    if not locked.is_editable:
        raise NotEditable()
    return locked


def identity_numbers_in_use(
    *, merchant: MerchantProfile, entity_type: str, uscc: str, id_number: str
) -> list[str]:
    """Return which of the numbers ("uscc", "id_number") another merchant's submitted (not
    draft, not rejected) application holds: the one rule, read by the entity step before it
    saves and by the submit under the row lock.

    Drafts do not hold numbers: typing a competitor's public licence number into a
    draft must not lock the real owner out. The database constraints say the same.
    A resident ID is held only between individuals: a legal representative may represent
    several businesses.
    """
    others = OnboardingApplication.objects.exclude(merchant=merchant).exclude(
        status__in=[ApplicationStatus.DRAFT, ApplicationStatus.REJECTED]
    )
    in_use = []
    if uscc and others.filter(uscc=uscc).exists():
        in_use.append("uscc")
    if (
        entity_type == EntityType.INDIVIDUAL
        and id_number
        and others.filter(entity_type=EntityType.INDIVIDUAL, id_number=id_number).exists()
    ):
        in_use.append("id_number")
    return in_use


def _check_identity_is_free(application: OnboardingApplication) -> None:
    """Refuse a number another merchant's submitted (not draft, not rejected) application holds."""
    if identity_numbers_in_use(
        merchant=application.merchant,
        entity_type=application.entity_type,
        uscc=application.uscc,
        id_number=application.id_number,
    ):
        raise DuplicateIdentity()


@transaction.atomic
def application_update_entity(
    *, application: OnboardingApplication, by: User, entity: dict, profile: dict, categories
) -> OnboardingApplication:
    """Save step 1: the legal entity on the application and the shop on the profile."""
    locked = _lock_editable(application, by)
    for name, value in entity.items():
        setattr(locked, name, value)
    if locked.entity_type == EntityType.INDIVIDUAL:
        locked.uscc = ""
        locked.legal_representative = ""
    locked.save(update_fields=[*entity, "uscc", "legal_representative", "updated_at"])
    merchant = locked.merchant
    for name, value in profile.items():
        setattr(merchant, name, value)
    merchant.save(update_fields=[*profile, "updated_at"])
    merchant.categories.set(categories)
    return locked


@transaction.atomic
def application_upload_document(
    *,
    application: OnboardingApplication,
    by: User,
    kind: str,
    qualification=None,
    upload,
    checked: CheckedUpload,
    issued_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> ApplicationDocument:
    """Store a checked upload as the application's document of that kind, replacing any earlier one.

    `issued_on` and `valid_until` are the dates the merchant read on the document (both
    optional; no `valid_until` is a long-term one); the reviewer confirms them at approval.
    The earlier file is deleted only after the commit; the thumbnail is made by Celery.
    """
    compliance.validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=False)
    locked = _lock_editable(application, by)
    previous = ApplicationDocument.objects.filter(
        application=locked, kind=kind, qualification=qualification, status=DocumentStatus.CURRENT
    ).first()
    if previous is not None:
        documents.document_delete(previous)
    return documents.document_store(
        application=locked,
        kind=kind,
        qualification=qualification,
        upload=upload,
        checked=checked,
        issued_on=issued_on,
        valid_until=valid_until,
    )


@transaction.atomic
def application_upload_documents(
    *, application: OnboardingApplication, by: User, uploads
) -> list[ApplicationDocument]:
    """Store each (slot, upload, checked, issued_on, valid_until) of `uploads` as the document
    of its slot, all or none.

    `uploads` is what the documents step's form yields (`DocumentsForm.uploads()`): the
    wizard, the API and the demo seeder all store slots this way.
    """
    return [
        application_upload_document(
            application=application,
            by=by,
            kind=slot.kind,
            qualification=slot.qualification,
            upload=upload,
            checked=checked,
            issued_on=issued_on,
            valid_until=valid_until,
        )
        for slot, upload, checked, issued_on, valid_until in uploads
    ]


@transaction.atomic
def application_set_channels(*, application: OnboardingApplication, by: User, channels) -> list[SalesChannel]:
    """Replace the merchant's sales channels with `channels`, a list of (platform, url)."""
    locked = _lock_editable(application, by)
    merchant = locked.merchant
    wanted = list(dict.fromkeys((platform, url) for platform, url in channels))
    merchant.channels.all().delete()
    return SalesChannel.objects.bulk_create(
        [SalesChannel(merchant=merchant, platform=platform, url=url) for platform, url in wanted]
    )


@transaction.atomic
def application_acknowledge_deposit(*, application: OnboardingApplication, by: User) -> OnboardingApplication:
    """Record that the merchant has seen the deposit due for its current categories."""
    locked = _lock_editable(application, by)
    amount, _categories = selectors.deposit_breakdown(locked.merchant)
    locked.deposit_amount = amount
    locked.deposit_acknowledged_at = timezone.now()
    locked.save(update_fields=["deposit_amount", "deposit_acknowledged_at", "updated_at"])
    return locked


@transaction.atomic
def application_submit(*, application: OnboardingApplication, by: User) -> OnboardingApplication:
    """Send the application to review; refused while anything is missing or it was already sent."""
    locked = _lock_own(application, by)
    fresh = selectors.application_with_details().get(pk=locked.pk)
    if APPLICATION_WORKFLOW.can_move(fresh, ApplicationStatus.SUBMITTED):
        missing = selectors.missing_for_submit(fresh)
        if missing:
            raise ApplicationIncomplete(missing=missing)
    _check_identity_is_free(locked)
    try:
        with transaction.atomic():
            moved, event = APPLICATION_WORKFLOW.move(
                obj=locked,
                to=ApplicationStatus.SUBMITTED,
                by=by,
                updates={"submitted_at": timezone.now(), "overdue_flagged_at": None},
                locked=True,
            )
    except IntegrityError:  # another merchant submitted the same number a moment ago
        raise DuplicateIdentity() from None
    _notify_merchant(moved, event)
    return moved


@transaction.atomic
def application_withdraw(*, application: OnboardingApplication, by: User) -> OnboardingApplication:
    """Take a submitted application back to draft before a reviewer opens it (409 after)."""
    locked = _lock_own(application, by)
    moved, _event = APPLICATION_WORKFLOW.move(
        obj=locked,
        to=ApplicationStatus.DRAFT,
        by=by,
        updates={"submitted_at": None, "overdue_flagged_at": None},
        expected_from={ApplicationStatus.SUBMITTED},
        locked=True,
    )
    return moved


# Fields a provider may prepare for a recruit, by the object that holds them.
RECRUIT_PROFILE_FIELDS = ("display_name", "seller_type", "contact_mobile")
RECRUIT_APPLICATION_FIELDS = ("entity_type", "legal_name")


@transaction.atomic
def application_prefill(*, merchant: MerchantProfile, prefill: dict) -> OnboardingApplication | None:
    """Copy a provider's prepared values into the merchant's still-empty draft; never overwrite.

    Returns the draft, or None when the merchant already has an application past draft.
    """
    application = application_start(merchant=merchant)
    if application.status != ApplicationStatus.DRAFT:
        return None
    profile = MerchantProfile.objects.select_for_update().get(pk=merchant.pk)
    changed = [f for f in RECRUIT_PROFILE_FIELDS if prefill.get(f) and not getattr(profile, f)]
    for name in changed:
        setattr(profile, name, prefill[name])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    changed = [f for f in RECRUIT_APPLICATION_FIELDS if prefill.get(f) and not getattr(application, f)]
    for name in changed:
        setattr(application, name, prefill[name])
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    return application


# --- Onboarding: the reviewer's side -------------------------------------------------


def _require_reviewer(by: User, application: OnboardingApplication) -> None:
    if not permissions.can_review_applications(by):
        raise PermissionDenied
    if application.merchant.user_id == by.pk:
        raise SelfReview()


@transaction.atomic
def application_start_review(*, application: OnboardingApplication, by: User) -> OnboardingApplication:
    _require_reviewer(by, application)
    moved, _event = APPLICATION_WORKFLOW.move(obj=application, to=ApplicationStatus.IN_REVIEW, by=by)
    return moved


def _decide(application, *, by, to, reason="", details=None):
    """Move a submitted or in-review application to a decision, opening the review first if needed."""
    current = APPLICATION_WORKFLOW.lock(application, "merchant")
    _require_reviewer(by, current)
    if current.status == ApplicationStatus.SUBMITTED:
        current, _event = APPLICATION_WORKFLOW.move(
            obj=current, to=ApplicationStatus.IN_REVIEW, by=by, locked=True
        )
    moved, event = APPLICATION_WORKFLOW.move(
        obj=current,
        to=to,
        by=by,
        reason=reason,
        details=details,
        updates={"decided_at": timezone.now()},
        locked=True,
    )
    if to == ApplicationStatus.APPROVED:
        # Obligations begin here: the deposit falls due and requirements are tracked.
        compliance.deposit_open(merchant=moved.merchant, amount=moved.deposit_amount, by=by)
        compliance.requirements_refresh(merchant=moved.merchant, by=by, cause=gettext("Shop approved"))
    _notify_merchant(moved, event)
    return moved


@transaction.atomic
def application_approve(
    *, application: OnboardingApplication, by: User, reason: str = ""
) -> OnboardingApplication:
    return _decide(application, by=by, to=ApplicationStatus.APPROVED, reason=reason)


@transaction.atomic
def application_request_changes(
    *, application: OnboardingApplication, by: User, reason: str, fields: list[str] | None = None
) -> OnboardingApplication:
    """Send the application back; `fields` names the parts the reason is about."""
    return _decide(
        application,
        by=by,
        to=ApplicationStatus.CHANGES_REQUESTED,
        reason=reason,
        details={"fields": sorted(set(fields or []))},
    )


@transaction.atomic
def application_reject(*, application: OnboardingApplication, by: User, reason: str) -> OnboardingApplication:
    return _decide(application, by=by, to=ApplicationStatus.REJECTED, reason=reason)


def _review_move(application, *, to, by, reason):
    """A reviewer's move of an approved shop: check, move, tell the merchant."""
    _require_reviewer(by, application)
    moved, event = APPLICATION_WORKFLOW.move(obj=application, to=to, by=by, reason=reason)
    compliance.requirements_refresh(merchant=moved.merchant, by=by, cause=event.reason)
    _notify_merchant(moved, event)
    return moved


@transaction.atomic
def application_suspend(
    *, application: OnboardingApplication, by: User, reason: str
) -> OnboardingApplication:
    return _review_move(application, to=ApplicationStatus.SUSPENDED, by=by, reason=reason)


@transaction.atomic
def application_reinstate(
    *, application: OnboardingApplication, by: User, reason: str = ""
) -> OnboardingApplication:
    return _review_move(application, to=ApplicationStatus.APPROVED, by=by, reason=reason)


def _notify_merchant(application: OnboardingApplication, event) -> None:
    merchant_notify_status(application, event, template="merchants/email/application", name="application")


def merchant_notify_status(obj, event, *, template: str, name: str) -> None:
    """Queue the e-mail telling `obj`'s merchant about its status move (sent after commit).

    The e-mail is `<template>_<to status>`; its context holds `obj` as `name`, the event and
    a link to the merchant's dashboard, where every status shows.
    """
    email_user(
        obj.merchant.user,
        template_prefix=f"{template}_{event.to_status}",
        context={
            name: obj,
            "event": event,
            "dashboard_url": site_base_url() + reverse("merchants:dashboard"),
        },
    )


@transaction.atomic
def applications_flag_overdue(*, now: datetime.datetime | None = None) -> list[OnboardingApplication]:
    """Flag applications waiting more than REVIEW_DUE_WORKING_DAYS and tell the reviewers.

    Only applications not flagged yet are considered, so a daily run sends each
    overdue application to the reviewers once.
    """
    now = now or timezone.now()
    candidates = (
        OnboardingApplication.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=AWAITING_REVIEW_STATUSES, overdue_flagged_at__isnull=True, submitted_at__isnull=False
        )
        .order_by("submitted_at")
    )
    overdue = [
        application
        for application in candidates
        if working_days_between(application.submitted_at, now) > REVIEW_DUE_WORKING_DAYS
    ]
    if not overdue:
        return []
    OnboardingApplication.objects.filter(pk__in=[a.pk for a in overdue]).update(overdue_flagged_at=now)
    for reviewer in selectors.reviewers():
        email_user(
            reviewer,
            template_prefix="merchants/email/applications_overdue",
            context={
                "applications": overdue,
                "admin_url": site_base_url()
                + reverse("admin:merchants_onboardingapplication_changelist")
                + "?overdue=yes",
            },
        )
    return overdue
