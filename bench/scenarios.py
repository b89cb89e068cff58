"""The bench's scenarios: one list that the load generator runs and the test suite checks.

`resolve_targets()` (with Django set up, on the seeded database) picks the concrete
objects the scenarios address — products, shops, belts, a lesson, the campaign, the
cursor of catalog page 1 000, an API token — and returns them as plain JSON data, so
the load generator (a separate process without Django) and the test client build the
very same requests from `Scenario.paths()` and `Scenario.form()`.
"""

import datetime
import io
import json
import random
from dataclasses import dataclass, field
from urllib.parse import quote

from .seed import BENCH_CAMPAIGN_SLUG, BENCH_MERCHANT_EMAIL
from .wordlist import SEARCH_QUERIES

BENCH_MERCHANT_PASSWORD = "demo-pass-2026"  # noqa: S105 (seed_demo's public demo password)
DEEP_PAGE = 1000
SAMPLE_SIZE = 200  # product and shop pages rotate over this many objects


@dataclass(frozen=True)
class RawRequest:
    """A write whose body is not a form: a piece of a video upload (`Content-Range`)."""

    path: str
    body: bytes
    headers: dict


VIDEO_CHUNK_BYTES = 2 * 1024 * 1024  # the size the upload page sends (storefront.content.video_services)


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str  # a template filled from the targets, e.g. "/catalog/p/{product}/"
    method: str = "GET"
    login: bool = False  # as the bench merchant, with a session cookie from the real log-in form
    api_token: bool = False  # `Authorization: Bearer` with the bench merchant's token
    expected_status: int = 200
    budget_p95_ms: float | None = None
    group: str = "page"  # "baseline", "page", "list" (budgeted lists and search), "api", "write"
    optional_until: str = ""  # a feature still being built: a 404 skips the scenario instead of failing
    rotate: tuple[str, ...] = field(default_factory=tuple)  # targets with many values, cycled per request
    # Reads measured while a partner edits the bench merchant's goods through the API at
    # this rate (`background_edit`): every edit makes the cached catalog fragments stale.
    edits_per_second: float = 0.0

    def paths(self, targets: dict, count: int) -> list[str]:
        """The paths of `count` requests (percent-encoded), cycling through the rotated targets."""
        values = {name: targets[name] for name in self.rotate}
        paths = []
        for number in range(count):
            chosen = {name: options[number % len(options)] for name, options in values.items()}
            paths.append(quote(self.path.format(**{**targets, **chosen}), safe="/?&=:"))
        return paths

    def form(self, targets: dict, state: dict) -> tuple[dict, dict] | None:
        """The (fields, files) of a write, or None when its input has run out.

        Files are (filename, bytes, content type). `state` carries what earlier writes
        made: quick listing leaves the new products' ids for the campaign sign-up.
        """
        if self.name == "quick_listing":
            number = state.setdefault("listed", 0) + 1
            state["listed"] = number
            fields = {"title": f"压测闪电上架真丝衬衫{number}", "price": "59.90", "intro": "源头工厂直供"}
            return fields, {"photo": ("photo.jpg", targets["photo_jpeg"], "image/jpeg")}
        if self.name == "video_upload_start":
            number = state.setdefault("videos_started", 0) + 1
            state["videos_started"] = number
            fields = {
                "title": f"压测短视频{number}",
                "products": targets["own_products"][number % len(targets["own_products"])],
                "file_name": f"clip-{number}.mp4",
                "size": str(VIDEO_CHUNK_BYTES),
                "content_type": "video/mp4",
            }
            return fields, {}
        if self.name == "video_upload_chunk":
            started = state.get("video_uploads", [])
            if not started:
                return None
            end = VIDEO_CHUNK_BYTES - 1
            return RawRequest(
                started.pop(),
                video_chunk(),
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"bytes 0-{end}/{VIDEO_CHUNK_BYTES}",
                },
            )
        if self.name == "campaign_signup":
            fresh = state.get("listed_products", [])
            if not fresh:
                return None
            return {"product": fresh.pop()}, {}
        raise ValueError(f"{self.name} is not a write")


# A busy catalog: 10 edits a second is 864 000 a day, close to every listed good edited
# once a day at 1m. The catalog's fragments are rendered afresh after each of them.
EDITS_PER_SECOND = 10.0
BACKGROUND_EDIT_PATH = "/api/v1/merchant/products/{own_product}/"


