"""Reads that the merchant pages, admin and API share."""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, F, OuterRef, Prefetch, Q, Subquery, Value, When, prefetch_related_objects
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import fragments
from core.compiled import CompiledQuery
from core.hooks import Hook

from . import permissions
from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    Category,
    DocumentKind,
    DocumentStatus,
    MerchantCompliance,
    MerchantProfile,
    OnboardingApplication,
    QualificationType,
    Region,
    RegionLevel,
    User,
)
from .models.regions import address_of

ZERO = Decimal("0.00")

# The dashboard shows what the layers above merchants know of the merchant (its belts,
# its learning); each registers a section in its AppConfig.ready().
dashboard_sections = Hook(
    "merchants.dashboard_sections",
    "section(user, *, merchant, application) -> dict: context the merchant's dashboard shows",
)


# ... and says what its part depends on: the version the dashboard's body is cached under
# (`dashboard_version`), read with the application whatever the sections.
dashboard_versions = Hook(
    "merchants.dashboard_versions",
    "version() -> dict: expressions read on the merchant's profile row (OuterRef('pk') is the "
    "merchant, OuterRef('user') its user), or callables for what is kept outside the database "
    "(called on each visit), that change whenever the section does. Asked once per process.",
)


def dashboard_context(user, *, merchant, application) -> dict:
    """Return the registered sections' context for `user`'s dashboard."""
    context = {}
    for section in dashboard_sections:
        context.update(section(user, merchant=merchant, application=application))
    return context


def dashboard_version(application: OnboardingApplication) -> tuple:
    """Everything a frozen application's dashboard shows depends on, for an application
    from `current_application(details=False)`, which reads it in the same query.

    Its own part: the application's row (status, `updated_at`), its history (events are
    only appended: the count of its shop's), the shop's profile and its stored
    requirements (the card), and the day; then each registered section's part
    (`dashboard_versions`). Names of belts, bases and courses are reference data, bounded
    by the cache's timeout instead. The query is compiled once per process (core.compiled):
    built through the ORM, its dozen subqueries cost 5 ms of Python per visit at 1M goods,
    more than the rest of a cached visit (docs/performance.md, changes 32 and 36).
    """
    expressions, callables = _dashboard_version_parts()
    row = application.dashboard_version_row  # read with it by current_application(details=False)
    return (
        application.status,
        str(application.updated_at),
        str(application.merchant.updated_at),
        str(timezone.localdate()),
        *(str(row.get(name)) for name in expressions),
        *(str(value()) for value in callables.values()),
    )


@functools.cache
def _dashboard_version_parts() -> tuple[dict, dict]:
    parts = {
        "history": fragments.count_of(ApplicationEvent.objects.filter(application__merchant=OuterRef("pk"))),
        "requirements": fragments.newest(
            MerchantCompliance.objects.filter(merchant=OuterRef("pk")), "updated_at"
        ),
    }
    for version in dashboard_versions:
        parts.update(version())
    # Prefixed: a section's name may be a field's or a relation's of the profile.
    expressions = {
        f"version_{name}": part for name, part in parts.items() if hasattr(part, "resolve_expression")
    }
    callables = {name: part for name, part in parts.items() if not hasattr(part, "resolve_expression")}
    return expressions, callables


@dataclass(frozen=True)
class DocumentSlot:
    """One document the application needs, and the upload that fills it, if any."""

    key: str
    kind: str
    qualification: QualificationType | None
    label: str
    help_text: str
    allow_pdf: bool
    document: ApplicationDocument | None
    # The chosen categories that ask for this qualification, by name (empty for ID and licence).
    required_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class WizardStep:
    key: str
    label: str
    complete: bool


def merchant_profile_for(user) -> MerchantProfile | None:
    return (
        MerchantProfile.objects.select_related("region__parent__parent")
        .prefetch_related("categories", "channels")
        .filter(user=user)
        .first()
    )


def current_application(user, *, details: bool = True) -> OnboardingApplication | None:
    """The user's active application, or else their latest rejected one, with its details.

    Pages that need the shop too take it from `application.merchant`, which comes with
    its region, categories and channels, instead of loading the profile a second time.
    `details=False` loads the application, its shop and the dashboard's version row
    (`dashboard_version`) only, in one query compiled once per process: the dashboard's,
    whose shop past the wizard shows neither documents nor categories
    (`load_application_details` fetches them while the application is editable)
    (docs/performance.md, changes 32 and 36: the ORM's build of it took 0.8 ms).
    """
    if not details:
        row = _CURRENT_APPLICATION_ROW.first(user.pk)
        return _application_from_row(row, user) if row else None
    applications = application_with_details(OnboardingApplication.objects.filter(merchant__user=user))
    return applications.order_by(*CURRENT_FIRST).first()


