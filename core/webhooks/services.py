"""Every write of the webhooks: endpoints, the outbox, sending, retrying and disabling.

Keyword-only, atomic where they write; the API, admin, the Celery tasks and
`Workflow` (through `webhook_emit`) all call these.
"""

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import send_templated_email
from core.exceptions import DomainError
from core.tasks import enqueue_on_commit

from . import delivery as http_delivery
from . import subjects, targets
from .models import (
    SUBSCRIBABLE_EVENT_TYPES,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

EndpointDisabled = DomainError.define(
    "EndpointDisabled", "endpoint_disabled", _("This endpoint is disabled; enable it first."), http_status=409
)
# A conflict with the account's state (remove one first), not a malformed request.
TooManyEndpoints = DomainError.define(
    "TooManyEndpoints",
    "too_many_endpoints",
    _("You already have %(max)d webhook endpoints; remove one first."),
    http_status=409,
)
UnknownEventType = DomainError.define(
    "UnknownEventType", "invalid_choice", _("Unknown event type: %(value)s.")
)


def _queue_send(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        enqueue_on_commit("core.webhooks.tasks.deliver_webhook_task", delivery_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Return the wait after the `attempts`-th failed attempt: base × 2^(n-1), capped."""
    seconds = settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.WEBHOOKS_RETRY_MAX_SECONDS))


# --- The outbox ---------------------------------------------------------------------------


def webhook_emit(*, event_type: str, obj, transition, workflow) -> list[WebhookDelivery]:
    """Write one pending delivery per endpoint subscribed to `event_type` about `obj`.

    Runs inside the transaction of the status change (a `status_events` listener of
    core.transitions), so a rollback leaves no row and sends nothing; sending is queued for
    after commit. The workflow says who hears of it and what the payload holds.
    """
    subject = workflow.webhook_subject(obj)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(subject.recipients, is_active=True)
        .filter(owner__is_active=True)
        .only("pk", "event_types")
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": event_type,
        "created_at": transition.created_at.isoformat(),
        "data": subjects.event_data(subject, transition),
    }
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    _queue_send([d.pk for d in deliveries])
    return deliveries


# --- Endpoints -----------------------------------------------------------------------------


def clean_event_types(event_types) -> list[str]:
    allowed = {str(choice) for choice in SUBSCRIBABLE_EVENT_TYPES}
    for value in event_types:
        if value not in allowed:
            raise UnknownEventType(value=value)
    return sorted(set(event_types))


@transaction.atomic
def webhook_endpoint_create(*, owner, provider=None, url: str, event_types) -> tuple[WebhookEndpoint, str]:
    """Register `url` for `event_types`; return the endpoint and its secret (shown this once)."""
    event_types = clean_event_types(event_types)
    targets.resolve_target(url)
    mine = WebhookEndpoint.objects.all()
    mine = mine.filter(provider=provider) if provider is not None else mine.filter(owner=owner, provider=None)
    if mine.count() >= settings.WEBHOOKS_MAX_ENDPOINTS:
        raise TooManyEndpoints(max=settings.WEBHOOKS_MAX_ENDPOINTS)
    secret = WebhookEndpoint.generate_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, provider=provider, url=url, event_types=event_types, secret=secret
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(*, endpoint, url=None, event_types=None, is_active=None) -> WebhookEndpoint:
    """Change the URL, the events or pause/resume; resuming clears the failure count."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = []
    if event_types is not None:
        locked.event_types = clean_event_types(event_types)
        fields.append("event_types")
    if url is not None and url != locked.url:
        targets.resolve_target(url)
        locked.url = url
        fields.append("url")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    if is_active is True and not locked.is_active:
        locked = webhook_endpoint_enable(endpoint=locked)
    elif is_active is False and locked.is_active:
        locked = webhook_endpoint_disable(endpoint=locked, reason=str(_("Paused by its owner.")))
    return locked


# How long a replaced secret still signs; read here, with its default, as the settings
# modules do not name it.
DEFAULT_SECRET_ROTATION_HOURS = 24


def secret_rotation_window() -> datetime.timedelta:
    """Return how long a replaced secret keeps signing (WEBHOOKS_SECRET_ROTATION_HOURS, 24 h)."""
    hours = getattr(settings, "WEBHOOKS_SECRET_ROTATION_HOURS", DEFAULT_SECRET_ROTATION_HOURS)
    return datetime.timedelta(hours=max(hours, 0))


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint, now=None) -> tuple[WebhookEndpoint, str]:
    """Issue a new secret; the one it replaces keeps signing too until the rotation window closes.

    Attempts from now on (retries included) carry a signature under each, so a receiver
    holding either verifies. Only the secret just replaced is kept: rotating again within
    the window drops the older one. A zero window replaces the secret at once.
    """
    now = now or timezone.now()
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    window = secret_rotation_window()
    if window:
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = now + window
    else:
        locked.previous_secret = ""
        locked.previous_secret_expires_at = None
    locked.secret = WebhookEndpoint.generate_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return locked, locked.secret


def webhook_previous_secrets_forget(*, now=None) -> int:
    """Erase the replaced secrets whose window has closed (they sign nothing any more)."""
    now = now or timezone.now()
    return WebhookEndpoint.objects.filter(previous_secret_expires_at__lte=now).update(
        previous_secret="", previous_secret_expires_at=None, updated_at=now
    )


@transaction.atomic
def webhook_endpoint_delete(*, endpoint) -> None:
    """Remove the endpoint with its deliveries and their log; a queued send finds nothing."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def webhook_endpoint_disable(*, endpoint, reason: str, notify: bool = False) -> WebhookEndpoint:
    """Stop sending to the endpoint; its pending deliveries fail now. `notify` e-mails the owner."""
    locked = WebhookEndpoint.objects.select_for_update().select_related("owner").get(pk=endpoint.pk)
    if not locked.is_active:
        return locked
    locked.is_active = False
    locked.disabled_at = timezone.now()
    locked.disabled_reason = reason[:200]
    locked.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    locked.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error="endpoint disabled",
        updated_at=timezone.now(),
    )
    if notify:
        _notify_disabled(locked)
    return locked


@transaction.atomic
def webhook_endpoint_enable(*, endpoint) -> WebhookEndpoint:
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.is_active:
        return locked
    locked.is_active = True
    locked.disabled_at = None
    locked.disabled_reason = ""
    locked.consecutive_failures = 0
    locked.save(
        update_fields=["is_active", "disabled_at", "disabled_reason", "consecutive_failures", "updated_at"]
    )
    return locked


def _notify_disabled(endpoint) -> None:
    owner = endpoint.owner
    send_templated_email(
        template_prefix="merchants/email/webhook_disabled",
        to=owner.email,
        language=owner.language,
        context={
            "endpoint": endpoint,
            "failures": endpoint.consecutive_failures,
            "name": owner.get_short_name(),
        },
    )


@transaction.atomic
def webhook_endpoint_ping(*, endpoint) -> WebhookDelivery:
    """Queue a `ping` event to this endpoint only, to test the receiver and its signature check."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not locked.is_active:
        raise EndpointDisabled()
    event_id = uuid.uuid4()
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=locked,
        event_id=event_id,
        event_type=EventType.PING,
        payload={
            "id": str(event_id),
            "type": EventType.PING.value,
            "created_at": now.isoformat(),
            "data": {"endpoint": str(locked.public_id)},
        },
        next_attempt_at=now,
    )
    _queue_send([delivery.pk])
    return delivery


# --- Sending ----------------------------------------------------------------------------------


@transaction.atomic
def webhook_delivery_redeliver(*, delivery) -> WebhookDelivery:
    """Send the delivery again now (same event id and payload), whatever its status.

    It gets what is left of the retry budget, and at least this one attempt.
    """
    locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not locked.endpoint.is_active:
        raise EndpointDisabled()
    locked.status = DeliveryStatus.PENDING
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
    _queue_send([locked.pk])
    return locked


def claim_lease() -> datetime.timedelta:
    """Return how long a claimed delivery is held: longer than deliver_webhook_task's hard
    time limit (timeout × 2 + 10 s), so it is never sent by two workers at once; after a
    worker died mid-attempt, the sweeper finds it due again once this has passed."""
    return datetime.timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS * 2 + 30)


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    """Take a due pending delivery for one attempt: count it and hold it for the lease.

    The row is locked with SKIP LOCKED, so of two workers given the same delivery one
    claims it and the other returns at once; the lease (next_attempt_at in the future)
    keeps it from the sweeper while the request is in flight, and frees it again if the
    worker dies mid-way.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = "endpoint disabled"
            delivery.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + claim_lease()
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return delivery


def webhook_delivery_send(*, delivery_id: int, now=None) -> WebhookAttempt | None:
    """Make one attempt of a due delivery and record it; None when it is not ours to send.

    Not atomic on purpose: the HTTP request runs between two short transactions (the
    claim and the result), never inside one. `now` lets tests move time forward.
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    outcome = http_delivery.send(
        url=endpoint.url,
        signing_secrets=endpoint.signing_secrets(at=now),
        event_id=str(delivery.event_id),
        payload=delivery.payload,
    )
    return _record(delivery, outcome, started_at=now)


