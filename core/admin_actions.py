"""Shared admin pieces: actions that ask for a reason or a confirmation and apply a service,
and history inlines.

Used by every decision in admin (applications, providers, memberships, goods, the school),
so the intermediate page, the per-object error reporting and the counts behave alike. A
bulk decision never applies on the first click: a form asks for what it needs (a reason,
a belt, a time), or a confirmation page lists each selected object with its status now and
the status it will move to; the decision is applied when that page is posted back ("apply").
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
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


def _status(obj, field: str) -> tuple[str, str]:
    return getattr(obj, field, ""), (getattr(obj, f"get_{field}_display", lambda: "")())


def _intermediate_page(modeladmin, request, *, title, form, rows):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "rows": rows,
        "shows_moves": any("after" in row for row in rows),
        "action": request.POST.get("action"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/merchants/decision_form.html", context)


def action_with_form(modeladmin, request, queryset, *, form_class, title, apply, status_field="status"):
    """Show `form_class` for the selected objects; once valid, call `apply(obj, cleaned_data)` on each."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply_to_each(modeladmin, request, queryset, lambda obj: apply(obj, form.cleaned_data))
        return None
    rows = []
    for obj in queryset:
        status, label = _status(obj, status_field)
        rows.append({"object": obj, "status": status, "status_label": label})
    return _intermediate_page(modeladmin, request, title=title, form=form, rows=rows)


def action_with_confirmation(
    modeladmin, request, queryset, *, title, apply, to, allowed, status_field="status"
):
    """List the selected objects with their status now and after; once confirmed, call `apply(obj)` on each.

    `to` is the status the decision moves to (None: it stays); `allowed(obj)` says whether
    the decision is possible from the object's status. An object it is not possible for is
    listed as staying as it is; if confirmed anyway, its service refuses it with a message.
    """
    if "apply" in request.POST:
        apply_to_each(modeladmin, request, queryset, apply)
        return None
    rows = []
    for obj in queryset:
        status, label = _status(obj, status_field)
        possible = allowed(obj)
        after = to if (possible and to is not None) else status
        rows.append(
            {
                "object": obj,
                "status": status,
                "status_label": label,
                "possible": possible,
                "after": after,
                "after_label": dict(modeladmin.model._meta.get_field(status_field).flatchoices).get(
                    after, after
                ),
            }
        )
    return _intermediate_page(modeladmin, request, title=title, form=None, rows=rows)


class NoAddOrDeleteAdminMixin:
    """Rows the portal's own flows create (an application, a provider's or a merchant's sign-up,
    a listing) and that end by a status, never by deletion: staff decide, not add or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin(NoAddOrDeleteAdminMixin):
    """Staff look, nothing more: rows written by services or reference data, never by hand."""

    def has_change_permission(self, request, obj=None):
        return False


class TransitionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The read-only history of a status field (any `TransitionEvent` model), newest last."""

    extra = 0
    fields = ("created_at", "actor", "from_status_label", "to_status_label", "reason", "details")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=gettext_lazy("from"))
    def from_status_label(self, event):
        return event.from_status_label

    @admin.display(description=gettext_lazy("to"))
    def to_status_label(self, event):
        return event.to_status_label


class SingletonAdminMixin:
    """The admin of a one-row settings model (its `current()` returns the row, made if missing):
    the list opens that row, which is never added or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = self.model.current()
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        )
