"""One mechanism for every status field: a transition map, a locked move, an event row.

Onboarding applications use it first; belt memberships, provider applications and
school articles reuse it (the brief: reuse it, do not copy it). A workflow is declared
once per status field::

    APPLICATION_WORKFLOW = Workflow(
        model=OnboardingApplication,
        transitions={DRAFT: {SUBMITTED}, ...},
        event_model=ApplicationEvent,
        event_subject_field="application",
        reason_required={CHANGES_REQUESTED, REJECTED, SUSPENDED},
    )

and `workflow.move(obj=..., to=..., by=..., reason=...)` is the only way to change
the status. `move` must run inside the caller's `transaction.atomic()` (services are
atomic): it locks the row with `select_for_update()`, checks the map against the
*locked* status (so two reviewers deciding at once cannot both win), saves with
`update_fields`, and writes the append-only event in the same transaction.

A workflow may declare `webhook_event`: one event type for every move (a string) or
one per target status (a mapping). `move` and a creation `record` then tell the
`status_events` listeners in that same transaction (the webhook outbox writes its rows),
so every status change that partners hear of is emitted here and nowhere else.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .exceptions import InvalidTransition, ReasonRequired
from .hooks import Hook
from .models import user_reference

# Who hears of a move that a workflow declares as an event: the webhook outbox registers
# itself (merchants' AppConfig) and writes its rows in the transaction of the move.
status_events = Hook(
    "core.status_events", "listener(*, workflow, event_type, obj, transition): a declared event happened"
)


def status_labels(model: type[models.Model], field: str = "status") -> dict:
    """Return {status: label} of `model`'s status field, as its choices name them."""
    return dict(model._meta.get_field(field).flatchoices)


class TransitionEvent(models.Model):
    """Abstract append-only row: who moved what from which status to which, and why.

    A subclass declares its subject, the row whose status moved, with `event_subject`;
    the statuses' labels (pages, e-mails) are the subject's `status` choices.
    """

    actor = user_reference(_("by"))
    from_status = models.CharField(_("from"), max_length=32)
    to_status = models.CharField(_("to"), max_length=32)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status_label} → {self.to_status_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Transition events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Transition events are append-only.")

    @classmethod
    def subject_field(cls) -> models.ForeignKey:
        """Return the key to the subject: the event's one foreign key besides `actor`."""
        (field,) = (f for f in cls._meta.concrete_fields if f.many_to_one and f.name != "actor")
        return field

    def _label(self, status: str) -> str:
        return status_labels(self.subject_field().related_model).get(status, status)

    @property
    def from_status_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._label(self.to_status)


def event_subject(to, verbose_name) -> models.ForeignKey:
    """Return a TransitionEvent subclass's key to the row whose status moved.

    Every event model names its subject this way, so a subject's history is `subject.events`
    and goes with the subject when it is deleted. `to` may be a "app.Model" string: an
    app's events module then needs nothing from its models module, which imports it.
    """
    return models.ForeignKey(to, verbose_name=verbose_name, on_delete=models.CASCADE, related_name="events")


@dataclass(frozen=True)
class Workflow:
    model: type[models.Model]
    transitions: dict[str, frozenset[str] | set[str]]
    event_model: type[TransitionEvent]
    event_subject_field: str
    status_field: str = "status"
    reason_required: frozenset[str] | set[str] = field(default_factory=frozenset)
    webhook_event: str | Mapping[str, str] | None = None
    # With webhook_event: obj -> core.webhooks.subjects.WebhookSubject (who hears, what data).
    webhook_subject: Callable | None = None
    # (obj, from_status, to_status) -> None: what the move's own transaction keeps in step
    # with the status, such as a count kept on another row; runs after the save.
    after_move: Callable | None = None

    def __post_init__(self):
        if self.webhook_event is not None and self.webhook_subject is None:
            raise ValueError(
                f"{self.model.__name__}'s workflow declares webhook events but no webhook_subject."
            )

    def webhook_event_type(self, to_status: str) -> str | None:
        """The webhook event a move to `to_status` emits, if any."""
        if self.webhook_event is None or isinstance(self.webhook_event, str):
            return self.webhook_event
        return self.webhook_event.get(to_status)

    def available_transitions(self, status: str) -> frozenset[str]:
        return frozenset(self.transitions.get(status, ()))

    def can_move(self, obj, to: str) -> bool:
        return to in self.available_transitions(getattr(obj, self.status_field))

    def move(
        self,
        *,
        obj,
        to: str,
        by,
        reason: str = "",
        details: dict | None = None,
        updates: dict | None = None,
        expected_from: Iterable[str] | None = None,
        locked: bool = False,
    ):
        """Move `obj` to status `to` and return (locked_obj, event).

        `updates` are other fields saved in the same write (e.g. `decided_at`).
        `expected_from` narrows the allowed start states for this particular move.
        `locked` says `obj` is the row this transaction already holds (from `lock`, where
        a service's guard read it first): the move then checks that row, not a second read.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.move must run inside transaction.atomic().")
        reason = (reason or "").strip()
        locked = obj if locked else self.lock(obj)
        current = getattr(locked, self.status_field)
        allowed = self.available_transitions(current)
        if expected_from is not None and current not in set(expected_from):
            allowed = frozenset()
        if to not in allowed:
            labels = status_labels(self.model, self.status_field)
            raise InvalidTransition(
                current=current, target=to, current_label=labels.get(current), target_label=labels.get(to)
            )
        if to in self.reason_required and not reason:
            raise ReasonRequired(target=to)
        setattr(locked, self.status_field, to)
        update_fields = [self.status_field]
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
            update_fields.append(name)
        if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        if self.after_move is not None:
            self.after_move(locked, current, to)
        event = self._event(locked, by=by, from_status=current, to_status=to, reason=reason, details=details)
        self._emit(locked, event)
        return locked, event

    def lock(self, obj, *related: str):
        """Return `obj`'s row, locked for this transaction (with `related` rows joined in).

        A service that must look at the row before moving it (who may, what is missing)
        locks it here once and hands it to `move(..., locked=True)`.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.lock must run inside transaction.atomic().")
        rows = self.model._default_manager.select_for_update()
        return (rows.select_related(*related) if related else rows).get(pk=obj.pk)

    def record(
        self,
        *,
        obj,
        by,
        reason: str = "",
        details: dict | None = None,
        created: bool = False,
        emit: bool | None = None,
    ):
        """Write an event without a move: a creation (from "") or a note such as a warning.

        A creation is announced like a move; `emit=True` announces a note too, for a row
        whose news is not its status (a merchant's requirements changed, its standing not).
        """
        current = getattr(obj, self.status_field)
        event = self._event(
            obj,
            by=by,
            from_status="" if created else current,
            to_status=current,
            reason=reason,
            details=details,
        )
        if created if emit is None else emit:
            self._emit(obj, event)
        return event

    def _emit(self, obj, event) -> None:
        event_type = self.webhook_event_type(event.to_status)
        if event_type is None:
            return
        for listener in status_events:
            listener(workflow=self, event_type=event_type, obj=obj, transition=event)

    def _event(self, obj, *, by, from_status, to_status, reason, details):
        return self.event_model.objects.create(
            **{self.event_subject_field: obj},
            actor=by if getattr(by, "is_authenticated", False) else None,
            from_status=from_status,
            to_status=to_status,
            reason=(reason or "").strip(),
            details=details or {},
        )
