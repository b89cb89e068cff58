"""Belt operations staff: belts and bases, providers with scorecards, memberships to decide.

Status fields are read-only. Providers and memberships are decided on from their page
(the decision panel, core.review) or in bulk (actions behind a form or a confirmation
page); both call the same services.
"""

import datetime

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin_actions import NoAddOrDeleteAdminMixin, TransitionEventInline
from core.review import Decision, ReviewPanelAdmin, ReviewQueueFilter, with_data, with_note, with_reason

from . import permissions, selectors, services
from .models import (
    Base,
    Belt,
    BeltMembership,
    MembershipEvent,
    MembershipStatus,
    MerchantInvitation,
    ProviderAssignment,
    ProviderComplaint,
    ProviderEvent,
    ProviderMember,
    ProviderStatus,
    ServiceProvider,
)
from .workflows import MEMBERSHIP_WORKFLOW, PROVIDER_WORKFLOW


class BaseInline(admin.TabularInline):
    model = Base
    extra = 1
    fields = ("name", "kind", "region", "address", "capacity")
    autocomplete_fields = ("region",)


class AssignmentInline(admin.TabularInline):
    model = ProviderAssignment
    extra = 0
    fields = ("provider", "belt", "starts_on", "ends_on", "ended_at")
    readonly_fields = ("ended_at",)
    autocomplete_fields = ("provider", "belt")


@admin.register(Belt)
class BeltAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "category",
        "status",
        "member_count",
        "requires_invitation",
        "signed_on",
        "position",
    )
    list_filter = ("status", "requires_invitation", "category")
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ("regions",)
    inlines = [BaseInline, AssignmentInline]
    list_select_related = ("category",)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProviderDecisionForm(forms.Form):
    belt = forms.ModelChoiceField(label=_("Belt"), queryset=Belt.objects.all())
    starts_on = forms.DateField(label=_("Contract starts"), initial=timezone.localdate, widget=_date_input())
    ends_on = forms.DateField(label=_("Contract ends"), widget=_date_input())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            raise forms.ValidationError(_("The contract must end after it starts."))
        return cleaned


class SuccessorForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Hand its merchants to"),
        required=False,
        queryset=ServiceProvider.objects.filter(status=ProviderStatus.APPROVED),
        help_text=_("Another provider serving the same belts; leave empty to leave them without a provider."),
    )


def _remove(provider, *, by, reason, data, **_inputs):
    """Remove `provider`, handing the merchants of each belt it serves to the successor (if any)."""
    reassign, successor = {}, data.get("successor")
    if successor is not None:
        reassign = {a.belt_id: successor for a in provider.assignments.filter(ended_at__isnull=True)}
    return services.provider_remove(provider=provider, by=by, reason=reason, reassign_to=reassign)


class ProviderEventInline(TransitionEventInline):
    model = ProviderEvent


class MemberInline(admin.TabularInline):
    """The provider's people, read-only: a member joins only by accepting an invitation, so no
    staff member can make itself (or anyone) a provider member and read merchants' documents."""

    model = ProviderMember
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ComplaintInline(admin.TabularInline):
    model = ProviderComplaint
    extra = 0
    fields = ("created_at", "summary", "reported_by")
    readonly_fields = ("created_at", "reported_by")


P = ProviderStatus


