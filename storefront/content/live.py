"""Live sessions (直播场次): schedule, edit, cancel, go live, end; the goods' badges; the sweep.

The rules of a merchant's schedule are checked here, once, for the pages and the API:

- the start is not in the past (a grace of `START_GRACE` for the form's round trip) and
  not more than `MAX_DAYS_AHEAD` days ahead; the length is 10 to 720 minutes;
- no two scheduled or live sessions of one merchant overlap: intervals are
  [start, expected end), so one may start the minute the other ends; a live session
  counts from when it really went live (early, perhaps) and, once it overruns, until now;
  ended and cancelled sessions do not count;
- at most `MAX_UPCOMING` scheduled sessions at a time;
- the goods shown are the merchant's own *published* goods: the sections and badges are
  public, and a draft has no public page to link to (a good unpublished later keeps its
  link, but its card is not shown anywhere);
- only a shop that may sell (storefront.permissions.merchant_can_sell) schedules or goes
  live; cancelling and ending stay open to a restricted shop.

The checks read the merchant's sessions under a lock on its profile row, so two requests
(two tabs, a page and the API) cannot both pass the overlap or the cap check. Status moves
go through LIVE_SESSION_WORKFLOW (going live emits the `live_session.started` webhook).

Every write that changes a session's goods, status or time calls `refresh_live_badges` for
the goods concerned in the same transaction (Product.live_session, read by the cards).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, DomainError, ReasonRequired
from core.fragments import cache_call
from core.tasks import enqueue_on_commit
from merchants.models import MerchantProfile
from merchants.permissions import active_staff_with
from storefront import fragments
from storefront.fragments import catalog_changed
from storefront.models import Product, ProductStatus
from storefront.permissions import merchant_can_sell
from storefront.services import NotAllowedToSell, goods_point_at, restriction_message

from .models import LiveSession, LiveStatus
from .workflows import LIVE_SESSION_WORKFLOW

START_GRACE = datetime.timedelta(minutes=2)
MAX_DAYS_AHEAD = 90
MAX_UPCOMING = 20
MAX_GOODS = 30
MIN_MINUTES, MAX_MINUTES = 10, 720
# A session may go live this long before its announced start (viewers gather early).
EARLY_START = datetime.timedelta(minutes=30)
# The sweep ends a live session this long after its expected end.
OVERRUN_GRACE = datetime.timedelta(minutes=60)
ACTIVE = (LiveStatus.SCHEDULED, LiveStatus.LIVE)

# The sweep's reasons, written on the event rows (and shown in the merchant's history).
ENDED_AUTOMATICALLY = "ended automatically"
DID_NOT_START = "did not start"


class ScheduleRefused(DomainError):
    """A schedule rule refused the input; `field` names the form field it belongs beside."""

    field = None


StartInPast = ScheduleRefused.define(
    "StartInPast",
    "start_in_past",
    _("The start is in the past. Choose a time from now on."),
    field="starts_at",
)
StartTooFar = ScheduleRefused.define(
    "StartTooFar",
    "start_too_far",
    _("Sessions can be scheduled at most %(days)d days ahead."),
    field="starts_at",
)
LengthOutOfRange = ScheduleRefused.define(
    "LengthOutOfRange",
    "length_out_of_range",
    _("A session lasts from %(min)d to %(max)d minutes."),
    field="expected_minutes",
)
NotYourGoods = ScheduleRefused.define(
    "NotYourGoods",
    "not_your_goods",
    _("Choose only your own published goods."),
    field="products",
)
TooManyGoods = ScheduleRefused.define(
    "TooManyGoods", "too_many_goods", _("Show at most %(count)d goods in one session."), field="products"
)
RoomNotHttps = ScheduleRefused.define(
    "RoomNotHttps", "room_not_https", _("The live-room link must start with https://."), field="room_url"
)


class SessionOverlap(ScheduleRefused, Conflict):
    code = "session_overlap"
    field = "starts_at"
    message = _("This overlaps your session “%(title)s” (%(start)s – %(end)s, Beijing time).")

    def __init__(self, other: LiveSession, end: datetime.datetime):
        super().__init__(title=other.title, start=beijing(_start(other)), end=beijing(end, "H:i"))


TooManyUpcoming = Conflict.define(
    "TooManyUpcoming",
    "too_many_upcoming",
    _("You have %(count)d sessions scheduled, the most there can be. Hold or cancel one first."),
)
NotEditable = Conflict.define(
    "NotEditable", "session_not_editable", _("Only a scheduled session can be changed.")
)
GoLiveTooEarly = Conflict.define(
    "GoLiveTooEarly",
    "go_live_too_early",
    _("You can go live from 30 minutes before the start (%(start)s, Beijing time)."),
)
GoLiveTooLate = Conflict.define(
    "GoLiveTooLate",
    "go_live_too_late",
    _("The expected end of this session has passed. Schedule a new one."),
)


def beijing(moment: datetime.datetime, pattern: str = "n月j日 H:i") -> str:
    """`moment` as the portal shows times: in Beijing time (settings.TIME_ZONE) whatever the browser."""
    return formats.date_format(timezone.localtime(moment), pattern)


def _start(session: LiveSession) -> datetime.datetime:
    """When the session's interval begins: when it went live, if it did."""
    return session.went_live_at or session.starts_at


