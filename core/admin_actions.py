"""Shared admin pieces: actions that ask for a reason and apply a service, and history inlines.

Used by every decision in admin (applications, providers, memberships), so the
intermediate page, the per-object error reporting and the counts behave alike.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import DomainError


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


def apply_to_each(modeladmin, request, queryset, apply) -> None:
    """Call `apply(obj)` for each object; report refusals per object and the count done."""
    done = 0
    for obj in queryset:
        try:
            apply(obj)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.WARNING)
    if done:
        modeladmin.message_user(request, _("%(count)d updated.") % {"count": done}, messages.SUCCESS)


def action_with_form(modeladmin, request, queryset, *, form_class, title, apply):
    """Show `form_class` for the selected objects; once valid, call `apply(obj, cleaned_data)` on each."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply_to_each(modeladmin, request, queryset, lambda obj: apply(obj, form.cleaned_data))
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/merchants/decision_form.html", context)


def action_with_reason(modeladmin, request, queryset, *, title, decide, subject: str):
    """Ask for a reason, then call `decide(<subject>=obj, by=user, reason=...)` on each object."""
    return action_with_form(
        modeladmin,
        request,
        queryset,
        form_class=DecisionForm,
        title=title,
        apply=lambda obj, data: decide(**{subject: obj}, by=request.user, reason=data["reason"]),
    )


class ReadOnlyAdminMixin:
    """Staff look, nothing more: rows written by services or reference data, never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionEventInline(admin.TabularInline):
    """The read-only history of a status field (any `TransitionEvent` model), newest last."""

    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "from_status_label", "to_status_label", "reason", "details")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("from"))
    def from_status_label(self, event):
        return event.from_status_label

    @admin.display(description=gettext_lazy("to"))
    def to_status_label(self, event):
        return event.to_status_label
