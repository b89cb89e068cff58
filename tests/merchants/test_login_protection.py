"""Log-in protection that a stranger cannot turn against a user.

- Failed log-ins are limited per client address, the address the trusted proxies report.
- The per-account lock answers 429 and says how to lift it; a password reset by e-mail
  lifts it at once, so knowing someone's address is not enough to keep them out.
"""

import re

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lotus-river-2026-pass"


def _fail_login(client, email, times, **headers):
    response = None
    for _ in range(times):
        response = client.post(
            reverse("account_login"), {"login": email, "password": "wrong-guess"}, **headers
        )
    return response


def test_a_blocked_login_answers_429_with_the_way_out(client):
    UserFactory(email="owner@example.com")
    _fail_login(client, "owner@example.com", 5)

    response = client.post(
        reverse("account_login"),
        {"login": "owner@example.com", "password": TEST_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "通过邮件重置密码" in response.content.decode()


def test_an_ordinary_wrong_password_is_still_a_200_form_error(client):
    UserFactory(email="owner@example.com")

    response = _fail_login(client, "owner@example.com", 1)

    assert response.status_code == 200


def test_the_owner_lifts_a_strangers_lock_by_resetting_the_password(
    client, outbox, django_capture_on_commit_callbacks
):
    UserFactory(email="admin-target@example.com")
    stranger = client.__class__()
    _fail_login(stranger, "admin-target@example.com", 6)
    outbox = type(outbox)()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "admin-target@example.com"})
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", outbox.wait_for(1)[-1].body
    ).group(1)
    set_password_url = client.get(link).url
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    client.post(reverse("account_logout"))

    response = client.post(
        reverse("account_login"), {"login": "admin-target@example.com", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_address_limit_keys_on_the_client_behind_the_proxy(client, settings):
    """Behind one proxy every request comes from its address; the client's is in X-Forwarded-For."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        UserFactory(email=f"victim{n}@example.com")
        _fail_login(client, f"victim{n}@example.com", 1, HTTP_X_FORWARDED_FOR="203.0.113.7")
    UserFactory(email="neighbour@example.com")

    blocked = _fail_login(client, "victim0@example.com", 1, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = client.post(
        reverse("account_login"),
        {"login": "neighbour@example.com", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert blocked.status_code == 429
    assert other_client.status_code == 302


def test_production_trusts_as_many_proxies_as_the_api(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.ALLAUTH_TRUSTED_PROXY_COUNT
