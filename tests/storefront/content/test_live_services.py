"""The schedule's rules, the table of moves, the goods' badges and the sweep (storefront.content.live)."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import InvalidTransition, ReasonRequired
from core.webhooks.models import EventType, WebhookDelivery
from merchants.models import MerchantCompliance, MerchantProfile, Standing
from storefront.content import live
from storefront.content.models import LiveSession, LiveSessionEvent, LiveStatus
from storefront.models import Product
from storefront.services import NotAllowedToSell
from tests.core.webhooks_support import endpoint_for
from tests.factories import StaffFactory
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

from .conftest import at, schedule

pytestmark = pytest.mark.django_db


# --- The start and the length --------------------------------------------------------------


def test_a_session_is_stored_with_its_expected_end_and_a_creation_event(seller, good):
    session = schedule(seller, hours=2, minutes=90, products=[good])

    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED
    assert session.expected_end_at - session.starts_at == datetime.timedelta(minutes=90)
    assert list(session.products.all()) == [good]
    [event] = LiveSessionEvent.objects.filter(session=session)
    assert (event.from_status, event.to_status, event.actor) == ("", "scheduled", seller.user)


@pytest.mark.parametrize(
    ("starts_in", "error"),
    [
        (datetime.timedelta(minutes=-10), live.StartInPast),
        (datetime.timedelta(days=91), live.StartTooFar),
    ],
)
def test_a_start_in_the_past_or_too_far_ahead_is_refused_and_nothing_is_written(seller, starts_in, error):
    with pytest.raises(error) as refused:
        schedule(seller, starts_at=timezone.now() + starts_in)

    assert refused.value.field == "starts_at"
    assert not LiveSession.objects.exists()


def test_a_start_a_minute_ago_is_within_the_forms_grace(seller):
    session = schedule(seller, starts_at=timezone.now() - datetime.timedelta(minutes=1))

    assert session.pk is not None


@pytest.mark.parametrize("minutes", [9, 721])
def test_a_length_outside_10_to_720_minutes_is_refused(seller, minutes):
    with pytest.raises(live.LengthOutOfRange):
        schedule(seller, minutes=minutes)
    assert not LiveSession.objects.exists()


def test_a_room_link_must_be_https(seller):
    with pytest.raises(live.RoomNotHttps):
        schedule(seller, room_url="http://live.kuaishou.com/u/abc")
    session = schedule(seller, room_url="https://live.kuaishou.com/u/abc")
    assert session.room_url == "https://live.kuaishou.com/u/abc"


# --- Overlaps and the cap -----------------------------------------------------------------------


def test_an_overlapping_session_is_refused_naming_the_other_and_its_beijing_times(seller):
    first = schedule(seller, starts_at=at(24).replace(hour=12, minute=0), minutes=120, title="早场")

    with pytest.raises(live.SessionOverlap) as refused:
        schedule(seller, starts_at=first.starts_at + datetime.timedelta(minutes=90), title="午场")

    message = str(refused.value)
    assert "早场" in message and "20:00" in message and "22:00" in message  # 12:00 UTC is 20:00 in Beijing
    assert refused.value.code == "session_overlap" and refused.value.http_status == 409
    assert LiveSession.objects.count() == 1


def test_touching_sessions_are_allowed(seller):
    first = schedule(seller, hours=3, minutes=60)

    second = schedule(seller, starts_at=first.expected_end_at, minutes=60)
    before = schedule(seller, starts_at=first.starts_at - datetime.timedelta(minutes=30), minutes=30)

    assert LiveSession.objects.filter(pk__in=[first.pk, second.pk, before.pk]).count() == 3


def test_ended_and_cancelled_sessions_do_not_count(seller):
    cancelled = schedule(seller, hours=5)
    live.live_session_cancel(session=cancelled, by=seller.user)
    ended = schedule(seller, hours=0.1)
    live.live_session_go_live(session=ended, by=seller.user)
    live.live_session_end(session=ended, by=seller.user)

    again = schedule(seller, starts_at=cancelled.starts_at)
    now = schedule(seller, starts_at=ended.starts_at)

    assert again.pk and now.pk


def test_going_live_early_counts_from_the_real_start(seller):
    session = schedule(seller, hours=0.4, minutes=30)  # starts in 24 minutes
    live.live_session_go_live(session=session, by=seller.user)

    # A session right before the announced start would have touched it; it overlaps the live one.
    with pytest.raises(live.SessionOverlap):
        schedule(seller, starts_at=timezone.now() + datetime.timedelta(minutes=5), minutes=10)


def test_other_merchants_sessions_do_not_overlap(seller):
    other = approved_merchant()
    first = schedule(seller, hours=2)

    assert schedule(other, starts_at=first.starts_at).pk


def test_at_most_20_upcoming_sessions(seller):
    for day in range(live.MAX_UPCOMING):
        schedule(seller, hours=24 * (day + 1))

    with pytest.raises(live.TooManyUpcoming):
        schedule(seller, hours=24 * 30)
    assert LiveSession.objects.count() == live.MAX_UPCOMING


# --- Who may, and which goods ---------------------------------------------------------------


def test_a_restricted_shop_cannot_schedule(seller):
    MerchantCompliance.objects.update_or_create(merchant=seller, defaults={"status": Standing.RESTRICTED})

    with pytest.raises(NotAllowedToSell):
        schedule(MerchantProfile.objects.get(pk=seller.pk))
    assert not LiveSession.objects.exists()


def test_someone_elses_goods_or_a_draft_are_refused(seller, good):
    other = approved_merchant()
    foreign = make_product(other, title="别家的手镯")
    draft = make_product(seller, title="草稿", publish=False)

    for goods in ([foreign], [good, draft]):
        with pytest.raises(live.NotYourGoods):
            schedule(seller, products=goods)
    assert not LiveSession.objects.exists()


def test_another_user_cannot_schedule_for_a_shop(seller):
    other = approved_merchant()
    with pytest.raises(PermissionDenied):
        live.live_session_schedule(
            merchant=seller, by=other.user, title="x", starts_at=at(1), expected_minutes=60
        )


# --- Moves -------------------------------------------------------------------------------------

MOVES = [
    # (status, move, allowed)
    ("scheduled", "go_live", True),
    ("scheduled", "cancel", True),
    ("scheduled", "end", False),
    ("live", "end", True),
    ("live", "cancel", False),
    ("live", "go_live", False),
    ("ended", "go_live", False),
    ("ended", "cancel", False),
    ("ended", "end", False),
    ("cancelled", "go_live", False),
    ("cancelled", "end", False),
    ("cancelled", "cancel", False),
]


def _in_status(seller, status):
    session = schedule(seller, hours=0.2)
    if status in ("live", "ended"):
        session = live.live_session_go_live(session=session, by=seller.user)
    if status == "ended":
        session = live.live_session_end(session=session, by=seller.user)
    if status == "cancelled":
        session = live.live_session_cancel(session=session, by=seller.user)
    return LiveSession.objects.select_related("merchant").get(pk=session.pk)


@pytest.mark.parametrize(("status", "move", "allowed"), MOVES)
def test_the_table_of_moves(seller, status, move, allowed):
    session = _in_status(seller, status)
    services = {
        "go_live": live.live_session_go_live,
        "cancel": live.live_session_cancel,
        "end": live.live_session_end,
    }
    events = LiveSessionEvent.objects.filter(session=session).count()

    if allowed:
        moved = services[move](session=session, by=seller.user)
        assert moved.status == {"go_live": "live", "cancel": "cancelled", "end": "ended"}[move]
        assert LiveSessionEvent.objects.filter(session=session).count() == events + 1
    else:
        with pytest.raises(InvalidTransition):
            services[move](session=session, by=seller.user)
        session.refresh_from_db()
        assert session.status == status
        assert LiveSessionEvent.objects.filter(session=session).count() == events


def test_going_live_records_when_and_ending_records_when(seller):
    session = schedule(seller, hours=0.2)

    session = live.live_session_go_live(session=session, by=seller.user)
    assert session.went_live_at is not None and session.ended_at is None
    session = live.live_session_end(session=session, by=seller.user)
    assert session.ended_at >= session.went_live_at


def test_go_live_window_opens_30_minutes_before_the_start_and_closes_at_the_expected_end(seller):
    session = schedule(seller, hours=2, minutes=60)
    start = session.starts_at

    with pytest.raises(live.GoLiveTooEarly):
        live.live_session_go_live(session=session, by=seller.user, now=start - datetime.timedelta(minutes=31))
    with pytest.raises(live.GoLiveTooLate):
        live.live_session_go_live(session=session, by=seller.user, now=start + datetime.timedelta(minutes=60))
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED

    moved = live.live_session_go_live(
        session=session, by=seller.user, now=start - datetime.timedelta(minutes=30)
    )
    assert moved.status == LiveStatus.LIVE


def test_staff_cancel_needs_the_permission_and_a_reason(seller):
    session = schedule(seller, hours=3)
    plain_staff = StaffFactory()
    moderator = StaffFactory(group="content-editor")

    with pytest.raises(PermissionDenied):
        live.live_session_cancel(session=session, by=plain_staff, reason="x")
    with pytest.raises(ReasonRequired):
        live.live_session_cancel(session=session, by=moderator, reason=" ")
    moved = live.live_session_cancel(session=session, by=moderator, reason="Prohibited goods announced")

    assert moved.status == LiveStatus.CANCELLED
    assert LiveSessionEvent.objects.filter(session=session).last().reason == "Prohibited goods announced"


def test_only_a_scheduled_session_can_be_edited(seller):
    session = live.live_session_go_live(session=schedule(seller, hours=0.2), by=seller.user)

    with pytest.raises(live.NotEditable):
        live.live_session_update(
            session=session, by=seller.user, title="new", starts_at=session.starts_at, expected_minutes=60
        )


def test_editing_keeps_a_start_that_has_passed_but_refuses_moving_it_into_the_past(seller):
    session = schedule(seller, starts_at=timezone.now() - datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(minutes=10)

    kept = live.live_session_update(
        session=session,
        by=seller.user,
        title="改名",
        starts_at=session.starts_at,
        expected_minutes=60,
        now=later,
    )
    assert kept.title == "改名"
    with pytest.raises(live.StartInPast):
        live.live_session_update(
            session=kept,
            by=seller.user,
            title="改名",
            starts_at=session.starts_at - datetime.timedelta(minutes=5),
            expected_minutes=60,
            now=later,
        )


# --- The webhook -----------------------------------------------------------------------------


def test_going_live_writes_a_live_session_started_delivery_for_the_merchants_endpoint(seller):
    endpoint = endpoint_for(seller.user, "http://127.0.0.1:9/hook", [EventType.LIVE_SESSION_STARTED.value])
    other = approved_merchant()
    other_endpoint = endpoint_for(
        other.user, "http://127.0.0.1:9/other", [EventType.LIVE_SESSION_STARTED.value]
    )
    session = schedule(seller, hours=0.2, room_url="https://live.example.com/r/1")
    assert not WebhookDelivery.objects.exists()  # scheduling is not news to partners

    live.live_session_go_live(session=session, by=seller.user)

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint and delivery.endpoint != other_endpoint
    assert delivery.event_type == "live_session.started"
    data = delivery.payload["data"]
    assert data["live_session"]["id"] == str(session.public_id)
    assert data["live_session"]["status"] == "live"
    assert data["live_session"]["room_url"] == "https://live.example.com/r/1"
    assert (data["from_status"], data["to_status"]) == ("scheduled", "live")


# --- Badges ------------------------------------------------------------------------------------


def _badge(product):
    return Product.objects.values_list("live_session_id", "updated_at").get(pk=product.pk)


def test_badges_point_at_the_live_session_else_the_next_scheduled_one_and_move_updated_at(seller, good):
    spare = make_product(seller, title="和田玉吊坠")
    _, before = _badge(good)
    later = schedule(seller, hours=48, products=[good])
    assert _badge(good)[0] == later.pk and _badge(good)[1] > before
    assert _badge(spare)[0] is None

    sooner = schedule(seller, hours=0.2, products=[good, spare])
    assert _badge(good)[0] == sooner.pk and _badge(spare)[0] == sooner.pk

    _, before_live = _badge(good)
    live.live_session_go_live(session=sooner, by=seller.user)
    still, touched = _badge(good)
    assert still == sooner.pk and touched > before_live  # the badge text changed: "live now"

    live.live_session_end(session=sooner, by=seller.user)
    assert _badge(good)[0] == later.pk
    assert _badge(spare)[0] is None

    live.live_session_cancel(session=later, by=seller.user)
    assert _badge(good)[0] is None


def test_editing_a_sessions_goods_moves_the_badges(seller, good):
    spare = make_product(seller, title="和田玉吊坠")
    session = schedule(seller, hours=5, products=[good])

    live.live_session_update(
        session=session, by=seller.user, title=session.title, starts_at=session.starts_at,
        expected_minutes=60, products=[spare],
    )  # fmt: skip

    assert _badge(good)[0] is None and _badge(spare)[0] == session.pk


# --- The sweep ---------------------------------------------------------------------------------


def test_the_sweep_ends_overrun_sessions_and_cancels_ones_that_never_started(seller, good):
    overrun = live.live_session_go_live(
        session=schedule(seller, hours=0.2, minutes=30, products=[good]), by=seller.user
    )
    missed = schedule(seller, hours=3, minutes=30)
    on_time = schedule(seller, hours=10, minutes=30)

    in_two_hours = overrun.expected_end_at + live.OVERRUN_GRACE + datetime.timedelta(minutes=1)
    assert live.sweep_live_sessions(now=overrun.expected_end_at) == (0, 0)
    LiveSession.objects.filter(pk=missed.pk).update(
        starts_at=in_two_hours - datetime.timedelta(hours=1),
        expected_end_at=in_two_hours - datetime.timedelta(minutes=30),
    )
    assert live.sweep_live_sessions(now=in_two_hours) == (1, 1)
    assert live.sweep_live_sessions(now=in_two_hours) == (0, 0)  # safe to run twice

    statuses = dict(LiveSession.objects.values_list("pk", "status"))
    assert statuses == {overrun.pk: "ended", missed.pk: "cancelled", on_time.pk: "scheduled"}
    assert LiveSessionEvent.objects.filter(session=overrun).last().reason == live.ENDED_AUTOMATICALLY
    assert LiveSessionEvent.objects.filter(session=missed).last().reason == live.DID_NOT_START
    assert _badge(good)[0] is None


def test_the_sweep_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["live-sessions-sweep"]
    assert entry["task"] == "storefront.content.tasks.live_sessions_sweep_task"
    assert entry["schedule"] <= 5 * 60
