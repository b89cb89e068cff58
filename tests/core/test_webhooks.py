"""Webhooks against a real HTTP receiver on loopback: Standard Webhooks signatures (checked
with the `standardwebhooks` package and the documented shell check), the deprecated
headers, the outbox and the transaction, retries with backoff, no redirects, disabling,
and every emission point."""

import base64
import datetime
import json
import secrets
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from core.webhooks import delivery as http_delivery
from core.webhooks import services
from core.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from core.webhooks.tasks import send_due_webhook_deliveries_task
from industrybelts import services as belt_services
from merchants import services as merchant_services
from storefront import services as product_services
from tests.core.webhooks_support import (
    HANG,
    REDIRECT_PATH,
    Receiver,
    endpoint_for,
    legacy_signature,
    running_receiver,
    wait_for_delivery,
)
from tests.factories import ApplicationFactory, StaffFactory, UserFactory, fill_application
from tests.industrybelts.conftest import apparel, approved_merchant, approved_provider, invited  # noqa: F401
from tests.storefront.conftest import make_product


@pytest.fixture
def receiver():
    yield from running_receiver()


PUBLISHED = EventType.PRODUCT_PUBLISHED.value
DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _documented_block(language: str, containing: str) -> str:
    """The code block of `language` in docs/webhooks.md that contains `containing`."""
    blocks = [block.split("```", 1)[0] for block in DOCS.read_text().split(f"```{language}\n")[1:]]
    [block] = [block for block in blocks if containing in block]
    return block


def _documented_verify():
    """The Python check printed in docs/webhooks.md, run as written."""
    namespace: dict = {}
    exec(_documented_block("python", "def verify"), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify"]


def _documented_shell_check(request, secret: str, tmp_path, *, body: bytes | None = None) -> str:
    """Run the shell check printed in docs/webhooks.md on a received request; return its output."""
    (tmp_path / "body.json").write_bytes(request.body if body is None else body)
    headers = {key.lower(): value for key, value in request.headers.items()}
    variables = {
        "SECRET": secret,
        "ID": headers["webhook-id"],
        "TS": headers["webhook-timestamp"],
        "SIGS": headers.get("webhook-signature", ""),
    }
    result = subprocess.run(
        ["bash", "-c", _documented_block("sh", "openssl")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.stderr == ""
    return result.stdout.strip()


def _only_delivery(endpoint) -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    return delivery


# --- Sent after commit, signed ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_committed_change_reaches_the_receiver_and_verifies_with_the_standard_webhooks_library(receiver):
    seller = approved_merchant()
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])

    product = make_product(seller)

    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    headers = {key.lower(): value for key, value in request.headers.items()}
    assert Webhook(endpoint.secret).verify(request.body, request.headers) == body
    assert _documented_verify()(endpoint.secret, request.headers, request.body) == body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        _documented_verify()(WebhookEndpoint.generate_secret(), request.headers, request.body)
    assert headers["webhook-id"] == body["id"]
    assert headers["webhook-signature"].startswith("v1,")
    assert " " not in headers["webhook-signature"]  # one secret, one signature
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 300
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["user-agent"].startswith("KSP-Webhooks/")
    assert body["type"] == "product.published"
    assert body["data"]["product"] == {
        "id": str(product.public_id),
        "status": "published",
        "title": product.title,
        "merchant": str(seller.public_id),
    }
    assert (body["data"]["from_status"], body["data"]["to_status"]) == ("draft", "published")
    delivery = wait_for_delivery(
        _only_delivery(endpoint).pk, done=lambda d: d.status != DeliveryStatus.PENDING
    )
    assert str(delivery.event_id) == body["id"]
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert [a.status_code for a in delivery.attempt_log.all()] == [200]


@pytest.mark.django_db
def test_a_tampered_body_a_rewritten_timestamp_or_an_old_request_fails_the_library_check(receiver, seller):
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)
    services.webhook_delivery_send(delivery_id=delivery.pk)
    [request] = receiver.requests
    webhook = Webhook(endpoint.secret)
    assert webhook.verify(request.body, request.headers)["id"] == str(delivery.event_id)

    tampered = request.body.replace(b'"title":"', b'"title":"X')
    assert tampered != request.body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(tampered, request.headers)
    a_second_later = str(int(request.headers["webhook-timestamp"]) + 1)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(request.body, {**request.headers, "webhook-timestamp": a_second_later})

    ten_minutes_ago = int(time.time()) - 600
    outcome = http_delivery.send(
        url=receiver.url(),
        signing_secrets=[endpoint.secret],
        event_id=str(delivery.event_id),
        payload=delivery.payload,
        timestamp=ten_minutes_ago,
    )
    assert outcome.succeeded
    old = receiver.requests[1]
    signed_then = datetime.datetime.fromtimestamp(ten_minutes_ago, tz=datetime.UTC)
    assert old.headers["webhook-signature"] == webhook.sign(str(delivery.event_id), signed_then, old.body)
    with pytest.raises(WebhookVerificationError, match="too old"):
        webhook.verify(old.body, old.headers)


