"""On a phone, an approved jade seller schedules a live session with one of its goods,
sees it announced on its shop page with the good's badge, goes live, and the shop page
shows it live with the room link."""

import datetime

import pytest
from django.utils import timezone

from storefront.content.models import LiveSession, LiveStatus
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_schedule_a_session_on_a_phone_and_see_it_on_the_shop_page_then_live(chromium, live_server):
    seller = approved_merchant(categories=("jade-jewellery",))
    good = make_product(seller, title="冰种翡翠手镯")
    phone = chromium.new_context(locale="zh-CN", viewport=PHONE).new_page()
    # In twenty minutes, Beijing time, as the seller's phone would show it in China.
    start = (timezone.localtime() + datetime.timedelta(minutes=20)).replace(second=0, microsecond=0)

    log_in(phone, live_server, seller.user.email, next_path="/merchant/live/")
    assert phone.get_by_test_id("live-empty").is_visible()
    phone.get_by_test_id("schedule-live").click()
    phone.wait_for_url("**/merchant/live/new/")
    phone.locator("#id_title").fill("瑞丽翡翠手镯专场")
    phone.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    phone.locator("#id_expected_minutes").fill("60")
    phone.get_by_label("冰种翡翠手镯").check()
    phone.locator("#id_room_url").fill("https://live.kuaishou.com/u/ruili")
    assert _no_sideways_scroll(phone)
    phone.get_by_test_id("live-submit").click()
    phone.wait_for_url("**/merchant/live/")
    session = LiveSession.objects.get()
    assert session.starts_at == start and list(session.products.all()) == [good]

    phone.goto(f"{live_server.url}/shops/{seller.public_id}/")
    upcoming = phone.get_by_test_id("live-upcoming")
    assert "瑞丽翡翠手镯专场" in upcoming.inner_text() and start.strftime("%H:%M") in upcoming.inner_text()
    assert phone.get_by_test_id("live-badge").first.is_visible()
    assert _no_sideways_scroll(phone)

    phone.goto(f"{live_server.url}/merchant/live/")
    phone.get_by_test_id(f"go-live-{session.public_id}").click()
    phone.get_by_test_id("confirm-go-live").click()
    phone.wait_for_url("**/merchant/live/")
    assert LiveSession.objects.get().status == LiveStatus.LIVE

    phone.goto(f"{live_server.url}/shops/{seller.public_id}/")
    assert phone.get_by_test_id("live-now").is_visible()
    assert phone.get_by_test_id("live-room-link").get_attribute("href") == "https://live.kuaishou.com/u/ruili"
    assert _no_sideways_scroll(phone)
    phone.context.close()
