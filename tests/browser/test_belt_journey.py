"""Provider invites → seller signs up through the link, is approved → applies to jade →
provider pre-reviews → staff approve → the seller is on the belt page and in the figures."""

import re

import pytest

from industrybelts.models import BeltMembership, MembershipStatus
from merchants import services as merchant_services
from merchants.models import OnboardingApplication
from tests.browser.helpers import log_in, sign_up_and_verify
from tests.factories import fill_application, reviewer
from tests.industrybelts.conftest import approved_provider, belt_ops, make_base

pytestmark = pytest.mark.django_db(transaction=True)


def test_invited_seller_joins_the_jade_belt(page, chromium, live_server, outbox):
    from industrybelts.models import Belt

    jade = Belt.objects.get(slug="jade")
    make_base(jade)
    provider, provider_owner = approved_provider(jade)
    provider_context = chromium.new_context(locale="zh-CN")
    provider_page = provider_context.new_page()

    # The provider creates an invitation link in its workspace.
    log_in(provider_page, live_server, provider_owner.email, next_path="/provider/")
    provider_page.get_by_test_id("create-invitation-jade").click()
    # The link is shown once, to copy or to scan.
    link = provider_page.get_by_test_id("invitation-link").input_value()
    assert re.fullmatch(r"https?://\S+/belts/invite/[^/\s]+/", link)
    assert provider_page.locator(".qr svg").count() == 1

    # A new seller opens it, signs up, is verified and approved (the wizard has its own journey).
    page.goto(link)
    assert provider.name in page.content()
    page.get_by_test_id("invitation-signup").click()
    page.wait_for_url("**/accounts/signup/")
    sign_up_and_verify(page, live_server, outbox, "jade.seller@example.com")
    from merchants.models import User

    seller = User.objects.get(email="jade.seller@example.com")
    application = merchant_services.application_start(
        merchant=merchant_services.merchant_profile_ensure(user=seller)
    )
    fill_application(application, categories=("jade-jewellery",))
    merchant_services.application_submit(application=application, by=seller)
    merchant_services.application_approve(
        application=OnboardingApplication.objects.get(pk=application.pk), by=reviewer()
    )

    # The seller applies to the jade belt with the invitation.
    page.goto(f"{live_server.url}/belts/jade/")
    page.get_by_test_id("apply-to-belt").click()
    assert "平洲" in page.content()
    page.get_by_label("基地").select_option(str(jade.bases.get().pk))
    page.get_by_test_id("submit-membership").click()
    page.wait_for_url("**/merchant/")
    assert page.get_by_test_id("membership-status-jade").inner_text() == "已申请"
    membership = BeltMembership.objects.get()
    assert membership.provider == provider

    # The provider pre-reviews it.
    provider_page.goto(f"{live_server.url}/provider/belts/jade/")
    provider_page.locator("input[name=decision][value=approve]").check()
    provider_page.get_by_test_id(f"pre-review-{membership.public_id}").click()
    provider_page.wait_for_load_state()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PRE_APPROVED

    # Staff approve it in admin.
    staff_context = chromium.new_context(locale="zh-CN")
    staff_page = staff_context.new_page()
    log_in(staff_page, live_server, belt_ops().email, next_path="/admin/")
    staff_page.goto(f"{live_server.url}/admin/industrybelts/beltmembership/")
    staff_page.locator(f"input[name=_selected_action][value='{membership.pk}']").check()
    staff_page.select_option("select[name=action]", "approve")
    staff_page.locator("button[name=index]").click()
    # A bulk decision lists what will change and waits for the confirmation.
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PRE_APPROVED
    staff_page.locator("input[name=confirm]").click()
    staff_page.wait_for_load_state()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPROVED

    # The seller is on the public belt page, and the provider's figures count it.
    page.goto(f"{live_server.url}/belts/jade/")
    assert seller.merchant.display_name in page.get_by_test_id("belt-members").inner_text()
    provider_page.goto(f"{live_server.url}/provider/")
    assert provider_page.get_by_test_id("fig-invited").inner_text() == "1"
    assert provider_page.get_by_test_id("fig-signed-up").inner_text() == "1"
    assert provider_page.get_by_test_id("fig-approved").inner_text() == "1"
    assert provider_page.get_by_test_id("fig-active").inner_text() == "1"
    provider_context.close()
    staff_context.close()
