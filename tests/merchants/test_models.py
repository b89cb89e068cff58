import pytest

from merchants.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_create_user_keys_by_lowercased_email_and_has_no_username():
    user = User.objects.create_user("Factory.Owner@Example.COM", "pw-long-enough-1")

    assert user.email == "factory.owner@example.com"
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username")
    assert user.check_password("pw-long-enough-1")
    assert not user.is_staff and not user.is_superuser


def test_create_superuser_is_staff():
    user = User.objects.create_superuser("root@example.com", "pw-long-enough-1")

    assert user.is_staff and user.is_superuser


def test_create_user_without_email_is_refused():
    with pytest.raises(ValueError):
        User.objects.create_user("", "pw")


def test_token_digest_is_sha256_of_raw_key_and_keys_differ():
    first, second = ApiToken.generate_key(), ApiToken.generate_key()

    assert first != second
    assert first.startswith("ksp_") and len(first) > 40
    assert len(ApiToken.digest(first)) == 64
    assert ApiToken.digest(first) != first
