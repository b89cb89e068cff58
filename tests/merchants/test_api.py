"""Partner token authentication, throttling and the one error shape, through DRF's client."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.throttling import ApiTokenRateThrottle
from merchants import services
from merchants.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = reverse("api:me")


def _client(raw_key=None, language="zh-hans"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if raw_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture
def token_and_key():
    return services.api_token_create(
        user=UserFactory(email="partner@example.com"), name="ERP", scopes=["me:read"]
    )


def test_valid_token_returns_its_owner_and_records_last_use(token_and_key):
    token, raw_key = token_and_key

    response = _client(raw_key).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "email": "partner@example.com",
        "name": token.user.name,
        "language": "zh-hans",
        "token_name": "ERP",
        "token_scopes": ["me:read"],
        "token_provider": None,
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_digest_of_the_token_is_stored(token_and_key):
    token, raw_key = token_and_key

    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert raw_key not in {str(value) for value in stored.values()}
    assert stored["key_digest"] == ApiToken.digest(raw_key)
    assert raw_key.startswith(stored["key_prefix"])


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "not_authenticated"),
        ("Bearer ksp_wrong-token-value", "authentication_failed"),
        ("Bearer", "authentication_failed"),
        ("Bearer two parts", "authentication_failed"),
    ],
)
def test_missing_or_wrong_token_is_401_in_the_error_shape(header, code):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_refused_with_a_localised_message(token_and_key):
    token, raw_key = token_and_key
    services.api_token_revoke(token=token)

    response = _client(raw_key).get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "该令牌已被吊销。"


def test_expired_token_is_refused(token_and_key):
    token, raw_key = token_and_key
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = _client(raw_key, language="en").get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This token has expired."


def test_token_of_deactivated_user_is_refused(token_and_key):
    token, raw_key = token_and_key
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])

    assert _client(raw_key).get(ME).status_code == 401


def test_revoking_twice_keeps_the_first_time(token_and_key):
    token, _raw_key = token_and_key
    first = services.api_token_revoke(token=token).revoked_at

    assert services.api_token_revoke(token=token).revoked_at == first


@pytest.fixture
def token_rate(monkeypatch):
    def set_rate(rate):
        monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": rate})

    return set_rate


def test_throttle_counts_per_token_not_per_user(token_rate):
    user = UserFactory()
    _first, first_key = services.api_token_create(user=user, name="one")
    _second, second_key = services.api_token_create(user=user, name="two")
    token_rate("2/min")

    codes = [_client(first_key).get(ME).status_code for _ in range(3)]
    other = _client(second_key).get(ME)

    assert codes == [200, 200, 429]
    assert other.status_code == 200


def test_throttled_answer_uses_the_error_shape_and_retry_after(token_rate):
    _token, raw_key = services.api_token_create(user=UserFactory(), name="one")
    token_rate("1/min")

    _client(raw_key).get(ME)
    response = _client(raw_key).get(ME)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_unknown_route_under_the_api_is_404():
    assert APIClient().get("/api/v1/no-such-thing/").status_code == 404


def test_schema_and_docs_are_served_without_a_token_and_without_a_cdn():
    client = APIClient()

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs") + "?script=")

    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    assert schema.json()["components"]["securitySchemes"]["partnerToken"]["scheme"] == "bearer"
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html.replace(" ", "")
    assert script.status_code == 200
    script_policy = docs["Content-Security-Policy"].split("script-src", 1)[1].split(";", 1)[0]
    assert script_policy.strip() == "'self'"