@transaction.atomic
def _record(delivery, outcome: http_delivery.Outcome, *, started_at) -> WebhookAttempt | None:
    locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if locked is None:  # the endpoint was removed while the request was in flight
        return None
    attempt = WebhookAttempt.objects.create(
        delivery=locked,
        started_at=started_at,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
    )
    locked.last_status_code = outcome.status_code
    locked.last_error = outcome.error
    finished_at = started_at + datetime.timedelta(milliseconds=outcome.duration_ms)
    if outcome.succeeded:
        locked.status = DeliveryStatus.SUCCEEDED
        locked.delivered_at = finished_at
        locked.next_attempt_at = None
    elif outcome.retryable and locked.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
        locked.status = DeliveryStatus.PENDING
        locked.next_attempt_at = finished_at + retry_delay(locked.attempts)
    else:
        locked.status = DeliveryStatus.FAILED
        locked.next_attempt_at = None
    locked.save(
        update_fields=[
            "status", "last_status_code", "last_error", "delivered_at", "next_attempt_at", "updated_at",
        ]
    )  # fmt: skip
    if locked.status == DeliveryStatus.SUCCEEDED:
        WebhookEndpoint.objects.filter(pk=locked.endpoint_id, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
    elif locked.status == DeliveryStatus.FAILED:
        _count_failure(locked.endpoint_id)
    return attempt


def _count_failure(endpoint_id: int) -> None:
    """One more delivery failed for good; past the limit, disable the endpoint and tell its owner."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES:
        webhook_endpoint_disable(
            endpoint=endpoint,
            reason=str(_("%(count)d deliveries in a row failed.") % {"count": endpoint.consecutive_failures}),
            notify=True,
        )


def webhook_deliveries_due(*, now=None, limit: int | None = None) -> list[int]:
    """Return the ids of pending deliveries whose time has come (lost tasks, retries)."""
    now = now or timezone.now()
    limit = limit or settings.WEBHOOKS_SWEEP_BATCH
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
