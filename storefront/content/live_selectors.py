"""Reads of live sessions that pages and the API share, each in a fixed number of queries.

Public sections read sessions that are scheduled or live, ordered by start: the partial
index `live_session_upcoming_idx` serves them, so a section costs the same whatever the
number of past sessions. The goods shown come with one more query (names only).
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from industrybelts.models import BeltMembership, MembershipStatus
from industrybelts.permissions import served_belt_ids
from storefront import fragments
from storefront.models import Product, ProductStatus

from .live import live_generation_with, upcoming_or_live
from .models import LiveSession, LiveStatus

SECTION_SIZE = 8
SECTION_GOODS = 4
# What a public section shows of a session and its shop.
SECTION_FIELDS = (
    "public_id", "title", "status", "starts_at", "expected_end_at", "went_live_at", "room_url", "cover",
    "merchant_id", "merchant__public_id", "merchant__display_name",
)  # fmt: skip


def shown_goods() -> Prefetch:
    return Prefetch(
        "products",
        queryset=Product.objects.filter(status=ProductStatus.PUBLISHED)
        .only("id", "public_id", "title")
        .order_by("id"),
        to_attr="shown_goods",
    )


def with_section_fields(queryset):
    return queryset.select_related("merchant").only(*SECTION_FIELDS).prefetch_related(shown_goods())


def in_belt(belt_ids):
    """Sessions of merchants with an approved (active) membership in one of `belt_ids`."""
    return Exists(
        BeltMembership.objects.filter(
            merchant=OuterRef("merchant_id"), belt_id__in=belt_ids, status=MembershipStatus.APPROVED
        )
    )


def live_section(*, merchant_id=None, belt=None, size: int = SECTION_SIZE) -> dict:
    """The "正在直播" and "直播预告" sessions of a shop, a belt or the whole portal: two queries."""
    queryset = upcoming_or_live()
    if merchant_id is not None:
        queryset = queryset.filter(merchant_id=merchant_id)
    if belt is not None:
        queryset = queryset.filter(in_belt([belt.pk]))
    sessions = list(with_section_fields(queryset)[:size])
    for session in sessions:
        session.shown_goods = session.shown_goods[:SECTION_GOODS]
    return {
        "live_now": [session for session in sessions if session.status == LiveStatus.LIVE],
        "live_upcoming": [session for session in sessions if session.status == LiveStatus.SCHEDULED],
    }


SECTIONS_TEMPLATE = "storefront/content/partials/live_sections.html"


def live_sections_html(*, merchant_id=None, belt=None) -> SafeString:
    """The sections as HTML, cached until a session changes anywhere (live.live_changed):
    a hit is one cache round trip (the token with the entry) and no query; a miss is
    `live_section`'s two queries."""
    scope = f"m{merchant_id}" if merchant_id is not None else f"b{belt.pk}" if belt is not None else "all"
    key = fragments.fragment_key("live-sections", get_language(), scope)
    generation, found = live_generation_with(key)

    def build():
        context = {**live_section(merchant_id=merchant_id, belt=belt), "show_merchant": merchant_id is None}
        return render_to_string(SECTIONS_TEMPLATE, context)

    html = fragments.cached_at_generation(key, generation, found, build)
    return mark_safe(html)  # noqa: S308 (rendered by our template)


def belt_live_section(belt) -> dict:
    """The belt page's live sessions (industrybelts.selectors.belt_page_sections)."""
    return {"live_sections": live_sections_html(belt=belt)}


def own_sessions(merchant, *, which: str):
    """The merchant's sessions: `current` (scheduled or live, by start) or `past` (newest first)."""
    queryset = LiveSession.objects.filter(merchant=merchant).prefetch_related(shown_goods())
    if which == "past":
        return queryset.exclude(status__in=(LiveStatus.SCHEDULED, LiveStatus.LIVE)).order_by(
            "-starts_at", "-id"
        )
    return upcoming_or_live(queryset)


def provider_schedule(user, provider=None):
    """Upcoming and live sessions of merchants active in the belts the user's provider serves."""
    belt_ids = served_belt_ids(user, provider=provider)
    if not belt_ids:
        return LiveSession.objects.none()
    return with_section_fields(upcoming_or_live().filter(in_belt(belt_ids)))
