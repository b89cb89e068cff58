"""The webhooks API through DRF's client: registration rules, scopes, reach, secret rotation
with its window, the delivery log."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from core.api.scopes import Scope
from core.webhooks import services
from core.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from core.webhooks.tasks import send_due_webhook_deliveries_task
from merchants import services as merchant_services
from tests.core.webhooks_support import (
    api_client,
    endpoint_for,
    legacy_signature,
    running_receiver,
)
from tests.factories import UserFactory
from tests.industrybelts.conftest import apparel, approved_merchant, approved_provider  # noqa: F401
from tests.storefront.conftest import make_product


@pytest.fixture
def receiver():
    yield from running_receiver()


pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.215.14/hooks"
PRODUCTION_TARGETS = override_settings(
    WEBHOOKS_ALLOW_INSECURE_TARGETS=False, WEBHOOKS_ALLOW_PRIVATE_TARGETS=False
)


def _list_url():
    return reverse("api:webhook-endpoint-list")


def _detail_url(endpoint, action=None):
    name = f"api:webhook-endpoint-{action}" if action else "api:webhook-endpoint-detail"
    return reverse(name, kwargs={"public_id": endpoint.public_id})


def _deliveries_url(endpoint):
    return reverse("api:webhook-delivery-list", kwargs={"endpoint_id": endpoint.public_id})


@pytest.fixture
def merchant_user():
    return UserFactory(email="shop@example.com")


@pytest.fixture
def client(merchant_user):
    return api_client(merchant_user)


# --- Registration ----------------------------------------------------------------------------


@PRODUCTION_TARGETS
def test_register_shows_the_secret_once_and_lists_without_it(client, merchant_user):
    response = client.post(
        _list_url(), {"url": PUBLIC, "event_types": ["product.published", "product.hidden"]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    assert body["id"] == str(endpoint.public_id)
    assert body["event_types"] == ["product.hidden", "product.published"]
    assert (body["is_active"], body["provider"]) == (True, None)
    assert endpoint.owner == merchant_user
    listed = client.get(_list_url()).json()
    assert [item["id"] for item in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(_detail_url(endpoint)).json()


@PRODUCTION_TARGETS
@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.215.14/hooks", "unsafe_target"),
        ("ftp://93.184.215.14/hooks", "unsafe_target"),
        ("https://127.0.0.1/hooks", "unsafe_target"),
        ("https://localhost/hooks", "unsafe_target"),
        ("https://10.1.2.3/hooks", "unsafe_target"),
        ("https://192.168.1.10:8443/hooks", "unsafe_target"),
        ("https://169.254.169.254/latest/meta-data", "unsafe_target"),
        ("https://100.64.0.1/hooks", "unsafe_target"),
        ("https://0.0.0.0/hooks", "unsafe_target"),
        ("https://224.0.0.1/hooks", "unsafe_target"),
        ("https://[::1]/hooks", "unsafe_target"),
        ("https://[fd00::1]/hooks", "unsafe_target"),
        ("https://[::ffff:127.0.0.1]/hooks", "unsafe_target"),
        ("https://user:pass@93.184.215.14/hooks", "unsafe_target"),
        ("https://93.184.215.14:99999/hooks", "unsafe_target"),
        ("not a url", "unsafe_target"),
        ("https:///nohost", "unsafe_target"),
        ("https://no-such-host.invalid/hooks", "unresolvable_target"),
    ],
)
def test_unsafe_targets_are_a_400_on_url_and_nothing_is_created(client, url, code):
    response = client.post(_list_url(), {"url": url, "event_types": ["product.published"]}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [item["code"] for item in error["fields"]["url"]] == [code]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"url": PUBLIC, "event_types": ["product.exploded"]}, "event_types", None),
        ({"url": PUBLIC, "event_types": ["ping"]}, "event_types", None),
        ({"url": PUBLIC, "event_types": []}, "event_types", "empty"),
        ({"url": PUBLIC}, "event_types", "required"),
        ({"url": PUBLIC, "event_types": ["product.published"], "secret": "mine"}, "secret", "invalid"),
        ({"url": PUBLIC, "event_types": "product.published"}, "event_types", "not_a_list"),
    ],
)
def test_bad_registrations_are_a_400_in_the_one_shape(client, payload, field, code):
    response = client.post(_list_url(), payload, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert field in fields
    if code:
        assert fields[field][0]["code"] == code
    assert not WebhookEndpoint.objects.exists()


def test_malformed_json_is_a_400_not_a_500(client):
    response = client.post(_list_url(), data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@override_settings(WEBHOOKS_MAX_ENDPOINTS=1)
def test_endpoints_per_account_are_limited(client, merchant_user):
    endpoint_for(merchant_user, PUBLIC, ["product.published"])

    response = client.post(_list_url(), {"url": PUBLIC, "event_types": ["product.hidden"]}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_endpoints"
    assert WebhookEndpoint.objects.count() == 1


@PRODUCTION_TARGETS
def test_changing_the_url_to_a_private_address_is_refused_and_nothing_changes(client, merchant_user):
    endpoint = endpoint_for(merchant_user, PUBLIC, ["product.published"])

    response = client.patch(_detail_url(endpoint), {"url": "https://10.0.0.8/x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["url"][0]["code"] == "unsafe_target"
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC


def test_patch_changes_events_and_pauses_then_resumes(client, merchant_user):
    endpoint = endpoint_for(merchant_user, PUBLIC, ["product.published"])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=3)

    paused = client.patch(
        _detail_url(endpoint), {"is_active": False, "event_types": ["product.hidden"]}, format="json"
    )
    assert paused.status_code == 200
    assert (paused.json()["is_active"], paused.json()["event_types"]) == (False, ["product.hidden"])
    assert client.post(_detail_url(endpoint, "ping")).json()["error"]["code"] == "endpoint_disabled"

    resumed = client.patch(_detail_url(endpoint), {"is_active": True}, format="json")

    assert resumed.json()["is_active"] is True
    assert resumed.json()["consecutive_failures"] == 0


def test_delete_removes_the_endpoint_and_its_deliveries(client, merchant_user):
    endpoint = endpoint_for(merchant_user, PUBLIC, ["product.published"])
    services.webhook_endpoint_ping(endpoint=endpoint)

    assert client.delete(_detail_url(endpoint)).status_code == 204

    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- Reach and scopes -----------------------------------------------------------------------


def test_another_owners_endpoint_and_its_deliveries_are_404(client):
    other = endpoint_for(UserFactory(), PUBLIC, ["product.published"])
    delivery = services.webhook_endpoint_ping(endpoint=other)
    redeliver = reverse(
        "api:webhook-delivery-redeliver",
        kwargs={"endpoint_id": other.public_id, "public_id": delivery.public_id},
    )

    responses = [
        client.get(_detail_url(other)),
        client.patch(_detail_url(other), {"event_types": ["product.hidden"]}, format="json"),
        client.post(_detail_url(other, "ping")),
        client.post(_detail_url(other, "rotate-secret")),
        client.get(_deliveries_url(other)),
        client.post(redeliver),
        client.delete(_detail_url(other)),
        client.get(reverse("api:webhook-endpoint-detail", kwargs={"public_id": "not-a-uuid"})),
    ]

    assert [r.status_code for r in responses] == [404] * 8
    assert {r.json()["error"]["code"] for r in responses} == {"not_found"}
    assert client.get(_list_url()).json() == []
    other.refresh_from_db()
    assert other.event_types == ["product.published"]


def test_a_read_only_token_cannot_register(merchant_user):
    client = api_client(merchant_user, scopes=[Scope.WEBHOOKS_READ])

    response = client.post(_list_url(), {"url": PUBLIC, "event_types": ["product.published"]}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert client.get(_list_url()).status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_a_token_without_webhook_scopes_cannot_read(merchant_user):
    client = api_client(merchant_user, scopes=[Scope.PRODUCTS_READ])

    assert client.get(_list_url()).json()["error"]["code"] == "insufficient_scope"


def test_a_revoked_token_is_401(client):
    merchant_services.api_token_revoke(token=client.token)

    response = client.post(_list_url(), {"url": PUBLIC, "event_types": ["product.published"]}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not WebhookEndpoint.objects.exists()


def test_a_provider_token_registers_for_its_provider_apart_from_the_owners_shop(apparel):  # noqa: F811
    provider, owner = approved_provider(apparel)
    provider_client = api_client(owner, provider=provider)
    own_client = api_client(owner)

    response = provider_client.post(
        _list_url(), {"url": PUBLIC, "event_types": ["membership.status_changed"]}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["provider"] == str(provider.public_id)
    assert WebhookEndpoint.objects.get().provider == provider
    assert own_client.get(_list_url()).json() == []
    provider.members.filter(user=owner).delete()
    assert provider_client.get(_list_url()).status_code == 403


def test_a_providers_endpoint_is_404_to_other_providers_and_to_merchant_tokens(apparel):  # noqa: F811
    provider, owner = approved_provider(apparel)
    other_provider, other_owner = approved_provider(apparel)
    endpoint = endpoint_for(owner, PUBLIC, ["membership.status_changed"], provider=provider)
    services.webhook_endpoint_ping(endpoint=endpoint)

    for client in (api_client(other_owner, provider=other_provider), api_client(owner)):
        assert client.get(_detail_url(endpoint)).status_code == 404
        assert client.get(_deliveries_url(endpoint)).status_code == 404
        assert client.delete(_detail_url(endpoint)).status_code == 404

    assert api_client(owner, provider=provider).get(_deliveries_url(endpoint)).json()["results"][0][
        "event_type"
    ] == ("ping")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


# --- Secret, ping, deliveries ------------------------------------------------------------------


def _ping_and_send(endpoint, *, now=None):
    """Ping the endpoint and make the attempt here (the test's process), at `now`."""
    delivery = services.webhook_endpoint_ping(endpoint=endpoint)
    services.webhook_delivery_send(delivery_id=delivery.pk, now=now)
    return delivery


def test_rotation_signs_with_both_secrets_for_the_window_then_with_the_new_one_only(
    client, merchant_user, receiver
):
    endpoint = endpoint_for(merchant_user, receiver.url(), ["product.published"])
    old_secret = endpoint.secret
    before = timezone.now()

    rotated = client.post(_detail_url(endpoint, "rotate-secret"))

    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    expires = datetime.datetime.fromisoformat(rotated.json()["previous_secret_expires_at"])
    assert before + datetime.timedelta(hours=24) <= expires <= timezone.now() + datetime.timedelta(hours=24)
    assert (
        client.get(_detail_url(endpoint)).json()["previous_secret_expires_at"]
        == (rotated.json()["previous_secret_expires_at"])
    )
    pinged = client.post(_detail_url(endpoint, "ping"))
    assert pinged.status_code == 202
    services.webhook_delivery_send(delivery_id=WebhookDelivery.objects.get().pk)
    [during] = receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        assert Webhook(secret).verify(during.body, during.headers)["type"] == "ping"
    # The deprecated header carries one signature, the new secret's, as before.
    assert during.headers["X-Webhook-Signature"] == legacy_signature(
        new_secret, during.headers["X-Webhook-Timestamp"], during.body
    )

    _ping_and_send(endpoint, now=expires)

    after = receiver.requests[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new_secret).verify(after.body, after.headers)["type"] == "ping"
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(old_secret).verify(after.body, after.headers)


def test_rotating_again_within_the_window_keeps_only_the_secret_just_replaced(merchant_user, receiver):
    endpoint = endpoint_for(merchant_user, receiver.url(), ["product.published"])
    first = endpoint.secret
    _endpoint, second = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
    _endpoint, third = services.webhook_endpoint_rotate_secret(endpoint=endpoint)

    _ping_and_send(endpoint)

    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(third).verify(request.body, request.headers)
    Webhook(second).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(request.body, request.headers)


@override_settings(WEBHOOKS_SECRET_ROTATION_HOURS=0)
def test_a_zero_rotation_window_replaces_the_secret_at_once(client, merchant_user, receiver):
    endpoint = endpoint_for(merchant_user, receiver.url(), ["product.published"])

    rotated = client.post(_detail_url(endpoint, "rotate-secret")).json()
    _ping_and_send(endpoint)

    assert rotated["previous_secret_expires_at"] is None
    [request] = receiver.requests
    Webhook(rotated["secret"]).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body, request.headers)
    endpoint.refresh_from_db()
    assert (endpoint.previous_secret, endpoint.previous_secret_expires_at) == ("", None)