def _end(session: LiveSession, now: datetime.datetime) -> datetime.datetime:
    """When its interval ends: the expected end, or now for a live session running over."""
    if session.status == LiveStatus.LIVE:
        return max(session.expected_end_at, now)
    return session.expected_end_at


def require_live_seller(merchant: MerchantProfile, by) -> None:
    if merchant is None or merchant.user_id != by.pk:
        raise PermissionDenied
    if not merchant_can_sell(merchant):
        raise NotAllowedToSell(*restriction_message(merchant))


def _lock_schedule(merchant: MerchantProfile) -> list[LiveSession]:
    """Lock the merchant's row (the schedule's one lock), then read its active sessions."""
    MerchantProfile.objects.select_for_update(no_key=True).filter(pk=merchant.pk).values_list("pk").get()
    return list(LiveSession.objects.filter(merchant=merchant, status__in=ACTIVE))


def _check_overlap(sessions, *, start, end, now, exclude=None) -> None:
    for other in sorted(sessions, key=_start):
        if exclude is not None and other.pk == exclude.pk:
            continue
        other_end = _end(other, now)
        if _start(other) < end and other_end > start:
            raise SessionOverlap(other, other_end)


def _check_fields(*, starts_at, expected_minutes, room_url, now, start_changed=True) -> None:
    if start_changed:
        if starts_at < now - START_GRACE:
            raise StartInPast()
        if starts_at > now + datetime.timedelta(days=MAX_DAYS_AHEAD):
            raise StartTooFar(days=MAX_DAYS_AHEAD)
    if not (MIN_MINUTES <= expected_minutes <= MAX_MINUTES):
        raise LengthOutOfRange(min=MIN_MINUTES, max=MAX_MINUTES)
    if room_url and not room_url.lower().startswith("https://"):
        raise RoomNotHttps()


def _check_goods(merchant, products) -> list[Product]:
    products = list({product.pk: product for product in products}.values())
    if len(products) > MAX_GOODS:
        raise TooManyGoods(count=MAX_GOODS)
    for product in products:
        if product.merchant_id != merchant.pk or product.status != ProductStatus.PUBLISHED:
            raise NotYourGoods()
    return products


def _save_cover(session: LiveSession, cover) -> None:
    """Keep the upload privately; Celery makes the public WebP (process_live_cover_task)."""
    session.cover_original.save(f"live/{session.public_id}/cover-original", cover, save=False)
    session.save(update_fields=["cover_original", "updated_at"])
    enqueue_on_commit("storefront.content.tasks.process_live_cover_task", session.pk)


@transaction.atomic
def live_session_schedule(
    *,
    merchant: MerchantProfile,
    by,
    title: str,
    starts_at: datetime.datetime,
    expected_minutes: int,
    products=(),
    description: str = "",
    room_url: str = "",
    cover=None,
    now: datetime.datetime | None = None,
) -> LiveSession:
    """Announce a session; refuse it if it breaks a schedule rule (nothing is written then)."""
    require_live_seller(merchant, by)
    now = now or timezone.now()
    _check_fields(starts_at=starts_at, expected_minutes=expected_minutes, room_url=room_url, now=now)
    products = _check_goods(merchant, products)
    end = starts_at + datetime.timedelta(minutes=expected_minutes)
    sessions = _lock_schedule(merchant)
    _check_overlap(sessions, start=starts_at, end=end, now=now)
    upcoming = sum(1 for session in sessions if session.status == LiveStatus.SCHEDULED)
    if upcoming >= MAX_UPCOMING:
        raise TooManyUpcoming(count=MAX_UPCOMING)
    session = LiveSession.objects.create(
        merchant=merchant,
        title=title,
        description=description,
        starts_at=starts_at,
        expected_minutes=expected_minutes,
        expected_end_at=end,
        room_url=room_url,
    )
    session.products.set(products)
    LIVE_SESSION_WORKFLOW.record(obj=session, by=by, created=True)
    if cover is not None:
        _save_cover(session, cover)
    refresh_live_badges([product.pk for product in products])
    live_changed()
    return session


