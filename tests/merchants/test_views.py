"""The onboarding wizard and dashboard, as a merchant uses them in the browser (Django client)."""

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, OnboardingApplication
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    fill_application,
    image_upload,
    pdf_upload,
    reviewer,
    submitted_application,
)
from tests.identity import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


def step_url(step):
    return reverse("merchants:application-step", kwargs={"step": step})


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
        "categories": ["1"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def merchant_client(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("merchants:application-start"))
    return client


def test_dashboard_invites_a_new_merchant_to_start(client):
    client.force_login(UserFactory())

    response = client.get(reverse("merchants:dashboard"))

    assert response.status_code == 200
    assert response.context["application"] is None
    assert 'data-testid="start-application"' in response.content.decode()


def test_dashboard_needs_login(client):
    response = client.get(reverse("merchants:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_entity_step_saves_application_and_profile(merchant_client):
    from merchants.models import Category

    data = entity_data(categories=[str(Category.objects.get(code="apparel").pk)])
    response = merchant_client.post(step_url("entity"), data)

    assert response.status_code == 302
    assert response.url == step_url("documents")
    application = OnboardingApplication.objects.get()
    assert application.uscc == data["uscc"]
    assert application.merchant.contact_mobile == "+8613922223333"
    assert application.merchant.region.code == "440104"
    assert application.merchant.region.full_name == "广东省广州市越秀区"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("uscc", "91330100799655058C", "校验"),
        ("id_number", "11010519900307123X", "最后一位"),
        ("id_number", make_resident_id(birth="20150101"), "18"),
        ("contact_mobile", "010 6552 9988", "手机"),
        ("county", "", "区县"),
    ],
)
def test_entity_step_bad_input_is_refused_with_a_localised_error_keeping_the_rest(
    merchant_client, field, value, fragment
):
    from merchants.models import Category

    data = entity_data(categories=[str(Category.objects.get(code="apparel").pk)], **{field: value})

    response = merchant_client.post(step_url("entity"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert fragment in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'value="李姐女装"' in html
    assert OnboardingApplication.objects.get().legal_name == ""


def test_submit_refuses_a_uscc_another_merchant_submitted(merchant_client):
    taken = submitted_application()
    application = fill_application(OnboardingApplication.objects.get(status=ApplicationStatus.DRAFT))
    OnboardingApplication.objects.filter(pk=application.pk).update(uscc=taken.uscc)

    response = merchant_client.post(step_url("review"), {"confirm": "on"})

    assert response.status_code == 409
    assert "联系客服" in response.content.decode()
    assert OnboardingApplication.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT


def test_full_width_digits_are_folded_to_the_same_number(merchant_client):
    from merchants.models import Category

    ascii_id = make_resident_id(region="440104", birth="19850612")
    full_width = ascii_id.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    data = entity_data(id_number=full_width, categories=[str(Category.objects.get(code="apparel").pk)])

    merchant_client.post(step_url("entity"), data)

    assert OnboardingApplication.objects.get(merchant__user__email__startswith="user").id_number == ascii_id


def test_region_options_follow_the_chosen_province(merchant_client):
    response = merchant_client.get(reverse("merchants:region-options"), {"province": "440000"})

    html = response.content.decode()
    assert '<option value="440100">广州市</option>' in html
    assert 'hx-swap-oob="innerHTML"' in html
    counties = merchant_client.get(
        reverse("merchants:region-options"), {"province": "440000", "city": "440100"}
    )
    assert '<option value="440104">越秀区</option>' in counties.content.decode()
    assert "hx-swap-oob" not in counties.content.decode()


def test_documents_step_uploads_checked_files_privately(merchant_client, settings):
    application = fill_application(OnboardingApplication.objects.get())
    application.documents.all().delete()

    response = merchant_client.post(
        step_url("documents"),
        {"id_front": image_upload(), "id_back": image_upload(), "business_licence": pdf_upload()},
    )

    assert response.status_code == 302
    documents = {d.kind: d for d in application.documents.all()}
    assert set(documents) == {"id_front", "id_back", "business_licence"}
    assert documents["business_licence"].content_type == "application/pdf"
    stored = documents["id_front"].file.path
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.startswith(str(settings.MEDIA_ROOT))


def test_documents_step_refuses_a_renamed_text_file_and_saves_nothing(merchant_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = fill_application(OnboardingApplication.objects.get())
    application.documents.all().delete()
    fake = SimpleUploadedFile("licence.jpg", b"this is not an image at all", content_type="image/jpeg")

    response = merchant_client.post(
        step_url("documents"), {"id_front": image_upload(), "business_licence": fake}
    )

    assert response.status_code == 400
    assert "business_licence" in response.context["form"].errors
    assert not application.documents.exists()


def test_channels_step_refuses_a_link_on_an_unknown_domain(merchant_client):
    fill_application(OnboardingApplication.objects.get())

    response = merchant_client.post(
        step_url("channels"),
        {"taobao": "https://shop.taobao.evil.example/x", "jd": "https://mall.jd.com/index-1.html"},
    )

    assert response.status_code == 400
    assert "taobao" in response.context["form"].errors
    assert 'value="https://mall.jd.com/index-1.html"' in response.content.decode()


def test_channels_step_needs_at_least_one_channel(merchant_client):
    fill_application(OnboardingApplication.objects.get())

    response = merchant_client.post(step_url("channels"), {})

    assert response.status_code == 400
    assert "至少" in response.content.decode()


def test_deposit_step_shows_the_amount_before_submit(merchant_client):
    fill_application(OnboardingApplication.objects.get(), categories=("apparel", "food"))

    response = merchant_client.get(step_url("deposit"))

    assert response.status_code == 200
    assert "¥5000.00" in response.content.decode()


def test_review_step_submits_once_and_a_double_click_is_harmless(merchant_client):
    fill_application(OnboardingApplication.objects.get())

    first = merchant_client.post(step_url("review"), {"confirm": "on"})
    second = merchant_client.post(step_url("review"), {"confirm": "on"})

    assert first.status_code == 302
    assert second.status_code == 302
    application = OnboardingApplication.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.events.count() == 1


def test_review_step_lists_missing_steps(merchant_client):
    response = merchant_client.post(step_url("review"), {"confirm": "on"})

    assert response.status_code == 400
    assert OnboardingApplication.objects.get().status == ApplicationStatus.DRAFT
    assert "证件材料" in response.content.decode()


def test_submitted_application_steps_redirect_to_the_read_only_review(merchant_client):
    application = fill_application(OnboardingApplication.objects.get())
    merchant_client.post(step_url("review"), {"confirm": "on"})

    response = merchant_client.get(step_url("entity"))

    assert response.status_code == 302
    assert response.url == step_url("review")
    assert application.merchant.applications.count() == 1


def test_dashboard_shows_the_change_request_beside_the_step_it_concerns(client):
    from merchants import services

    application = submitted_application()
    services.application_request_changes(
        application=application, by=reviewer(), reason="请上传清晰的营业执照", fields=["documents"]
    )
    client.force_login(application.merchant.user)

    dashboard = client.get(reverse("merchants:dashboard")).content.decode()
    documents_step = client.get(step_url("documents")).content.decode()
    channels_step = client.get(step_url("channels")).content.decode()

    assert "请上传清晰的营业执照" in dashboard
    assert 'data-testid="change-request"' in documents_step
    assert "请上传清晰的营业执照" in documents_step
    assert 'data-testid="change-request"' not in channels_step


def test_dashboard_history_lists_every_move(client):
    from merchants import services

    application = submitted_application()
    services.application_approve(application=application, by=reviewer())
    client.force_login(application.merchant.user)

    response = client.get(reverse("merchants:dashboard"))

    assert [e.to_status for e in response.context["history"]] == ["submitted", "in_review", "approved"]
    assert 'data-testid="application-status">已通过' in response.content.decode()


def test_dashboard_query_count_is_constant(client, django_assert_max_num_queries):
    application = fill_application(ApplicationFactory())
    client.force_login(application.merchant.user)

    # session, user, application with its shop, its four prefetches, history,
    # memberships, three for the school and the header's roles: the application is loaded once.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("merchants:dashboard"))

    assert response.status_code == 200
