"""The reviewer's workbench in Chromium: decide from the page being read.

A reviewer claims the next application from the admin queue and asks for one document
again from the decision panel; the merchant follows the dashboard's fix link, uploads it
again and resubmits; the reviewer claims it again, approves it with a note in three
clicks from the queue and lands on the next application. A provider pre-reviews a belt
applicant from the applicant's own page on a phone.
"""

import io
import re

import pytest
from PIL import Image

from core import claims
from industrybelts import services as belt_services
from industrybelts.models import MembershipStatus
from merchants.models import ApplicationStatus, DocumentKind
from storefront import services as storefront_services
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.factories import image_upload, reviewer, submitted_application
from tests.industrybelts.conftest import approved_merchant, approved_provider, make_base

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CLICK_BUDGET = 3


class ClickCounter:
    """Click through Playwright and count the clicks, to hold the reviewer's path to a budget."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def _photo(tmp_path, name, color):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), color).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _decision(page, label):
    """The panel's <details> whose <summary> reads exactly `label`."""
    # `has` is matched inside each <details>, so it names the summary alone.
    exact = re.compile(rf"^\s*{label}\s*$")
    details = page.locator("details.decision").filter(has=page.locator("summary", has_text=exact))
    return details, details.locator("summary")


def _change_url(live_server, application):
    return f"{live_server.url}/admin/merchants/onboardingapplication/{application.pk}/change/"


def _assert_fits(page, selector, width):
    """The element and the page stay within `width`: no sideways scrolling."""
    box = page.locator(selector).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _small_targets(page, selector):
    """Links, buttons, summaries and checkbox labels inside `selector` lower than 44 px."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(
              `${selector} a, ${selector} button, ${selector} summary, ${selector} label:has(input)`))
            .filter((el) => el.checkVisibility())
            .map((el) => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)""",
        selector,
    )


