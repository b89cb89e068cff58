"""The reviewer's workbench in admin: one decision panel, claims, and the next in the queue.

Every reviewable object's change page (`ReviewPanelAdmin`) shows one panel driven by its
workflow: the decisions whose target the map reaches from the object's status, for a user
who holds the admin's review permission, each a button. A decision that needs a reason
opens (an HTML <details>, no script) a form with the reason and, where the decision names
them, checkboxes for the fields or documents concerned, while the object's documents stay
on the page above; an approval opens a confirmation with an optional note. A decision
that needs more than a reason (a belt and contract dates, a publishing time) declares a
`form_class`: the panel renders its fields and the decision receives its cleaned data.
Posting it:

- re-reads the object under its row lock and refuses when its status is no longer the
  one the reviewer saw ("已被他人处理", nothing written), so a stale page, a second
  reviewer or a double click never records two events;
- refuses while someone else holds the claim (core.claims), unless the reviewer takes
  the object over, which the history records;
- calls the decision's service (the only writer), releases the claim, and, when the
  object was in the queue, lands the reviewer on the next unclaimed one, claimed for them
  (a decision off the queue, such as a suspension, stays on the object's page).

The queue is the objects in `review_queue_statuses`: the list opens on it (or, for an
admin that is also an editor's or a moderator's list, on everything, with the queue a
tab away: `review_list_opens_on_queue = False`), with a count per status unless counting
would scan a large table (`review_queue_counts = False`).

The same decisions are the list's bulk actions, one each, named by its key and offered to
the holders of the review permission: a decision that asks for a reason or more input
shows that form first (core.admin_actions.action_with_form), any other a page listing
what will change (action_with_confirmation); either applies it once posted back.

A decision calls its service through a named adapter (`with_reason`, `with_note`,
`with_data`, `without_input`): every service takes its object by its first keyword-only
argument (`provider_reject(*, provider, by, reason)`), so a decision names only the service.

A decision that leaves the status as it is (a provider's warning) cannot be recognised as
stale by its status: two clicks give two warnings, each in the history.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import claims
from .admin_actions import DecisionForm, action_with_confirmation, action_with_form
from .exceptions import DomainError

QUEUE_PARAMETER = "queue"
ALL, AWAITING = "all", "awaiting"


def _subject(service) -> str:
    """Return the keyword `service` takes its object by: its first keyword-only parameter."""
    parameters = inspect.signature(service).parameters.values()
    return next(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def with_reason(service) -> Callable:
    """Decide by `service(<object>, by=..., reason=<the reason asked for>)`."""
    subject = _subject(service)
    return lambda obj, *, by, reason, **_inputs: service(**{subject: obj}, by=by, reason=reason)


def with_note(service) -> Callable:
    """Decide by `service(<object>, by=..., reason=<the optional note>)`."""
    subject = _subject(service)
    return lambda obj, *, by, note, **_inputs: service(**{subject: obj}, by=by, reason=note)


def with_data(service) -> Callable:
    """Decide by `service(<object>, by=..., **<the cleaned data of the decision's form>)`."""
    subject = _subject(service)
    return lambda obj, *, by, data, **_inputs: service(**{subject: obj}, by=by, **data)


def without_input(service) -> Callable:
    """Decide by `service(<object>, by=...)`: whatever the reviewer typed is not recorded."""
    subject = _subject(service)
    return lambda obj, *, by, **_inputs: service(**{subject: obj}, by=by)


@dataclass(frozen=True)
class Decision:
    """One button of the panel and one bulk action: a move of the workflow and its service."""

    key: str
    # The status it moves to; None for a decision that leaves the status as it is (a warning).
    to: str | None
    label: str
    # The statuses it is offered from: the map's start statuses of `to` (a service may pass
    # through one more move on the way, e.g. submitted → in review → approved).
    from_statuses: frozenset
    # decide(obj, *, by, reason, note, concerns, data) -> the moved object; `data` is the
    # cleaned data of `form_class` ({} without one). See the adapters above.
    decide: Callable
    reason_required: bool = False
    confirm: bool = False
    danger: bool = False
    # obj -> [(key, label)]: what a reason may be about (fields, documents), as checkboxes
    concerns: Callable | None = None
    # More input than a reason: a form whose fields the panel shows (prefixed with `key`).
    form_class: type[forms.Form] | None = None
    # Whether the panel offers an optional note (passed as `note`) when no reason is asked.
    note: bool = True
    # obj -> bool: narrows `from_statuses` for one object where its service does (e.g. a
    # provider's draft article is published only after the provider submits it).
    offered_when: Callable | None = None
    # The bulk action's name in the list's menu, where it says more than `label`.
    bulk_label: str | None = None
    # The bulk action's form where it is not the reason (if asked) with `form_class`: its
    # cleaned data is `data`, its "reason" the reason and its "concerns" the concerns.
    bulk_form_class: type[forms.Form] | None = None

    def __post_init__(self):
        object.__setattr__(self, "from_statuses", frozenset(self.from_statuses))

    def offered_for(self, obj, status) -> bool:
        return status in self.from_statuses and (self.offered_when is None or self.offered_when(obj))

    def bulk_form(self) -> type[forms.Form] | None:
        """Return the form the bulk action asks for first; None: it asks for a confirmation."""
        if self.bulk_form_class is not None:
            return self.bulk_form_class
        parts = ((DecisionForm,) if self.reason_required else ()) + tuple(filter(None, [self.form_class]))
        if len(parts) > 1:
            return type(f"{self.form_class.__name__}WithReason", parts, {"__module__": __name__})
        return parts[0] if parts else None


class DecisionPanelForm(forms.Form):
    decision = forms.CharField()
    expected_status = forms.CharField()
    reason = forms.CharField(required=False, max_length=2000)
    note = forms.CharField(required=False, max_length=2000)
    concerns = forms.MultipleChoiceField(required=False, choices=())
    take_over = forms.BooleanField(required=False)


class ReviewQueueFilter(admin.SimpleListFilter):
    """The review queue, everything, or one status: one click each (the tabs above say how many)."""

    title = gettext_lazy("status")
    parameter_name = QUEUE_PARAMETER

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return model_admin.status_choices()

    def choices(self, changelist):
        current = self.value()
        for value, label in self.model_admin.queue_views():
            default = value == self.model_admin.queue_default()
            yield {
                "selected": current == value or (current is None and default),
                "query_string": changelist.get_query_string(
                    remove=[self.parameter_name] if default else [],
                    new_params={} if default else {self.parameter_name: value},
                ),
                "display": label,
            }
        for value, label in self.lookup_choices:
            yield {
                "selected": current == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.model_admin.queue_default()
        if value == ALL:
            return queryset
        if value == AWAITING:
            return self.model_admin.in_queue(queryset)
        return queryset.filter(**{self.model_admin.review_workflow.status_field: value})


class ReviewPanelAdmin:
    """Mixin for a ModelAdmin whose objects are decided on (see the module docstring)."""

    change_form_template = "admin/review/change_form.html"
    change_list_template = "admin/review/change_list.html"
    review_workflow = None
    review_decisions: tuple[Decision, ...] = ()
    review_permission = "review"  # the admin's has_<name>_permission decides who reviews
    review_queue_statuses: frozenset = frozenset()
    review_queue_order: tuple = ()  # oldest first; the admin's ordering when empty
    review_list_opens_on_queue = True
    review_queue_counts = True
    review_reason_label = gettext_lazy("Reason (the merchant reads it)")

    # --- who may do what ----------------------------------------------------------------

    def can_review(self, request) -> bool:
        return bool(getattr(self, f"has_{self.review_permission}_permission")(request))

    def available_decisions(self, request, obj) -> list[Decision]:
        if obj is None or not self.can_review(request):
            return []
        status = getattr(obj, self.review_workflow.status_field)
        return [d for d in self.review_decisions if d.offered_for(obj, status)]

    def decision(self, key) -> Decision:
        return next(d for d in self.review_decisions if d.key == key)

    # --- the queue ------------------------------------------------------------------------

    def in_queue(self, queryset):
        return queryset.filter(**{f"{self.review_workflow.status_field}__in": self.review_queue_statuses})

    def review_queue(self, request):
        """Objects awaiting a decision, oldest first (what "next" and "claim next" take from)."""
        return self.in_queue(self.get_queryset(request))

    def queue_order(self):
        return self.review_queue_order or self.ordering or ("pk",)

    def status_choices(self):
        return self.model._meta.get_field(self.review_workflow.status_field).flatchoices

    def queue_default(self) -> str:
        return AWAITING if self.review_list_opens_on_queue else ALL

    def queue_views(self):
        views = [(AWAITING, _("Awaiting review")), (ALL, _("All"))]
        return views if self.review_list_opens_on_queue else views[::-1]

    def queue_tabs(self, request) -> list[dict]:
        """The list's tabs: the queue, everything and each status, with counts (one query)."""
        field = self.review_workflow.status_field
        counts = None
        if self.review_queue_counts:
            rows = self.model._default_manager.order_by().values_list(field).annotate(n=Count("pk"))
            counts = dict(rows.values_list(field, "n"))
        current = request.GET.get(QUEUE_PARAMETER) or self.queue_default()
        totals = {}
        if counts is not None:
            totals = {
                AWAITING: sum(counts.get(status, 0) for status in self.review_queue_statuses),
                ALL: sum(counts.values()),
            }
        tabs = [
            {
                "label": label,
                "count": totals.get(value),
                "query": "" if value == self.queue_default() else f"?{QUEUE_PARAMETER}={value}",
                "current": current == value,
            }
            for value, label in self.queue_views()
        ]
        for value, label in self.status_choices():
            tabs.append(
                {
                    "label": label,
                    "count": None if counts is None else counts.get(value, 0),
                    "query": f"?{QUEUE_PARAMETER}={value}",
                    "current": current == value,
                }
            )
        return tabs

    # --- lists ----------------------------------------------------------------------------

    def get_changelist_instance(self, request):
        # Who holds each listed object, per request (one query): the reviewer column reads it.
        changelist = super().get_changelist_instance(request)
        held = claims.claimed_ids(self.model)
        for obj in changelist.result_list:
            obj.review_claim = held.get(obj.pk)
        return changelist

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        context = {
            "queue_tabs": extra_context["queue_tabs"]
            if "queue_tabs" in extra_context
            else self.queue_tabs(request),
            "claim_next_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_claim_next"),
            "can_review": self.can_review(request),
            **extra_context,
        }
        return super().changelist_view(request, context)

    @admin.display(description=gettext_lazy("reviewer"))
    def reviewer(self, obj):
        claim = getattr(obj, "review_claim", None)
        if claim is None:
            return "—"
        return format_html('<span class="claimed">{}</span>', claim.claimed_by.name or claim.claimed_by.email)

    # Sorted by "status": every reviewed model's status field is named so (the display
    # decorator is evaluated once, before an admin names its workflow).
    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj):
        field = self.review_workflow.status_field
        return format_html(
            '<span class="badge badge-{}">{}</span>',
            getattr(obj, field),
            getattr(obj, f"get_{field}_display")(),
        )

    # --- bulk actions -----------------------------------------------------------------------

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.actions = (*map(self._bulk_action, self.review_decisions), *(self.actions or ()))

    def _bulk_action(self, decision: Decision) -> Callable:
        """Return the admin action that makes `decision` on each selected object (named by its key)."""

        def action(modeladmin, request, queryset):
            return modeladmin.bulk_decision(request, queryset, decision)

        action.__name__ = decision.key
        return admin.action(
            description=decision.bulk_label or decision.label, permissions=[self.review_permission]
        )(action)

    def bulk_decision(self, request, queryset, decision: Decision):
        """Ask for the decision's form, or list what will change; once posted back, decide on each."""
        field = self.review_workflow.status_field
        form_class = decision.bulk_form()

        def decide(obj, data):
            reason, concerns = data.get("reason", ""), data.get("concerns", [])
            return decision.decide(obj, by=request.user, reason=reason, note="", concerns=concerns, data=data)

        if form_class is not None:
            return action_with_form(
                self,
                request,
                queryset,
                form_class=form_class,
                title=decision.label,
                apply=decide,
                status_field=field,
            )
        return action_with_confirmation(
            self,
            request,
            queryset,
            title=decision.label,
            to=decision.to,
            allowed=lambda obj: decision.offered_for(obj, getattr(obj, field)),
            status_field=field,
            apply=lambda obj: decide(obj, {}),
        )

    # --- pages ----------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("claim-next/", wrap(self.claim_next_view), name=f"{prefix}_claim_next"),
            path("<path:object_id>/decide/", wrap(self.decide_view), name=f"{prefix}_decide"),
            path("<path:object_id>/claim/", wrap(self.claim_view), name=f"{prefix}_claim"),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _changelist_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "review_panel": self.panel_context(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def panel_context(self, request, obj) -> dict | None:
        decisions = self.available_decisions(request, obj)
        if obj is None or not self.can_review(request):
            return None
        claim = claims.holder(obj)
        field = self.review_workflow.status_field
        return {
            "decisions": [
                {
                    "decision": d,
                    "concerns": d.concerns(obj) if d.concerns else [],
                    "form": d.form_class(prefix=d.key) if d.form_class else None,
                }
                for d in decisions
            ],
            "status": getattr(obj, field),
            "status_label": getattr(obj, f"get_{field}_display")(),
            "reason_label": self.review_reason_label,
            "claim": claim,
            "claimed_by_me": claim is not None and claim.claimed_by_id == request.user.pk,
            "decide_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_decide", args=[obj.pk]
            ),
            "claim_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_claim", args=[obj.pk]),
        }

    def _require_reviewer_post(self, request) -> None:
        """Answer only a POST from a reviewer: 404 for another method, 403 for anyone else."""
        if request.method != "POST":
            raise Http404
        if not self.can_review(request):
            raise PermissionDenied

    def _object_to_review(self, request, object_id):
        """Return the object a reviewer's POST is about (see `_require_reviewer_post`), or 404."""
        self._require_reviewer_post(request)
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        return obj

    def claim_view(self, request, object_id):
        obj = self._object_to_review(request, object_id)
        try:
            claims.claim(
                obj,
                by=request.user,
                take_over=bool(request.POST.get("take_over")),
                workflow=self.review_workflow,
            )
        except DomainError as error:
            messages.warning(request, str(error))
        return HttpResponseRedirect(self._change_url(obj))

    def claim_next_view(self, request):
        self._require_reviewer_post(request)
        obj = self._next_unclaimed(request)
        if obj is None:
            messages.info(request, _("Nothing is waiting for review."))
            return redirect(self._changelist_url())
        return HttpResponseRedirect(self._change_url(obj))

    def _next_unclaimed(self, request, *, exclude_pk=None):
        """Claim and return the oldest object of the queue nobody holds (skipping taken ones)."""
        held = claims.claimed_ids(self.model)
        candidates = self.review_queue(request).order_by(*self.queue_order())
        if exclude_pk is not None:
            candidates = candidates.exclude(pk=exclude_pk)
        others = [pk for pk, held_claim in held.items() if held_claim.claimed_by_id != request.user.pk]
        for obj in candidates.exclude(pk__in=others)[:20]:
            try:
                claims.claim(obj, by=request.user)
            except DomainError:  # claimed by someone else a moment ago
                continue
            return obj
        return None

    def decide_view(self, request, object_id):
        obj = self._object_to_review(request, object_id)
        form = DecisionPanelForm(request.POST)
        form.fields["concerns"].choices = [
            choice for d in self.review_decisions if d.concerns for choice in d.concerns(obj)
        ]
        if not form.is_valid():
            messages.error(request, _("This decision could not be read; nothing was changed."))
            return HttpResponseRedirect(self._change_url(obj))
        data = form.cleaned_data
        decision = next((d for d in self.review_decisions if d.key == data["decision"]), None)
        if decision is None:
            raise Http404
        reason = data["reason"].strip()
        if decision.reason_required and not reason:
            messages.error(request, _("Give a reason for this decision; nothing was changed."))
            return HttpResponseRedirect(self._change_url(obj))
        extra = {}
        if decision.form_class is not None:
            extra_form = decision.form_class(request.POST, prefix=decision.key)
            if not extra_form.is_valid():
                for field, errors in extra_form.errors.items():
                    label = extra_form.fields[field].label if field in extra_form.fields else ""
                    for error in errors:
                        messages.error(request, f"{label}: {error}" if label else error)
                messages.error(request, _("Nothing was changed."))
                return HttpResponseRedirect(self._change_url(obj))
            extra = extra_form.cleaned_data
        moved = self._decide(request, obj, decision, data, reason, extra)
        if moved is None:
            return HttpResponseRedirect(self._change_url(obj))
        messages.success(
            request, _("%(object)s: %(decision)s.") % {"object": moved, "decision": decision.label}
        )
        if data["expected_status"] not in self.review_queue_statuses:
            # Decided off the queue (a suspension, a product hidden on a complaint): stay on it.
            return HttpResponseRedirect(self._change_url(obj))
        following = self._next_unclaimed(request, exclude_pk=obj.pk)
        return HttpResponseRedirect(self._change_url(following) if following else self._changelist_url())

    def _decide(self, request, obj, decision, data, reason, extra):
        """Check the status the reviewer saw and the claim under the row's lock, then decide.

        Return the decided object, or None when refused (with a message saying why).
        """
        workflow = self.review_workflow
        try:
            with transaction.atomic():
                locked = workflow.lock(obj)
                if getattr(locked, workflow.status_field) != data["expected_status"] or decision not in (
                    self.available_decisions(request, locked)
                ):
                    messages.warning(
                        request, _("Someone else has already handled this; nothing was changed.")
                    )
                    return None
                if data["take_over"]:
                    claims.claim(locked, by=request.user, take_over=True, workflow=workflow)
                claims.require_holder(locked, by=request.user)
                moved = decision.decide(
                    locked,
                    by=request.user,
                    reason=reason,
                    note=data["note"].strip(),
                    concerns=data["concerns"],
                    data=extra,
                )
                claims.release(locked)
                # A decision that moves nothing (a warning) returns None: the object stays.
                return moved if moved is not None else locked
        except DomainError as error:
            messages.warning(request, str(error))
            return None