@transaction.atomic
def live_session_update(
    *,
    session: LiveSession,
    by,
    title: str,
    starts_at: datetime.datetime,
    expected_minutes: int,
    products=(),
    description: str = "",
    room_url: str = "",
    cover=None,
    now: datetime.datetime | None = None,
) -> LiveSession:
    """Change a scheduled session (all its fields at once, as the form sends them)."""
    merchant = session.merchant
    require_live_seller(merchant, by)
    now = now or timezone.now()
    sessions = _lock_schedule(merchant)
    locked = LiveSession.objects.select_for_update().get(pk=session.pk, merchant=merchant)
    if locked.status != LiveStatus.SCHEDULED:
        raise NotEditable()
    _check_fields(
        starts_at=starts_at,
        expected_minutes=expected_minutes,
        room_url=room_url,
        now=now,
        start_changed=starts_at != locked.starts_at,
    )
    products = _check_goods(merchant, products)
    end = starts_at + datetime.timedelta(minutes=expected_minutes)
    _check_overlap(sessions, start=starts_at, end=end, now=now, exclude=locked)
    before = set(locked.products.values_list("pk", flat=True))
    locked.title, locked.description, locked.room_url = title, description, room_url
    locked.starts_at, locked.expected_minutes, locked.expected_end_at = starts_at, expected_minutes, end
    locked.save()
    locked.products.set(products)
    if cover is not None:
        _save_cover(locked, cover)
    refresh_live_badges(before | {product.pk for product in products}, touch_session=locked.pk)
    live_changed()
    return locked


def _move(session, *, to, by, reason="", updates=None):
    before = list(session.products.values_list("pk", flat=True))
    moved, _event = LIVE_SESSION_WORKFLOW.move(obj=session, to=to, by=by, reason=reason, updates=updates)
    refresh_live_badges(before, touch_session=moved.pk)
    live_changed()
    return moved


def can_moderate(user) -> bool:
    return active_staff_with(user, "storefront.moderate_live_session")


@transaction.atomic
def live_session_cancel(*, session: LiveSession, by, reason: str = "") -> LiveSession:
    """Cancel a scheduled session: its merchant (any reason or none), or staff with a reason."""
    if session.merchant.user_id != by.pk:
        if not can_moderate(by):
            raise PermissionDenied
        if not (reason or "").strip():
            raise ReasonRequired(target=LiveStatus.CANCELLED)
    return _move(session, to=LiveStatus.CANCELLED, by=by, reason=reason)


@transaction.atomic
def live_session_go_live(*, session: LiveSession, by, now: datetime.datetime | None = None) -> LiveSession:
    """Mark a scheduled session live, from 30 minutes before its start to its expected end."""
    merchant = session.merchant
    require_live_seller(merchant, by)
    now = now or timezone.now()
    sessions = _lock_schedule(merchant)
    locked = LIVE_SESSION_WORKFLOW.lock(session)
    if locked.status == LiveStatus.SCHEDULED:
        if now < locked.starts_at - EARLY_START:
            raise GoLiveTooEarly(start=beijing(locked.starts_at))
        if now >= locked.expected_end_at:
            raise GoLiveTooLate()
        _check_overlap(sessions, start=now, end=locked.expected_end_at, now=now, exclude=locked)
    before = list(locked.products.values_list("pk", flat=True))
    moved, _event = LIVE_SESSION_WORKFLOW.move(
        obj=locked, to=LiveStatus.LIVE, by=by, updates={"went_live_at": now}, locked=True
    )
    refresh_live_badges(before, touch_session=moved.pk)
    live_changed()
    return moved


