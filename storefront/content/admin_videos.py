"""Video moderation for staff, like goods: hide a published video with a reason (the merchant
is e-mailed it) or restore it, from its page (the decision panel, core.review) or in bulk.

Staff see the poster and play the video on its page; everything else is read-only (the
status moves only through the services). Hidden videos are the queue, oldest first.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_actions import TransitionEventInline
from core.review import ReviewQueueFilter
from storefront.admin_moderation import ModerationAdmin, hide_and_restore

from . import video_permissions as permissions
from . import video_services as services
from .models import Video, VideoEvent
from .models import VideoStatus as S
from .workflows import VIDEO_WORKFLOW


class VideoEventInline(TransitionEventInline):
    model = VideoEvent


@admin.register(Video)
class VideoAdmin(ModerationAdmin, admin.ModelAdmin):
    review_workflow = VIDEO_WORKFLOW
    review_queue_statuses = frozenset({S.HIDDEN})
    review_decisions = hide_and_restore(S, hide=services.video_hide, restore=services.video_restore)
    list_display = (
        "poster_thumbnail",
        "title",
        "merchant",
        "duration",
        "status_badge",
        "reviewer",
        "created_at",
    )
    list_display_links = ("title",)
    list_filter = (ReviewQueueFilter, "failure", ("duration", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("title", "merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = (
        "player",
        "merchant",
        "status",
        "failure",
        "title",
        "goods",
        "original_name",
        "expected_bytes",
        "received_bytes",
        "width",
        "height",
        "duration",
        "file_bytes",
        "processing_seconds",
        "play_count",
        "completion_count",
        "click_count",
        "published_at",
        "created_at",
    )
    fields = readonly_fields
    inlines = [VideoEventInline]

    def has_moderate_permission(self, request):
        return permissions.can_moderate_videos(request.user)

    @admin.display(description=_("poster"))
    def poster_thumbnail(self, obj):
        if not obj.poster:
            return "—"
        return format_html('<img src="{}" alt="" width="45" loading="lazy">', obj.poster.url)

    @admin.display(description=_("video"))
    def player(self, obj):
        if not obj.file:
            return "—"
        return format_html(
            '<video controls playsinline preload="metadata" poster="{}" src="{}" width="270"></video>',
            obj.poster.url if obj.poster else "",
            obj.file.url,
        )

    @admin.display(description=_("goods"))
    def goods(self, obj):
        return ", ".join(product.title for product in obj.products.all()) or "—"
