"""Live sessions in admin: staff look them up and cancel one with a reason (an event row).

A session is written by its merchant's pages and API, never by hand here: every field is
read-only, and the only change is the cancel action (staff holding
`storefront.moderate_live_session`), which asks for the reason the merchant will read
and calls the same service as the merchant's own cancel.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import DecisionForm, NoAddOrDeleteAdminMixin, TransitionEventInline, action_with_form

from .live import can_moderate, live_session_cancel
from .models import LiveSession, LiveSessionEvent


class LiveSessionEventInline(TransitionEventInline):
    model = LiveSessionEvent


@admin.register(LiveSession)
class LiveSessionAdmin(NoAddOrDeleteAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "merchant",
        "status",
        "starts_at",
        "expected_minutes",
        "went_live_at",
        "ended_at",
    )
    list_filter = ("status", "starts_at")
    search_fields = ("title", "merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant",)
    date_hierarchy = "starts_at"
    show_full_result_count = False
    fields = (
        "merchant", "status", "title", "description", "starts_at", "expected_minutes", "expected_end_at",
        "room_url", "products", "cover", "went_live_at", "ended_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [LiveSessionEventInline]
    actions = ["cancel_with_reason"]

    def has_change_permission(self, request, obj=None):
        return False  # the action below is the only change

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    @admin.action(description=_("Cancel (with reason)"), permissions=["moderate"])
    def cancel_with_reason(self, request, queryset):
        return action_with_form(
            self,
            request,
            queryset.select_related("merchant"),
            form_class=DecisionForm,
            title=_("Cancel these live sessions"),
            apply=lambda session, data: live_session_cancel(
                session=session, by=request.user, reason=data["reason"]
            ),
        )
