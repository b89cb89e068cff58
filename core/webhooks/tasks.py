"""Celery tasks of the webhooks: send one delivery, and the sweeper that finds due ones."""

from celery import shared_task
from django.conf import settings

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .services import webhook_deliveries_due, webhook_delivery_send, webhook_previous_secrets_forget

# An attempt is bounded by the lookup and the request deadline (each WEBHOOKS_TIMEOUT_SECONDS);
# the hard limit stays under the claim's lease (services.claim_lease), so a delivery is never
# sent by two workers at once.
DELIVERY_TIME_LIMIT = settings.WEBHOOKS_TIMEOUT_SECONDS * 2 + 10


@shared_task(
    **IDEMPOTENT_TASK_OPTIONS, soft_time_limit=DELIVERY_TIME_LIMIT - 5, time_limit=DELIVERY_TIME_LIMIT
)
def deliver_webhook_task(delivery_id: int) -> None:
    """Make one attempt of the delivery if it is still pending and due; a duplicate does nothing.

    Retries are not Celery retries: a failed attempt sets the delivery's next_attempt_at
    and the sweeper queues it again then, so a lost message or a restart loses nothing.
    """
    webhook_delivery_send(delivery_id=delivery_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def send_due_webhook_deliveries_task() -> int:
    """Queue every pending delivery whose time has come (beat, every minute).

    It also erases the replaced secrets whose rotation window has closed.
    """
    webhook_previous_secrets_forget()
    due = webhook_deliveries_due()
    for delivery_id in due:
        deliver_webhook_task.delay(delivery_id)
    return len(due)
