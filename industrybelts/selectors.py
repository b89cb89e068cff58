"""Reads the belt pages, the provider workspace, admin and API share."""

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from core import fragments
from core.compiled import CompiledQuery
from core.fields import localized_name
from core.hooks import Hook
from merchants import permissions as merchant_permissions
from merchants import selectors as merchant_selectors
from merchants.models import ApplicationStatus, OnboardingApplication

from . import permissions
from .models import (
    Base,
    Belt,
    BeltMembership,
    BeltStatus,
    MembershipStatus,
    MerchantInvitation,
    ProviderAssignment,
    ServiceProvider,
)

ACTIVE_MEMBERSHIP = MembershipStatus.APPROVED


def _count(queryset, field):
    """A correlated COUNT subquery: one per row, without multiplying joins."""
    return fragments.count_of(queryset.filter(**{field: OuterRef("pk")}))


def public_belts():
    """Belts a visitor can see, with their number of bases (`member_count` is their own)."""
    return (
        Belt.objects.exclude(status=BeltStatus.PREPARING)
        .select_related("category")
        .annotate(base_count=_count(Base.objects.all(), "belt"))
    )


def belt_for_page(slug) -> Belt | None:
    return public_belts().prefetch_related("regions").filter(slug=slug).first()


def belt_for_cached_page(slug) -> Belt | None:
    """A visible belt with what its page's cached parts show besides its own row, in the
    same query (`belt_page_version`): its newest approved member (the members' index), and
    the latest change to its bases, its providers' assignments and those providers.
    Compiled once per process (core.compiled): a hit pays only its SQL."""
    row = _BELT_PAGE_ROW.first(slug)
    if row is None:
        return None
    belt = Belt.from_db(DEFAULT_DB_ALIAS, BELT_COLUMNS, [row[name] for name in BELT_COLUMNS])
    for name in BELT_PAGE_FIGURES:
        setattr(belt, name, row[name])
    return belt


BELT_COLUMNS = [field.attname for field in Belt._meta.concrete_fields]
BELT_PAGE_FIGURES = ("newest_member", "newest_base", "newest_assignment", "newest_provider")