@pytest.mark.django_db
def test_the_documented_shell_check_accepts_a_received_request_and_refuses_a_tampered_one(
    receiver, seller, tmp_path
):
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    services.webhook_delivery_send(delivery_id=_only_delivery(endpoint).pk)
    [request] = receiver.requests

    assert _documented_shell_check(request, endpoint.secret, tmp_path) == "valid"
    assert _documented_shell_check(request, endpoint.secret, tmp_path, body=request.body + b" ") == ""
    assert _documented_shell_check(request, WebhookEndpoint.generate_secret(), tmp_path) == ""


@pytest.mark.django_db
def test_the_deprecated_x_webhook_headers_are_still_sent_and_verify(receiver, seller):
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    services.webhook_delivery_send(delivery_id=_only_delivery(endpoint).pk)

    [request] = receiver.requests
    headers = request.headers
    assert headers["X-Webhook-Id"] == headers["webhook-id"] == json.loads(request.body)["id"]
    assert headers["X-Webhook-Timestamp"] == headers["webhook-timestamp"]
    assert headers["X-Webhook-Signature"] == legacy_signature(
        endpoint.secret, headers["X-Webhook-Timestamp"], request.body
    )


def test_issued_secrets_are_standard_webhooks_secrets_and_older_ones_are_told_apart():
    issued = WebhookEndpoint.generate_secret()
    before_the_standard = "whsec_" + secrets.token_urlsafe(32)  # how secrets were issued until now
    short = "whsec_" + base64.b64encode(b"k" * 16).decode()

    assert issued.startswith("whsec_")
    assert http_delivery.standard_key(issued) == base64.b64decode(issued.removeprefix("whsec_"))
    assert len(http_delivery.standard_key(issued)) == 32
    assert http_delivery.standard_key(before_the_standard) is None
    assert http_delivery.standard_key(short) is None
    assert http_delivery.standard_key("no-prefix") is None


@pytest.mark.django_db
def test_an_endpoint_with_a_secret_from_before_the_standard_gets_the_deprecated_signature_only(
    receiver, seller
):
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    old_format = "whsec_" + secrets.token_urlsafe(32)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=old_format)
    make_product(seller)

    services.webhook_delivery_send(delivery_id=_only_delivery(endpoint).pk)

    [request] = receiver.requests
    assert "webhook-signature" not in request.headers
    assert request.headers["webhook-id"] == request.headers["X-Webhook-Id"]
    assert request.headers["X-Webhook-Signature"] == legacy_signature(
        old_format, request.headers["X-Webhook-Timestamp"], request.body
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_writes_no_delivery_and_sends_nothing(receiver):
    seller = approved_merchant()
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    rolled_back = make_product(seller, title="回滚的商品", publish=False)
    committed = make_product(seller, title="提交的商品", publish=False)

    with pytest.raises(RuntimeError), transaction.atomic():
        product_services.product_publish(product=rolled_back, by=seller.user)
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
        raise RuntimeError("the rest of the change failed")
    assert not WebhookDelivery.objects.exists()
    product_services.product_publish(product=committed, by=seller.user)

    [request] = receiver.wait_for(1)
    # The outbox is the only sender: with one row, for the committed good, nothing else can
    # go out, now or later (no sleep needed to show that nothing came).
    assert _only_delivery(endpoint).payload["data"]["product"]["id"] == str(committed.public_id)
    assert json.loads(request.body)["data"]["product"]["id"] == str(committed.public_id)
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_a_due_delivery_whose_task_was_lost(receiver):
    seller = approved_merchant()
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    lost = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="8c0f4f3e-6d5c-4a8e-9b59-0c3c7d1e2f10",
        event_type=PUBLISHED,
        payload={"id": "8c0f4f3e-6d5c-4a8e-9b59-0c3c7d1e2f10", "type": PUBLISHED, "data": {}},
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5),
    )

    assert send_due_webhook_deliveries_task() == 1

    [request] = receiver.wait_for(1)
    assert request.headers["webhook-id"] == "8c0f4f3e-6d5c-4a8e-9b59-0c3c7d1e2f10"
    delivered = wait_for_delivery(lost.pk, done=lambda d: d.status == DeliveryStatus.SUCCEEDED)
    assert delivered.last_status_code == 200


