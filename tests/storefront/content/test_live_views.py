"""Live sessions where people touch them: the merchant's pages, the shop, belt, home and
product pages, the cards' badges, and the provider's schedule."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from industrybelts import services as belt_services
from storefront.cards import render_cards
from storefront.catalog import CardRef
from storefront.content import live
from storefront.content.models import LiveSession, LiveSessionEvent, LiveStatus
from storefront.models import Product
from tests.factories import UserFactory, image_upload
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops
from tests.storefront.conftest import make_product

from .conftest import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _beijing_tomorrow(hour: int) -> datetime.datetime:
    """Tomorrow at `hour`:00 Beijing time, as an aware datetime."""
    beijing = timezone.localtime(timezone.now()) + datetime.timedelta(days=1)
    return beijing.replace(hour=hour, minute=0, second=0, microsecond=0)


def _form(**overrides):
    data = {
        "title": "翡翠手镯专场",
        "starts_at": _beijing_tomorrow(20).strftime("%Y-%m-%dT%H:%M"),
        "expected_minutes": "90",
        "description": "每一只手镯都打光转一圈给大家看",
        "room_url": "https://live.kuaishou.com/u/jade",
    }
    return {**data, **overrides}


# --- 我的直播 -----------------------------------------------------------------------------------


def test_the_empty_list_explains_person_scene_goods(client, seller):
    client.force_login(seller.user)

    response = client.get(reverse("live:merchant-sessions"))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="live-empty"' in body and "人、场、货" in body
    assert reverse("live:session-create") in body


def test_the_header_and_dashboard_link_to_my_live_sessions(client, seller):
    client.force_login(seller.user)

    body = client.get(reverse("merchants:dashboard")).content.decode()

    assert body.count(reverse("live:merchant-sessions")) == 2


def test_a_time_entered_as_20_00_is_stored_as_12_00_utc_and_shown_as_20_00(
    client, seller, good, django_capture_on_commit_callbacks, tasks_in_process
):
    client.force_login(seller.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("live:session-create"), _form(products=[good.pk], cover=image_upload("cover.jpg"))
        )

    assert response.status_code == 302
    session = LiveSession.objects.get()
    assert session.starts_at.astimezone(datetime.UTC).hour == 12
    assert session.starts_at == _beijing_tomorrow(20)
    assert session.expected_minutes == 90 and list(session.products.all()) == [good]
    assert session.cover and not session.cover_original  # the cover task ran (eager) and made the WebP
    assert session.cover.name.endswith(".webp")
    listing = client.get(reverse("live:merchant-sessions")).content.decode()
    assert "20:00" in listing and "翡翠手镯专场" in listing
    edit = client.get(reverse("live:session-edit", args=[session.public_id])).content.decode()
    assert _beijing_tomorrow(20).strftime("%Y-%m-%dT20:00") in edit


def test_a_start_in_the_past_is_an_error_beside_the_start_and_keeps_the_other_input(client, seller):
    client.force_login(seller.user)
    yesterday = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(reverse("live:session-create"), _form(starts_at=yesterday))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["starts_at"] == [str(live.StartInPast())]
    assert 'value="翡翠手镯专场"' in response.content.decode()
    assert not LiveSession.objects.exists()


def test_an_overlap_names_the_other_session_and_its_times(client, seller):
    client.force_login(seller.user)
    schedule(seller, starts_at=_beijing_tomorrow(19), minutes=120, title="晚间专场")

    response = client.post(reverse("live:session-create"), _form())

    assert response.status_code == 409
    [error] = response.context["form"].errors["starts_at"]
    assert "晚间专场" in error and "19:00" in error and "21:00" in error
    assert LiveSession.objects.count() == 1


def test_too_long_and_someone_elses_goods_are_field_errors(client, seller):
    other = approved_merchant()
    foreign = make_product(other, title="别家的手镯")
    client.force_login(seller.user)

    response = client.post(
        reverse("live:session-create"), _form(expected_minutes="721", products=[foreign.pk])
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"expected_minutes", "products"}
    assert not LiveSession.objects.exists()


def test_a_restricted_or_unapproved_account_cannot_schedule(client):
    client.force_login(UserFactory())

    response = client.post(reverse("live:session-create"), _form())

    assert response.status_code == 403
    assert not LiveSession.objects.exists()


def test_edit_then_go_live_then_end_through_the_confirmation_pages(client, seller, good):
    session = schedule(seller, hours=0.2, products=[good])
    client.force_login(seller.user)

    response = client.post(
        reverse("live:session-edit", args=[session.public_id]),
        _form(title="改过的标题", starts_at=timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
              products=[good.pk]),
    )  # fmt: skip
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "改过的标题"

    confirm = client.get(reverse("live:session-go-live", args=[session.public_id]))
    assert confirm.status_code == 200 and 'data-testid="confirm-go-live"' in confirm.content.decode()
    client.post(reverse("live:session-go-live", args=[session.public_id]))
    session.refresh_from_db()
    assert session.status == LiveStatus.LIVE

    client.post(reverse("live:session-end", args=[session.public_id]))
    session.refresh_from_db()
    assert session.status == LiveStatus.ENDED
    past = client.get(reverse("live:merchant-sessions")).content.decode()
    assert 'data-testid="live-past"' in past


def test_going_live_too_early_is_a_message_and_nothing_changes(client, seller):
    session = schedule(seller, hours=5)
    client.force_login(seller.user)

    response = client.post(reverse("live:session-go-live", args=[session.public_id]), follow=True)

    assert str(live.GoLiveTooEarly(start=live.beijing(session.starts_at))) in response.content.decode()
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED


def test_cancel_by_the_merchant(client, seller):
    session = schedule(seller, hours=5)
    client.force_login(seller.user)

    client.post(reverse("live:session-cancel", args=[session.public_id]))

    session.refresh_from_db()
    assert session.status == LiveStatus.CANCELLED
    assert LiveSessionEvent.objects.filter(session=session).last().actor == seller.user


@pytest.mark.parametrize("name", ["session-edit", "session-cancel", "session-go-live", "session-end"])
def test_another_merchants_session_is_not_found(client, seller, name):
    session = schedule(seller, hours=0.2)
    client.force_login(approved_merchant().user)

    assert client.get(reverse(f"live:{name}", args=[session.public_id])).status_code == 404
    assert client.post(reverse(f"live:{name}", args=[session.public_id]), _form()).status_code == 404
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED and session.title == "翡翠手镯直播"


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_sessions(
    client, seller, django_assert_max_num_queries
):
    client.force_login(seller.user)
    schedule(seller, hours=2)
    client.get(reverse("live:merchant-sessions"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("live:merchant-sessions"))
    for day in range(1, 8):
        schedule(seller, hours=24 * day, products=[make_product(seller, title=f"货{day}")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("live:merchant-sessions"))
    assert len(response.context["current"]) == 8


# --- Public sections ---------------------------------------------------------------------------------


def test_the_shop_page_shows_live_now_and_coming_up_with_goods_and_the_room_link(client, seller, good):
    upcoming = schedule(seller, starts_at=_beijing_tomorrow(20), products=[good], title="明晚专场")
    now = live.live_session_go_live(
        session=schedule(seller, hours=0.2, title="正在播", room_url="https://live.example.com/r"),
        by=seller.user,
    )

    body = client.get(reverse("storefront:shop-detail", args=[seller.public_id])).content.decode()

    assert 'data-testid="live-now"' in body and 'data-testid="live-upcoming"' in body
    assert f'data-testid="live-session-{now.public_id}"' in body
    assert "https://live.example.com/r" in body
    assert f'data-testid="live-session-{upcoming.public_id}"' in body and "明晚专场" in body
    assert "20:00" in body and good.title in body


def test_a_session_scheduled_or_going_live_shows_on_the_next_page_although_sections_are_cached(
    client, seller, settings
):
    settings.CATALOG_FRAGMENT_TTL = 60
    url = reverse("storefront:shop-detail", args=[seller.public_id])
    assert "live-sections" not in client.get(url).content.decode()

    session = schedule(seller, hours=0.2, title="刚刚预告")
    assert "刚刚预告" in client.get(url).content.decode()

    live.live_session_go_live(session=session, by=seller.user)
    assert 'data-testid="live-now"' in client.get(url).content.decode()


def _sessions_of_many_shops(count: int):
    for index in range(count):
        merchant = approved_merchant()
        schedule(merchant, hours=1 + index, products=[make_product(merchant, title=f"货{index}")])


def _live_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # The sections' own reads (a card's badge comes joined to the good's row, not counted here).
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].split(" FROM ", 1)[-1].startswith('"storefront_livesession"')
        or '"storefront_livesession_products"' in query["sql"]
    ]


@pytest.mark.parametrize("url_name", ["home", "shop"])
def test_sections_cost_two_queries_whatever_the_data(client, seller, url_name, settings):
    settings.CATALOG_FRAGMENT_TTL = 0  # no cached sections: measure their own queries every time
    schedule(seller, hours=0.5, products=[make_product(seller)])
    url = (
        reverse("storefront:home")
        if url_name == "home"
        else reverse("storefront:shop-detail", args=[seller.public_id])
    )
    assert len(_live_queries(client, url)) == 2  # the sessions with their shops, then their goods

    _sessions_of_many_shops(10)
    for day in range(1, 6):
        schedule(seller, hours=24 * day, products=[make_product(seller, title=f"日{day}")])

    queries = _live_queries(client, url)
    assert len(queries) == 2
    assert 'ORDER BY "storefront_livesession"."starts_at" ASC' in queries[0]
    shown = client.get(url).content.decode().count('data-testid="live-session-')
    assert shown == (8 if url_name == "home" else 6)


def test_the_home_page_puts_live_sessions_first_and_shows_at_most_8(client, seller):
    _sessions_of_many_shops(9)
    now = live.live_session_go_live(session=schedule(seller, hours=0.3, title="直播中"), by=seller.user)

    response = client.get(reverse("storefront:home"))

    body = response.content.decode()
    assert body.count('data-testid="live-session-') == 8
    assert body.index(f"live-session-{now.public_id}") < body.index('data-testid="live-upcoming"')


def test_a_visit_to_the_cached_home_page_asks_the_database_nothing(client, seller, django_assert_num_queries):
    schedule(seller, hours=1)
    client.get(reverse("storefront:home"))

    with django_assert_num_queries(0):
        response = client.get(reverse("storefront:home"))

    assert 'data-testid="live-upcoming"' in response.content.decode()


def test_the_belt_page_shows_sessions_of_its_active_members_only(client, seller, apparel):
    _provider, owner = approved_provider(apparel)
    membership = belt_services.membership_apply(
        merchant=seller, belt=apparel, base=apparel.bases.first(), by=seller.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())
    member_session = schedule(seller, hours=2, title="服装带直播")
    outsider = schedule(approved_merchant(), hours=2, title="带外直播")

    body = client.get(reverse("industrybelts:belt-detail", args=[apparel.slug])).content.decode()

    assert f"live-session-{member_session.public_id}" in body
    assert f"live-session-{outsider.public_id}" not in body


# --- Badges on goods ---------------------------------------------------------------------------------


def test_cards_and_the_product_page_carry_the_badge_and_follow_its_status(client, seller, good, settings):
    settings.CATALOG_FRAGMENT_TTL = 60
    session = schedule(seller, starts_at=_beijing_tomorrow(20), products=[good])
    shop = reverse("storefront:shop-detail", args=[seller.public_id])
    page = reverse("storefront:product-detail", args=[good.public_id])

    card = client.get(shop).content.decode()
    assert 'data-testid="live-badge"' in card
    tomorrow = _beijing_tomorrow(20)
    assert f"{tomorrow.month}月{tomorrow.day}日 20:00" in card  # the date as a Chinese reader writes it
    assert 'data-testid="live-banner"' in client.get(page).content.decode()

    LiveSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + datetime.timedelta(minutes=10)
    )
    session.refresh_from_db()
    live.live_session_go_live(session=session, by=seller.user)
    assert "live-badge is-live" in client.get(shop).content.decode()
    banner = client.get(page).content.decode()
    assert "live-banner is-live" in banner

    live.live_session_end(session=session, by=seller.user)
    assert 'data-testid="live-badge"' not in client.get(shop).content.decode()
    assert 'data-testid="live-banner"' not in client.get(page).content.decode()


def test_cards_with_badges_are_drawn_in_two_queries(seller, django_assert_num_queries):
    goods = [make_product(seller, title=f"货{index}") for index in range(4)]
    schedule(seller, hours=2, products=goods)
    rows = Product.objects.filter(pk__in=[good.pk for good in goods]).values_list("pk", "updated_at")
    refs = [CardRef(pk, updated_at) for pk, updated_at in rows]
    cache.clear()

    with django_assert_num_queries(2):
        cards = render_cards(refs)

    assert all('data-testid="live-badge"' in card for card in cards)


# --- The provider's schedule ------------------------------------------------------------------------


def test_a_provider_sees_its_belts_schedule_and_another_provider_does_not(client, seller, apparel, jade):
    _provider, owner = approved_provider(apparel)
    membership = belt_services.membership_apply(
        merchant=seller, belt=apparel, base=apparel.bases.first(), by=seller.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())
    session = schedule(seller, hours=3, title="四季青直播")
    _other, other_owner = approved_provider(jade)

    client.force_login(owner)
    dashboard = client.get(reverse("industrybelts:provider-dashboard")).content.decode()
    assert reverse("live:provider-schedule") in dashboard
    mine = client.get(reverse("live:provider-schedule"))
    assert mine.status_code == 200 and f"schedule-{session.public_id}" in mine.content.decode()

    client.force_login(other_owner)
    theirs = client.get(reverse("live:provider-schedule"))
    assert theirs.status_code == 200 and f"schedule-{session.public_id}" not in theirs.content.decode()

    client.force_login(seller.user)  # a merchant is no provider
    assert client.get(reverse("live:provider-schedule")).status_code == 404


def test_the_provider_schedule_is_a_fixed_number_of_queries(
    client, seller, apparel, django_assert_max_num_queries
):
    _provider, owner = approved_provider(apparel)
    members = []
    for _index in range(6):
        merchant = approved_merchant()
        membership = belt_services.membership_apply(
            merchant=merchant, belt=apparel, base=apparel.bases.first(), by=merchant.user
        )
        belt_services.membership_pre_approve(membership=membership, by=owner)
        belt_services.membership_approve(membership=membership, by=belt_ops())
        members.append(merchant)
    schedule(members[0], hours=2)
    client.force_login(owner)
    client.get(reverse("live:provider-schedule"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("live:provider-schedule"))
    for merchant in members[1:]:
        schedule(merchant, hours=2, products=[make_product(merchant)])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("live:provider-schedule"))
    assert len(response.context["page"].object_list) == 6
