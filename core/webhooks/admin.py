"""Staff screens of the webhooks: endpoints (disable, enable), deliveries with their attempt log
(redeliver). Rows are written by the services only; the signing secrets are never shown.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdminMixin, apply_to_each

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class _ManageMixin(ReadOnlyAdminMixin):
    """Read-only rows; actions for staff with the model's change permission."""

    def has_manage_permission(self, request):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ManageMixin, admin.ModelAdmin):
    list_display = (
        "url", "owner", "provider", "is_active", "consecutive_failures", "disabled_at", "created_at",
    )  # fmt: skip
    list_filter = ("is_active", ("provider", admin.EmptyFieldListFilter))
    search_fields = ("url", "owner__email", "provider__name", "public_id")
    list_select_related = ("owner", "provider")
    fields = (
        "public_id", "owner", "provider", "url", "event_types", "is_active", "disabled_at",
        "disabled_reason", "consecutive_failures", "previous_secret_expires_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ["disable_endpoints", "enable_endpoints"]

    @admin.action(description=_("Disable the selected endpoints"), permissions=["manage"])
    def disable_endpoints(self, request, queryset):
        reason = str(_("Disabled by staff (%(email)s).") % {"email": request.user.email})
        apply_to_each(
            self,
            request,
            queryset,
            lambda endpoint: services.webhook_endpoint_disable(endpoint=endpoint, reason=reason),
        )

    @admin.action(description=_("Enable the selected endpoints"), permissions=["manage"])
    def enable_endpoints(self, request, queryset):
        apply_to_each(
            self, request, queryset, lambda endpoint: services.webhook_endpoint_enable(endpoint=endpoint)
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    verbose_name_plural = _("attempts")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ManageMixin, admin.ModelAdmin):
    list_display = (
        "event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "created_at",
    )  # fmt: skip
    list_filter = ("status", "event_type")
    search_fields = ("=event_id", "=public_id", "endpoint__url", "endpoint__owner__email")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    fields = (
        "public_id", "endpoint", "event_id", "event_type", "status", "attempts", "next_attempt_at",
        "last_status_code", "last_error", "delivered_at", "payload", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.action(description=_("Redeliver the selected deliveries now"), permissions=["manage"])
    def redeliver(self, request, queryset):
        apply_to_each(
            self, request, queryset, lambda delivery: services.webhook_delivery_redeliver(delivery=delivery)
        )
