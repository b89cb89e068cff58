"""Who gets into Django admin, and what staff can do there."""

import pytest
from django.urls import reverse

from merchants.models import ApiToken
from merchants.roles import StaffGroup
from tests.factories import TEST_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_merchant_cannot_open_admin(client):
    client.force_login(UserFactory())

    for url in (reverse("admin:index"), reverse("admin:merchants_user_changelist")):
        response = client.get(url, follow=True)
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()


def test_anonymous_is_sent_to_the_rate_limited_allauth_login(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_admin_login_flood_is_limited_like_any_login(client):
    StaffFactory(email="staff@example.com")
    login = reverse("account_login") + "?next=/admin/"
    for _ in range(6):
        client.post(login, {"login": "staff@example.com", "password": "wrong-password"})

    response = client.post(login, {"login": "staff@example.com", "password": TEST_PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_staff_logs_into_admin_with_the_same_account(client):
    StaffFactory(email="reviewer@example.com", group=StaffGroup.REVIEWER)

    response = client.post(
        reverse("account_login") + "?next=/admin/",
        {"login": "reviewer@example.com", "password": TEST_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_reviewer_can_view_but_not_change_users(client):
    client.force_login(StaffFactory(group=StaffGroup.REVIEWER))
    merchant = UserFactory()

    assert client.get(reverse("admin:merchants_user_changelist")).status_code == 200
    change_url = reverse("admin:merchants_user_change", args=[merchant.pk])
    response = client.post(change_url, {"email": "hijack@example.com"})
    merchant.refresh_from_db()
    assert response.status_code == 403
    assert merchant.email != "hijack@example.com"
    assert client.get(reverse("admin:merchants_apitoken_changelist")).status_code == 403


def test_superuser_creates_a_token_shown_once_and_stored_hashed(client):
    """Minting a token for someone else is a superuser's (support only revokes)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    partner = UserFactory(email="partner@example.com")

    response = client.post(
        reverse("admin:merchants_apitoken_add"),
        {"user": partner.pk, "name": "Agency ERP", "scopes": "products:read profile:read", "expires_at": ""},
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(name="Agency ERP")
    [message] = [str(m) for m in response.context["messages"] if "不会再次显示" in str(m)]
    raw_key = message.rsplit("：", 1)[-1].strip()
    assert ApiToken.digest(raw_key) == token.key_digest
    assert token.scopes == ["products:read", "profile:read"]
    page = client.get(reverse("admin:merchants_apitoken_change", args=[token.pk])).content.decode()
    assert raw_key not in page


def test_admin_refuses_scopes_a_merchant_token_cannot_have(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    partner = UserFactory()

    response = client.post(
        reverse("admin:merchants_apitoken_add"),
        {
            "user": partner.pk,
            "name": "Typo",
            "scopes": "products:raed provider.merchants:read",
            "expires_at": "",
        },
    )

    assert response.status_code == 200
    assert "products:raed" in response.context["adminform"].form.errors["scopes"][0]
    assert not ApiToken.objects.filter(name="Typo").exists()


def test_support_revokes_tokens_in_bulk(client):
    from merchants import services

    client.force_login(StaffFactory(group=StaffGroup.SUPPORT))
    tokens = [services.api_token_create(user=UserFactory(), name=f"t{n}")[0] for n in range(3)]

    client.post(
        reverse("admin:merchants_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [t.pk for t in tokens[:2]]},
    )

    assert [ApiToken.objects.get(pk=t.pk).revoked_at is not None for t in tokens] == [True, True, False]


def test_user_changelist_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    client.force_login(StaffFactory(group=StaffGroup.SUPPORT))
    UserFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("admin:merchants_user_changelist"))
    UserFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("admin:merchants_user_changelist"))
