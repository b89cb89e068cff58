"""The shop's dashboard, cached whole per merchant (merchants.views.MerchantDashboardView).

A visit of an approved shop's dashboard reads the user, the application with its version
row, and the header's roles, and serves the stored body; each thing the body shows,
changed through its write path, shows on the very next visit.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from industrybelts import services as belt_services
from industrybelts.models import Belt
from merchants import services as merchant_services
from storefront.school import services as school_services
from tests.factories import reviewer, submitted_application
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, make_base
from tests.merchants.test_compliance_views import pay_deposit
from tests.storefront.conftest import make_product
from tests.storefront.school.conftest import make_course, make_item

pytestmark = pytest.mark.django_db

DASHBOARD = "/merchant/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def seller(client):
    merchant = approved_merchant()
    client.force_login(merchant.user)
    return merchant


def page(client) -> str:
    """The dashboard, but for the header's CSRF token (the log-out form's, new each time)."""
    html = client.get(reverse("merchants:dashboard"), **ZH).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_url_is_the_dashboards():
    assert reverse("merchants:dashboard") == DASHBOARD


def test_a_second_visit_reads_the_application_and_its_version_and_renders_no_section(
    client, seller, django_assert_num_queries
):
    first = page(client)

    # the user, the application with its shop and version row, the header's roles (the
    # session comes from the cache)
    with django_assert_num_queries(3):
        second = page(client)

    assert second == first
    assert 'data-testid="merchant-home"' in second and 'data-testid="my-belts"' in second


def _first_goods(seller):
    make_product(seller)


def _approved_membership(seller):
    belt = Belt.objects.get(slug="apparel")
    make_base(belt, name="杭州四季青服装市场", county="330102")
    _provider, owner = approved_provider(belt)
    membership = belt_services.membership_apply(
        merchant=seller, belt=belt, base=belt.bases.first(), by=seller.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())


def _lesson_read(seller):
    _course, (lesson, *_rest) = make_course(lessons=2, title="快速上架与直播")
    school_services.lesson_mark_read(user=seller.user, lesson=lesson, done=True)


def _course_published(seller):
    make_item(title="源头好货怎么拍", stage="approved")


def _deposit_paid(seller):
    pay_deposit(seller)


def _suspended(seller):
    application = seller.applications.get()
    merchant_services.application_suspend(application=application, by=reviewer(), reason="资质待核实")


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (_first_goods, 'class="is-done" data-testid="step-goods"'),
        (_approved_membership, 'data-testid="membership-status-apparel">已通过'),
        (_lesson_read, "快速上架与直播"),
        (_course_published, "源头好货怎么拍"),
        (_deposit_paid, 'class="is-done" data-testid="step-deposit"'),
        (_suspended, 'data-testid="application-status">已暂停'),
    ],
    ids=["goods", "membership", "lesson-read", "course-published", "deposit-paid", "suspended"],
)
def test_what_the_body_shows_changes_on_the_next_visit(client, seller, change, shown):
    before = page(client)
    assert shown not in before
    assert page(client) == before  # served from the cache

    change(seller)

    assert shown in page(client)


def test_each_language_has_its_own_body(client, seller):
    assert "我的店铺" in page(client)

    english = client.get(reverse("merchants:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "My shop" in english and "我的店铺" not in english


def test_each_merchant_sees_its_own_body(client, seller):
    page(client)
    other = approved_merchant()
    make_product(other)
    client.force_login(other.user)

    assert 'class="is-done" data-testid="step-goods"' in page(client)


def test_a_form_on_the_dashboard_is_drawn_for_each_visit_with_a_token_that_works():
    """A rejected application's "start a new one" carries the request's CSRF token, so its
    body is never taken from the cache."""
    application = submitted_application()
    merchant_services.application_reject(application=application, by=reviewer(), reason="资料不实")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(application.merchant.user)
    browser.get(reverse("merchants:dashboard"))

    html = browser.get(reverse("merchants:dashboard")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(reverse("merchants:application-start"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302


def test_a_lesson_done_moves_the_courses_progress_on_the_next_visit(client, seller):
    _course, (first, second, _third) = make_course(lessons=3, title="快速上架与直播")
    school_services.lesson_mark_read(user=seller.user, lesson=first, done=True)
    assert "已学完 1/3（33%）" in page(client)

    school_services.lesson_mark_read(user=seller.user, lesson=second, done=True)

    assert "已学完 2/3（67%）" in page(client)
