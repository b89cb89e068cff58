"""A Celery worker killed (SIGKILL) mid-delivery: no event is lost, and what it sends twice
carries the same `webhook-id`, so a receiver can drop the repeat.

PostgreSQL and a real worker. The test starts a worker of its own, with the session
worker's command line (tests/conftest.py) but a queue of its own, and sends the delivery
tasks there itself: killing it cannot harm the session's worker, and the session's worker
never takes one of these deliveries (sharing the session's queue would make which worker
holds the in-flight request a matter of luck). The outbox rows are written as
`webhook_emit` writes them but not queued by it, since its after-commit send goes to the
session's queue.

The worker dies while the slow receiver holds a request. Redis keeps that task's message
unacknowledged for its visibility timeout (an hour), so what brings the delivery back is
the outbox: its claim lapses (services.claim_lease) and the sweeper, run by the restarted
worker as beat would have it, queues it again.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from kombu import Exchange, Queue
from standardwebhooks import Webhook

from config.celery_app import app as celery_app
from core.webhooks.models import DeliveryStatus, EventType, WebhookDelivery
from core.webhooks.services import claim_lease
from core.webhooks.tasks import deliver_webhook_task, send_due_webhook_deliveries_task
from tests.conftest import REQUIRE_SERVICES, WORKER_START_TIMEOUT, _worker_database_url, uses_worker
from tests.core.webhooks_support import HANG, endpoint_for, running_receiver
from tests.industrybelts.conftest import approved_merchant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PUBLISHED = EventType.PRODUCT_PUBLISHED.value
EVENTS = 8
# The receiver holds the KILL_AT-th request unanswered; the worker is killed meanwhile.
KILL_AT = 3
# Seconds the receiver takes over every other answer: well inside WEBHOOKS_TIMEOUT_SECONDS.
SLOW_ANSWER = 0.5


@pytest.fixture
def receiver():
    yield from running_receiver()


def _start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    """Start a worker as tests/conftest.py starts the session's, on `queue`; wait for its answer."""
    name = f"webhook-faults-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _worker_database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": settings.EMAIL_FILE_PATH,
        "TEST_FILES_DIR": str(Path(settings.MEDIA_ROOT).parent),
    }
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "-Q", queue, "-n", name],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not celery_app.control.ping(destination=[name], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
    return process


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _forget_queue(queue: str) -> None:
    """Remove the test's queue from Redis, with the killed worker's unacknowledged message.

    Left alone, that message would be put back on this queue an hour from now, by whatever
    worker polls the broker then, to wait there forever.
    """
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            _message, _exchange, routing_key = json.loads(raw)
            if routing_key == queue:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)
        bound = Queue(queue, Exchange(queue), routing_key=queue)(channel)
        bound.declare()  # known to this channel, so that delete() removes its binding too
        bound.delete()


def _outbox_rows(endpoint, count: int) -> list[WebhookDelivery]:
    """Write `count` events' pending deliveries to `endpoint`, due now, as webhook_emit does."""
    now = timezone.now()
    rows = []
    for number in range(count):
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "type": PUBLISHED,
            "created_at": now.isoformat(),
            "data": {"n": number},
        }
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=PUBLISHED,
                payload=payload,
                next_attempt_at=now,
            )
        )
    return WebhookDelivery.objects.bulk_create(rows)


def test_a_worker_killed_mid_delivery_loses_no_event_and_repeats_with_the_same_webhook_id(receiver, tmp_path):
    if not uses_worker():
        if REQUIRE_SERVICES:
            pytest.fail("needs a Celery broker (CELERY_BROKER_URL), and REQUIRE_SERVICES=1 forbids skipping")
        pytest.skip("needs a Celery broker (set CELERY_BROKER_URL) for a real worker")
    seller = approved_merchant()
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    receiver.delay = SLOW_ANSWER
    receiver.answer(*[200] * (KILL_AT - 1), HANG)
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-faults-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker(queue, log_path)
    restarted = None
    try:
        deliveries = _outbox_rows(endpoint, EVENTS)
        for delivery in deliveries:
            deliver_webhook_task.apply_async((delivery.pk,), queue=queue)

        # Given: the worker dies while the receiver holds a request it has received.
        in_flight = receiver.wait_for(KILL_AT)[-1]
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
        orphan = WebhookDelivery.objects.get(event_id=in_flight.headers["webhook-id"])
        assert (orphan.status, orphan.attempts, orphan.attempt_log.count()) == (DeliveryStatus.PENDING, 1, 0)
        assert (
            orphan.next_attempt_at > timezone.now()
        )  # claimed: the sweeper leaves it until the lease lapses
        assert WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.SUCCEEDED).count() == (
            KILL_AT - 1
        )

        # When: a worker starts again on the queue, and the sweeper runs (every second here).
        restarted = _start_worker(queue, log_path)
        deadline = time.monotonic() + claim_lease().total_seconds() + 60
        while undelivered := WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).count():
            assert time.monotonic() < deadline, (
                f"{undelivered} deliveries still undelivered\n{log_path.read_text()[-3000:]}"
            )
            send_due_webhook_deliveries_task.apply_async(queue=queue)
            time.sleep(1)
    finally:
        _stop(worker)
        _stop(restarted)
        _forget_queue(queue)

    # Then: every event reached the receiver; the one in flight came twice, as one webhook-id.
    received = [request.headers["webhook-id"] for request in receiver.requests]
    per_event = Counter(received)
    duplicates = {event_id: count - 1 for event_id, count in per_event.items() if count > 1}
    print(
        f"\nwebhook fault test: events sent {EVENTS}, requests received {len(received)}, "
        f"distinct events received {len(per_event)}, duplicates {sum(duplicates.values())} "
        f"(same webhook-id: {sorted(duplicates)})"
    )
    assert set(per_event) == {str(delivery.event_id) for delivery in deliveries}
    assert duplicates == {str(orphan.event_id): 1}
    first, repeat = [
        request for request in receiver.requests if request.headers["webhook-id"] == str(orphan.event_id)
    ]
    assert repeat.body == first.body
    for request in (first, repeat):
        assert Webhook(endpoint.secret).verify(request.body, request.headers)["id"] == str(orphan.event_id)
    orphan.refresh_from_db()
    assert (orphan.attempts, [a.status_code for a in orphan.attempt_log.all()]) == (2, [200])
    assert sorted(WebhookDelivery.objects.values_list("attempts", flat=True)) == [1] * (EVENTS - 1) + [2]
