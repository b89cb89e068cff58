"""Cached catalog fragments and product cards: a write is seen on the very next page."""

import html
import re
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import fragments as core_fragments
from industrybelts.models import BeltMembership
from storefront import counters, fragments, services, tasks
from storefront import views as views_module
from storefront.cards import card_key, render_cards
from storefront.catalog import PAGE_SIZE, CardRef
from storefront.discovery import selectors as strip_selectors
from storefront.discovery import services as discovery
from storefront.discovery.selectors import discovery_strip
from storefront.models import ProductImage, ProductLink
from storefront.selectors import shop_row
from storefront.views import CatalogView
from tests.factories import StaffFactory
from tests.storefront.conftest import make_product
from tests.storefront.content.conftest import schedule as schedule_session

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


def listed(client, params=None, **headers):
    content = client.get(CATALOG, params or {}, **headers).content.decode()
    _rest, marker, results = content.partition('data-testid="catalog-results"')
    return [html.unescape(title) for title in re.findall(r"<h3>(.*?)</h3>", results)] if marker else []


def strip(client):
    cache.delete("discovery:offset:all")  # the first window each time
    content = client.get(CATALOG).content.decode()
    section = content.partition('data-testid="discovery"')[2].partition("</section>")[0]
    return [html.unescape(title) for title in re.findall(r"<h3>(.*?)</h3>", section)]


def _queries(client, url=CATALOG):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_repeated_page_is_served_from_the_cache_without_a_query(client, seller):
    make_product(seller, title="缓存连衣裙")
    assert listed(client) == ["缓存连衣裙"]

    assert _queries(client) == 0
    assert listed(client) == ["缓存连衣裙"]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda product: services.product_hide(
                product=product, by=StaffFactory(is_superuser=True), reason="图片侵权"
            ),
            id="staff hide",
        ),
        pytest.param(
            lambda product: services.product_unpublish(product=product, by=product.merchant.user),
            id="unpublish",
        ),
        pytest.param(
            lambda product: services.product_delete(product=product, by=product.merchant.user), id="delete"
        ),
    ],
)
def test_a_good_taken_off_the_catalog_leaves_the_cached_page_at_once(client, seller, write):
    product = make_product(seller, title="将下架的连衣裙")
    make_product(seller, title="留下的连衣裙")
    assert set(listed(client)) == {"将下架的连衣裙", "留下的连衣裙"}

    write(product)

    assert listed(client) == ["留下的连衣裙"]


def test_an_edit_and_a_new_good_show_at_once(client, seller):
    product = make_product(seller, title="旧标题")
    assert listed(client) == ["旧标题"]

    services.product_save(
        merchant=seller,
        by=seller.user,
        product=product,
        data={"title": "新标题", "wholesale_price": Decimal("9.90")},
    )
    make_product(seller, title="刚上架")

    assert listed(client) == ["刚上架", "新标题"]
    assert "¥9.90" in client.get(CATALOG).content.decode()


def _results(client):
    return client.get(CATALOG).content.decode().partition('data-testid="catalog-results"')[2]


def test_a_processed_photo_redraws_the_card(client, seller, photo):
    good = services.product_quick_list(
        merchant=seller, by=seller.user, photo=photo, title="等图片", price="99"
    )
    assert "<img" not in _results(client)  # the sizes are not made yet
    waiting_card = card_key(good, "zh-hans")

    tasks.process_product_image_task(good.images.get().pk)

    good.refresh_from_db()
    assert card_key(good, "zh-hans") != waiting_card
    assert re.search(r'<img src="[^"]+\.webp"', _results(client))
    assert not good.images.get().original  # the private upload is gone once the sizes are saved


def test_a_photo_that_does_not_decode_is_dropped_from_the_card(client, seller, photo):
    good = services.product_quick_list(
        merchant=seller, by=seller.user, photo=photo, title="坏图片", price="99"
    )
    waiting_card = card_key(good, "zh-hans")
    client.get(CATALOG)

    with mock.patch("storefront.tasks.make_webp_sizes", side_effect=OSError("truncated")):
        tasks.process_product_image_task(good.images.get().pk)

    good.refresh_from_db()
    assert not good.images.exists()
    assert card_key(good, "zh-hans") != waiting_card
    assert listed(client) == ["坏图片"]


