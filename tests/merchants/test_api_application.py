"""The merchant's profile, onboarding application and documents over the partner API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.api.scopes import Scope
from merchants import services
from merchants.models import ApplicationDocument, ApplicationStatus
from tests.apiclient import api_client
from tests.factories import ApplicationFactory, fill_application, image_upload, pdf_upload, reviewer

pytestmark = pytest.mark.django_db

READ_WRITE = (Scope.PROFILE_READ, Scope.APPLICATION_READ, Scope.APPLICATION_WRITE)
APPLICATION = "/api/v1/merchant/application/"
DOCUMENTS = "/api/v1/merchant/application/documents/"


def test_profile_and_application_read_with_masked_id_number():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)

    profile = client.get("/api/v1/merchant/profile/").json()
    read = client.get(APPLICATION).json()

    assert profile["shop_name"] == "小丽女装档口" and profile["categories"] == ["apparel"]
    assert read["status"] == ApplicationStatus.DRAFT and read["missing"] == []
    assert read["id_number"].endswith(application.id_number[-4:])
    assert read["id_number"].startswith("*" * 14)
    assert {slot["slot"] for slot in read["documents"]} == {"id_front", "id_back", "business_licence"}


def test_submit_then_withdraw_then_409_once_in_review():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)

    submitted = client.post(f"{APPLICATION}submit/")
    withdrawn = client.post(f"{APPLICATION}withdraw/")
    client.post(f"{APPLICATION}submit/")
    services.application_start_review(application=application, by=reviewer())
    late = client.post(f"{APPLICATION}withdraw/")

    assert submitted.status_code == 200 and submitted.json()["status"] == ApplicationStatus.SUBMITTED
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == ApplicationStatus.DRAFT
    assert withdrawn.json()["submitted_at"] is None
    assert late.status_code == 409 and late.json()["error"]["code"] == "invalid_transition"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_incomplete_application_cannot_be_submitted():
    application = ApplicationFactory()
    client = api_client(application.merchant.user, READ_WRITE)

    response = client.post(f"{APPLICATION}submit/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "application_incomplete"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_document_upload_replaces_the_slot_and_is_checked_by_content():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)
    before = ApplicationDocument.objects.get(application=application, kind="id_front").pk

    uploaded = client.post(
        DOCUMENTS, {"slot": "id_front", "file": image_upload("front.jpg")}, format="multipart"
    )
    fake = client.post(
        DOCUMENTS,
        {"slot": "id_back", "file": SimpleUploadedFile("back.jpg", b"not really a jpeg", "image/jpeg")},
        format="multipart",
    )
    no_slot = client.post(DOCUMENTS, {"slot": "passport", "file": image_upload()}, format="multipart")
    listed = client.get(DOCUMENTS).json()

    assert uploaded.status_code == 201 and uploaded.json()["kind"] == "id_front"
    assert uploaded.json()["original_name"] == "front.jpg"
    assert not ApplicationDocument.objects.filter(pk=before).exists()
    assert fake.status_code == 400 and "file" in fake.json()["error"]["fields"]
    assert no_slot.status_code == 400 and "slot" in no_slot.json()["error"]["fields"]
    assert len(listed) == 3
    assert "file" not in listed[0]  # files are never served over the API


def test_documents_are_frozen_once_submitted():
    application = fill_application(ApplicationFactory())
    services.application_submit(application=application, by=application.merchant.user)
    client = api_client(application.merchant.user, READ_WRITE)

    response = client.post(DOCUMENTS, {"slot": "id_front", "file": image_upload()}, format="multipart")

    assert response.status_code == 409 and response.json()["error"]["code"] == "not_editable"


def test_read_only_token_cannot_submit_or_upload_and_other_shops_are_unreachable():
    application = fill_application(ApplicationFactory())
    other = fill_application(ApplicationFactory())
    read_only = api_client(application.merchant.user, (Scope.APPLICATION_READ,))
    other_client = api_client(other.merchant.user, READ_WRITE)

    submit = read_only.post(f"{APPLICATION}submit/")
    upload = read_only.post(DOCUMENTS, {"slot": "id_front", "file": image_upload()}, format="multipart")
    other_read = other_client.get(APPLICATION).json()

    assert (submit.status_code, upload.status_code) == (403, 403)
    assert other_read["id"] == str(other.public_id)  # a token only ever reaches its own shop
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_account_without_a_shop_gets_404_in_the_one_shape():
    from tests.factories import UserFactory

    client = api_client(UserFactory(), READ_WRITE)

    response = client.get(APPLICATION)

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_body_over_the_limit_is_413_in_the_one_shape():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)

    response = client.post(
        f"{APPLICATION}submit/", data=b"{" + b" " * (11 * 1024 * 1024) + b"}", content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_unknown_api_paths_are_json_404s_and_a_missing_slash_is_forgiven():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)

    unknown = client.get("/api/v1/nowhere/")
    bad_id = client.get("/api/v1/products/not-a-uuid/")
    no_slash = client.post("/api/v1/merchant/application/submit")

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert bad_id.status_code == 404 and bad_id["Content-Type"] == "application/json"
    assert no_slash.status_code == 200 and no_slash.json()["status"] == ApplicationStatus.SUBMITTED


def test_document_upload_takes_the_validity_dates_and_refuses_impossible_ones():
    application = fill_application(ApplicationFactory())
    client = api_client(application.merchant.user, READ_WRITE)
    today = timezone.localdate()
    issued, until = today - datetime.timedelta(days=30), today + datetime.timedelta(days=700)
    licence = ApplicationDocument.objects.get(application=application, kind="business_licence")
    front = ApplicationDocument.objects.get(application=application, kind="id_front")

    dated = client.post(
        DOCUMENTS,
        {"slot": "business_licence", "file": pdf_upload(), "issued_on": issued, "valid_until": until},
        format="multipart",
    )
    backwards = client.post(
        DOCUMENTS,
        {"slot": "id_front", "file": image_upload(), "issued_on": issued, "valid_until": issued},
        format="multipart",
    )

    assert dated.status_code == 201
    assert (dated.json()["issued_on"], dated.json()["valid_until"]) == (issued.isoformat(), until.isoformat())
    assert not ApplicationDocument.objects.filter(pk=licence.pk).exists()
    assert backwards.status_code == 400 and "valid_until" in backwards.json()["error"]["fields"]
    # The refused upload wrote nothing: the document in the slot is the one that was there.
    assert ApplicationDocument.objects.get(application=application, kind="id_front").pk == front.pk
