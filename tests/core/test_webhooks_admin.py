"""Staff screens of the webhooks: lists, the attempt log inline, redeliver, disable and enable."""

import pytest
from django.urls import reverse

from core.webhooks import services
from core.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.core.webhooks_support import endpoint_for, running_receiver
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    yield from running_receiver()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def failed_delivery(receiver):
    receiver.answer(404)
    endpoint = endpoint_for(UserFactory(), receiver.url(), ["product.published"])
    delivery = services.webhook_endpoint_ping(endpoint=endpoint)
    services.webhook_delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    return delivery


def test_delivery_page_shows_the_attempt_log_and_never_the_secrets(admin_client, failed_delivery):
    endpoint, _secret = services.webhook_endpoint_rotate_secret(endpoint=failed_delivery.endpoint)

    listed = admin_client.get(reverse("admin:core_webhookdelivery_changelist"))
    page = admin_client.get(reverse("admin:core_webhookdelivery_change", args=[failed_delivery.pk]))
    endpoint_page = admin_client.get(reverse("admin:core_webhookendpoint_change", args=[endpoint.pk]))

    assert listed.status_code == 200
    assert page.status_code == 200
    assert "HTTP 404" in page.content.decode()
    assert endpoint_page.status_code == 200
    for secret in (endpoint.secret, endpoint.previous_secret):
        assert secret not in page.content.decode()
        assert secret not in endpoint_page.content.decode()


def test_redeliver_action_makes_a_fresh_attempt_through_the_service(
    admin_client, failed_delivery, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(
            reverse("admin:core_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [failed_delivery.pk]},
        )
    assert response.status_code == 302
    assert len(queued) == 1
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.PENDING

    services.webhook_delivery_send(delivery_id=failed_delivery.pk)

    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in failed_delivery.attempt_log.all()] == [404, 200]


def test_disable_and_enable_actions(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    endpoint = endpoint_for(UserFactory(), "https://93.184.215.14/h", ["product.published"])
    pending = services.webhook_endpoint_ping(endpoint=endpoint)
    changelist = reverse("admin:core_webhookendpoint_changelist")

    client.post(changelist, {"action": "disable_endpoints", "_selected_action": [endpoint.pk]})

    endpoint.refresh_from_db()
    pending.refresh_from_db()
    assert endpoint.is_active is False
    assert staff.email in endpoint.disabled_reason
    assert pending.status == DeliveryStatus.FAILED
    client.post(changelist, {"action": "enable_endpoints", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at) == (True, 0, None)


def test_staff_without_webhook_permissions_see_nothing_and_cannot_act(client, failed_delivery):
    client.force_login(StaffFactory(group="reviewer"))

    listed = client.get(reverse("admin:core_webhookdelivery_changelist"))
    acted = client.post(
        reverse("admin:core_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [failed_delivery.pk]},
    )

    assert listed.status_code == 403
    assert acted.status_code == 403
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.FAILED
    assert WebhookEndpoint.objects.get().is_active
    assert WebhookDelivery.objects.count() == 1


def test_support_staff_may_redeliver_and_disable_but_reviewers_see_nothing(
    client, failed_delivery, django_capture_on_commit_callbacks
):
    endpoint = failed_delivery.endpoint
    client.force_login(StaffFactory(group="reviewer"))
    assert client.get(reverse("admin:core_webhookdelivery_changelist")).status_code == 403

    client.force_login(StaffFactory(group="support"))
    with django_capture_on_commit_callbacks() as queued:
        client.post(
            reverse("admin:core_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [failed_delivery.pk]},
        )
    client.post(
        reverse("admin:core_webhookendpoint_changelist"),
        {"action": "disable_endpoints", "_selected_action": [endpoint.pk]},
    )

    assert len(queued) == 1
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and "@" in endpoint.disabled_reason
