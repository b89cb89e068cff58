"""Moderating goods in admin: the decision panel on a product's page, and bulk restore."""

import pytest
from django.test import Client
from django.urls import reverse

from core import claims
from storefront import services
from storefront.models import ProductEvent, ProductStatus
from tests.factories import StaffFactory
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:storefront_product_changelist")


def _page(product):
    return reverse("admin:storefront_product_change", args=[product.pk])


def _decide(product):
    return reverse("admin:storefront_product_decide", args=[product.pk])


def _moderator():
    return StaffFactory(group="belt-operations")


@pytest.fixture
def moderator_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(_moderator())
    return client


def _offered(client, product):
    return [item["decision"].key for item in client.get(_page(product)).context["review_panel"]["decisions"]]


def test_the_panel_offers_hide_for_published_goods_and_restore_for_hidden_ones(moderator_client, seller):
    product = make_product(seller)

    assert _offered(moderator_client, product) == ["hide"]
    services.product_hide(product=product, by=_moderator(), reason="图片涉嫌侵权")
    assert _offered(moderator_client, product) == ["restore"]
    assert _offered(moderator_client, make_product(seller, publish=False)) == []


def test_hide_from_the_page_records_the_reason_and_tells_the_merchant(
    moderator_client, seller, outbox, django_capture_on_commit_callbacks
):
    product = make_product(seller)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            _decide(product), {"decision": "hide", "expected_status": "published", "reason": "价格虚标"}
        )

    product.refresh_from_db()
    assert product.status == ProductStatus.HIDDEN
    assert product.events.order_by("-pk").first().reason == "价格虚标"
    assert [m.to for m in outbox.wait_for(1)] == [[seller.user.email]]


def test_hide_without_a_reason_records_nothing(moderator_client, seller):
    product = make_product(seller)
    events = ProductEvent.objects.count()

    response = moderator_client.post(
        _decide(product), {"decision": "hide", "expected_status": "published", "reason": ""}, follow=True
    )

    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert ProductEvent.objects.count() == events
    assert "理由" in response.content.decode()


def test_a_restore_from_a_stale_page_is_refused(moderator_client, seller):
    product = make_product(seller)
    services.product_hide(product=product, by=_moderator(), reason="图片涉嫌侵权")
    services.product_restore(product=product, by=_moderator())
    events = ProductEvent.objects.count()

    response = moderator_client.post(
        _decide(product), {"decision": "restore", "expected_status": "hidden"}, follow=True
    )

    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert ProductEvent.objects.count() == events
    assert "已被他人处理" in response.content.decode()


def test_restore_from_the_page_lands_on_the_next_hidden_product(moderator_client, seller):
    first, second = make_product(seller, title="第一件"), make_product(seller, title="第二件")
    for product in (first, second):
        services.product_hide(product=product, by=_moderator(), reason="待核实")

    response = moderator_client.post(
        _decide(first), {"decision": "restore", "expected_status": "hidden", "note": "已核实"}
    )

    first.refresh_from_db()
    assert first.status == ProductStatus.PUBLISHED
    assert first.events.order_by("-pk").first().reason == "已核实"
    assert response.url == _page(second)


def test_the_list_opens_on_every_product_with_the_hidden_ones_a_tab_away(moderator_client, seller):
    shown = make_product(seller, title="在售")
    hidden = make_product(seller, title="已隐藏")
    services.product_hide(product=hidden, by=_moderator(), reason="待核实")

    everything = moderator_client.get(CHANGELIST)
    queue = moderator_client.get(CHANGELIST, {"queue": "awaiting"})

    assert set(everything.context["cl"].result_list) == {shown, hidden}
    assert list(queue.context["cl"].result_list) == [hidden]
    assert {tab["count"] for tab in everything.context["queue_tabs"]} == {None}  # no count over the catalogue
    assert 'class="badge badge-hidden">已被平台隐藏</span>' in everything.content.decode()


def test_bulk_restore_changes_nothing_until_confirmed(moderator_client, seller):
    hidden = make_product(seller, title="已隐藏")
    services.product_hide(product=hidden, by=_moderator(), reason="待核实")
    published = make_product(seller, title="在售")
    selected = {"action": "restore", "_selected_action": [hidden.pk, published.pk]}
    events = ProductEvent.objects.count()

    page = moderator_client.post(CHANGELIST, selected)

    assert page.status_code == 200
    rows = [(row["object"], row["possible"], row["after_label"]) for row in page.context["rows"]]
    assert sorted(rows, key=lambda row: row[0].pk) == [(hidden, True, "已上架"), (published, False, "已上架")]
    assert ProductEvent.objects.count() == events
    hidden.refresh_from_db()
    assert hidden.status == ProductStatus.HIDDEN

    moderator_client.post(CHANGELIST, {**selected, "apply": "1"})

    hidden.refresh_from_db()
    assert hidden.status == ProductStatus.PUBLISHED


def test_hiding_a_product_off_the_queue_stays_on_its_page(moderator_client, seller):
    product = make_product(seller)
    waiting = make_product(seller, title="已隐藏")
    services.product_hide(product=waiting, by=_moderator(), reason="待核实")

    response = moderator_client.post(
        _decide(product), {"decision": "hide", "expected_status": "published", "reason": "价格虚标"}
    )

    assert response.url == _page(product)
    assert claims.holder(waiting) is None  # nobody was handed the queue's next product
