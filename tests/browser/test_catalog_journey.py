"""An approved jade seller lists a good from a photo in one form; a visitor finds it by a
two-character search and the belt filter."""

import io

import pytest
from PIL import Image

from industrybelts import services as belt_services
from industrybelts.models import Belt
from storefront.models import Product
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, invited, make_base

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
