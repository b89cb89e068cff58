"""Role × object matrix for the application, its documents and its events, in pages and admin."""

import pytest
from django.test import Client
from django.urls import reverse

from merchants.roles import StaffGroup
from merchants.tasks import make_document_thumbnail_task
from tests.factories import ApplicationFactory, StaffFactory, UserFactory, reviewer, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    application = submitted_application()
    for document in application.documents.exclude(content_type="application/pdf"):
        make_document_thumbnail_task.apply(args=[document.pk])  # in-process, whichever run this is
    return application


def _client_for(role, application):
    client = Client()
    users = {
        "owner": lambda: application.merchant.user,
        "other_merchant": lambda: ApplicationFactory().merchant.user,
        "support_staff": lambda: StaffFactory(group=StaffGroup.SUPPORT),
        "belt_operations_staff": lambda: StaffFactory(group=StaffGroup.BELT_OPERATIONS),
        "reviewer": reviewer,
        "anonymous": lambda: None,
    }
    user = users[role]()
    if user is not None:
        client.force_login(user)
    return client


DOCUMENT_ACCESS = {
    "owner": 200,
    "reviewer": 200,
    "other_merchant": 404,
    "support_staff": 404,
    "belt_operations_staff": 404,
    "anonymous": 404,
}


@pytest.mark.parametrize(("role", "expected"), DOCUMENT_ACCESS.items())
def test_document_file_and_thumbnail_access(application, role, expected):
    document = application.documents.exclude(content_type="application/pdf").first()
    client = _client_for(role, application)

    file_response = client.get(reverse("merchants:document-file", args=[document.public_id]))
    thumb_response = client.get(reverse("merchants:document-thumbnail", args=[document.public_id]))

    assert file_response.status_code == expected
    assert thumb_response.status_code == expected
    if expected == 200:
        assert file_response["Content-Type"] == "image/jpeg"
        assert file_response["Cache-Control"] == "private, no-store"
        assert file_response["X-Content-Type-Options"] == "nosniff"


ADMIN_ACCESS = {
    "reviewer": 200,
    "support_staff": 403,
    "belt_operations_staff": 403,
    "other_merchant": 403,
    "owner": 403,
}


@pytest.mark.parametrize(("role", "expected"), ADMIN_ACCESS.items())
def test_admin_application_pages_and_their_events(application, role, expected):
    client = _client_for(role, application)

    changelist = client.get(reverse("admin:merchants_onboardingapplication_changelist"), follow=True)
    change = client.get(
        reverse("admin:merchants_onboardingapplication_change", args=[application.pk]), follow=True
    )

    assert changelist.status_code == expected
    assert change.status_code == expected
    html = change.content.decode()
    if expected == 200:
        assert application.legal_name in html
        assert "提交审核" not in html or "submitted" in html
        assert html.count('class="doc"') == application.documents.count()
    else:
        assert application.legal_name not in html
        assert str(application.documents.first().public_id) not in html


def test_anonymous_admin_visit_is_sent_to_log_in_and_sees_nothing(application):
    response = Client().get(
        reverse("admin:merchants_onboardingapplication_change", args=[application.pk]), follow=True
    )

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert application.legal_name not in response.content.decode()


def test_other_merchant_dashboard_shows_only_its_own_application(application, client):
    other = ApplicationFactory()
    client.force_login(other.merchant.user)

    response = client.get(reverse("merchants:dashboard"))
    review = client.get(reverse("merchants:application-step", kwargs={"step": "review"}))

    assert response.context["application"] == other
    assert application.legal_name not in response.content.decode()
    assert application.legal_name not in review.content.decode()


def test_a_merchant_without_an_application_has_no_wizard(client):
    client.force_login(UserFactory())

    response = client.get(reverse("merchants:application-step", kwargs={"step": "documents"}))

    assert response.status_code == 302
    assert response.url == reverse("merchants:dashboard")


def test_documents_are_never_under_the_public_media_url(application, settings):
    for document in application.documents.all():
        assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
        with pytest.raises(ValueError):
            document.file.url  # noqa: B018  (private storage has no URL at all)