@admin.register(ServiceProvider)
class ServiceProviderAdmin(NoAddOrDeleteAdminMixin, ReviewPanelAdmin, admin.ModelAdmin):
    review_workflow = PROVIDER_WORKFLOW
    review_permission = "change"
    review_queue_statuses = frozenset({P.APPLIED})
    review_queue_order = ("created_at", "pk")
    # Providers are few and looked after all their contract long: the list shows them all,
    # the applications a tab away.
    review_list_opens_on_queue = False
    review_reason_label = _("Reason (the provider reads it)")
    review_decisions = (
        Decision("approve", P.APPROVED, _("Approve and assign to a belt"), {P.APPLIED},
                 with_data(services.provider_approve), form_class=ProviderDecisionForm, confirm=True,
                 note=False),
        Decision("reject", P.REJECTED, _("Reject"), {P.APPLIED}, with_reason(services.provider_reject),
                 reason_required=True, danger=True, bulk_label=_("Reject (with reason)")),
        Decision("warn", None, _("Warn"), {P.APPROVED, P.SUSPENDED}, with_reason(services.provider_warn),
                 reason_required=True, bulk_label=_("Warn (with reason)")),
        Decision("suspend", P.SUSPENDED, _("Suspend"), {P.APPROVED}, with_reason(services.provider_suspend),
                 reason_required=True, danger=True, bulk_label=_("Suspend (with reason)")),
        Decision("reinstate", P.APPROVED, pgettext_lazy("provider decision", "Reinstate"), {P.SUSPENDED},
                 with_note(services.provider_reinstate), confirm=True),
        Decision("remove", P.REMOVED, _("Remove"), {P.APPROVED, P.SUSPENDED}, _remove, reason_required=True,
                 danger=True, form_class=SuccessorForm,
                 bulk_label=_("Remove (with reason), handing its merchants over")),
    )  # fmt: skip
    list_display = ("name", "uscc", "status_badge", "reviewer", "region", "team_size", "created_at")
    list_filter = (ReviewQueueFilter, "requested_belt")
    search_fields = ("name", "uscc")
    # The region column is its full name, which reads the region's parents.
    list_select_related = ("region__parent__parent",)
    readonly_fields = (
        "status",
        "applied_by",
        "requested_belt",
        "approval_rate",
        "mean_review_time",
        "complaint_count",
        "warning_count",
        "created_at",
    )
    fields = (
        "name",
        "uscc",
        "region",
        "team_size",
        "track_record",
        "requested_belt",
        "applied_by",
        "status",
        "approval_rate",
        "mean_review_time",
        "complaint_count",
        "warning_count",
        "created_at",
    )
    autocomplete_fields = ("region",)
    inlines = [MemberInline, AssignmentInline, ComplaintInline, ProviderEventInline]

    def _scorecard(self, provider):
        if not hasattr(provider, "_scorecard"):
            provider._scorecard = selectors.provider_scorecard(provider)
        return provider._scorecard

    @admin.display(description=_("approval rate"))
    def approval_rate(self, provider):
        rate = self._scorecard(provider)["approval_rate"]
        return "—" if rate is None else f"{rate:.0%}"

    @admin.display(description=_("mean time to pre-review"))
    def mean_review_time(self, provider):
        value = self._scorecard(provider)["review_time"]
        return "—" if value is None else str(value - datetime.timedelta(microseconds=value.microseconds))

    @admin.display(description=_("complaints"))
    def complaint_count(self, provider):
        return self._scorecard(provider)["complaints"]

    @admin.display(description=_("warnings"))
    def warning_count(self, provider):
        return self._scorecard(provider)["warnings"]


class MembershipEventInline(TransitionEventInline):
    model = MembershipEvent


M = MembershipStatus


@admin.register(BeltMembership)
class BeltMembershipAdmin(NoAddOrDeleteAdminMixin, ReviewPanelAdmin, admin.ModelAdmin):
    review_workflow = MEMBERSHIP_WORKFLOW
    review_permission = "decide"
    # Staff decide after the responsible provider's pre-review.
    review_queue_statuses = frozenset({M.PRE_APPROVED})
    review_queue_order = ("pre_reviewed_at", "pk")
    review_decisions = (
        Decision("approve", M.APPROVED, _("Approve"), {M.PRE_APPROVED},
                 with_note(services.membership_approve), confirm=True,
                 bulk_label=_("Approve (after the provider's pre-review)")),
        Decision("reject", M.REJECTED, _("Reject"), {M.PRE_APPROVED},
                 with_reason(services.membership_reject), reason_required=True, danger=True,
                 bulk_label=_("Reject (with reason)")),
    )  # fmt: skip
    list_display = (
        "merchant", "belt", "base", "provider", "status_badge", "reviewer", "created_at", "pre_reviewed_at",
    )  # fmt: skip
    list_filter = (ReviewQueueFilter, "belt", "provider")
    search_fields = ("merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user", "belt", "base", "provider")
    readonly_fields = (
        "merchant",
        "belt",
        "base",
        "provider",
        "invitation",
        "status",
        "pre_reviewed_at",
        "decided_at",
        "created_at",
    )
    fields = readonly_fields
    inlines = [MembershipEventInline]

    def has_decide_permission(self, request):
        return permissions.can_decide_memberships(request.user)


@admin.register(ProviderComplaint)
class ProviderComplaintAdmin(admin.ModelAdmin):
    list_display = ("provider", "summary", "created_at")
    list_filter = ("provider",)
    autocomplete_fields = ("provider",)
    readonly_fields = ("reported_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MerchantInvitation)
class MerchantInvitationAdmin(admin.ModelAdmin):
    list_display = ("provider", "belt", "note", "created_at", "expires_at", "accepted_by", "accepted_at")
    list_filter = ("belt", "provider")
    list_select_related = ("provider", "belt", "accepted_by")
    readonly_fields = ("provider", "belt", "note", "created_by", "expires_at", "accepted_by", "accepted_at")
    exclude = ("code_digest",)

    def has_add_permission(self, request):
        return False