# The active application first (any but a rejected one), else the latest rejected one.
CURRENT_FIRST = (
    Case(When(status=ApplicationStatus.REJECTED, then=Value(1)), default=Value(0)),
    "-created_at",
)
APPLICATION_COLUMNS = tuple(field.attname for field in OnboardingApplication._meta.concrete_fields)
SHOP_COLUMNS = tuple(field.attname for field in MerchantProfile._meta.concrete_fields)


def _current_application_query(user_id):
    # The dashboard's version row comes along (as one JSON object of its parts): the
    # dashboard is this read's one caller, and a second statement cost a round trip and
    # its own planning on every visit (docs/performance.md, change 36).
    expressions, _callables = _dashboard_version_parts()
    version = (
        MerchantProfile.objects.filter(pk=OuterRef("merchant_id"))
        .annotate(**expressions)
        .values(row=JSONObject(**{name: F(name) for name in expressions}))
    )
    return (
        OnboardingApplication.objects.filter(merchant__user=user_id)
        .order_by(*CURRENT_FIRST)
        .values(*APPLICATION_COLUMNS, *(f"merchant__{name}" for name in SHOP_COLUMNS))
        .annotate(dashboard_version_row=Subquery(version))
    )[:1]


_CURRENT_APPLICATION_ROW = CompiledQuery(_current_application_query, field=User._meta.pk)


def _application_from_row(row: dict, user) -> OnboardingApplication:
    application = OnboardingApplication.from_db(
        DEFAULT_DB_ALIAS, APPLICATION_COLUMNS, [row[name] for name in APPLICATION_COLUMNS]
    )
    shop = MerchantProfile.from_db(
        DEFAULT_DB_ALIAS, SHOP_COLUMNS, [row[f"merchant__{name}"] for name in SHOP_COLUMNS]
    )
    shop.user = user
    application.merchant = shop
    application.dashboard_version_row = row["dashboard_version_row"]
    return application


APPLICATION_DETAILS = (
    "merchant__categories__required_qualifications",
    "merchant__channels",
    Prefetch("documents", queryset=ApplicationDocument.objects.select_related("qualification")),
)


def application_with_details(queryset=None):
    """Applications with what their pages show, in a constant number of queries."""
    queryset = queryset if queryset is not None else OnboardingApplication.objects.all()
    return queryset.select_related("merchant__user", "merchant__region__parent__parent").prefetch_related(
        *APPLICATION_DETAILS
    )


def load_application_details(application: OnboardingApplication) -> None:
    """What `application_with_details` prefetches, for an application loaded without it."""
    prefetch_related_objects([application], *APPLICATION_DETAILS)


# Regions are reference data shipped with the project (read-only in admin), so each
# process keeps them: a page names a good's origin and its shop's region without joining
# three levels of regions per name (3 ms of a product page's first visit at 1M goods,
# docs/performance.md, change 31). The whole table (3 348 rows, four columns) is read at
# the first name a process needs: reading only the regions asked for cost a query on
# every first visit of a good from a county not yet named, most of them (change 43).
_known_regions: dict[int, tuple[str, str, int | None]] = {}


def region_full_names(region_ids) -> dict[int, str]:
    """`Region.full_name` of each id, in the active language (one query the first time a
    process names a region, none after)."""
    wanted = {pk for pk in region_ids if pk is not None}
    if any(pk not in _known_regions for pk in wanted):
        rows = Region.objects.values_list("pk", "name", "name_en", "parent_id")
        _known_regions.update((pk, (name, name_en, parent_id)) for pk, name, name_en, parent_id in rows)
    return {pk: _full_name(pk) for pk in wanted if pk in _known_regions}


def _full_name(pk: int) -> str:
    levels = []
    node = _known_regions.get(pk)
    while node is not None:
        name, name_en, parent_id = node
        levels.append((name, name_en))
        node = _known_regions.get(parent_id) if parent_id else None
    return address_of(levels)


def document_for_viewer(*, viewer, public_id) -> ApplicationDocument | None:
    document = (
        ApplicationDocument.objects.select_related("application__merchant")
        .filter(public_id=public_id)
        .first()
    )
    if document is None or not permissions.can_view_document(viewer, document):
        return None
    return document


def required_qualifications(merchant: MerchantProfile) -> list[QualificationType]:
    seen = {}
    for category in merchant.categories.all():
        for qualification in category.required_qualifications.all():
            seen.setdefault(qualification.pk, qualification)
    return sorted(seen.values(), key=lambda q: q.code)


