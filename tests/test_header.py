"""The shared header (templates/base.html, storefront/context_processors.py): the links each
role's user sees, and what asking for them costs a page."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from merchants import services as merchant_services
from merchants.models import OnboardingApplication
from storefront.context_processors import NOBODY, HeaderRoles, header_roles
from tests.factories import ApplicationFactory, StaffFactory, UserFactory, reviewer
from tests.industrybelts.conftest import approved_merchant, approved_provider

pytestmark = pytest.mark.django_db

ROLE_LINKS = {"nav-products", "nav-my-campaigns", "nav-api-tokens", "nav-provider"}


def header_links(client, user=None):
    if user is not None:
        client.force_login(user)
    html = client.get("/belts/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    return {link for link in ROLE_LINKS | {"nav-dashboard"} if f'data-testid="{link}"' in header}


@pytest.fixture
def jade():
    from industrybelts.models import Belt

    return Belt.objects.get(slug="jade")


def test_a_visitor_sees_log_in_and_sign_up_and_no_merchant_links(client):
    html = client.get("/belts/").content.decode()

    assert header_links(client) == set()
    assert 'href="/accounts/login/"' in html and 'href="/accounts/signup/"' in html
    assert 'data-testid="menu-toggle"' in html and 'aria-expanded="false"' in html


def test_a_new_merchant_sees_only_the_shop_link(client):
    assert header_links(client, UserFactory()) == {"nav-dashboard"}


def test_an_applicant_not_yet_approved_sees_only_the_shop_link(client):
    application = ApplicationFactory()

    assert header_links(client, application.merchant.user) == {"nav-dashboard"}


def test_an_approved_merchant_sees_goods_campaigns_and_api_tokens_but_no_provider_link(client):
    merchant = approved_merchant()

    assert header_links(client, merchant.user) == {
        "nav-dashboard",
        "nav-products",
        "nav-my-campaigns",
        "nav-api-tokens",
    }


def test_a_suspended_merchant_loses_the_selling_links(client):
    merchant = approved_merchant()
    application = OnboardingApplication.objects.get(merchant=merchant)
    merchant_services.application_suspend(application=application, by=reviewer(), reason="售假投诉核实中")

    assert header_links(client, merchant.user) == {"nav-dashboard"}


def test_a_provider_member_sees_the_provider_workspace(client, jade):
    _provider, owner = approved_provider(jade)

    assert header_links(client, owner) == {"nav-dashboard", "nav-provider"}


def test_staff_see_admin_and_none_of_the_merchant_links(client):
    staff = StaffFactory()
    client.force_login(staff)

    html = client.get("/belts/").content.decode()

    assert header_links(client) == set()
    assert 'href="/admin/"' in html


def test_roles_are_one_query_asked_once_per_request(django_assert_num_queries, jade):
    _provider, owner = approved_provider(jade)
    request = RequestFactory().get("/")
    request.user = owner

    with django_assert_num_queries(1):
        first = header_roles(request)
        second = header_roles(request)

    assert first is second
    assert first == HeaderRoles(sells=False, provider=True)


def test_visitors_and_staff_cost_no_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    visitor, staff = RequestFactory().get("/"), RequestFactory().get("/")
    visitor.user, staff.user = AnonymousUser(), StaffFactory()

    with django_assert_num_queries(0):
        assert header_roles(visitor) == NOBODY
        assert header_roles(staff) == NOBODY


def test_the_header_adds_one_query_to_a_signed_in_page(client, settings):
    client.force_login(approved_merchant().user)
    client.get("/belts/")  # warm what the page caches

    with CaptureQueriesContext(connection) as with_header:
        client.get("/belts/")
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    name
                    for name in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
                    if name != "storefront.context_processors.header"
                ],
            },
        }
    ]
    with CaptureQueriesContext(connection) as without_header:
        client.get("/belts/")

    assert len(with_header.captured_queries) == len(without_header.captured_queries) + 1