# --- Retries, no redirects, disabling (attempts driven here, time moved forward) ---------------


@pytest.fixture
def seller(db):
    return approved_merchant()


@pytest.mark.django_db
@override_settings(WEBHOOKS_MAX_ATTEMPTS=3, WEBHOOKS_RETRY_BASE_SECONDS=60)
def test_a_failing_receiver_is_retried_with_backoff_then_the_delivery_fails(receiver, seller):
    receiver.default = 500
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)
    start = delivery.next_attempt_at

    services.webhook_delivery_send(delivery_id=delivery.pk, now=start)
    delivery.refresh_from_db()
    first_retry = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.PENDING
    assert 60 <= (first_retry - start).total_seconds() < 62
    assert services.webhook_deliveries_due(now=first_retry - datetime.timedelta(seconds=1)) == []
    assert (
        services.webhook_delivery_send(delivery_id=delivery.pk, now=start + datetime.timedelta(seconds=30))
        is None
    )
    assert services.webhook_deliveries_due(now=first_retry) == [delivery.pk]

    services.webhook_delivery_send(delivery_id=delivery.pk, now=first_retry)
    delivery.refresh_from_db()
    assert 120 <= (delivery.next_attempt_at - first_retry).total_seconds() < 122
    services.webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 500]
    assert len(receiver.requests) == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {str(delivery.event_id)}
    assert {r.headers["X-Webhook-Id"] for r in receiver.requests} == {str(delivery.event_id)}
    for request in receiver.requests:
        Webhook(endpoint.secret).verify(request.body, request.headers)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 1)


@pytest.mark.django_db
@override_settings(WEBHOOKS_MAX_ATTEMPTS=2, WEBHOOKS_DISABLE_AFTER_FAILURES=2)
def test_repeated_failed_deliveries_disable_the_endpoint_and_e_mail_its_owner(
    receiver, seller, outbox, django_capture_on_commit_callbacks
):
    receiver.default = 500
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller, title="第一件")
    make_product(seller, title="第二件")
    make_product(seller, title="第三件")
    first, second, third = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")

    with django_capture_on_commit_callbacks(execute=True):
        for delivery in (first, second):
            services.webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)
            delivery.refresh_from_db()
            services.webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 2
    third.refresh_from_db()
    assert (third.status, third.attempts, third.last_error) == (DeliveryStatus.FAILED, 0, "endpoint disabled")
    [message] = outbox.wait_for(1)
    assert message.to == [seller.user.email]
    assert endpoint.url in message.body
    assert str(endpoint.public_id) in message.body
    assert len(receiver.requests) == 4
    make_product(seller, title="第四件")
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 3


@pytest.mark.django_db
def test_a_success_clears_the_failure_count(receiver, seller):
    receiver.answer(410)
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller, title="第一件")
    make_product(seller, title="第二件")
    first, second = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")

    services.webhook_delivery_send(delivery_id=first.pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    services.webhook_delivery_send(delivery_id=second.pk)

    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


@pytest.mark.django_db
@pytest.mark.parametrize("code", [301, 302, 307, 400, 404, 410])
def test_redirects_and_client_errors_end_the_delivery_without_retry(receiver, seller, code):
    receiver.answer(code)
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)

    attempt = services.webhook_delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.FAILED, 1, code)
    assert attempt.status_code == code
    assert services.webhook_deliveries_due(now=timezone.now() + datetime.timedelta(days=1)) == []
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert REDIRECT_PATH not in {r.path for r in receiver.requests}


@pytest.mark.django_db
@override_settings(WEBHOOKS_TIMEOUT_SECONDS=0.5)
def test_a_receiver_that_hangs_times_out_and_is_retried(receiver, seller):
    receiver.answer(HANG)
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)

    attempt = services.webhook_delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING
    services.webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.all()] == [None, 200]


