"""Staff tune discovery and watch its health: the settings (one row) and a daily health page
with today's Gini, the ordinary merchants' share, pool sizes of goods and of videos, the
videos' share of exposure and a 30-day plot (inline SVG)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdminMixin, SingletonAdminMixin

from .models import DiscoverySettings, ExposureHealth, ProductExposure

PLOT_DAYS = 30
PLOT_WIDTH, PLOT_HEIGHT = 600, 160


@admin.register(DiscoverySettings)
class DiscoverySettingsAdmin(SingletonAdminMixin, admin.ModelAdmin):
    fieldsets = (
        (_("Climbing rounds"), {"fields": ("base_budget", "round2_budget", "round3_budget")}),
        (
            _("Promotion thresholds"),
            {"fields": ("round2_min_ctr", "round3_min_ctr", "round3_min_conversion")},
        ),
        (
            _("Promotion thresholds for videos"),
            {
                "fields": ("video_round2_min_completion", "video_round3_min_completion"),
                "description": _(
                    "A video is judged on plays to the end per exposure; its round 3 also needs "
                    "the purchase clicks per exposure set above for goods."
                ),
            },
        ),
        (
            _("Fairness"),
            {"fields": ("gini_cap", "ordinary_share_floor", "ordinary_max_followers", "window_days")},
        ),
        (_("Feed"), {"fields": ("slate_size", "cycle_capacity")}),
    )


def _polyline(values: list[float]) -> str:
    """SVG points for values in [0, 1], oldest on the left."""
    if not values:
        return ""
    step = PLOT_WIDTH / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{PLOT_HEIGHT - v * PLOT_HEIGHT:.1f}" for i, v in enumerate(values))


@admin.register(ExposureHealth)
class ExposureHealthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/storefront/exposurehealth/change_list.html"
    list_display = (
        "day",
        "gini",
        "ordinary_share",
        "pool_round1",
        "pool_round2",
        "pool_round3",
        "video_pool_round1",
        "video_pool_round2",
        "video_pool_round3",
        "video_share",
        "merchants",
        "impressions",
    )

    def changelist_view(self, request, extra_context=None):
        recent = list(ExposureHealth.objects.order_by("-day")[:PLOT_DAYS])[::-1]
        settings = DiscoverySettings.current()
        context = {
            "today": recent[-1] if recent else None,
            "settings": settings,
            "plot_width": PLOT_WIDTH,
            "plot_height": PLOT_HEIGHT,
            "gini_points": _polyline([float(row.gini) for row in recent]),
            "ordinary_points": _polyline([float(row.ordinary_share) for row in recent]),
            "video_points": _polyline([float(row.video_share) for row in recent]),
            "cap_y": PLOT_HEIGHT - float(settings.gini_cap) * PLOT_HEIGHT,
            "floor_y": PLOT_HEIGHT - float(settings.ordinary_share_floor) * PLOT_HEIGHT,
            "first_day": recent[0].day if recent else None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)


@admin.register(ProductExposure)
class ProductExposureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "product",
        "merchant",
        "round",
        "in_pool",
        "round_impressions",
        "round_views",
        "round_clicks",
    )
    list_filter = ("round", "in_pool")
    list_select_related = ("product", "merchant")
    raw_id_fields = ("product", "merchant")
    show_full_result_count = False