def background_edit(targets: dict, number: int) -> tuple[str, bytes]:
    """The path and JSON body of a partner's `number`-th edit (PATCH, the bench token; 200)."""
    own = targets["own_products"]
    path = BACKGROUND_EDIT_PATH.format(own_product=own[number % len(own)])
    return path, json.dumps({"intro": f"源头工厂直供,今日第{number}次更新"}, ensure_ascii=False).encode()


SCENARIOS = [
    Scenario("hello", "bare hello view (baseline)", "/__bench__/hello/", group="baseline"),
    Scenario("home", "home page", "/"),
    Scenario("catalog_list", "catalog, first page", "/catalog/", budget_p95_ms=50, group="list"),
    Scenario(
        "catalog_under_edits",
        f"catalog, first page, while goods are edited {EDITS_PER_SECOND:.0f}×/s",
        "/catalog/",
        budget_p95_ms=50,
        group="list",
        edits_per_second=EDITS_PER_SECOND,
    ),
    Scenario(
        "catalog_filtered",
        "catalog, belt + price filter",
        "/catalog/?belt={belt}&price=50-200",
        budget_p95_ms=50,
        group="list",
    ),
    *[
        Scenario(
            name,
            f"catalog search, {len(query)} character(s) {query}",
            f"/catalog/?q={query}",
            budget_p95_ms=50,
            group="list",
        )
        for name, query in SEARCH_QUERIES.items()
    ],
    Scenario(
        "catalog_deep_page",
        f"catalog page {DEEP_PAGE} (cursor)",
        "/catalog/?after={deep_cursor}",
        budget_p95_ms=50,
        group="list",
    ),
    Scenario("product_page", "product page", "/catalog/p/{product}/", rotate=("product",)),
    Scenario("shop_page", "shop page", "/shops/{shop}/", rotate=("shop",)),
    Scenario("belt_page", "belt page", "/belts/{belt}/", rotate=("belts",)),
    Scenario("school_lesson", "school lesson", "/school/{lesson}/"),
    Scenario("merchant_dashboard", "merchant dashboard (logged in)", "/merchant/", login=True),
    Scenario("api_product_list", "API product list", "/api/v1/products/", budget_p95_ms=50, group="list"),
    Scenario(
        "api_product_search",
        f"API product search {SEARCH_QUERIES['search_2_chars']}",
        f"/api/v1/products/?q={SEARCH_QUERIES['search_2_chars']}",
        budget_p95_ms=50,
        group="list",
    ),
    Scenario(
        "partner_feed",
        "API partner feed (token)",
        "/api/v1/feeds/products/?updated_since={updated_since}&belt={belt}",
        api_token=True,
        budget_p95_ms=50,
        group="list",
        optional_until="partner feed (API issue 8)",
    ),
    Scenario(
        "quick_listing",
        "quick listing (POST, photo)",
        "/merchant/products/quick/",
        method="POST",
        login=True,
        expected_status=302,
        budget_p95_ms=100,
        group="write",
    ),
    Scenario(
        "campaign_signup",
        "campaign sign-up (POST)",
        "/merchant/campaigns/{campaign}/sign-up/",
        method="POST",
        login=True,
        expected_status=302,
        group="write",
    ),
    Scenario("campaign_leaderboard", "campaign page + leaderboard", "/campaigns/{campaign}/"),
    # A phone's video upload: announce the file, then send it in 2 MB pieces. Each request
    # only records or appends (the transcoding is Celery's), so each has the write budget.
    Scenario(
        "video_upload_start",
        "video upload: announce the file (POST)",
        "/merchant/videos/new/",
        method="POST",
        login=True,
        expected_status=201,
        budget_p95_ms=100,
        group="write",
    ),
    Scenario(
        "video_upload_chunk",
        "video upload: one 2 MB piece (PUT)",
        "/merchant/videos/new/",  # each request goes to the upload URL an announcement answered
        method="PUT",
        login=True,
        expected_status=200,
        budget_p95_ms=100,
        group="write",
    ),
]
# `belt_page` rotates over every open belt; the other scenarios use the largest one.
BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def video_chunk() -> bytes:
    """The first 2 MB of a phone's MP4 as far as the upload can tell: an `ftyp` box, then bytes."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + bytes(VIDEO_CHUNK_BYTES - len(head))


def photo_jpeg() -> bytes:
    """A 1080×1080 phone-like photo (about 100 kB)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1080, 1080), (214, 92, 58))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1080, 40):
        draw.line((0, step, 1080, 1080 - step), fill=(255, 255 - step // 5, step // 5), width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def resolve_targets(*, api_token: str = "") -> dict:
    """Pick what the scenarios address on the seeded database (deterministically)."""
    from django.db.models import Count

    from industrybelts.models import Belt, BeltStatus
    from merchants.models import MerchantProfile
    from storefront import catalog
    from storefront.models import Product
    from storefront.school.models import SchoolItem

    rng = random.Random(7)
    published = catalog.published_products()
    newest_ids = list(published.order_by("-published_at", "-id").values_list("public_id", flat=True)[:20_000])
    products = rng.sample(newest_ids, min(SAMPLE_SIZE, len(newest_ids)))
    shop_ids = list(
        MerchantProfile.objects.filter(applications__status="approved", products__status="published")
        .values_list("public_id", flat=True)
        .distinct()[:5000]
    )
    shops = rng.sample(shop_ids, min(SAMPLE_SIZE, len(shop_ids)))
    belts = list(
        Belt.objects.filter(status=BeltStatus.OPEN).order_by("position", "pk").values_list("slug", flat=True)
    )
    biggest_belt = (
        Belt.objects.filter(status=BeltStatus.OPEN)
        .annotate(goods=Count("products"))
        .order_by("-goods", "pk")
        .values_list("slug", flat=True)
        .first()
    )
    total = published.count()
    deep_offset = min(catalog.PAGE_SIZE * (DEEP_PAGE - 1) - 1, total - 2)
    deep_row = published.order_by("-published_at", "-id")[deep_offset]
    lesson = (
        SchoolItem.objects.filter(kind="lesson", status="published")
        .select_related("parent")
        .order_by("pk")
        .first()
    )
    own_products = list(
        published.filter(merchant__user__email=BENCH_MERCHANT_EMAIL)
        .order_by("pk")
        .values_list("public_id", flat=True)[:50]
    )
    # The belt's feed from 1 000 changes back: always whole pages of 100, however many goods
    # earlier runs listed (the 1 000th change of the whole catalog left the belt's feed a
    # page of 40 after one run and of 100 after a few).
    recent = (
        Product.objects.filter(belt__slug=biggest_belt, published_at__isnull=False)
        .order_by("-updated_at", "-id")
        .values_list("updated_at", flat=True)[1000:1001]
    )
    updated_since = (list(recent) or [datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)])[0]
    return {
        "product": [str(value) for value in products],
        "shop": [str(value) for value in shops],
        "belt": biggest_belt,
        "belts": belts,
        "own_products": [str(value) for value in own_products],
        "lesson": f"{lesson.parent.slug}/{lesson.slug}",
        "deep_cursor": catalog.encode_cursor("new", deep_row),
        "campaign": BENCH_CAMPAIGN_SLUG,
        "updated_since": updated_since.isoformat().replace("+00:00", "Z"),
        "email": BENCH_MERCHANT_EMAIL,
        "password": BENCH_MERCHANT_PASSWORD,
        "api_token": api_token,
    }


def bench_api_token() -> str:
    """A fresh token of the bench merchant with every scope (the partner feed's included)."""
    from core.api.scopes import Scope
    from merchants.models import User
    from merchants.services import api_token_create

    user = User.objects.get(email=BENCH_MERCHANT_EMAIL)
    user.api_tokens.filter(name="bench").delete()
    _token, raw_key = api_token_create(user=user, name="bench", scopes=list(Scope.values))
    return raw_key


def warm_slate_cards() -> int:
    """Leave the cache as a discovery cycle does: the slate's cards rendered (the run empties
    the cache first, so that every run starts alike)."""
    from storefront.cards import warm_cards
    from storefront.discovery.models import FeedSlot

    return warm_cards(FeedSlot.objects.order_by("position").values_list("product_id", flat=True))


def reset_bench_merchant_signups() -> None:
    """Take back the bench merchant's earlier sign-ups, so every run signs up from the same state."""
    from django.db.models import F

    from merchants.models import MerchantProfile
    from storefront.campaigns.models import Campaign, CampaignEntry

    merchant = MerchantProfile.objects.get(user__email=BENCH_MERCHANT_EMAIL)
    campaign = Campaign.objects.get(slug=BENCH_CAMPAIGN_SLUG)
    removed, _ = CampaignEntry.objects.filter(campaign=campaign, merchant=merchant).delete()
    Campaign.objects.filter(pk=campaign.pk).update(entry_count=F("entry_count") - removed)
