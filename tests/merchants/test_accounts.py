"""Sign-up, verification, log-in and password reset through allauth, as a visitor sees them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from merchants.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/")


def _signup(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_signup"), {"email": email, "password1": password})


def test_signup_asks_only_for_email_and_password(client):
    form = client.get(reverse("account_signup")).context["form"]

    assert set(form.fields) == {"email", "password1"}


def test_signup_sends_verification_email_only_after_commit(
    client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _signup(client, "factory@example.com")
        assert outbox.messages() == []

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = outbox.wait_for(1)
    assert message.to == ["factory@example.com"]
    assert CONFIRM_LINK.search(message.body)


def test_signup_is_in_chinese_by_default_and_stores_the_language(
    client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "stall@example.com")

    assert User.objects.get(email="stall@example.com").language == "zh-hans"
    [message] = outbox.wait_for(1)
    assert "确认" in message.subject


def test_signup_in_english_stores_english(client, django_capture_on_commit_callbacks):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "brand@example.com")

    assert User.objects.get(email="brand@example.com").language == "en"


def test_unverified_user_cannot_log_in(client):
    UserFactory(email="new@example.com", verified=False)

    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_verification_link_logs_in_and_sends_welcome_after_commit(
    client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, "village@example.com")
    link = CONFIRM_LINK.search(outbox.wait_for(1)[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/" + path)
        assert len(outbox.messages()) == 1
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="village@example.com").verified
    assert client.session["_auth_user_id"] == str(User.objects.get(email="village@example.com").pk)
    welcome = outbox.wait_for(2)[1]
    assert welcome.to == ["village@example.com"]
    assert "欢迎" in welcome.subject


@pytest.mark.parametrize(
    ("email", "password", "field", "fragment"),
    [
        ("not-an-email", TEST_PASSWORD, "email", "邮件地址"),
        ("x" * 250 + "@example.com", TEST_PASSWORD, "email", "254"),
        ("weak@example.com", "12345678", "password1", "密码"),
        ("common@example.com", "password123", "password1", "常见"),
    ],
)
def test_signup_bad_input_gets_localised_error_and_keeps_email(client, email, password, field, fragment):
    response = _signup(client, email, password)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert fragment in " ".join(errors[field])
    assert f'value="{email}"' in response.content.decode()
    assert not User.objects.filter(email=email).exists()


def test_signup_with_taken_email_tells_the_owner_not_the_visitor(
    client, outbox, django_capture_on_commit_callbacks
):
    """allauth's enumeration prevention: the visitor sees the usual next step, and
    the address's owner is told by e-mail that an account already exists."""
    UserFactory(email="taken@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "taken@example.com")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.com").count() == 1
    [message] = outbox.wait_for(1)
    assert message.to == ["taken@example.com"]
    assert "/accounts/password/reset/" in message.body


def test_signup_flood_from_one_address_gets_429(client):
    responses = [_signup(client, f"flood{n}@example.com") for n in range(12)]

    assert [r.status_code for r in responses[:10]] == [302] * 10
    assert responses[-1].status_code == 429
    assert "稍等" in responses[-1].content.decode()


def test_signup_without_csrf_token_gets_localised_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_signup"), {"email": "a@example.com", "password1": TEST_PASSWORD})

    assert response.status_code == 403
    assert "表单" in response.content.decode()
    assert not User.objects.filter(email="a@example.com").exists()


def test_log_in_flood_is_rate_limited(client):
    UserFactory(email="target@example.com")
    responses = [
        client.post(reverse("account_login"), {"login": "target@example.com", "password": "wrong-password"})
        for _ in range(8)
    ]

    assert all(r.status_code in (200, 429) for r in responses)
    last = responses[-1]
    assert last.status_code == 429 or "登录失败次数过多" in last.content.decode()
    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": "target@example.com", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert right.status_code in (200, 429)


def test_log_in_and_log_out(client):
    user = UserFactory(email="merchant@example.com")

    response = client.post(
        reverse("account_login"), {"login": "merchant@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_email_to_known_address(client, outbox, django_capture_on_commit_callbacks):
    UserFactory(email="forgot@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})

    assert response.status_code == 302
    [message] = outbox.wait_for(1)
    assert message.to == ["forgot@example.com"]
    assert "/accounts/password/reset/key/" in message.body


def test_email_change_page_is_available_to_logged_in_user(client):
    client.force_login(UserFactory())

    response = client.get(reverse("account_email"))

    assert response.status_code == 200
    assert response.context["form"] is not None
