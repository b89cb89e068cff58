"""Authoring the school in admin: Markdown with live preview, pictures beside the text,
revisions to compare and restore, and decisions (publish, schedule, review) from the item's
page (the decision panel, core.review) or in bulk as actions.

The list opens on every item (editors write here), with providers' articles awaiting
review one tab away.
"""

import difflib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_actions import ReadOnlyAdminMixin, TransitionEventInline
from core.review import Decision, ReviewPanelAdmin, ReviewQueueFilter, with_data, with_reason, without_input
from core.uploads import check_upload

from . import permissions, services
from .forms import ScheduleForm, SchoolItemAdminForm
from .markdown import render_markdown
from .models import MAX_BODY_CHARACTERS, SchoolEvent, SchoolImage, SchoolItem, SchoolRevision, SchoolTag
from .models import SchoolStatus as S
from .workflows import SCHOOL_WORKFLOW


class SchoolEventInline(TransitionEventInline):
    model = SchoolEvent


class SchoolImageForm(forms.ModelForm):
    class Meta:
        model = SchoolImage
        fields = ["image", "alt"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A stored picture is replaced by adding a new one (pasted links keep working).
            self.fields["image"].disabled = True

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and hasattr(upload, "content_type"):
            check_upload(upload, allow_pdf=False, max_bytes=services.MAX_IMAGE_BYTES)
        return upload


class SchoolImageInline(admin.TabularInline):
    """Pictures for the text: upload, then paste the Markdown shown into the text."""

    model = SchoolImage
    form = SchoolImageForm
    extra = 1
    fields = ("image", "alt", "markdown_to_paste")
    readonly_fields = ("markdown_to_paste",)

    @admin.display(description=gettext_lazy("Markdown to paste"))
    def markdown_to_paste(self, image):
        return format_html("<code>{}</code>", image.markdown) if image.pk else "—"


class SchoolPartInline(admin.TabularInline):
    """The lessons of a course (chapters of a manual), in reading order; position is editable."""

    model = SchoolItem
    fk_name = "parent"
    extra = 0
    fields = ("position", "title", "status")
    readonly_fields = ("title", "status")
    show_change_link = True
    can_delete = False
    verbose_name = gettext_lazy("lesson or chapter")
    verbose_name_plural = gettext_lazy("lessons or chapters")

    def has_add_permission(self, request, obj=None):
        return False


class SchoolRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SchoolRevision
    extra = 0
    fields = ("number", "created_at", "author", "note", "compare")
    readonly_fields = fields
    ordering = ["-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=gettext_lazy("compare / restore"))
    def compare(self, revision):
        url = reverse("admin:storefront_schoolitem_revision", args=[revision.item_id, revision.number])
        return format_html('<a href="{}">{}</a>', url, _("Compare with the current text"))


@admin.register(SchoolTag)
class SchoolTagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    list_display = ("name", "created_at")


def _not_a_providers_draft(item) -> bool:
    """A provider's article goes live only once the provider submitted it (its service refuses too)."""
    return not (item.provider_id and item.status == S.DRAFT)


@admin.register(SchoolItem)
class SchoolItemAdmin(ReviewPanelAdmin, admin.ModelAdmin):
    form = SchoolItemAdminForm
    review_workflow = SCHOOL_WORKFLOW
    review_permission = "publish"
    # Providers' articles submitted for review; staff's own drafts are theirs to publish.
    review_queue_statuses = frozenset({S.SUBMITTED})
    review_queue_order = ("updated_at", "pk")
    review_list_opens_on_queue = False
    review_reason_label = gettext_lazy("Reason (the author reads it)")
    review_decisions = (
        Decision("publish_now", S.PUBLISHED, gettext_lazy("Publish now"),
                 {S.DRAFT, S.SUBMITTED, S.SCHEDULED, S.ARCHIVED}, without_input(services.school_item_publish),
                 offered_when=_not_a_providers_draft, confirm=True, note=False),
        Decision("schedule", S.SCHEDULED, gettext_lazy("Schedule publishing"), {S.DRAFT, S.SUBMITTED},
                 with_data(services.school_item_schedule), form_class=ScheduleForm,
                 offered_when=_not_a_providers_draft, note=False),
        Decision("unpublish", S.ARCHIVED, gettext_lazy("Unpublish"), {S.PUBLISHED},
                 without_input(services.school_item_unpublish), note=False),
        Decision("back_to_draft", S.DRAFT, gettext_lazy("Back to draft (unschedule)"),
                 {S.SCHEDULED, S.ARCHIVED}, without_input(services.school_item_to_draft), note=False),
        Decision("request_changes", S.CHANGES_REQUESTED, gettext_lazy("Request changes"), {S.SUBMITTED},
                 with_reason(services.school_item_request_changes), reason_required=True,
                 bulk_label=gettext_lazy("Request changes (with reason)")),
        Decision("reject", S.REJECTED, gettext_lazy("Reject"), {S.SUBMITTED},
                 with_reason(services.school_item_reject), reason_required=True, danger=True,
                 bulk_label=gettext_lazy("Reject (with reason)")),
    )  # fmt: skip
    list_display = (
        "title",
        "kind",
        "parent",
        "status_badge",
        "reviewer",
        "level",
        "publish_at",
        "updated_at",
    )
    list_filter = (ReviewQueueFilter, "kind", "level", "belt", "audience", "stage")
    search_fields = ("title", "slug")
    list_select_related = ("parent",)
    autocomplete_fields = ("tags",)
    raw_id_fields = ()
    readonly_fields = (
        "status",
        "publish_at",
        "published_at",
        "provider",
        "author",
        "reading_minutes",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("kind", "parent", "position", "title", "slug", "summary", "body")}),
        (gettext_lazy("Who it is for"), {"fields": ("level", "audience", "belt", "stage", "tags", "cover")}),
        (
            gettext_lazy("Publishing"),
            {
                "fields": (
                    "status",
                    "publish_at",
                    "published_at",
                    "author",
                    "provider",
                    "reading_minutes",
                    "updated_at",
                )
            },
        ),
    )
    inlines = [SchoolImageInline, SchoolRevisionInline, SchoolEventInline]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            # A lesson cannot become a course; a provider's article stays an article.
            fields = (*fields, "kind") if not obj.provider_id else (*fields, "kind", "parent")
        return fields

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_container:
            return [SchoolPartInline, *self.inlines]
        return self.inlines

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = SchoolItem.objects.filter(kind__in=["course", "manual"]).order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # content is unpublished, never deleted: progress and history point at it

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        services.school_item_save(item=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        """Pictures go through the service (checked, re-encoded to WebP without EXIF)."""
        if formset.model is not SchoolImage:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for image_form in formset.forms:
            if not image_form.has_changed() or image_form in formset.deleted_forms:
                continue
            data = image_form.cleaned_data
            if image_form.instance.pk is None:
                formset.new_objects.append(
                    services.school_image_add(
                        item=form.instance, upload=data["image"], alt=data["alt"], by=request.user
                    )
                )
            else:
                image_form.instance.alt = data["alt"]
                image_form.instance.save(update_fields=["alt", "updated_at"])
                formset.changed_objects.append((image_form.instance, ["alt"]))
        for image_form in formset.deleted_forms:
            if image_form.instance.pk:
                image_form.instance.image.delete(save=False)
                image_form.instance.delete()
                formset.deleted_objects.append(image_form.instance)
        return None

    # --- Extra pages: the live preview and the revision comparison ---------------------

    def get_urls(self):
        extra = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="storefront_schoolitem_preview",
            ),
            path(
                "<int:item_id>/revisions/<int:number>/",
                self.admin_site.admin_view(self.revision_view),
                name="storefront_schoolitem_revision",
            ),
        ]
        return extra + super().get_urls()

    def preview_view(self, request):
        """Return the sanitised HTML of the posted Markdown (what readers will see)."""
        if request.method != "POST":
            return JsonResponse({"error": _("Send the text with POST.")}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > MAX_BODY_CHARACTERS:
            message = _("The text is %(length)d characters long; the limit is %(limit)d.") % {
                "length": len(body),
                "limit": MAX_BODY_CHARACTERS,
            }
            return JsonResponse({"error": message}, status=400)
        return JsonResponse({"html": render_markdown(body)})

    def revision_view(self, request, item_id, number):
        """Show a revision against the current text (or another revision); restore it on POST."""
        item = get_object_or_404(SchoolItem, pk=item_id)
        if not self.has_view_permission(request, item):
            raise PermissionDenied
        revision = get_object_or_404(SchoolRevision, item=item, number=number)
        if request.method == "POST":
            if not self.has_change_permission(request, item):
                raise PermissionDenied
            services.school_revision_restore(revision=revision, by=request.user)
            self.message_user(
                request,
                _("Revision %(number)d restored as the current text.") % {"number": number},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:storefront_schoolitem_change", args=[item.pk]))
        against = self._revision_to_compare(item, request.GET.get("against"))
        if against is None:
            old_label, old = _("Current text"), (item.title, item.summary, item.body)
        else:
            old_label, old = (
                _("Revision %(number)d") % {"number": against.number},
                (
                    against.title,
                    against.summary,
                    against.body,
                ),
            )
        new = (revision.title, revision.summary, revision.body)
        table = difflib.HtmlDiff(wrapcolumn=70).make_table(
            "\n".join(old).splitlines(),
            "\n".join(new).splitlines(),
            old_label,
            _("Revision %(number)d") % {"number": number},
            context=True,
            numlines=2,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Revision %(number)d of “%(item)s”") % {"number": number, "item": item},
            "item": item,
            "revision": revision,
            "diff_table": table,
            "unchanged": old == new,
            "revisions": item.revisions.only("number", "created_at").order_by("-number"),
            "against": against,
            "can_restore": self.has_change_permission(request, item),
        }
        return TemplateResponse(request, "admin/storefront/schoolitem_revision.html", context)

    @staticmethod
    def _revision_to_compare(item, value):
        if not value:
            return None
        try:
            return item.revisions.get(number=int(value))
        except (ValueError, SchoolRevision.DoesNotExist):
            raise Http404 from None