@pytest.mark.django_db
def test_a_claimed_delivery_is_not_sent_twice(receiver, seller):
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)

    services.webhook_delivery_send(delivery_id=delivery.pk)
    assert services.webhook_delivery_send(delivery_id=delivery.pk) is None

    assert len(receiver.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_locked_by_another_worker_is_skipped_not_waited_for(receiver):
    seller = approved_merchant()
    endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5",
        event_type=PUBLISHED,
        payload={"id": "0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5", "type": PUBLISHED, "data": {}},
        next_attempt_at=timezone.now(),
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        started = time.monotonic()
        assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
        assert time.monotonic() - started < 2
    finally:
        release.set()
        thread.join()

    assert receiver.requests == []
    assert services.webhook_delivery_send(delivery_id=delivery.pk).status_code == 200


@pytest.mark.django_db
@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_target_refused_at_send_time_is_a_failed_attempt_not_a_crash(receiver, seller):
    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True):
        endpoint = endpoint_for(seller.user, receiver.url(), [PUBLISHED])
    make_product(seller)
    delivery = _only_delivery(endpoint)

    attempt = services.webhook_delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert attempt.status_code is None
    assert attempt.error.startswith("refused target")
    assert delivery.status == DeliveryStatus.FAILED
    assert receiver.requests == []


@pytest.mark.django_db
def test_https_connects_to_the_checked_address_and_verifies_the_url_host_certificate(
    seller, tmp_path, monkeypatch
):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust this one certificate, as a CA would be
    tls_receiver = Receiver(tls=(str(cert), str(key)))
    try:
        by_name = endpoint_for(seller.user, f"https://localhost:{tls_receiver.port}/hook", [PUBLISHED])
        by_address = endpoint_for(seller.user, f"https://127.0.0.1:{tls_receiver.port}/hook", [PUBLISHED])
        make_product(seller)

        signed = services.webhook_delivery_send(delivery_id=_only_delivery(by_name).pk)
        mismatched = services.webhook_delivery_send(delivery_id=_only_delivery(by_address).pk)
    finally:
        tls_receiver.close()

    assert signed.status_code == 200
    [request] = tls_receiver.requests
    assert request.headers["Host"] == f"localhost:{tls_receiver.port}"
    Webhook(by_name.secret).verify(request.body, request.headers)
    assert mismatched.status_code is None
    assert mismatched.error.startswith("SSLCertVerificationError")
    assert _only_delivery(by_address).status == DeliveryStatus.PENDING


# --- Emission: one delivery per subscribed endpoint, same event id -----------------------------


def _deliveries(event_type):
    return list(WebhookDelivery.objects.filter(event_type=event_type).select_related("endpoint"))


@pytest.mark.django_db
def test_application_submitted_reaches_the_merchant_and_the_recruiting_provider(apparel):  # noqa: F811
    provider, provider_owner = approved_provider(apparel)
    application = ApplicationFactory()
    merchant = application.merchant
    invited(provider, apparel, merchant)
    fill_application(application)
    own = endpoint_for(merchant.user, "https://93.184.215.14/own", [EventType.APPLICATION_STATUS_CHANGED])
    endpoint_for(merchant.user, "https://93.184.215.14/goods", [PUBLISHED])
    providers = endpoint_for(
        provider_owner, "https://93.184.215.14/p", [EventType.APPLICATION_STATUS_CHANGED], provider=provider
    )
    stranger = endpoint_for(UserFactory(), "https://93.184.215.14/s", [EventType.APPLICATION_STATUS_CHANGED])
    other_provider, other_owner = approved_provider(apparel)
    endpoint_for(
        other_owner,
        "https://93.184.215.14/o",
        [EventType.APPLICATION_STATUS_CHANGED],
        provider=other_provider,
    )

    merchant_services.application_submit(application=application, by=merchant.user)

    deliveries = _deliveries(EventType.APPLICATION_STATUS_CHANGED)
    assert {d.endpoint for d in deliveries} == {own, providers}
    assert len({d.event_id for d in deliveries}) == 1
    data = deliveries[0].payload["data"]
    assert data["application"] == {
        "id": str(application.public_id),
        "status": "submitted",
        "merchant": str(merchant.public_id),
    }
    assert (data["from_status"], data["to_status"]) == ("draft", "submitted")
    assert stranger.deliveries.count() == 0