def _screenshot(page, name, selector=None):
    """Save the page (or the element `selector` finds) into test-artifacts/ and print where."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_claim_request_changes_fix_resubmit_claim_again_approve_and_land_on_the_next(
    page, chromium, live_server, tmp_path
):
    application = submitted_application()
    merchant_user = application.merchant.user
    id_front = application.documents.get(kind=DocumentKind.ID_FRONT)
    staff = reviewer()
    reviewer_context = chromium.new_context(locale="zh-CN", viewport=DESKTOP)
    admin = reviewer_context.new_page()
    admin.set_default_timeout(15_000)
    log_in(admin, live_server, staff.email, next_path="/admin/")

    # The queue: "claim the next one" opens the oldest submitted application, claimed.
    admin.goto(f"{live_server.url}/admin/merchants/onboardingapplication/")
    admin.get_by_role("button", name="认领下一个").click()
    admin.wait_for_url(_change_url(live_server, application))
    assert claims.holder(application).claimed_by == staff
    assert "您正在审核" in admin.locator(".review-panel").inner_text()

    # One document asked for again, from the panel on the page that shows it.
    details, summary = _decision(admin, "退回修改")
    summary.click()
    details.get_by_label("理由（商家可见）").fill("身份证人像面照片反光看不清，请重新拍摄上传。")
    details.get_by_label("证件材料").check()
    _screenshot(admin, "review-panel-1366x900.png", ".review-panel")
    admin.set_viewport_size(PHONE)
    _assert_fits(admin, ".review-panel", PHONE["width"])
    assert _small_targets(admin, ".review-panel") == []
    _screenshot(admin, "review-panel-390x844.png", ".review-panel")
    _screenshot(admin, "review-page-390x844.png")
    admin.set_viewport_size(DESKTOP)
    details.get_by_role("button", name="确认：退回修改").click()
    admin.wait_for_url(f"{live_server.url}/admin/merchants/onboardingapplication/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    assert application.events.order_by("-pk").first().details["fields"] == ["documents"]

    # The merchant follows the fix link to the flagged step, uploads the photo again, resubmits.
    log_in(page, live_server, merchant_user.email, next_path="/merchant/")
    page.get_by_role("link", name="修改我的申请").click()
    page.wait_for_url("**/merchant/application/documents/")
    assert "身份证人像面照片反光" in page.get_by_test_id("change-request").inner_text()
    page.set_input_files("#id_id_front", _photo(tmp_path, "front-again.jpg", "navy"))
    page.get_by_role("button", name="上传并继续").click()
    page.wait_for_url("**/merchant/application/channels/")
    page.goto(f"{live_server.url}/merchant/application/review/")
    page.get_by_label("我保证所填信息").check()
    page.get_by_test_id("submit-application").click()
    page.wait_for_url("**/merchant/")
    assert page.get_by_test_id("application-status").inner_text() == "已提交"
    assert application.documents.get(kind=DocumentKind.ID_FRONT).file.name != id_front.file.name

    # Meanwhile another seller submits: it waits behind the resubmitted application.
    following = submitted_application()

    # The reviewer claims the next one (the resubmitted application) and approves it with a note.
    clicks = ClickCounter()
    admin.goto(f"{live_server.url}/admin/merchants/onboardingapplication/")
    clicks.click(admin.get_by_role("button", name="认领下一个"))
    admin.wait_for_url(_change_url(live_server, application))
    details, summary = _decision(admin, "审核通过")
    clicks.click(summary)
    details.get_by_label("备注（选填）").fill("重新上传的身份证清晰，资料齐全。")
    _screenshot(admin, "review-panel-approve-1366x900.png", ".review-panel")
    clicks.click(details.get_by_role("button", name="确认：审核通过"))
    admin.wait_for_url(_change_url(live_server, following))

    print(f"clicks from the queue to a decision (approve): {clicks.count}")
    assert clicks.count <= CLICK_BUDGET
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.events.order_by("-pk").first().reason == "重新上传的身份证清晰，资料齐全。"
    assert claims.holder(following).claimed_by == staff
    assert claims.holder(application) is None
    reviewer_context.close()


def test_provider_pre_reviews_an_applicant_from_its_page_on_a_phone(chromium, live_server):
    from industrybelts.models import Belt

    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    _provider, owner = approved_provider(apparel)
    merchant = approved_merchant()
    for n in range(3):
        storefront_services.product_quick_list(
            merchant=merchant, by=merchant.user, photo=image_upload(), title=f"四季青连衣裙{n}", price="59.00"
        )
    membership = belt_services.membership_apply(
        merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
    )
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    log_in(phone, live_server, owner.email, next_path="/provider/belts/apparel/")

    _assert_fits(phone, "[data-testid=belt-applications]", PHONE["width"])
    phone.get_by_test_id(f"applicant-{membership.public_id}").click()
    phone.wait_for_url(f"**/provider/memberships/{membership.public_id}/pre-review/")
    assert "小丽女装档口" in phone.get_by_test_id("applicant-shop").inner_text()
    assert phone.get_by_test_id("applicant-goods").locator("img").count() == 3
    assert phone.get_by_test_id("applicant-documents").locator("a").count() == (
        merchant.applications.get().documents.count()
    )
    details = phone.locator("details.decision-danger")
    details.locator("summary").click()
    details.get_by_label("理由（商家可见）").fill("主营类目与本产业带不符。")
    details.get_by_label("商品").check()
    _assert_fits(phone, ".applicant-layout", PHONE["width"])
    assert _small_targets(phone, ".applicant-layout") == []
    _screenshot(phone, "pre-review-390x844.png")
    phone.set_viewport_size(DESKTOP)
    _screenshot(phone, "pre-review-1366x900.png")
    details.get_by_role("button", name="确认：不通过").click()
    phone.wait_for_url("**/provider/belts/apparel/")

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REJECTED
    assert membership.events.order_by("-pk").first().reason == "主营类目与本产业带不符。\n涉及：商品"
    context.close()
