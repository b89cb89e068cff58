"""The merchant's goods list on a phone: one card per good, every value named, targets to tap."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db(transaction=True)


def test_goods_list_is_cards_with_labels_and_tap_targets_on_a_phone(chromium, live_server):
    seller = approved_merchant()
    make_product(seller, title="帝王绿翡翠手镯，瑞丽直播间一物一拍，支持复检证书")
    make_product(seller, title="草稿手镯", publish=False)
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    log_in(phone, live_server, seller.user.email, next_path="/merchant/products/")

    rows = phone.locator("table.goods-table tbody tr")
    assert rows.count() == 2
    assert not phone.locator("table.goods-table thead").is_visible() or (
        phone.locator("table.goods-table thead").bounding_box()["height"] <= 1
    )
    card = rows.first.bounding_box()
    assert card["width"] > 340  # a card across the screen, not a squeezed row
    labels = rows.first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"批发价"', '"状态"', '"流量轮次"', '"曝光 → 浏览 → 购买点击"']
    for target in (rows.first.locator("td.pick label"), rows.first.get_by_role("link", name="编辑")):
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "merchant-goods-phone.png"), full_page=True)
    phone.context.close()