@pytest.mark.django_db
def test_membership_pre_approved_reaches_the_merchant_and_its_provider(apparel):  # noqa: F811
    provider, provider_owner = approved_provider(apparel)
    merchant = approved_merchant()
    own = endpoint_for(merchant.user, "https://93.184.215.14/own", [EventType.MEMBERSHIP_STATUS_CHANGED])
    endpoint_for(merchant.user, "https://93.184.215.14/goods", [PUBLISHED])
    providers = endpoint_for(
        provider_owner, "https://93.184.215.14/p", [EventType.MEMBERSHIP_STATUS_CHANGED], provider=provider
    )
    membership = belt_services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    applied = _deliveries(EventType.MEMBERSHIP_STATUS_CHANGED)
    assert {d.endpoint for d in applied} == {own, providers}
    assert {d.payload["data"]["to_status"] for d in applied} == {"applied"}

    belt_services.membership_pre_approve(membership=membership, by=provider_owner)

    pre_approved = [
        d
        for d in _deliveries(EventType.MEMBERSHIP_STATUS_CHANGED)
        if d.payload["data"]["to_status"] == "pre_approved"
    ]
    assert {d.endpoint for d in pre_approved} == {own, providers}
    assert len({d.event_id for d in pre_approved}) == 1
    assert pre_approved[0].payload["data"]["membership"] == {
        "id": str(membership.public_id),
        "status": "pre_approved",
        "merchant": str(merchant.public_id),
        "belt": "apparel",
        "provider": str(provider.public_id),
    }


@pytest.mark.django_db
def test_a_provider_endpoint_stops_receiving_when_its_owner_leaves_the_team(apparel):  # noqa: F811
    provider, provider_owner = approved_provider(apparel)
    merchant = approved_merchant()
    endpoint_for(
        provider_owner, "https://93.184.215.14/p", [EventType.MEMBERSHIP_STATUS_CHANGED], provider=provider
    )
    provider.members.filter(user=provider_owner).delete()

    belt_services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )

    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_product_published_and_hidden_each_reach_only_their_subscribers(seller):
    published = endpoint_for(seller.user, "https://93.184.215.14/pub", [PUBLISHED])
    hidden = endpoint_for(seller.user, "https://93.184.215.14/hid", [EventType.PRODUCT_HIDDEN])
    endpoint_for(UserFactory(), "https://93.184.215.14/other", [PUBLISHED, EventType.PRODUCT_HIDDEN])

    product = make_product(seller)
    assert [(d.endpoint, d.payload["type"]) for d in WebhookDelivery.objects.all()] == [
        (published, PUBLISHED)
    ]
    product_services.product_hide(
        product=product, by=StaffFactory(group="belt-operations"), reason="图片侵权"
    )

    [delivery] = _deliveries(EventType.PRODUCT_HIDDEN)
    assert delivery.endpoint == hidden
    assert delivery.payload["data"]["reason"] == "图片侵权"
    assert WebhookDelivery.objects.count() == 2


@pytest.mark.django_db
def test_no_subscriber_means_one_query_and_no_row(seller, django_assert_num_queries):
    endpoint_for(seller.user, "https://93.184.215.14/pub", [EventType.PRODUCT_HIDDEN])
    product = make_product(seller, publish=False)
    from storefront.workflows import PRODUCT_WORKFLOW

    with transaction.atomic():
        moved, event = PRODUCT_WORKFLOW.move(obj=product, to="deleted", by=seller.user)
        with django_assert_num_queries(1):
            services.webhook_emit(
                event_type=EventType.PRODUCT_DELETED, obj=moved, transition=event, workflow=PRODUCT_WORKFLOW
            )

    assert not WebhookDelivery.objects.exists()


def _trickling_receiver(stop: threading.Event):
    """A raw HTTP server that sends its status line one byte every 0.2 s, for as long as it may."""
    import socket

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)

    def serve():
        try:
            conn, _address = server.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 500:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=serve, daemon=True).start()
    return server


@override_settings(WEBHOOKS_TIMEOUT_SECONDS=1)
def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline():
    from core.webhooks import delivery

    stop = threading.Event()
    server = _trickling_receiver(stop)
    try:
        started = time.monotonic()
        outcome = delivery.send(
            url=f"http://127.0.0.1:{server.getsockname()[1]}/hook",
            signing_secrets=["s"],
            event_id="e",
            payload={},
        )
        took = time.monotonic() - started
    finally:
        stop.set()
        server.close()

    assert outcome.retryable and outcome.status_code is None
    assert outcome.error.startswith("timed out")
    assert took < 2.5  # one deadline, not a timeout per byte (the answer would take 100 s)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("::ffff:8.8.8.8", True),
        ("2002:0808:0808::", True),  # 6to4 around 8.8.8.8
        ("127.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("2002:a9fe:a9fe::", False),  # 6to4 around the cloud metadata address
        ("169.254.169.254", False),
        ("10.1.2.3", False),
        ("fd00::1", False),
    ],
)
def test_targets_inside_any_wrapping_are_private(address, public):
    import ipaddress

    from core.webhooks.targets import _is_public

    assert _is_public(ipaddress.ip_address(address)) is public