def _belt_page_query(slug):
    newest_member = (
        BeltMembership.objects.filter(belt=OuterRef("pk"), status=ACTIVE_MEMBERSHIP)
        .order_by("-decided_at", "-pk")
        .values("decided_at")[:1]
    )
    newest_base = Base.objects.filter(belt=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    assignments = ProviderAssignment.objects.filter(belt=OuterRef("pk"))
    newest_assignment = assignments.order_by("-updated_at").values("updated_at")[:1]
    newest_provider = (
        ServiceProvider.objects.filter(assignments__belt=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    # Not public_belts(): its base count is not shown here.
    return (
        Belt.objects.exclude(status=BeltStatus.PREPARING)
        .filter(slug=slug)
        .values(*BELT_COLUMNS)
        .annotate(
            newest_member=Subquery(newest_member),
            newest_base=Subquery(newest_base),
            newest_assignment=Subquery(newest_assignment),
            newest_provider=Subquery(newest_provider),
        )
    )[:1]


_BELT_PAGE_ROW = CompiledQuery(_belt_page_query, field=Belt._meta.get_field("slug"))


def belt_page_version(belt) -> tuple:
    """The version of a belt page's cached parts (`belt_for_cached_page`'s belt). With the
    belt's kept member count, a member who leaves changes it (one who joins is the newest
    too); with the day, providers' assignments that start or end by date do."""
    return (
        str(belt.updated_at),
        belt.member_count,
        *(
            str(getattr(belt, name))
            for name in ("newest_member", "newest_base", "newest_assignment", "newest_provider")
        ),
        str(timezone.localdate()),
    )


def belt_bases(belt):
    return belt.bases.select_related("region__parent__parent").order_by("name")


def belt_providers(belt):
    return ServiceProvider.objects.filter(
        pk__in=permissions.active_assignments().filter(belt=belt).values("provider")
    ).select_related("region__parent__parent")


def belt_members(belt):
    """Approved members, newest first, for a paginated list."""
    return (
        BeltMembership.objects.filter(belt=belt, status=ACTIVE_MEMBERSHIP)
        .select_related("merchant__region__parent__parent", "base")
        .order_by("-decided_at", "-pk")
    )


def belt_badges(merchant_id) -> list[str]:
    """The names of the belts a shop is an approved member of, newest membership first, in
    the page's language: the badges of its product and shop pages. One query, compiled once
    per process (core.compiled)."""
    return [localized_name(row["belt__name"], row["belt__name_en"]) for row in _BELT_BADGES.rows(merchant_id)]


def _belt_badges_query(merchant_id):
    return (
        BeltMembership.objects.filter(merchant_id=merchant_id, status=MembershipStatus.APPROVED)
        .order_by("-created_at")
        .values("belt__name", "belt__name_en")
    )


_BELT_BADGES = CompiledQuery(
    _belt_badges_query, field=BeltMembership._meta.get_field("merchant").target_field
)


def merchant_memberships(merchant):
    return merchant.memberships.select_related("belt", "base", "provider").order_by("-created_at")


def dashboard_memberships(user, *, merchant, application) -> dict:
    """The merchant dashboard's belt section (registered in apps.py)."""
    return {"memberships": list(merchant_memberships(merchant)) if merchant else []}


def dashboard_memberships_version() -> dict:
    """What the belt section shows changes with (merchants.selectors.dashboard_versions)."""
    memberships = BeltMembership.objects.filter(merchant=OuterRef("pk"))
    return {
        "memberships": fragments.count_of(memberships),
        "memberships_changed": fragments.newest(memberships, "updated_at"),
    }


def open_invitation_for(user, belt=None):
    """The invitation this user accepted and has not used for a membership yet."""
    invitations = MerchantInvitation.objects.filter(accepted_by=user, membership__isnull=True).select_related(
        "belt", "provider"
    )
    if belt is not None:
        invitations = invitations.filter(belt=belt)
    return invitations.order_by("-accepted_at").first()


@dataclass(frozen=True)
class WorkspaceBelt:
    belt: Belt
    figures: dict


def provider_workspace(user, provider):
    """The belts `provider` serves, each with its recruiting figures."""
    belt_ids = permissions.served_belt_ids(user, provider=provider)
    belts = Belt.objects.filter(pk__in=belt_ids).order_by("position")
    return [WorkspaceBelt(belt, belt_figures(provider=provider, belt=belt)) for belt in belts]


def belt_figures(*, provider, belt) -> dict:
    """Invited, signed up, approved, active, and the mean time to pre-review, in four queries."""
    invitations = MerchantInvitation.objects.filter(provider=provider, belt=belt).aggregate(
        invited=Count("pk"), signed_up=Count("pk", filter=Q(accepted_by__isnull=False))
    )
    approved = OnboardingApplication.objects.filter(
        status=ApplicationStatus.APPROVED,
        merchant__user__in=MerchantInvitation.objects.filter(
            provider=provider, belt=belt, accepted_by__isnull=False
        ).values("accepted_by"),
    ).count()
    memberships = BeltMembership.objects.filter(provider=provider, belt=belt).aggregate(
        active=Count("pk", filter=Q(status=ACTIVE_MEMBERSHIP)),
        waiting=Count("pk", filter=Q(status=MembershipStatus.APPLIED)),
        review_time=Avg(
            ExpressionWrapper(F("pre_reviewed_at") - F("created_at"), output_field=DurationField()),
            filter=Q(pre_reviewed_at__isnull=False),
        ),
    )
    return {**invitations, "approved": approved, **memberships}


def provider_belt_memberships(user, belt, *, status=None):
    """The memberships of a belt the user's provider serves (the caller checks that it does)."""
    queryset = permissions.visible_memberships(
        user,
        BeltMembership.objects.filter(belt=belt).select_related(
            "merchant__user", "merchant__region", "base", "provider"
        ),
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def provider_scorecard(provider) -> dict:
    """Approval rate, mean pre-review time, complaints and warnings, for belt operations staff."""
    decided = BeltMembership.objects.filter(
        provider=provider,
        status__in=[MembershipStatus.APPROVED, MembershipStatus.REJECTED, MembershipStatus.LEFT],
    ).aggregate(
        decided=Count("pk"),
        approved=Count("pk", filter=Q(status__in=[MembershipStatus.APPROVED, MembershipStatus.LEFT])),
        review_time=Avg(
            ExpressionWrapper(F("pre_reviewed_at") - F("created_at"), output_field=DurationField()),
            filter=Q(pre_reviewed_at__isnull=False),
        ),
    )
    rate = decided["approved"] / decided["decided"] if decided["decided"] else None
    return {
        "approval_rate": rate,
        "review_time": decided["review_time"],
        "complaints": provider.complaints.count(),
        "warnings": provider.events.filter(details__kind="warning").count(),
    }


# The belt page shows what the layers above know of the belt (storefront: its goods in the
# discovery strip); each registers a section in its AppConfig.ready().
belt_page_sections = Hook(
    "industrybelts.belt_page_sections", "section(belt) -> dict: context the belt's public page shows"
)


def belt_page_context(belt) -> dict:
    context = {}
    for section in belt_page_sections:
        context.update(section(belt))
    return context


# --- Pre-review: what a provider sees of one applicant ----------------------------------


def membership_for_pre_review(user, public_id) -> BeltMembership | None:
    """The membership `user` may pre-review (its provider's, in a belt it serves), else None."""
    membership = (
        permissions.visible_memberships(
            user, BeltMembership.objects.select_related("merchant__user", "belt", "base", "provider")
        )
        .filter(public_id=public_id)
        .first()
    )
    if membership is None or not permissions.can_pre_review(user, membership):
        return None
    return membership


def next_applicant(user, membership) -> BeltMembership | None:
    """The oldest other application of the same belt still waiting for this provider."""
    waiting = permissions.visible_memberships(
        user,
        BeltMembership.objects.filter(belt_id=membership.belt_id, status=MembershipStatus.APPLIED).filter(
            Q(provider_id=membership.provider_id) | Q(provider__isnull=True)
        ),
    )
    return waiting.exclude(pk=membership.pk).order_by("created_at", "pk").only("public_id").first()


# The pre-review page shows what the layers above know of the applicant (storefront: its
# recent goods); each registers a section in its AppConfig.ready().
applicant_sections = Hook(
    "industrybelts.applicant_sections",
    "section(merchant) -> dict: context the provider's pre-review page shows about an applicant",
)


def applicant_context(viewer, membership) -> dict:
    """The shop, its application's documents (when `viewer` may read them) and the sections
    of the layers above, for the pre-review page, in a number of queries that does not grow."""
    merchant = membership.merchant
    application = merchant_selectors.current_application(merchant.user)
    if application is not None:
        # Same merchant, loaded with its region, categories and channels.
        merchant = application.merchant
    documents = (
        list(application.documents.all())
        if application is not None and merchant_permissions.can_view_application(viewer, application)
        else []
    )
    context = {"merchant": merchant, "application": application, "documents": documents}
    for section in applicant_sections:
        context.update(section(merchant))
    return context
