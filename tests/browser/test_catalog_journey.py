"""An approved jade seller lists a good from a photo in one form; a visitor finds it by a
two-character search and the belt filter."""

import io

import pytest
from PIL import Image

from industrybelts import services as belt_services
from industrybelts.models import Belt
from storefront.models import Product
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, invited, make_base
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db(transaction=True)


def test_lightning_listing_then_found_by_search_and_belt(page, chromium, live_server, tmp_path):
    jade = Belt.objects.get(slug="jade")
    make_base(jade)
    provider, owner = approved_provider(jade)
    seller = approved_merchant(categories=("jade-jewellery",))
    invitation = invited(provider, jade, seller)
    membership = belt_services.membership_apply(
        merchant=seller, belt=jade, base=jade.bases.get(), by=seller.user, invitation=invitation
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())
    photo = tmp_path / "bangle.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), (40, 160, 90)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    log_in(page, live_server, seller.user.email, next_path="/merchant/products/")
    page.get_by_test_id("quick-list").click()
    page.set_input_files("#id_photo", str(photo))
    page.get_by_label("标题").fill("帝王绿翡翠手镯")
    page.get_by_label("价格（元）").fill("6800")
    page.get_by_label("一句话介绍").fill("瑞丽直播间，一物一拍")
    page.get_by_test_id("quick-list-submit").click()
    page.wait_for_url("**/catalog/p/**")
    assert page.get_by_test_id("product-title").inner_text() == "帝王绿翡翠手镯"
    product = Product.objects.get()
    assert product.status == "published"
    assert product.belt == jade

    visitor = chromium.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server.url}/catalog/")
    visitor.get_by_test_id("search-input").fill("手镯")
    visitor.get_by_label("产业带").select_option("jade")
    visitor.get_by_test_id("search-submit").click()
    visitor.wait_for_load_state()
    cards = visitor.get_by_test_id("product-card")
    assert cards.count() == 1
    assert "帝王绿翡翠手镯" in cards.first.inner_text()
    cards.first.get_by_role("link").first.click()
    visitor.wait_for_url("**/catalog/p/**")
    assert visitor.get_by_test_id("shop-card").is_visible()
    visitor.context.close()


def test_on_a_phone_goods_come_first_two_a_row_and_the_filters_open_behind_a_button(chromium, live_server):
    seller = approved_merchant()
    for n in range(5):
        make_product(seller, title=f"女装{n}", source_kind="factory")
    make_product(seller, title="源头翡翠", source_kind="origin")
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}/catalog/")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "catalog-phone.png"))

    assert phone.get_by_test_id("result-count").inner_text() == "共 6 件"
    belt = phone.get_by_label("货源")
    assert not belt.is_visible()  # folded: the first screen shows goods
    cards = phone.get_by_test_id("product-card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["y"] == second["y"] and second["x"] > first["x"]  # two a row
    assert first["y"] < 844  # goods on the first screen
    assert first["width"] < 195
    summary = phone.get_by_test_id("filter-summary")
    assert summary.bounding_box()["height"] >= 44

    summary.click()
    phone.screenshot(path=str(ARTIFACTS / "catalog-phone-filters-open.png"))
    belt.select_option("origin")
    phone.get_by_test_id("search-submit").click()
    phone.wait_for_url("**source_kind=origin**")

    assert phone.get_by_test_id("product-card").count() == 1
    assert phone.get_by_test_id("result-count").inner_text() == "共 1 件"
    assert phone.get_by_test_id("filter-summary").inner_text().split() == ["筛选", "（已选", "1", "项）"]
    phone.screenshot(path=str(ARTIFACTS / "catalog-phone-filtered.png"), full_page=True)
    phone.context.close()


def test_on_a_wide_screen_the_filters_show_without_a_button(page, live_server):
    page.goto(f"{live_server.url}/catalog/")

    assert page.get_by_label("产业带").is_visible()
    assert not page.get_by_test_id("filter-summary").is_visible()
