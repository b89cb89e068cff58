"""Webhook endpoints, the outbox of deliveries and the per-attempt log (see core.webhooks)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import TimeStampedModel, public_id_field

from .delivery import new_secret


class EventType(models.TextChoices):
    APPLICATION_STATUS_CHANGED = "application.status_changed", _("Onboarding application status changed")
    MEMBERSHIP_STATUS_CHANGED = "membership.status_changed", _("Belt membership status changed")
    PRODUCT_PUBLISHED = "product.published", _("Product published")
    PRODUCT_UNPUBLISHED = "product.unpublished", _("Product unpublished")
    PRODUCT_HIDDEN = "product.hidden", _("Product hidden by staff")
    PRODUCT_DELETED = "product.deleted", _("Product deleted")
    REQUIREMENTS_UPDATED = "merchant.requirements_updated", _("Merchant requirements or standing changed")
    VIDEO_PUBLISHED = "video.published", _("Video published")
    LIVE_SESSION_STARTED = "live_session.started", _("Live session started")
    PING = "ping", _("Test ping")


# What an endpoint may subscribe to; a ping goes to the one endpoint that asked for it.
SUBSCRIBABLE_EVENT_TYPES = [choice for choice in EventType if choice != EventType.PING]


class WebhookEndpoint(TimeStampedModel):
    """A URL a partner registered, the events it wants and the secret that signs them.

    The secret is stored as typed, not hashed: every delivery is signed with it (HMAC
    needs the key itself). It is shown to the partner on creation and rotation only,
    never listed by the API nor shown in admin. After a rotation the secret it replaced
    stays in `previous_secret` until `previous_secret_expires_at`, and deliveries are
    signed with both meanwhile, so a receiver can switch secrets without missing one.
    """

    public_id = public_id_field()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    # Set when registered with a provider's token: it receives the provider's events.
    provider = models.ForeignKey(
        "industrybelts.ServiceProvider",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.CharField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        db_table = "merchants_webhookendpoint"  # merchants' table, moved to core as it was
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The recipients of an event: a merchant's own endpoints (owner, provider null).
            models.Index(fields=["owner", "provider"], name="webhook_endpoint_owner_idx"),
            # The sweeper's erasure of previous secrets whose window has closed.
            models.Index(
                fields=["previous_secret_expires_at"],
                condition=Q(previous_secret_expires_at__isnull=False),
                name="webhook_endpoint_rotation_idx",
            ),
        ]

    def __str__(self):
        return self.url

    @classmethod
    def generate_secret(cls) -> str:
        return new_secret()

    def signing_secrets(self, at) -> list[str]:
        """Return the secrets a request signed at `at` carries: the current one first, then
        the one it replaced while that one's window is open."""
        if self.previous_secret and self.previous_secret_expires_at and at < self.previous_secret_expires_at:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TimeStampedModel):
    """One event for one endpoint: the outbox row, written in the transaction of the change."""

    public_id = public_id_field()
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # The same for every endpoint that receives the event: receivers de-duplicate by it.
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When a pending delivery is due; while an attempt is in flight, when its claim lapses.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        db_table = "merchants_webhookdelivery"  # merchants' table, moved to core as it was
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_list_idx"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "endpoint"], name="webhook_delivery_once_per_endpoint"
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.event_id})"


class WebhookAttempt(TimeStampedModel):
    """One HTTP attempt of a delivery: the delivery log with its response code."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(_("started at"))
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        db_table = "merchants_webhookattempt"  # merchants' table, moved to core as it was
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["delivery", "started_at"], name="webhook_attempt_log_idx")]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
