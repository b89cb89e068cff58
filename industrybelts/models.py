"""Industry belts, their bases, the service providers who run them, and memberships.

Design (see docs/industrybelts.md):
- A belt (产业带) is signed by the platform; bases (基地) are places inside it.
- A service provider (服务商) applies, staff approve it and assign it to belts for a
  contract period (`ProviderAssignment`); its people are `ProviderMember`s.
- A merchant joins a belt through a `BeltMembership` whose status moves through the
  shared transition mechanism: applied → pre-approved by the provider → approved by
  staff (or rejected at either step). Invitation-only belts (jade) need a
  `MerchantInvitation` from one of the belt's providers.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fragments import count_of
from core.models import TimeStampedModel, public_id_field, user_reference
from merchants.models.profiles import BilingualNameMixin, merchant_reference

# The audit rows live in events.py; Django finds them, and code imports them, here.
from .events import MembershipEvent, ProviderEvent  # noqa: F401


class BeltStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed to new merchants")


class Belt(BilingualNameMixin, TimeStampedModel):
    slug = models.SlugField(_("address name"), max_length=50, unique=True)
    category = models.ForeignKey(
        "merchants.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="belts"
    )
    regions = models.ManyToManyField(
        "merchants.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    cover_image = models.ImageField(_("cover image"), upload_to="belts/covers/", blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BeltStatus.choices, default=BeltStatus.PREPARING
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    requires_invitation = models.BooleanField(
        _("by invitation only"),
        default=False,
        help_text=_("Merchants may apply only with an invitation from one of the belt's providers."),
    )
    required_qualification = models.ForeignKey(
        "merchants.QualificationType",
        verbose_name=_("required qualification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A document the merchant's approved application must contain to apply."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Its approved memberships, kept by every move in or out of "approved"
    # (workflows.MEMBERSHIP_WORKFLOW) and by a deletion: the belt page and the belt list
    # read it instead of counting thousands of index entries on every visit.
    member_count = models.PositiveIntegerField(_("approved merchants"), default=0, editable=False)

    class Meta:
        verbose_name = _("industry belt")
        verbose_name_plural = _("industry belts")
        ordering = ["position", "pk"]


class BaseKind(models.TextChoices):
    FACTORY_CLUSTER = "factory_cluster", _("Factory cluster")
    WHOLESALE_MARKET = "wholesale_market", _("Wholesale market")
    ORIGIN = "origin", _("Origin / village")
    LIVESTREAM = "livestream", _("Live-stream base")


class Base(TimeStampedModel):
    belt = models.ForeignKey(Belt, verbose_name=_("belt"), on_delete=models.CASCADE, related_name="bases")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BaseKind.choices)
    region = models.ForeignKey(
        "merchants.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (merchants)"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        ordering = ["belt", "name"]
        constraints = [models.UniqueConstraint(fields=["belt", "name"], name="base_name_unique_in_belt")]

    def __str__(self):
        return self.name


class ProviderStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class ServiceProvider(TimeStampedModel):
    """An organisation that runs belts for the platform: recruits, pre-reviews, trains merchants."""

    public_id = public_id_field()
    name = models.CharField(_("company name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(
        "merchants.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    team_size = models.PositiveIntegerField(_("team size"))
    track_record = models.TextField(_("track record"))
    requested_belt = models.ForeignKey(
        Belt,
        verbose_name=_("belt applied for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProviderStatus.choices, default=ProviderStatus.APPLIED
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


def provider_reference(related_name: str) -> models.ForeignKey:
    """Return the key of a row that belongs to a provider (a belt assignment, a team member,
    an invitation, a complaint): the row goes with the provider."""
    return models.ForeignKey(
        ServiceProvider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name=related_name
    )


class ProviderAssignment(TimeStampedModel):
    """A provider runs a belt for a contract period."""

    provider = provider_reference("assignments")
    belt = models.ForeignKey(
        Belt, verbose_name=_("belt"), on_delete=models.CASCADE, related_name="assignments"
    )
    starts_on = models.DateField(_("contract starts"))
    ends_on = models.DateField(_("contract ends"))
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)

    class Meta:
        verbose_name = _("belt assignment")
        verbose_name_plural = _("belt assignments")
        ordering = ["belt", "provider"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="assignment_period_valid"
            ),
            models.UniqueConstraint(
                fields=["provider", "belt"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_open_per_belt",
            ),
        ]

    def __str__(self):
        return f"{self.provider} → {self.belt}"


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")


class ProviderMember(TimeStampedModel):
    provider = provider_reference("members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="provider_roles",
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("provider member")
        verbose_name_plural = _("provider members")
        ordering = ["provider", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="member_once_per_provider")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenInvitation(TimeStampedModel):
    """A single-use link a provider's member created; only the digest of its random code is stored."""

    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = user_reference(_("accepted by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @staticmethod
    def new_code() -> str:
        return secrets.token_urlsafe(24)

    @staticmethod
    def digest(code: str) -> str:
        return _token_digest(code)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class MerchantInvitation(TokenInvitation):
    """A provider's link inviting a seller to sign up and join one of its belts."""

    provider = provider_reference("merchant_invitations")
    belt = models.ForeignKey(
        Belt, verbose_name=_("belt"), on_delete=models.CASCADE, related_name="invitations"
    )
    note = models.CharField(_("who it is for"), max_length=100, blank=True)
    public_id = public_id_field()
    # A recruit: what the provider already knows of the seller (shop name, seller type,
    # entity...), copied into the seller's empty draft when the seller claims the link.
    prefill = models.JSONField(_("prepared application"), default=dict, blank=True)

    class Meta(TokenInvitation.Meta):
        verbose_name = _("merchant invitation")
        verbose_name_plural = _("merchant invitations")
        indexes = [models.Index(fields=["belt", "provider", "created_at"], name="invitation_figures_idx")]

    def __str__(self):
        return f"{self.provider} → {self.belt} ({self.note or self.created_at:%Y-%m-%d})"


class MemberInvitation(TokenInvitation):
    """An e-mail invitation to join a provider's team with a role."""

    provider = provider_reference("member_invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta(TokenInvitation.Meta):
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")

    def __str__(self):
        return f"{self.email} → {self.provider}"


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PRE_APPROVED = "pre_approved", _("Pre-approved by the provider")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    LEFT = "left", _("Left the belt")


class BeltMembership(TimeStampedModel):
    public_id = public_id_field()
    merchant = merchant_reference("memberships")
    belt = models.ForeignKey(
        Belt, verbose_name=_("belt"), on_delete=models.PROTECT, related_name="memberships"
    )
    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.PROTECT, related_name="memberships"
    )
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("responsible provider"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    invitation = models.OneToOneField(
        MerchantInvitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.APPLIED
    )
    pre_reviewed_at = models.DateTimeField(_("pre-reviewed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("belt membership")
        verbose_name_plural = _("belt memberships")
        ordering = ["-created_at"]
        permissions = [("decide_beltmembership", _("Can decide on belt memberships"))]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "belt"],
                condition=~Q(status__in=["rejected", "left"]),
                name="membership_one_open_per_belt",
            ),
        ]
        indexes = [
            models.Index(fields=["belt", "status", "created_at"], name="membership_belt_status_idx"),
            models.Index(fields=["provider", "status"], name="membership_provider_idx"),
            # The belt page's member list, newest first (15 ms → 0.15 ms at 17 000 members).
            models.Index(
                fields=["belt", "-decided_at", "-id"],
                condition=Q(status="approved"),
                name="membership_belt_members_idx",
            ),
        ]

    def __str__(self):
        return f"{self.merchant} @ {self.belt}"


def recount_members(belt_id: int) -> None:
    """Set the belt's `member_count` from its memberships, in the caller's transaction.

    The belt's row is locked first, so that the count is read by a statement that starts
    after any other transaction counting the same belt has committed: two approvals at
    once both count (an UPDATE with the count in it would read the snapshot taken before
    it waited for the row).
    """
    list(Belt.objects.select_for_update().filter(pk=belt_id).values_list("pk"))
    approved = BeltMembership.objects.filter(belt=OuterRef("pk"), status=MembershipStatus.APPROVED)
    Belt.objects.filter(pk=belt_id).update(member_count=count_of(approved))


class ProviderComplaint(TimeStampedModel):
    """A complaint about a provider (from a merchant or staff), counted on its scorecard."""

    provider = provider_reference("complaints")
    summary = models.TextField(_("complaint"))
    reported_by = user_reference(_("reported by"))

    class Meta:
        verbose_name = _("provider complaint")
        verbose_name_plural = _("provider complaints")
        ordering = ["-created_at"]

    def __str__(self):
        return self.summary[:40]