@transaction.atomic
def live_session_end(*, session: LiveSession, by, reason: str = "", now=None) -> LiveSession:
    """End a live session (its merchant; the sweep passes by=None with its reason)."""
    if by is not None and session.merchant.user_id != by.pk:
        raise PermissionDenied
    return _move(
        session, to=LiveStatus.ENDED, by=by, reason=reason, updates={"ended_at": now or timezone.now()}
    )


def sweep_live_sessions(now: datetime.datetime | None = None) -> tuple[int, int]:
    """End sessions live past their expected end + 60 minutes; cancel scheduled ones whose
    expected end passed without going live. Return (ended, cancelled); safe to run twice."""
    now = now or timezone.now()
    ended = cancelled = 0
    overran = LiveSession.objects.filter(status=LiveStatus.LIVE, expected_end_at__lt=now - OVERRUN_GRACE)
    for session in overran.select_related("merchant").order_by("pk")[:500]:
        with transaction.atomic():
            if LIVE_SESSION_WORKFLOW.lock(session).status != LiveStatus.LIVE:
                continue  # ended by its merchant meanwhile
            live_session_end(session=session, by=None, reason=ENDED_AUTOMATICALLY, now=now)
            ended += 1
    missed = LiveSession.objects.filter(status=LiveStatus.SCHEDULED, expected_end_at__lte=now)
    for session in missed.select_related("merchant").order_by("pk")[:500]:
        with transaction.atomic():
            if LIVE_SESSION_WORKFLOW.lock(session).status != LiveStatus.SCHEDULED:
                continue  # went live meanwhile
            _move(session, to=LiveStatus.CANCELLED, by=None, reason=DID_NOT_START)
            cancelled += 1
    return ended, cancelled


# --- Badges --------------------------------------------------------------------------------


def refresh_live_badges(product_ids, *, touch_session: int | None = None) -> int:
    """Point each good at its live session, else its next scheduled one, else none.

    A good whose badge changes is saved with a new `updated_at` (its card's and page's cache
    key); so is a good still pointing at `touch_session`, a session whose status or time
    just changed (the badge reads them). Return how many goods were saved.
    """
    product_ids = list(set(product_ids))
    if not product_ids:
        return 0
    through = LiveSession.products.through
    wanted: dict[int, tuple] = {}
    rows = through.objects.filter(product_id__in=product_ids, livesession__status__in=ACTIVE).values_list(
        "product_id", "livesession_id", "livesession__status", "livesession__starts_at"
    )
    for product_id, session_id, status, starts_at in rows:
        rank = (status != LiveStatus.LIVE, starts_at, session_id)
        if product_id not in wanted or rank < wanted[product_id]:
            wanted[product_id] = rank
    saved = goods_point_at(
        product_ids,
        field="live_session_id",
        targets={product_id: session_id for product_id, (_not_live, _start, session_id) in wanted.items()},
        touch=touch_session,
    )
    if saved:
        # The catalog's cached listings hold the cards: a new generation draws them again.
        catalog_changed()
    return saved


# --- The sections' cache ----------------------------------------------------------------------
# The "live now" and "coming up" sections of the shop, belt and home pages are cached under
# one token that every write to a session replaces (as the catalog's generation): a
# session scheduled, going live or ending shows on the very next page, and a visit in
# between costs a cache round trip and no query.
LIVE_GENERATION_KEY = "live:generation"


def live_changed() -> None:
    """Make every cached live section unreachable (call inside the write's transaction)."""
    _new_live_generation()
    transaction.on_commit(_new_live_generation, robust=True)


def _new_live_generation() -> None:
    cache_call("set", LIVE_GENERATION_KEY, fragments.new_generation_token(), None)


def live_generation_with(*keys: str | None) -> tuple[str | None, dict]:
    """The sections' current token and the values of `keys`, in one cache round trip
    (None: the cache is off or down; render afresh)."""
    return fragments.generation_with(*keys, generation_key=LIVE_GENERATION_KEY)


def upcoming_or_live(queryset=None):
    """Sessions to announce, live first then by start (the live_session_upcoming_idx index)."""
    queryset = queryset if queryset is not None else LiveSession.objects.all()
    return queryset.filter(status__in=ACTIVE).order_by("starts_at", "id")


def active_filter() -> Q:
    return Q(status__in=ACTIVE)