def test_flushed_clicks_reorder_the_popular_sort(client, seller):
    make_product(seller, title="冷门")
    hot = make_product(seller, title="热门")
    make_product(seller, title="普通")
    assert listed(client, {"sort": "popular"})[0] == "普通"  # no clicks yet: newest first

    for _ in range(3):
        counters.record("click", hot.pk)
    counters.flush()

    assert listed(client, {"sort": "popular"})[0] == "热门"


def test_the_generation_is_replaced_again_after_commit(django_capture_on_commit_callbacks):
    first = fragments.generation_with()[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fragments.catalog_changed()
        during = fragments.generation_with()[0]

    assert len(callbacks) == 1
    assert first != during != fragments.generation_with()[0]


def test_a_tampered_cursor_warns_on_every_answer(client, seller):
    make_product(seller)
    for _ in range(2):
        response = client.get(CATALOG, {"after": "forged:cursor"})
        assert any("不再有效" in str(message) for message in response.context["messages"])


def test_unknown_parameters_share_the_cached_page_and_stay_out_of_its_links(client, seller):
    for number in range(PAGE_SIZE + 1):
        make_product(seller, title=f"货{number}")
    # The first visitor's own tags (from an ad, an e-mail) must not reach the next visitor.
    first = client.get(CATALOG, {"source_kind": "factory", "utm_source": "douyin", "token": "秘密"})
    assert first.status_code == 200

    with CaptureQueriesContext(connection) as captured:
        second = client.get(CATALOG, {"source_kind": "factory"}).content.decode()

    assert len(captured) == 0
    next_link = re.search(r'href="\?([^"]*after=[^"]*)"', second).group(1)
    assert "source_kind=factory" in html.unescape(next_link)
    assert "utm_source" not in second and "token=" not in next_link


def test_an_invalid_query_is_not_cached(client, seller):
    make_product(seller)
    client.get(CATALOG, {"source_kind": "made-up"})

    assert _queries(client, CATALOG + "?source_kind=made-up") > 0
    assert _queries(client, CATALOG + "?source_kind=factory") > 0
    assert _queries(client, CATALOG + "?source_kind=factory") == 0


def test_each_language_has_its_own_page(client, seller):
    make_product(seller, title="双语连衣裙")
    chinese = client.get(CATALOG).content.decode()
    english = client.get(CATALOG, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    label = '<span class="muted">{}</span>'
    assert label.format("批发") in chinese and label.format("wholesale") not in chinese
    assert label.format("wholesale") in english and label.format("批发") not in english


def test_the_page_is_served_without_the_cache(client, seller):
    make_product(seller, title="缓存坏了也能看")
    with (
        mock.patch.object(cache, "get_many", side_effect=ConnectionError),
        mock.patch.object(cache, "get", side_effect=ConnectionError),
        mock.patch.object(cache, "set", side_effect=ConnectionError),
        mock.patch.object(cache, "set_many", side_effect=ConnectionError),
    ):
        assert listed(client) == ["缓存坏了也能看"]


def test_after_a_cache_failure_the_cache_is_left_alone_for_a_while(client, seller, monkeypatch):
    make_product(seller, title="缓存挂起")
    clock = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: clock[0])
    with mock.patch.object(cache, "get_many", side_effect=TimeoutError) as get_many:
        assert listed(client) == ["缓存挂起"]
        assert listed(client) == ["缓存挂起"]
        assert get_many.call_count == 1  # one timeout, not one per call and per request

        clock[0] += fragments.CACHE_RETRY_AFTER
        listed(client)
        assert get_many.call_count == 2


def test_a_write_while_the_cache_is_down_does_not_wait_on_it_again(seller, monkeypatch):
    monkeypatch.setattr(fragments.time, "monotonic", lambda: 1000.0)
    with (
        mock.patch.object(cache, "set", side_effect=TimeoutError) as cache_set,
        mock.patch.object(cache, "set_many", side_effect=TimeoutError) as cache_set_many,
    ):
        for title in ("一", "二", "三"):
            make_product(seller, title=title)

    assert cache_set.call_count + cache_set_many.call_count == 1


@pytest.mark.parametrize("model", ["merchantprofile", "user"])
def test_the_admin_cannot_delete_a_shop_with_goods_behind_the_catalogs_back(client, seller, model):
    # Goods leave the catalog only through storefront.services, which replace the catalog
    # generation; a cascade from the admin would not. It is refused because a shop with goods
    # has an application, which nobody may delete.
    make_product(seller, title="店铺的货")
    assert listed(client) == ["店铺的货"]
    staff = Client()
    staff.force_login(StaffFactory(is_superuser=True))
    target = seller if model == "merchantprofile" else seller.user

    response = staff.post(reverse(f"admin:merchants_{model}_delete", args=[target.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert listed(client) == ["店铺的货"]


def test_the_strip_drops_a_good_taken_off_the_catalog(client, seller, django_capture_on_commit_callbacks):
    gone = make_product(seller, title="被下架的新品")
    make_product(seller, title="还在的新品")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    assert set(strip(client)) == {"被下架的新品", "还在的新品"}

    services.product_unpublish(product=gone, by=seller.user)

    assert strip(client) == ["还在的新品"]


def _strip_window(generation, django_assert_num_queries, queries):
    cache.delete("discovery:offset:all")  # the first window each time
    with django_assert_num_queries(queries):
        shown, strip_html = discovery_strip(generation=generation)
    return shown, str(strip_html)


def test_after_a_write_elsewhere_a_strip_window_is_checked_not_drawn_again(
    seller, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for n in range(3):
        make_product(seller, title=f"窗口里的货{n}")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    first, drawn = _strip_window("g1", django_assert_num_queries, 1)  # the window (the cycle drew the cards)
    assert len(first) == 3

    # The generation moved (any write to the catalog): one query checks the window's goods.
    assert _strip_window("g2", django_assert_num_queries, 1) == (first, drawn)
    # Found current, it is kept at the new generation: a hit again.
    assert _strip_window("g2", django_assert_num_queries, 0) == (first, drawn)


def test_a_good_edited_in_a_strip_window_shows_its_change_on_the_next_render(
    seller, django_capture_on_commit_callbacks, django_assert_num_queries
):
    good = make_product(seller, title="改名前的货")
    make_product(seller, title="不变的货")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    _strip_window("g1", django_assert_num_queries, 1)

    services.product_save(merchant=seller, by=seller.user, product=good, data={"title": "改名后的货"})

    cache.delete("discovery:offset:all")
    _shown, drawn = discovery_strip(generation="g2")
    assert "改名后的货" in drawn and "改名前的货" not in drawn and "不变的货" in drawn


def _strip_generation():
    return fragments.generation_with(generation_key=fragments.STRIP_GENERATION_KEY)[0]


def _slate_and_outsider(seller, django_capture_on_commit_callbacks):
    in_slate = make_product(seller, title="橱窗里的货")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    outsider = make_product(seller, title="橱窗外的货")  # listed after the slate was drawn
    return in_slate, outsider


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda product: services.product_save(
                merchant=product.merchant, by=product.merchant.user, product=product, data={"intro": "新介绍"}
            ),
            id="edit",
        ),
        pytest.param(
            lambda product: services.product_unpublish(product=product, by=product.merchant.user),
            id="unpublish",
        ),
        pytest.param(lambda product: tasks._changed(product.pk), id="photo processed"),
    ],
)
def test_only_a_write_to_a_good_of_the_slate_replaces_the_strip_generation(
    seller, django_capture_on_commit_callbacks, write
):
    in_slate, outsider = _slate_and_outsider(seller, django_capture_on_commit_callbacks)
    before = _strip_generation()
    catalog_before = fragments.generation_with()[0]

    with django_capture_on_commit_callbacks(execute=True):
        write(outsider)
    assert _strip_generation() == before
    assert fragments.generation_with()[0] != catalog_before  # the lists are drawn again all the same

    with django_capture_on_commit_callbacks(execute=True):
        write(in_slate)
    assert _strip_generation() != before


def test_new_goods_and_clicks_leave_the_strip_generation(seller, django_capture_on_commit_callbacks):
    in_slate, _outsider = _slate_and_outsider(seller, django_capture_on_commit_callbacks)
    before = _strip_generation()

    with django_capture_on_commit_callbacks(execute=True):
        make_product(seller, title="又一件新货")
        counters.record("click", in_slate.pk)
        counters.flush()

    assert _strip_generation() == before


def _shown_then_edited(client, seller, callbacks, *, in_slate: bool, **data):
    """The strip shown once, then a good in the slate or outside it edited."""
    goods = _slate_and_outsider(seller, callbacks)
    assert strip(client) == ["橱窗里的货"]
    good = goods[0] if in_slate else goods[1]
    with callbacks(execute=True):
        services.product_save(merchant=seller, by=seller.user, product=good, data=data)


def test_an_edit_outside_the_slate_leaves_the_strip_window_a_hit(
    client, seller, django_capture_on_commit_callbacks
):
    _shown_then_edited(client, seller, django_capture_on_commit_callbacks, in_slate=False, intro="改了介绍")
    cache.delete("discovery:offset:all")
    with (
        mock.patch.object(strip_selectors, "_still_current", wraps=strip_selectors._still_current) as check,
        mock.patch.object(strip_selectors, "_window", wraps=strip_selectors._window) as draw,
        CaptureQueriesContext(connection) as captured,
    ):
        content = client.get(CATALOG).content.decode()

    assert "橱窗里的货" in content.partition('data-testid="discovery"')[2]
    assert captured, "the listing is drawn again after the edit"
    assert (check.call_count, draw.call_count) == (0, 0)  # the window: neither checked nor drawn


def test_an_edit_of_a_good_in_the_strip_shows_on_the_next_catalog_page(
    client, seller, django_capture_on_commit_callbacks
):
    _shown_then_edited(client, seller, django_capture_on_commit_callbacks, in_slate=True, title="橱窗货改名")

    assert strip(client) == ["橱窗货改名"]


def test_a_window_drawn_for_one_slate_is_not_read_for_the_next(
    seller, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for n in range(3):
        make_product(seller, title=f"第一轮{n}")
    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=3)
    before = discovery.slate_sizes()[discovery.SLATE_ID]
    _strip_window("g1", django_assert_num_queries, 1)
    make_product(seller, title="第二轮的新货")

    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=4)

    assert discovery.slate_sizes()[discovery.SLATE_ID] != before
    cache.delete("discovery:offset:all")
    _shown, drawn = discovery_strip(generation="g1")  # even at the same generation
    assert "第二轮的新货" in drawn


def test_cards_are_drawn_once_per_change(seller, django_assert_num_queries):
    product = make_product(seller, title="卡片")
    ref = CardRef(product.pk, product.updated_at)
    with django_assert_num_queries(2):  # the good and its images
        first = render_cards([ref])
    with django_assert_num_queries(0):
        assert render_cards([ref]) == first

    edited = services.product_save(
        merchant=seller, by=seller.user, product=product, data={"title": "改过的卡片"}
    )

    assert "改过的卡片" in render_cards([CardRef(edited.pk, edited.updated_at)])[0]


def test_fragments_can_be_turned_off(client, seller, settings):
    settings.CATALOG_FRAGMENT_TTL = 0
    make_product(seller, title="不缓存")
    client.get(CATALOG)

    assert _queries(client) > 0
    assert listed(client) == ["不缓存"]


def test_a_new_slate_leaves_its_cards_drawn_for_the_strip(
    seller, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for n in range(4):
        make_product(seller, title=f"进货单{n}")
    cache.clear()

    with django_capture_on_commit_callbacks(execute=True):
        discovery.run_cycle(seed=5)

    slotted = set(discovery.FeedSlot.objects.values_list("product_id", flat=True))
    assert len(slotted) == 4
    for language in ("zh-hans", "en"):
        refs = [CardRef(pk, updated_at) for pk, updated_at in _card_keys(slotted)]
        assert all(cache.get(card_key(ref, language)) for ref in refs), language
    # A strip window now reads its slots (and wraps around the slate's end) and draws no card.
    with django_assert_max_num_queries(2):
        shown, strip_html = discovery_strip(generation=None, size=4)
    assert strip_html.count('data-testid="product-card"') == len(shown) == 4


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_card_shows_its_good_from_two_plain_queries(seller, photo, language, django_assert_num_queries):
    from django.utils import translation

    from storefront.models import Product

    good = services.product_quick_list(
        merchant=seller, by=seller.user, photo=photo, title="只读需要的列", price="99"
    )
    tasks.process_product_image_task(good.images.get().pk)
    Product.objects.filter(pk=good.pk).update(min_order_quantity=3, retail_price="129.00")
    good = Product.objects.select_related("origin_region").get(pk=good.pk)
    assert good.origin_region is not None and good.origin_region.name_en  # both names to choose from

    with translation.override(language), django_assert_num_queries(2):  # the goods' columns, their photos
        (card,) = render_cards([CardRef(good.pk, good.updated_at)])
    with translation.override(language):
        expected = {
            "url": reverse("storefront:product-detail", kwargs={"public_id": good.public_id}),
            "photo": good.images.get().thumbnail.url,
            "source": str(good.get_source_kind_display()),
            "origin": good.origin_region.localized_name,
        }

    assert f'href="{expected["url"]}"' in card and f'src="{expected["photo"]}"' in card
    assert f"{expected['source']} · {expected['origin']}" in card
    assert "只读需要的列" in card and "¥99.00" in card and "¥129.00" in card
    assert ("from 3 pcs" if language == "en" else "3 件起批") in card
    assert 'data-testid="video-badge"' not in card and 'data-testid="live-badge"' not in card


def _card_keys(product_ids):
    from storefront.models import Product

    return Product.objects.filter(pk__in=product_ids).values_list("pk", "updated_at")


# --- Stampede protection (fragments.cached) ------------------------------------------------


def _concurrent_reads(key, version, build, readers, changed_at=None):
    """What `readers` requests get while the first of them is still rendering `version`:
    the others arrive during its build (as they would from other workers)."""
    answers = []

    def first_build():
        answers.extend(
            fragments.cached(key, version, build, changed_at=changed_at) for _ in range(readers - 1)
        )
        return build()

    answers.insert(0, fragments.cached(key, version, first_build, changed_at=changed_at))
    return answers


def test_after_a_write_one_request_rebuilds_while_the_others_serve_the_previous_fragment():
    key = fragments.fragment_key("test", "stampede")
    assert fragments.cached(key, "v1", lambda: "old") == "old"
    builds = []

    def build():
        builds.append(1)
        return "new"

    answers = _concurrent_reads(key, "v2", build, readers=8, changed_at=time.time())

    assert len(builds) == 1
    assert answers[0] == "new"  # the rebuilder
    assert answers[1:] == ["old"] * 7  # the previous fragment, not seven more renders
    assert fragments.cached(key, "v2", build) == "new"  # then everyone reads the new one
    assert len(builds) == 1


def test_the_previous_fragment_is_served_only_for_a_bounded_time(monkeypatch):
    key = fragments.fragment_key("test", "bounded")
    fragments.cached(key, "v1", lambda: "old")
    clock = [time.time()]
    monkeypatch.setattr(fragments.time, "time", lambda: clock[0])
    written_at = clock[0]
    # A rebuild starts and never finishes (its worker died): the lock stays taken.
    assert cache.add(f"{key}:rebuild:{core_fragments._digest('v2')}", clock[0], 60)

    assert fragments.cached(key, "v2", lambda: "new", changed_at=written_at) == "old"
    clock[0] = written_at + fragments.STALE_FOR + 0.1
    # Past the bound everyone renders the new version itself, and the first one stores it.
    assert fragments.cached(key, "v2", lambda: "new", changed_at=written_at) == "new"
    assert fragments.cached(key, "v2", lambda: "never drawn") == "new"


def test_a_write_long_ago_is_never_answered_with_the_previous_fragment():
    key = fragments.fragment_key("test", "old-write")
    fragments.cached(key, "v1", lambda: "old")
    answers = _concurrent_reads(key, "v2", lambda: "new", readers=3, changed_at=time.time() - 60)
    assert answers == ["new"] * 3


def test_concurrent_catalog_readers_after_an_edit_cause_one_render(client, seller):
    make_product(seller, title="先上架的连衣裙")
    assert listed(client) == ["先上架的连衣裙"]
    make_product(seller, title="后上架的连衣裙")
    renders = []
    original = CatalogView._render_listing

    def render_once_more_readers_arrive(view):
        renders.append(1)
        if len(renders) == 1:  # four more visitors arrive while the first one renders
            others.extend(listed(Client()) for _ in range(4))
        return original(view)

    others = []
    with mock.patch.object(CatalogView, "_render_listing", render_once_more_readers_arrive):
        first = listed(client)

    assert len(renders) == 1
    assert first == ["后上架的连衣裙", "先上架的连衣裙"]
    assert others == [["先上架的连衣裙"]] * 4  # the previous listing, for a moment
    assert listed(Client()) == first


# --- The product page -------------------------------------------------------------------


def _product_page(client, product, *, language="zh-hans"):
    return client.get(
        reverse("storefront:product-detail", args=[product.public_id]), HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize("extras", [0, 3], ids=["bare", "three photos, links and memberships"])
def test_a_cached_product_page_costs_one_query_however_much_it_shows(
    client, seller, photo, apparel, extras, django_assert_num_queries
):
    product = make_product(seller, title="单查询连衣裙")
    for number in range(extras):
        ProductImage.objects.create(product=product, position=number, original=f"x{number}.jpg")
        ProductLink.objects.create(
            product=product, platform=f"shop{number}", url=f"https://e.example/{number}"
        )
    if extras:
        BeltMembership.objects.create(
            merchant=seller, belt=apparel, base=apparel.bases.first(), status="approved"
        )
    assert _product_page(client, product).status_code == 200

    with django_assert_num_queries(1):
        page = _product_page(client, product).content.decode()
    assert "单查询连衣裙" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_product_page_drawn_afresh_reads_what_it_shows_in_a_fixed_number_of_queries(
    client, seller, apparel, language, django_assert_num_queries
):
    from django.utils import translation

    from storefront.content import live
    from tests.storefront.content.conftest import at

    product = make_product(
        seller, title="首访连衣裙", source_kind="belt", belt=apparel, own_shop_price="99.00"
    )
    for number in range(3):
        ProductImage.objects.create(
            product=product,
            position=number,
            original=f"x{number}.jpg",
            large=f"products/large/x{number}.webp" if number == 0 else "",  # the others in the making
        )
        ProductLink.objects.create(
            product=product, platform=f"shop{number}", url=f"https://e.example/{number}"
        )
    BeltMembership.objects.create(
        merchant=seller, belt=apparel, base=apparel.bases.first(), status="approved"
    )
    live.live_session_schedule(
        merchant=seller,
        by=seller.user,
        title="源头直播",
        starts_at=at(2),
        expected_minutes=60,
        products=[product],
    )
    cache.clear()
    _product_page(client, make_product(seller, title="另一件"))  # region names are kept per process

    # The version row, the good with its shop, belt and live session, its photos, its links,
    # the shop's belts. A column the page reads but the query left out would add one.
    with django_assert_num_queries(5):
        page = _product_page(client, product, language=language).content.decode()

    for shown in ("首访连衣裙", seller.display_name, "源头直播", "¥99.00", "shop2"):
        assert shown in page
    assert page.count('data-testid="product-image"') == 1 and page.count("image-placeholder large") == 2
    with translation.override(language):
        photo = product.images.get(position=0).large.url
        labels = (
            apparel.localized_name,
            str(product.get_source_kind_display()),
            str(product.get_stock_status_display()),
            str(seller.get_seller_type_display()),
        )
    assert f'src="{photo}"' in page
    for label in labels:
        assert html.escape(label) in page, label


def test_what_a_product_page_shows_is_seen_at_once_after_it_changes(client, seller, apparel):
    product = make_product(seller, title="改之前的连衣裙")
    assert "改之前的连衣裙" in _product_page(client, product).content.decode()

    services.product_save(merchant=seller, by=seller.user, product=product, data={"title": "改之后的连衣裙"})
    assert "改之后的连衣裙" in _product_page(client, product).content.decode()

    seller.display_name = "新店名旗舰店"
    seller.save()
    assert "新店名旗舰店" in _product_page(client, product).content.decode()

    membership = BeltMembership.objects.create(
        merchant=seller, belt=apparel, base=apparel.bases.first(), status="pending"
    )
    assert apparel.localized_name not in _product_page(client, product).content.decode()
    membership.status = "approved"
    membership.save()
    assert apparel.localized_name in _product_page(client, product).content.decode()


def test_an_unpublished_product_page_is_its_owners_only_and_never_cached(client, seller):
    product = make_product(seller, title="仅自己可见的连衣裙")
    assert _product_page(client, product).status_code == 200
    services.product_unpublish(product=product, by=seller.user)

    assert _product_page(client, product).status_code == 404
    client.force_login(seller.user)
    page = _product_page(client, product).content.decode()
    assert "仅自己可见的连衣裙" in page
    assert "notice-warning" in page


# --- The shop page ----------------------------------------------------------------------


def _shop_page(client, merchant):
    return client.get(reverse("storefront:shop-detail", args=[merchant.public_id]))


@pytest.mark.parametrize("goods", [1, 6])
def test_a_shop_page_costs_two_queries_however_many_goods_and_belts(
    client, seller, apparel, goods, django_assert_num_queries
):
    for number in range(goods):
        make_product(seller, title=f"店内好货{number}")
    BeltMembership.objects.create(
        merchant=seller, belt=apparel, base=apparel.bases.first(), status="approved"
    )
    assert _shop_page(client, seller).status_code == 200

    with django_assert_num_queries(2):  # the shop's row, the page's card references
        page = _shop_page(client, seller).content.decode()
    assert f"店内好货{goods - 1}" in page and apparel.localized_name in page


def test_a_shops_first_visit_reads_only_what_it_shows_and_no_live_section_it_lacks(
    client, seller, apparel, django_assert_num_queries
):
    for number in range(6):
        make_product(seller, title=f"店内好货{number}")
    BeltMembership.objects.create(
        merchant=seller, belt=apparel, base=apparel.bases.first(), status="approved"
    )
    cache.clear()

    sections = mock.patch("storefront.views.live_sections_html", wraps=views_module.live_sections_html)
    # The shop's row, its first page's goods, the header's shop and belts, the cards' goods
    # and photos: no column left out of the header is read afterwards, no live section asked.
    with sections as drawn, django_assert_num_queries(6):
        page = _shop_page(client, seller).content.decode()
    assert not drawn.called and "live-sections" not in page
    assert seller.display_name in page and apparel.localized_name in page and "店内好货5" in page

    schedule_session(seller, hours=1, title="今晚开播")
    with sections as drawn:
        page = _shop_page(client, seller).content.decode()
    assert drawn.called and "今晚开播" in page


def test_a_session_announced_while_a_shops_page_is_drawn_shows_on_the_next_visit(client, seller):
    from storefront.content.live import LIVE_GENERATION_KEY

    assert "live-sections" not in _shop_page(client, seller).content.decode()  # kept whole
    # The race: a visit reads the shop's row before the session is scheduled and the
    # sessions' generation after it, so its page is kept at the session's generation.
    schedule_session(seller, hours=1, title="刚好赶上")
    generation = cache.get(LIVE_GENERATION_KEY)
    row_before_the_session = {**shop_row(seller.public_id), "announces_live": False}
    with mock.patch.object(views_module, "shop_row", lambda public_id: row_before_the_session):
        assert "刚好赶上" not in _shop_page(client, seller).content.decode()

    assert "刚好赶上" in _shop_page(client, seller).content.decode()
    assert cache.get(LIVE_GENERATION_KEY) == generation  # only the row told the page


def test_a_shop_pages_first_page_is_one_cache_entry(
    client, seller, django_assert_num_queries, cache_round_trips
):
    for number in range(3):
        make_product(seller, title=f"店内好货{number}")
    first = _shop_page(client, seller).content.decode()

    cache_round_trips.clear()
    with django_assert_num_queries(2):
        again = _shop_page(client, seller).content.decode()

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # the language switcher's
    assert token.sub("", again) == token.sub("", first)
    assert cache_round_trips == ["get_many"]  # the live sessions' generation with the page


def test_a_good_listed_edited_or_taken_off_shows_on_the_shops_next_page(client, seller):
    good = make_product(seller, title="店内好货")
    assert "店内好货" in _shop_page(client, seller).content.decode()

    services.product_save(merchant=seller, by=seller.user, product=good, data={"title": "改名后的货"})
    assert "改名后的货" in _shop_page(client, seller).content.decode()

    make_product(seller, title="新上架的货")
    assert "新上架的货" in _shop_page(client, seller).content.decode()

    services.product_unpublish(product=good, by=seller.user)
    page = _shop_page(client, seller).content.decode()
    assert "改名后的货" not in page and "新上架的货" in page


def test_a_shop_pages_header_shows_a_change_at_once(client, seller, apparel):
    assert _shop_page(client, seller).status_code == 200
    seller.display_name = "改名后的档口"
    seller.save()
    assert "改名后的档口" in _shop_page(client, seller).content.decode()

    membership = BeltMembership.objects.create(
        merchant=seller, belt=apparel, base=apparel.bases.first(), status="pending"
    )
    assert apparel.localized_name not in _shop_page(client, seller).content.decode()
    membership.status = "approved"
    membership.save()
    assert apparel.localized_name in _shop_page(client, seller).content.decode()


def test_a_shop_without_an_approved_application_has_no_page(client, seller):
    assert _shop_page(client, seller).status_code == 200
    seller.applications.update(status="suspended")
    assert _shop_page(client, seller).status_code == 404