def test_the_sweeper_erases_a_replaced_secret_once_its_window_has_closed(client, merchant_user):
    closed = endpoint_for(merchant_user, PUBLIC, ["product.published"])
    open_ = endpoint_for(merchant_user, PUBLIC, ["product.hidden"])
    services.webhook_endpoint_rotate_secret(
        endpoint=closed, now=timezone.now() - datetime.timedelta(hours=25)
    )
    services.webhook_endpoint_rotate_secret(endpoint=open_)

    send_due_webhook_deliveries_task()

    closed.refresh_from_db()
    open_.refresh_from_db()
    assert (closed.previous_secret, closed.previous_secret_expires_at) == ("", None)
    assert client.get(_detail_url(closed)).json()["previous_secret_expires_at"] is None
    assert open_.previous_secret.startswith("whsec_")
    assert open_.previous_secret_expires_at > timezone.now()


def test_deliveries_newest_first_with_the_attempt_log_and_redelivery(client, receiver):
    seller = approved_merchant()
    client = api_client(seller.user)
    endpoint = endpoint_for(seller.user, receiver.url(), [EventType.PRODUCT_PUBLISHED])
    older = make_product(seller, title="旧款")
    make_product(seller, title="新款")
    first, second = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")
    receiver.answer(410)
    services.webhook_delivery_send(delivery_id=first.pk)

    listed = client.get(_deliveries_url(endpoint)).json()

    assert [item["id"] for item in listed["results"]] == [str(second.public_id), str(first.public_id)]
    failed = listed["results"][1]
    assert (failed["status"], failed["last_status_code"], failed["attempts"]) == ("failed", 410, 1)
    assert [(a["status_code"], a["error"]) for a in failed["log"]] == [(410, "HTTP 410")]
    assert failed["payload"]["data"]["product"]["id"] == str(older.public_id)
    url = reverse(
        "api:webhook-delivery-redeliver",
        kwargs={"endpoint_id": endpoint.public_id, "public_id": first.public_id},
    )
    redelivered = client.post(url)
    assert redelivered.status_code == 202
    assert redelivered.json()["status"] == "pending"
    services.webhook_delivery_send(delivery_id=first.pk)
    first.refresh_from_db()
    assert first.status == DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in first.attempt_log.all()] == [410, 200]
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert receiver.requests[1].headers["webhook-id"] == str(first.event_id)


def test_the_delivery_list_costs_the_same_queries_for_any_page_size(client, merchant_user):
    endpoint = endpoint_for(merchant_user, PUBLIC, ["product.published"])
    for _ in range(12):
        delivery = services.webhook_endpoint_ping(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=1)
    url = _deliveries_url(endpoint)
    client.get(url)  # the token's last use is written once, outside the comparison

    counts = {}
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)

    assert counts[2] == counts[10]
    assert counts[2] <= 5
    next_page = client.get(response.json()["next"]).json()
    assert len(next_page["results"]) == 2


def test_schema_documents_the_webhook_operations(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]

    assert "/api/v1/webhooks/endpoints/{public_id}/rotate-secret/" in paths
    assert "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries/{public_id}/redeliver/" in paths
    create = paths["/api/v1/webhooks/endpoints/"]["post"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "WebhookEndpointSecret"
    )
