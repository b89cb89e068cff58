import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_tells_sellers_what_the_portal_is_in_chinese(client):
    response = client.get(reverse("storefront:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "源头好货" in html and "工厂老板" in html and "种草达人" in html


def test_home_counts_approved_merchants_only(client):
    from merchants import services
    from tests.factories import reviewer, submitted_application

    staff = reviewer()
    for application in [submitted_application() for _ in range(3)][:2]:
        services.application_approve(application=application, by=staff)
    UserFactory()

    response = client.get(reverse("storefront:home"))

    assert response.context["figures"]["merchants"] == 2
    assert response.context["figures"]["belts"] == 2  # apparel and jade, from the data migration


def test_home_figures_are_cached_so_visits_do_not_count_tables(client, django_assert_num_queries):
    client.get(reverse("storefront:home"))
    UserFactory()

    with django_assert_num_queries(0):
        response = client.get(reverse("storefront:home"))

    assert response.context["figures"]["merchants"] == 0


def test_language_switcher_turns_the_page_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    assert '<html lang="en">' in response.content.decode()
    assert "Sell your source goods" in response.content.decode()

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert "用直播和短视频" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"])
def test_every_page_has_the_language_switcher(client, url):
    html = client.get(url).content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert 'data-testid="language-en"' in html


def test_404_page_is_localised(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    client = Client(raise_request_exception=False)
    from storefront.views import server_error

    response = server_error(client.get("/").wsgi_request)

    assert response.status_code == 500
    assert "出了点问题" in response.content.decode()


def test_403_page_is_localised(client):
    client.force_login(UserFactory())

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_csp_allows_only_the_portals_own_scripts(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "<script " not in html.replace("<script src=", "")
    assert "http://" not in html.split("<body>")[0].replace("http://www.w3.org", "")


def test_css_and_htmx_are_served_by_the_portal():
    assert finders.find("css/portal.css")
    assert finders.find("django_htmx/htmx-2.min.js")


def test_times_are_in_beijing_time(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
