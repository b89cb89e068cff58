"""Catalog moderation for staff: hide or restore goods with a reason (an event), filters.

A product is decided on from its page (the decision panel, core.review) or in bulk, as a
video is (storefront.admin_moderation): the list opens on every product, not on the hidden
ones, and counts no statuses, which would scan the whole catalogue on every page.
"""

from django.contrib import admin

from core.admin_actions import ReadOnlyAdminMixin, TransitionEventInline
from core.review import ReviewQueueFilter

from . import permissions, services
from .admin_moderation import ModerationAdmin, hide_and_restore
from .models import ImportJob, Product, ProductEvent, ProductImage, ProductLink
from .models import ProductStatus as S
from .workflows import PRODUCT_WORKFLOW


class ProductEventInline(TransitionEventInline):
    model = ProductEvent


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("thumbnail", "width", "height", "position")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProductLinkInline(admin.TabularInline):
    model = ProductLink
    extra = 0
    fields = ("platform", "url")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ModerationAdmin, admin.ModelAdmin):
    review_workflow = PRODUCT_WORKFLOW
    # Hidden goods are the moderation queue: each waits for a moderator to restore it (or not).
    review_queue_statuses = frozenset({S.HIDDEN})
    review_decisions = hide_and_restore(S, hide=services.product_hide, restore=services.product_restore)
    list_display = (
        "title",
        "merchant",
        "source_kind",
        "belt",
        "wholesale_price",
        "status_badge",
        "reviewer",
        "published_at",
    )
    list_filter = (ReviewQueueFilter, "source_kind", "belt", "seller_type", "category")
    search_fields = ("title", "merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user", "belt")
    autocomplete_fields = ()
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
    readonly_fields = (
        "merchant",
        "status",
        "source_kind",
        "belt",
        "base",
        "origin_region",
        "category",
        "title",
        "intro",
        "wholesale_price",
        "retail_price",
        "own_shop_price",
        "min_order_quantity",
        "stock_status",
        "view_count",
        "click_count",
        "published_at",
        "created_at",
    )
    fields = readonly_fields
    inlines = [ProductImageInline, ProductLinkInline, ProductEventInline]

    def has_moderate_permission(self, request):
        return permissions.can_moderate(request.user)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Support reads a merchant's spreadsheet imports when it asks why one failed; nothing is
    changed here (the merchant confirms, the hourly sweep expires)."""

    list_display = ("file_name", "merchant", "status", "file_format", "encoding", "row_count",
                    "error_count", "created_count", "created_at", "finished_at")  # fmt: skip
    list_filter = ("status", "file_format", "in_background")
    list_select_related = ("merchant",)
    search_fields = ("file_name", "merchant__display_name", "merchant__user__email")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("merchant", "status", "file_name", "file_format", "encoding", "row_count",
              "rows_done", "in_background", "error_count", "errors", "created_count", "created_at",
              "finished_at")  # fmt: skip
    readonly_fields = fields


# The school's admin registers itself (see storefront/school/__init__.py).
from .campaigns import admin as campaigns_admin  # noqa: E402, F401
from .content import admin_live, admin_videos  # noqa: E402, F401
from .discovery import admin as discovery_admin  # noqa: E402, F401
from .school import admin as school_admin  # noqa: E402, F401
