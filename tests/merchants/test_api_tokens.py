import pytest
from django.urls import reverse

from merchants.models import ApiToken
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_as_a_digest(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("merchants:api-tokens"),
        {"name": "我的ERP", "scopes": ["products:read"], "expires_in_days": "30"},
    )

    raw_key = response.context["raw_key"]
    token = ApiToken.objects.get(user=user)
    assert token.key_digest == ApiToken.digest(raw_key) and token.scopes == ["products:read"]
    assert token.expires_at is not None
    assert raw_key not in client.get(reverse("merchants:api-tokens")).content.decode()


def test_a_token_needs_a_name_and_a_scope(client):
    client.force_login(UserFactory())

    response = client.post(reverse("merchants:api-tokens"), {"name": "", "scopes": []})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert not ApiToken.objects.exists()


def test_revoking_someone_elses_token_is_404(client):
    from merchants import services

    token, _raw = services.api_token_create(user=UserFactory(), name="ERP", scopes=["products:read"])
    client.force_login(UserFactory())

    response = client.post(reverse("merchants:api-token-revoke", args=[token.public_id]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(token.user)
    client.post(reverse("merchants:api-token-revoke", args=[token.public_id]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_support_staff_may_revoke_a_leaked_token(client):
    from merchants import services

    token, _raw = services.api_token_create(user=UserFactory(), name="ERP", scopes=["products:read"])
    client.force_login(StaffFactory(group="support"))

    client.post(reverse("merchants:api-token-revoke", args=[token.public_id]))

    token.refresh_from_db()
    assert token.revoked_at is not None
