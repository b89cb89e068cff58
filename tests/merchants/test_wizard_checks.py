"""Each wizard step checks what it owns and names what is missing (Django test client)."""

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, Category, MerchantProfile, OnboardingApplication
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    fill_application,
    image_upload,
    submitted_application,
)
from tests.identity import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db

REFUSAL = "该证件号码无法用于新的申请。如果这是您的号码，请联系客服。"


def step_url(step):
    return reverse("merchants:application-step", kwargs={"step": step})


@pytest.fixture
def merchant_client(client):
    client.force_login(UserFactory())
    client.post(reverse("merchants:application-start"))
    return client


def entity_data(**overrides):
    data = {
        "entity_type": "individual_business",
        "legal_name": "广州十三行李姐服装档口",
        "uscc": make_uscc(),
        "legal_representative": "李红",
        "id_number": make_resident_id(region="440104", birth="19850612"),
        "seller_type": "stall",
        "display_name": "李姐女装",
        "contact_mobile": "139 2222 3333",
        "province": "440000",
        "city": "440100",
        "county": "440104",
        "categories": [str(Category.objects.get(code="apparel").pk)],
    }
    data.update(overrides)
    return data


def cosmetics_draft():
    application = OnboardingApplication.objects.get()
    return fill_application(application, categories=("apparel", "cosmetics"))


def test_documents_step_names_the_missing_category_qualification(merchant_client):
    application = cosmetics_draft()
    application.documents.filter(qualification__code="cosmetics-filing").delete()

    response = merchant_client.get(step_url("documents"))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["missing_documents"] == ["化妆品备案或注册凭证"]
    assert "还缺：化妆品备案或注册凭证。" in body
    assert 'data-testid="required-by-qualification-cosmetics-filing"' in body
    assert "所选类目需要： 美妆个护" in body
    steps = {step.key: step.complete for step in response.context["steps"]}
    assert steps["documents"] is False


def test_documents_step_lists_nothing_missing_when_all_are_uploaded(merchant_client):
    cosmetics_draft()

    response = merchant_client.get(step_url("documents"))

    assert response.context["missing_documents"] == []
    assert 'data-testid="missing-documents"' not in response.content.decode()


def test_documents_step_loads_the_preview_script_deferred(merchant_client):
    cosmetics_draft()

    body = merchant_client.get(step_url("documents")).content.decode()

    assert 'src="/static/js/upload-preview.js" defer' in body
    assert 'data-upload-preview-for="id_id_front"' in body


def test_submit_names_the_missing_documents(merchant_client):
    application = cosmetics_draft()
    application.documents.filter(qualification__code="cosmetics-filing").delete()

    response = merchant_client.post(step_url("review"), {"confirm": "on"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "请先完成以下步骤：证件材料。" in body
    assert "还缺：化妆品备案或注册凭证。" in body
    assert OnboardingApplication.objects.get().status == ApplicationStatus.DRAFT


def test_entity_step_refuses_a_uscc_held_by_another_merchants_submitted_application(merchant_client):
    other = submitted_application()
    before = OnboardingApplication.objects.exclude(pk=other.pk).get()

    response = merchant_client.post(step_url("entity"), entity_data(uscc=other.uscc))

    assert response.status_code == 409
    assert response.context["form"].errors["uscc"] == [REFUSAL]
    assert REFUSAL in response.content.decode()
    after = OnboardingApplication.objects.get(pk=before.pk)
    assert (after.uscc, after.legal_name, after.id_number) == (
        before.uscc,
        before.legal_name,
        before.id_number,
    )
    assert not after.merchant.categories.exists()
    assert MerchantProfile.objects.get(pk=after.merchant_id).display_name == before.merchant.display_name


def test_entity_step_refuses_an_individual_id_number_in_review(merchant_client):
    other = submitted_application(entity_type="individual")
    other.status = ApplicationStatus.IN_REVIEW
    other.save(update_fields=["status"])

    response = merchant_client.post(
        step_url("entity"),
        entity_data(entity_type="individual", uscc="", legal_representative="", id_number=other.id_number),
    )

    assert response.status_code == 409
    assert response.context["form"].errors["id_number"] == [REFUSAL]
    assert OnboardingApplication.objects.exclude(pk=other.pk).get().id_number == ""


def test_entity_step_accepts_a_number_held_only_by_a_draft(merchant_client):
    mine = OnboardingApplication.objects.get()
    draft = fill_application(ApplicationFactory())

    response = merchant_client.post(step_url("entity"), entity_data(uscc=draft.uscc))

    assert response.status_code == 302
    assert OnboardingApplication.objects.get(pk=mine.pk).uscc == draft.uscc


def test_documents_upload_names_what_is_still_missing(merchant_client):
    merchant_client.post(
        step_url("entity"), entity_data(categories=[str(Category.objects.get(code="cosmetics").pk)])
    )

    response = merchant_client.post(step_url("documents"), {"id_front": image_upload()}, follow=True)

    application = OnboardingApplication.objects.get()
    assert [d.kind for d in application.documents.all()] == ["id_front"]
    notices = [str(m) for m in response.context["messages"]]
    assert "还缺：身份证国徽面、营业执照、化妆品备案或注册凭证。" in notices
