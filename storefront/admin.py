"""Catalog moderation for staff: hide or restore goods with a reason (an event), filters."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import TransitionEventInline, action_with_reason, apply_to_each

from . import permissions, services
from .models import Product, ProductEvent, ProductImage, ProductLink


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
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "source_kind", "belt", "wholesale_price", "status", "published_at")
    list_filter = ("status", "source_kind", "belt", "seller_type", "category")
    search_fields = ("title", "merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant", "belt")
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
    actions = ["hide", "restore"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return permissions.can_moderate(request.user)

    @admin.action(description=_("Hide (with reason)"), permissions=["moderate"])
    def hide(self, request, queryset):
        return action_with_reason(
            self, request, queryset, title=_("Hide"), decide=services.product_hide, subject="product"
        )

    @admin.action(description=_("Restore"), permissions=["moderate"])
    def restore(self, request, queryset):
        apply_to_each(self, request, queryset, lambda p: services.product_restore(product=p, by=request.user))


# The school's admin registers itself (see storefront/school/__init__.py).
from .campaigns import admin as campaigns_admin  # noqa: E402, F401
from .discovery import admin as discovery_admin  # noqa: E402, F401
from .school import admin as school_admin  # noqa: E402, F401
