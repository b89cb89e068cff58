"""Campaigns in admin: staff set the window and the rules; entries are read-only (a million rows)."""

from django.contrib import admin

from .models import Campaign, CampaignEntry, CampaignLeaderboardRow


class LeaderboardInline(admin.TabularInline):
    model = CampaignLeaderboardRow
    extra = 0
    can_delete = False
    fields = ("rank", "product", "score")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "signup_starts_at", "signup_ends_at", "entry_count", "max_entries")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("belts", "categories")
    readonly_fields = ("entry_count", "leaderboard_updated_at")
    inlines = [LeaderboardInline]

    def has_delete_permission(self, request, obj=None):
        return bool(obj is None or obj.entry_count == 0) and super().has_delete_permission(request, obj)


@admin.register(CampaignEntry)
class CampaignEntryAdmin(admin.ModelAdmin):
    list_display = ("campaign", "product", "merchant", "created_at")
    list_filter = ("campaign",)
    raw_id_fields = ("campaign", "product", "merchant")
    list_select_related = ("campaign", "product", "merchant")
    show_full_result_count = False  # no COUNT(*) over a million sign-ups

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # entries are counted on the campaign; a sign-up is not taken back here
