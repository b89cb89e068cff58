"""The reviewer's workbench in admin: one decision panel, claims, and the next in the queue.

Every reviewable object's change page (`ReviewPanelAdmin`) shows one panel driven by its
workflow: the decisions whose target the map reaches from the object's status, for a user
who holds the admin's review permission, each a button. A decision that needs a reason
opens (an HTML <details>, no script) a form with the reason and, where the decision names
them, checkboxes for the fields or documents concerned, while the object's documents stay
on the page above; an approval opens a confirmation with an optional note. Posting it:

- re-reads the object under its row lock and refuses when its status is no longer the
  one the reviewer saw ("已被他人处理", nothing written), so a stale page, a second
  reviewer or a double click never records two events;
- refuses while someone else holds the claim (core.claims), unless the reviewer takes
  the object over, which the history records;
- calls the decision's service (the only writer), releases the claim, and lands the
  reviewer on the next unclaimed object of the queue, claimed for them.

Bulk decisions stay admin actions, behind a confirmation page that lists what will change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from . import claims
from .exceptions import DomainError


@dataclass(frozen=True)
class Decision:
    """One button of the panel: a move of the workflow and the service that makes it."""

    key: str
    to: str
    label: str
    # The statuses it is offered from: the map's start statuses of `to` (a service may pass
    # through one more move on the way, e.g. submitted → in review → approved).
    from_statuses: frozenset
    # decide(obj, *, by, reason, note, concerns) -> the moved object
    decide: Callable
    reason_required: bool = False
    confirm: bool = False
    danger: bool = False
    # obj -> [(key, label)]: what a reason may be about (fields, documents), as checkboxes
    concerns: Callable | None = None


class DecisionPanelForm(forms.Form):
    decision = forms.CharField()
    expected_status = forms.CharField()
    reason = forms.CharField(required=False, max_length=2000)
    note = forms.CharField(required=False, max_length=2000)
    concerns = forms.MultipleChoiceField(required=False, choices=())
    take_over = forms.BooleanField(required=False)


class ReviewPanelAdmin:
    """Mixin for a ModelAdmin whose objects are decided on (see the module docstring)."""

    change_form_template = "admin/review/change_form.html"
    review_workflow = None
    review_decisions: tuple[Decision, ...] = ()
    review_permission = "review"  # the admin's has_<name>_permission decides who reviews
    review_queue_statuses: frozenset = frozenset()

    # --- who may do what ----------------------------------------------------------------

    def can_review(self, request) -> bool:
        return bool(getattr(self, f"has_{self.review_permission}_permission")(request))

    def available_decisions(self, request, obj) -> list[Decision]:
        if obj is None or not self.can_review(request):
            return []
        status = getattr(obj, self.review_workflow.status_field)
        return [d for d in self.review_decisions if status in d.from_statuses]

    def review_queue(self, request):
        """Objects awaiting a decision, oldest first (what "next" and "claim next" take from)."""
        return self.get_queryset(request).filter(status__in=self.review_queue_statuses)

    def queue_order(self):
        return self.ordering or ("pk",)

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
        return {
            "decisions": [
                {"decision": d, "concerns": d.concerns(obj) if d.concerns else []} for d in decisions
            ],
            "status": getattr(obj, self.review_workflow.status_field),
            "status_label": getattr(obj, f"get_{self.review_workflow.status_field}_display")(),
            "claim": claim,
            "claimed_by_me": claim is not None and claim.claimed_by_id == request.user.pk,
            "decide_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_decide", args=[obj.pk]
            ),
            "claim_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_claim", args=[obj.pk]),
        }

    def claim_view(self, request, object_id):
        if request.method != "POST":
            raise Http404
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.can_review(request):
            raise PermissionDenied
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
        if request.method != "POST":
            raise Http404
        if not self.can_review(request):
            raise PermissionDenied
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
        if request.method != "POST":
            raise Http404
        if not self.can_review(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
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
        moved = self._decide(request, obj, decision, data, reason)
        if moved is None:
            return HttpResponseRedirect(self._change_url(obj))
        messages.success(
            request, _("%(object)s: %(decision)s.") % {"object": moved, "decision": decision.label}
        )
        following = self._next_unclaimed(request, exclude_pk=obj.pk)
        return HttpResponseRedirect(self._change_url(following) if following else self._changelist_url())

    def _decide(self, request, obj, decision, data, reason):
        """Check the status the reviewer saw and the claim under the row's lock, then decide."""
        workflow = self.review_workflow
        try:
            with transaction.atomic():
                locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
                if getattr(locked, workflow.status_field) != data["expected_status"] or decision not in (
                    self.available_decisions(request, locked)
                ):
                    messages.warning(request, _("Someone else has already handled this; nothing was changed."))
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
                )
                claims.release(locked)
                return moved
        except DomainError as error:
            messages.warning(request, str(error))
            return None
