"""Who may see or do what with belts, providers and memberships: pages, admin and API ask here.

- A provider member acts only for its own provider, and only while the provider is
  approved; it sees the merchants and memberships of the belts its provider serves
  under an open contract, and nothing else (404 for the rest).
- Owners and managers invite team members; every member may invite merchants and
  pre-review belt applications.
- Belt operations staff (`industrybelts.decide_beltmembership`) decide memberships.
- A merchant sees only its own memberships.
- Staff accounts are never provider members (`member_roles` is empty for them): staff
  rights come from their group alone, never through a provider's view of its merchants.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from merchants.models import MerchantProfile
from merchants.permissions import active_staff_with

from .models import (
    BeltMembership,
    MemberRole,
    MerchantInvitation,
    ProviderAssignment,
    ProviderMember,
    ProviderStatus,
)

DECIDE_PERMISSION = "industrybelts.decide_beltmembership"


def active_assignments():
    today = timezone.localdate()
    return ProviderAssignment.objects.filter(
        ended_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
        provider__status=ProviderStatus.APPROVED,
    )


def member_roles(user):
    """The user's memberships of approved providers; none for staff, who never act as a provider."""
    if not user.is_authenticated or user.is_staff:
        return ProviderMember.objects.none()
    return approved_provider_roles().filter(user=user)


def approved_provider_roles():
    """Everyone's memberships of approved providers (`member_roles` before its user)."""
    return ProviderMember.objects.filter(provider__status=ProviderStatus.APPROVED)


def first_role(user) -> ProviderMember | None:
    """The membership the provider workspace acts for: the user's first approved provider."""
    return member_roles(user).select_related("provider").order_by("pk").first()


def membership_of(user, provider) -> ProviderMember | None:
    return member_roles(user).filter(provider=provider).first()


def served_belt_ids(user, provider=None) -> set[int]:
    """Return the belts the user's approved providers serve under an open contract."""
    providers = member_roles(user).values("provider")
    if provider is not None:
        providers = providers.filter(provider=provider)
    return set(active_assignments().filter(provider__in=providers).values_list("belt_id", flat=True))


def provider_serves_belt(provider, belt) -> bool:
    return active_assignments().filter(provider=provider, belt=belt).exists()


def can_manage_team(user, provider) -> bool:
    member = membership_of(user, provider)
    return member is not None and member.role in (MemberRole.OWNER, MemberRole.MANAGER)


def can_invite_merchants(user, provider, belt) -> bool:
    return membership_of(user, provider) is not None and provider_serves_belt(provider, belt)


def visible_memberships(user, queryset=None):
    """Scope memberships to the viewer: its own, its served belts', or all for deciding staff."""
    queryset = queryset if queryset is not None else BeltMembership.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if can_decide_memberships(user):
        return queryset
    return queryset.filter(Q(merchant__user=user) | Q(belt_id__in=served_belt_ids(user)))


def can_pre_review(user, membership) -> bool:
    """Members of the responsible provider (or of any provider of the belt, if none is) pre-review."""
    provider = membership.provider if membership.provider_id else None
    return membership.belt_id in served_belt_ids(user, provider=provider)


def can_decide_memberships(user) -> bool:
    return active_staff_with(user, DECIDE_PERMISSION)


def visible_merchants(user, provider=None):
    """Merchants a provider member may see (their application and documents included).

    Those with (or who had) a membership in a belt the user's providers serve, or who
    signed up through one of their invitations; `provider` narrows to one provider.
    """
    belts = served_belt_ids(user, provider=provider)
    if not belts:
        return MerchantProfile.objects.none()
    providers = member_roles(user).values("provider")
    if provider is not None:
        providers = providers.filter(provider=provider)
    recruited = MerchantInvitation.objects.filter(
        provider__in=providers, belt_id__in=belts, accepted_by__isnull=False
    ).values("accepted_by")
    in_belt = BeltMembership.objects.filter(merchant=OuterRef("pk"), belt_id__in=belts)
    return MerchantProfile.objects.filter(Q(Exists(in_belt)) | Q(user_id__in=recruited))


def provider_can_view_merchant(user, merchant) -> bool:
    return visible_merchants(user).filter(pk=merchant.pk).exists()


def token_provider(user, token):
    """The provider an API token acts for, while its owner is still a member of it (approved)."""
    provider_id = getattr(token, "provider_id", None)
    if provider_id is None:
        return None
    member = member_roles(user).select_related("provider").filter(provider_id=provider_id).first()
    return member.provider if member else None


def can_manage_provider_token(user, token) -> bool:
    """A provider's token is its owners' and managers' to see and revoke (merchants asks)."""
    return token.provider_id is not None and can_manage_team(user, token.provider)