def document_slots(application: OnboardingApplication) -> list[DocumentSlot]:
    """Return the documents this application needs, given its entity type and categories."""
    # Renewals awaiting review and replaced or refused uploads fill no slot.
    documents = [d for d in application.documents.all() if d.status == DocumentStatus.CURRENT]
    by_kind = {d.kind: d for d in documents if d.qualification_id is None}
    by_qualification = {d.qualification_id: d for d in documents if d.qualification_id}
    holder = _("the legal representative's") if application.is_business else _("your")

    def kind_slot(kind: DocumentKind, help_text: str, allow_pdf: bool) -> DocumentSlot:
        return DocumentSlot(kind.value, kind, None, kind.label, help_text, allow_pdf, by_kind.get(kind))

    slots = [
        kind_slot(
            DocumentKind.ID_FRONT,
            _("Photo of %(holder)s ID card, portrait side.") % {"holder": holder},
            allow_pdf=False,
        ),
        kind_slot(
            DocumentKind.ID_BACK,
            _("Photo of %(holder)s ID card, national emblem side.") % {"holder": holder},
            allow_pdf=False,
        ),
    ]
    if application.is_business:
        slots.append(
            kind_slot(
                DocumentKind.BUSINESS_LICENCE,
                _("The whole licence, with the unified social credit code readable (photo or PDF)."),
                allow_pdf=True,
            )
        )
    categories = list(application.merchant.categories.all())
    for qualification in required_qualifications(application.merchant):
        required_by = tuple(
            category.localized_name
            for category in categories
            if any(q.pk == qualification.pk for q in category.required_qualifications.all())
        )
        slots.append(
            DocumentSlot(
                f"qualification-{qualification.code}",
                DocumentKind.QUALIFICATION,
                qualification,
                qualification.localized_name,
                qualification.description,
                True,
                by_qualification.get(qualification.pk),
                required_by,
            )
        )
    return slots


def deposit_breakdown(merchant: MerchantProfile) -> tuple[Decimal, list[Category]]:
    """Return the deposit due and the categories behind it.

    As on the real platform, a merchant in several categories pays the highest
    category's deposit once, not the sum.
    """
    categories = sorted(merchant.categories.all(), key=lambda c: (-c.deposit_amount, c.position))
    amount = categories[0].deposit_amount if categories else ZERO
    return amount, categories


def entity_step_complete(application: OnboardingApplication) -> bool:
    merchant = application.merchant
    profile_done = all(
        [merchant.seller_type, merchant.display_name, merchant.contact_mobile, merchant.region_id]
    ) and bool(merchant.categories.all())
    entity_done = bool(application.entity_type and application.legal_name and application.id_number)
    if application.is_business:
        entity_done = entity_done and bool(application.uscc and application.legal_representative)
    return profile_done and entity_done


def deposit_acknowledged(application: OnboardingApplication) -> bool:
    amount, _categories = deposit_breakdown(application.merchant)
    return application.deposit_acknowledged_at is not None and application.deposit_amount == amount


def missing_documents(application: OnboardingApplication, slots=None) -> list[str]:
    """Return the names of the documents still to upload (the ID card sides, the licence, and
    each qualification the chosen categories require), in the order the documents step shows them."""
    slots = document_slots(application) if slots is None else slots
    return [str(slot.label) for slot in slots if slot.document is None]


def wizard_steps(application: OnboardingApplication) -> list[WizardStep]:
    slots = document_slots(application)
    entity_done = entity_step_complete(application)
    return [
        WizardStep("entity", _("Entity and shop"), entity_done),
        WizardStep("documents", _("Documents"), entity_done and not missing_documents(application, slots)),
        WizardStep("channels", _("Sales channels"), bool(application.merchant.channels.all())),
        WizardStep("deposit", _("Deposit"), deposit_acknowledged(application)),
        WizardStep("review", _("Review and submit"), application.status != ApplicationStatus.DRAFT),
    ]


def missing_for_submit(application: OnboardingApplication) -> list[str]:
    """Return the labels of the steps still incomplete before the application can be submitted."""
    return [str(step.label) for step in wizard_steps(application)[:-1] if not step.complete]


def application_history(application: OnboardingApplication):
    return (
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("created_at")
    )


def latest_change_request(application: OnboardingApplication) -> ApplicationEvent | None:
    if application.status != ApplicationStatus.CHANGES_REQUESTED:
        return None
    return (
        ApplicationEvent.objects.filter(
            application=application, to_status=ApplicationStatus.CHANGES_REQUESTED
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def region_children(parent_code: str | None):
    """Return the regions under `parent_code` (provinces when None), for the cascading selects."""
    if not parent_code:
        return Region.objects.filter(level=RegionLevel.PROVINCE)
    return Region.objects.filter(parent__code=parent_code)


def reviewers():
    """Return the active staff who may decide on applications (one query)."""
    app_label, codename = permissions.REVIEW_PERMISSION.split(".")
    has_permission = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | has_permission)
        .distinct()
        .order_by("email")
    )
