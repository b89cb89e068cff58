import pytest
from django.apps import apps

from core.transitions import TransitionEvent
from merchants.models import ApiToken, ApplicationStatus, User
from tests.factories import submitted_application

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


def test_an_event_names_its_statuses_as_its_subjects_choices():
    application = submitted_application()

    event = application.events.get()

    assert event.subject_field().name == "application"
    assert (event.from_status_label, event.to_status_label) == (
        ApplicationStatus.DRAFT.label,
        ApplicationStatus.SUBMITTED.label,
    )
    assert str(event) == f"{ApplicationStatus.DRAFT.label} → {ApplicationStatus.SUBMITTED.label}"


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, TransitionEvent)],
    ids=lambda model: model.__name__,
)
def test_every_event_model_has_one_subject_with_a_status_and_a_history(model):
    subject = model.subject_field()

    assert subject.remote_field.related_name == "events"
    assert subject.related_model._meta.get_field("status").choices
