"""The header on a phone: one row with a menu button that opens the navigation, links the
user's roles open, and tap targets of at least 44 px; on a desktop, the links in the open.

Screenshots of each page at 390 px, menu closed and open, land in test-artifacts/.
"""

import pytest
from django.conf import settings

from tests.browser.conftest import ARTIFACTS
from tests.factories import ApplicationFactory, UserFactory
from tests.industrybelts.conftest import approved_merchant, approved_provider

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PAGES = {"home": "/", "catalog": "/catalog/", "dashboard": "/merchant/"}


def signed_in(chromium, live_server, client, user, viewport):
    client.force_login(user)
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.filter(el => el.offsetParent !== null).map(el => {"
        " const box = el.getBoundingClientRect();"
        " return {text: el.innerText.trim(), width: box.width, height: box.height}; })"
    )


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))


def serious_violations(page):
    """axe-core's critical and serious findings on the page as it is now (menu open)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def check_phone_header(page, name):
    """The header is one row with the menu closed; the button opens a menu of big targets."""
    shoot(page, f"{name}-closed")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 72, f"{name}: the closed header is {header['height']} px tall"
    menu = page.get_by_test_id("site-menu")
    assert not menu.is_visible()
    toggle = page.get_by_test_id("menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    button = toggle.bounding_box()
    assert button["width"] >= 44 and button["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    targets = boxes(page, ".site-menu a, .site-menu button")
    assert targets
    small = [target for target in targets if target["height"] < 44 or target["width"] < 44]
    assert small == [], f"{name}: tap targets under 44 px: {small}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, f"{name}-open")
    # The every-page walk sees the phone's menu folded away; here it is open.
    assert serious_violations(page) == []

    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.dataset.testid") == "menu-toggle"


def test_visitor_opens_the_menu_on_a_phone(chromium, live_server):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    for name in ("home", "catalog"):
        page.goto(live_server.url + PAGES[name])
        check_phone_header(page, f"{name}-visitor")
    page.get_by_test_id("menu-toggle").click()
    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    check_phone_header(page, "catalog-visitor-english")
    page.get_by_test_id("menu-toggle").click()
    page.get_by_role("link", name="Log in").click()
    page.wait_for_url("**/accounts/login/")
    context.close()


def test_merchants_see_the_links_of_their_roles_behind_the_menu(chromium, live_server, client):
    from industrybelts.models import Belt

    seller = approved_merchant()
    newcomer = UserFactory()
    applicant = ApplicationFactory().merchant.user
    _provider, provider_owner = approved_provider(Belt.objects.get(slug="jade"))
    expected = {
        "approved": {
            "nav-dashboard",
            "nav-products",
            "nav-videos",
            "nav-my-campaigns",
            "nav-my-live",
            "nav-api-tokens",
        },
        "new": {"nav-dashboard"},
        "applicant": {"nav-dashboard"},
        "provider": {"nav-dashboard", "nav-provider"},
    }
    users = {"approved": seller.user, "new": newcomer, "applicant": applicant, "provider": provider_owner}
    for role, user in users.items():
        page = signed_in(chromium, live_server, client, user, PHONE)
        for name in PAGES:
            page.goto(live_server.url + PAGES[name])
            check_phone_header(page, f"{name}-{role}")
        page.get_by_test_id("menu-toggle").click()
        shown = {
            link.get_attribute("data-testid") for link in page.locator(".account-nav a[data-testid]").all()
        }
        assert shown == expected[role]
        page.get_by_test_id("nav-dashboard").click()
        page.wait_for_url("**/merchant/")
        page.context.close()


def test_desktop_header_shows_the_links_without_a_menu_button(chromium, live_server, client):
    page = signed_in(chromium, live_server, client, approved_merchant().user, DESKTOP)
    page.goto(live_server.url + "/")
    assert not page.get_by_test_id("menu-toggle").is_visible()
    assert page.get_by_test_id("nav-products").is_visible()
    assert page.get_by_test_id("nav-school").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desktop-home-approved.png"))
    page.context.close()


TABLE_OF_GOODS = """() => {
  const table = document.createElement('table');
  table.className = 'table-cards';
  table.innerHTML = '<thead><tr><th>标题</th><th>批发价</th><th>曝光 → 浏览 → 购买点击</th></tr></thead>'
    + '<tbody>'
    + '<tr><td data-label="标题">帝王绿翡翠手镯，瑞丽直播间一物一拍，支持复检证书</td>'
    + '<td data-label="批发价">¥6800.00</td><td data-label="曝光 → 浏览 → 购买点击">1200 → 300 → 12</td></tr>'
    + '</tbody>';
  document.querySelector('main').append(table);
  const row = table.querySelector('tbody tr').getBoundingClientRect();
  const cell = table.querySelector('td');
  return {
    fits: document.documentElement.scrollWidth <= window.innerWidth && row.right <= window.innerWidth,
    display: getComputedStyle(table.querySelector('tbody tr')).display,
    label: getComputedStyle(cell, '::before').content,
    headerShown: table.querySelector('thead').getBoundingClientRect().height > 1,
  };
}"""


def test_a_table_marked_as_cards_is_a_card_per_row_on_a_phone(chromium, live_server):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/belts/")

    table = page.evaluate(TABLE_OF_GOODS)

    assert table == {"fits": True, "display": "block", "label": '"标题"', "headerShown": False}
    page.set_viewport_size(DESKTOP)
    assert page.evaluate("getComputedStyle(document.querySelector('.table-cards tbody tr')).display") == (
        "table-row"
    )
    context.close()
