"""Every HTML page of the URLconf, for every role, at a phone's and a desktop's size.

One crawl (a module fixture) builds a portal with the project's factories and services,
opens each page for each role that can open it in Chromium at 390×844 and 1366×900, and
records for each (page, role, size) cell: the answer's status, whether the page scrolls
sideways (`scrollWidth > innerWidth`), console errors, any 5xx answer (the document or
what it loads), and axe-core's critical and serious violations. Each cell is then its own
test, so a cell still known to fail is an xfail (strict: it fails once fixed), listed with
its cause in KNOWN_FAILURES, never a skip.

The URLconf is the list: a pattern that is neither in PAGES nor in EXCLUDED fails
`test_every_pattern_is_a_listed_page_or_excluded` with its name, so a new page cannot be
added without being walked.

Why a crawl in a module fixture rather than a browser per test: the whole module has a
budget of about three minutes on two cores, and a fresh portal per cell would spend it
on data. The fixture keeps the data outside any test transaction (so the live server
sees it) and flushes the database afterwards, as a transactional test does.
"""

import dataclasses
import datetime
import json
import os
import re
import time
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from pytest_django.live_server_helper import LiveServer

from industrybelts import services as belt_services
from industrybelts.models import Belt, MemberRole
from merchants.models import Category
from storefront import services as product_services
from storefront.campaigns import services as campaign_services
from storefront.content import live
from storefront.imports import import_job_create
from storefront.school import services as school_services
from storefront.school.models import SchoolItem
from tests.browser.conftest import ARTIFACTS
from tests.conftest import Outbox
from tests.factories import ApplicationFactory, UserFactory, fill_application, image_upload
from tests.industrybelts.conftest import approved_merchant, approved_provider, invited, make_base
from tests.storefront.campaigns.conftest import make_campaign
from tests.storefront.conftest import make_product
from tests.storefront.content.video_helpers import make_video
from tests.storefront.school.conftest import make_course, make_item

ROLES = ("visitor", "new", "applicant", "approved", "provider")
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# EVERY_PAGE_SCREENSHOTS=1 keeps a full-page screenshot of each visit, to see what a cell's
# finding looks like (test-artifacts/every-page/).
SCREENSHOTS = ARTIFACTS / "every-page" if os.environ.get("EVERY_PAGE_SCREENSHOTS") else None

SIGNED_IN = ("new", "approved", "provider")
# The applicant (a draft application, every step filled in) has the new merchant's header
# (no approved shop, no provider), so it opens only what differs for it: its dashboard and
# the wizard's steps, which none of the other roles can open (the new merchant has no
# application; an approved one's steps lead to its read-only review).
EVERYONE = ("visitor", "new", "approved", "provider")

# Prefixes of the URLconf that hold no page for visitors, merchants or providers.
EXCLUDED_PREFIXES = {
    "admin/": "staff's Django admin (tests/test_admin_matrix.py walks it)",
    "api/": "the partner API: JSON, its schema and Swagger UI (tests/test_api_*.py)",
    "^media/": "public media files with byte ranges where no proxy serves them (tests/core/test_media.py)",
}

# Patterns that are not pages a person opens, by name (or route when unnamed), and why.
POST_ONLY = {
    "school:part-done": "marks a lesson done (htmx or the button)",
    "school:provider-article-withdraw": "withdraws a submitted article",
    "campaigns:sign-up": "signs a good up for a campaign",
    "merchants:application-start": "opens the application and goes to its first step",
    "merchants:api-token-revoke": "revokes a token",
    "industrybelts:member-invite": "invites a team member",
    "industrybelts:merchant-invitation-create": "creates a merchant invitation link",
    "merchants:compliance-category-withdraw": "withdraws a category request awaiting review",
    "merchants:compliance-refund": "asks for the deposit back (the overview's button)",
    "storefront:import-job-confirm": "confirms a previewed spreadsheet import",
    "videos:video-complete": "hands a fully uploaded video to processing (video-upload.js)",
    "videos:video-delete": "deletes a video (its page's button)",
    "videos:video-signal": "counts a play or a play to the end (video-player.js)",
}
EXCLUDED = {
    **{name: f"POST only: {why}" for name, why in POST_ONLY.items()},
    "storefront:product-buy": "counts a click and redirects to the merchant's shop on another site",
    "merchants:region-options": "an htmx fragment (the <option>s of the region cascade), not a page",
    "storefront:import-job-progress": "an htmx fragment (an import's progress bar), not a page",
    "videos:video-status": "an htmx fragment (a video's processing badge), not a page",
    "videos:video-chunk": "where a video's pieces go (PUT); a GET answers the upload's offset as JSON",
    "videos:video-buy": "counts a purchase click for a video, then goes on through storefront:product-buy",
    "storefront:import-template": "a spreadsheet download (the import's template), not HTML",
    "storefront:product-export": "a spreadsheet download (the merchant's goods), not HTML",
    "merchants:document-file": "a private document (image or PDF) served by permission, not HTML",
    "merchants:document-thumbnail": "a private document's WebP thumbnail, not HTML",
    "merchants:compliance-receipt": "a deposit transfer's receipt (image or PDF) by permission, not HTML",
    "set_language": "the language switcher's POST target; a GET only redirects back",
    "healthz": "the load balancer's health check (JSON)",
    "account_login": "allauth's own log-in view, shadowed by config.urls' AccountLoginView at the "
    "same address (walked as 'accounts/login/')",
    "account_set_password": "allauth's page for accounts without a password (social log-ins, which "
    "the portal does not offer); everyone else is sent to the password change page",
    "account_confirm_login_code": "a stage of allauth's log-in by code, which the portal does not "
    "turn on: without a pending log-in it redirects to the log-in page",
}


@dataclasses.dataclass(frozen=True)
class Page:
    """A concrete address for a pattern (made from the crawl's data) and who opens it."""

    url: object  # a callable: data -> path
    roles: tuple[str, ...]


PAGES = {
    # The storefront
    "storefront:home": Page(lambda d: "/", EVERYONE),
    "storefront:catalog": Page(lambda d: "/catalog/", EVERYONE),
    "storefront:product-detail": Page(lambda d: f"/catalog/p/{d.photo_product.public_id}/", EVERYONE),
    "storefront:shop-detail": Page(lambda d: f"/shops/{d.seller.public_id}/", EVERYONE),
    "storefront:merchant-products": Page(lambda d: "/merchant/products/", SIGNED_IN),
    "storefront:product-quick-list": Page(lambda d: "/merchant/products/quick/", SIGNED_IN),
    "storefront:product-create": Page(lambda d: "/merchant/products/new/", SIGNED_IN),
    "storefront:product-import": Page(lambda d: "/merchant/products/import/", SIGNED_IN),
    "storefront:import-job": Page(
        lambda d: f"/merchant/products/import/{d.import_job.public_id}/", ("approved",)
    ),
    "storefront:product-edit": Page(
        lambda d: f"/merchant/products/{d.draft_product.public_id}/edit/", ("approved",)
    ),
    # Short videos
    "videos:video-list": Page(lambda d: "/merchant/videos/", SIGNED_IN),
    "videos:video-upload": Page(lambda d: "/merchant/videos/new/", SIGNED_IN),
    "videos:video-detail": Page(lambda d: f"/merchant/videos/{d.video.public_id}/", ("approved",)),
    # The school
    "live:merchant-sessions": Page(lambda d: "/merchant/live/", SIGNED_IN),
    "live:session-create": Page(lambda d: "/merchant/live/new/", SIGNED_IN),
    "live:session-edit": Page(lambda d: f"/merchant/live/{d.live_session.public_id}/edit/", ("approved",)),
    "live:session-cancel": Page(
        lambda d: f"/merchant/live/{d.live_session.public_id}/cancel/", ("approved",)
    ),
    "live:session-go-live": Page(
        lambda d: f"/merchant/live/{d.live_session.public_id}/go-live/", ("approved",)
    ),
    "live:session-end": Page(lambda d: f"/merchant/live/{d.on_air.public_id}/end/", ("approved",)),
    "live:provider-schedule": Page(lambda d: "/provider/live/", ("provider",)),
    "school:home": Page(lambda d: "/school/", EVERYONE),
    "school:search": Page(lambda d: "/school/search/?q=直播", EVERYONE),
    "school:item": Page(lambda d: f"/school/{d.course.slug}/", EVERYONE),
    "school:part": Page(lambda d: f"/school/{d.course.slug}/{d.lesson.slug}/", EVERYONE),
    "school:provider-articles": Page(lambda d: "/provider/articles/", ("provider",)),
    "school:provider-article-create": Page(lambda d: "/provider/articles/new/", ("provider",)),
    "school:provider-article-edit": Page(
        lambda d: f"/provider/articles/{d.provider_article.slug}/edit/", ("provider",)
    ),
    "school:provider-article-preview": Page(
        lambda d: f"/provider/articles/{d.provider_article.slug}/preview/", ("provider",)
    ),
    # Campaigns
    "campaigns:campaign-list": Page(lambda d: "/campaigns/", EVERYONE),
    "campaigns:campaign-detail": Page(lambda d: f"/campaigns/{d.campaign.slug}/", EVERYONE),
    "campaigns:merchant-campaigns": Page(lambda d: "/merchant/campaigns/", SIGNED_IN),
    # Accounts (allauth)
    "accounts/login/": Page(lambda d: "/accounts/login/", ("visitor",)),
    "account_signup": Page(lambda d: "/accounts/signup/", ("visitor",)),
    "account_logout": Page(lambda d: "/accounts/logout/", SIGNED_IN),
    "account_inactive": Page(lambda d: "/accounts/inactive/", ("visitor",)),
    "account_reauthenticate": Page(lambda d: "/accounts/reauthenticate/", SIGNED_IN),
    "account_email": Page(lambda d: "/accounts/email/", SIGNED_IN),
    "account_email_verification_sent": Page(lambda d: "/accounts/confirm-email/", ("visitor",)),
    "account_confirm_email": Page(lambda d: f"/accounts/confirm-email/{d.confirm_key}/", ("visitor",)),
    "account_change_password": Page(lambda d: "/accounts/password/change/", SIGNED_IN),
    "account_reset_password": Page(lambda d: "/accounts/password/reset/", ("visitor",)),
    "account_reset_password_done": Page(lambda d: "/accounts/password/reset/done/", ("visitor",)),
    "account_reset_password_from_key": Page(
        lambda d: f"/accounts/password/reset/key/{d.reset_uid}-{d.reset_key}/", ("visitor",)
    ),
    "account_reset_password_from_key_done": Page(
        lambda d: "/accounts/password/reset/key/done/", ("visitor",)
    ),
    # The merchant's dashboard and onboarding wizard
    "merchants:dashboard": Page(lambda d: "/merchant/", ("new", "applicant", "approved", "provider")),
    "merchants:application-step": Page(lambda d: "/merchant/application/{step}/", ("applicant", "approved")),
    "merchants:api-tokens": Page(lambda d: "/merchant/api-tokens/", SIGNED_IN),
    # After approval: requirements, renewals, categories, the deposit, closing (the applicant's
    # overview says requirements start at approval; the other pages need an approved shop)
    "merchants:compliance": Page(lambda d: "/merchant/compliance/", ("applicant", "approved")),
    "merchants:compliance-document-renew": Page(
        lambda d: "/merchant/compliance/documents/qualification-gem-appraisal/renew/", ("approved",)
    ),
    "merchants:compliance-categories": Page(lambda d: "/merchant/compliance/categories/", ("approved",)),
    "merchants:compliance-deposit-transfer": Page(
        lambda d: "/merchant/compliance/deposit/transfer/", ("approved",)
    ),
    "merchants:compliance-close": Page(lambda d: "/merchant/compliance/close/", ("approved",)),
    # Belts and the provider workspace
    "industrybelts:belt-list": Page(lambda d: "/belts/", EVERYONE),
    "industrybelts:belt-detail": Page(lambda d: "/belts/jade/", EVERYONE),
    "industrybelts:invitation": Page(lambda d: f"/belts/invite/{d.merchant_invitation_code}/", EVERYONE),
    "industrybelts:belt-apply": Page(lambda d: "/belts/jade/apply/", SIGNED_IN),
    "industrybelts:provider-dashboard": Page(lambda d: "/provider/", SIGNED_IN),
    "industrybelts:provider-api-tokens": Page(lambda d: "/provider/api-tokens/", ("provider",)),
    "industrybelts:provider-apply": Page(lambda d: "/provider/apply/", SIGNED_IN),
    "industrybelts:member-join": Page(lambda d: f"/provider/join/{d.member_invitation_code}/", SIGNED_IN),
    "industrybelts:provider-belt": Page(lambda d: "/provider/belts/jade/", ("provider",)),
    "industrybelts:membership-pre-review": Page(
        lambda d: f"/provider/memberships/{d.membership.public_id}/pre-review/", ("provider",)
    ),
}

# The wizard's steps are one pattern; each step is its own page. The approved merchant's
# application is no longer editable, so only its review step opens.
WIZARD_STEPS = ("entity", "documents", "channels", "deposit", "review")


def urls_for(key, role, data):
    """The concrete paths of a listed pattern for a role (one, or the wizard's steps)."""
    url = PAGES[key].url(data)
    if key == "merchants:application-step":
        steps = WIZARD_STEPS if role == "applicant" else ("review",)
        return [url.format(step=step) for step in steps]
    return [url]


# (pattern, role, size) cells still failing after the shared layout's fixes, with the
# cause; each is a strict xfail, so fixing one makes this list shorter.
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}


def url_patterns():
    """Yield (key, route, pattern) for every pattern of the URLconf, namespaced by name."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield name or route, route, pattern

    yield from walk(get_resolver().url_patterns)


def pages_to_walk():
    """The listed patterns of the URLconf, with the prefixes people never open left out."""
    return [
        key
        for key, route, _pattern in url_patterns()
        if not route.startswith(tuple(EXCLUDED_PREFIXES)) and key not in EXCLUDED
    ]


def test_every_pattern_is_a_listed_page_or_excluded():
    keys = [key for key, route, _pattern in url_patterns() if not route.startswith(tuple(EXCLUDED_PREFIXES))]
    unlisted = sorted(key for key in keys if key not in PAGES and key not in EXCLUDED)
    assert not unlisted, (
        "Pages missing from tests/browser/test_every_page.py (add each to PAGES with a concrete "
        f"address and the roles that open it, or to EXCLUDED with the reason): {unlisted}"
    )
    stale = sorted((set(PAGES) | set(EXCLUDED)) - set(keys))
    assert not stale, f"Listed but no longer in the URLconf: {stale}"
    assert not set(PAGES) & set(EXCLUDED)


def test_post_only_exclusions_answer_no_get():
    views = {key: pattern.callback for key, _route, pattern in url_patterns()}
    for key in POST_ONLY:
        view_class = views[key].view_class
        assert not hasattr(view_class, "get"), f"{key} answers GET: list it in PAGES instead"


# --- The crawl ---------------------------------------------------------------------------


def build_portal():
    """Make one of everything a page shows, through the project's factories and services."""
    jade = Belt.objects.get(slug="jade")
    make_base(jade)
    provider, owner = approved_provider(jade)
    seller = approved_merchant(categories=("jade-jewellery",))
    membership = belt_services.membership_apply(
        merchant=seller,
        belt=jade,
        base=jade.bases.get(),
        by=seller.user,
        invitation=invited(provider, jade, seller),
    )
    photo = image_upload("bangle.jpg", size=(1600, 1200), color=(40, 160, 90))
    photo_product = product_services.product_quick_list(
        merchant=seller,
        by=seller.user,
        photo=photo,
        title="帝王绿翡翠手镯，瑞丽直播间一物一拍，支持复检证书",
        price="6800.00",
        intro="瑞丽直播间，一物一拍",
    )
    jade_category = Category.objects.get(code="jade-jewellery")
    make_product(seller, title="冰种飘花吊坠", category=jade_category, price="1280.00")
    draft_product = make_product(seller, title="糯种手镯（草稿）", category=jade_category, publish=False)
    video = make_video(seller, [photo_product], title="帝王绿手镯 自然光下转一圈")
    campaign = make_campaign(name="1106卖货王", description="源头好货，直播间专场。")
    campaign_services.campaign_sign_up(campaign=campaign, product=photo_product, by=seller.user)
    import_job = import_job_create(
        merchant=seller,
        by=seller.user,
        upload=SimpleUploadedFile(
            "翡翠手镯货源表（2026 年冬季新款，瑞丽直播间一物一拍）.csv",
            "标题,类目,货源类型,产地,批发价,零售价\n"
            "帝王绿翡翠手镯，瑞丽直播间一物一拍，支持复检证书,珠宝玉石,工厂好货,广东省肇庆市四会市,"
            '"￥12,800.00","￥25,999.00"\n'.encode("gbk"),
        ),
    )

    # An announced session and one on air: the shop, belt and home pages show both, the goods
    # carry their badges, the provider's schedule lists them.
    live_session = live.live_session_schedule(
        merchant=seller,
        by=seller.user,
        title="帝王绿手镯专场：每一只都打光转一圈给大家看",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        expected_minutes=120,
        products=[photo_product],
        room_url="https://live.kuaishou.com/u/ruili-jade",
    )
    on_air = live.live_session_go_live(
        session=live.live_session_schedule(
            merchant=seller,
            by=seller.user,
            title="瑞丽早市直播",
            starts_at=timezone.now(),
            expected_minutes=60,
            room_url="https://live.kuaishou.com/u/ruili-morning",
        ),
        by=seller.user,
    )

    make_item(title="直播间选品方法", body="## 选品\n\n从档口的爆款开始。", tags=("直播",))
    course, lessons = make_course(title="直播入门课", lessons=2)
    provider_article = school_services.provider_article_save(
        item=SchoolItem(title="平洲玉器街开播指南", body="## 开播\n\n先备好灯光。", belt=jade),
        provider=provider,
        by=owner,
    )

    _invitation, merchant_invitation_code = belt_services.merchant_invitation_create(
        provider=provider, belt=jade, by=owner
    )
    outbox, invitee = Outbox(), "team.member@example.com"
    belt_services.member_invite(provider=provider, by=owner, email=invitee, role=MemberRole.AGENT)
    member_invitation_code = re.search(r"/provider/join/([^/\s]+)/", mail_to(outbox, invitee).body).group(1)

    applicant = fill_application(ApplicationFactory(), categories=("jade-jewellery",)).merchant.user
    unconfirmed = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=unconfirmed, email=unconfirmed.email, primary=True)
    resetting = UserFactory()
    users = {"new": UserFactory(), "applicant": applicant, "approved": seller.user, "provider": owner}
    return SimpleNamespace(
        users=users,
        seller=seller,
        photo_product=photo_product,
        live_session=live_session,
        on_air=on_air,
        draft_product=draft_product,
        video=video,
        import_job=import_job,
        campaign=campaign,
        course=course,
        lesson=lessons[0],
        provider_article=provider_article,
        membership=membership,
        merchant_invitation_code=merchant_invitation_code,
        member_invitation_code=member_invitation_code,
        confirm_key=EmailConfirmationHMAC(address).key,
        reset_uid=user_pk_to_url_str(resetting),
        reset_key=default_token_generator.make_token(resetting),
    )


def mail_to(outbox, address, timeout=20.0):
    """The last e-mail to `address`, waiting for it while a Celery worker sends it."""
    deadline = time.monotonic() + timeout
    while not (sent := [message for message in outbox.messages() if message.to == [address]]):
        assert time.monotonic() < deadline, f"no e-mail to {address} after {timeout}s"
        time.sleep(0.1)
    return sent[-1]


@dataclasses.dataclass
class Cell:
    """One (page, role, size) visit and what it found."""

    key: str
    role: str
    size: str
    url: str
    status: int | None = None
    landed: str = ""
    overflow: list[str] = dataclasses.field(default_factory=list)
    console: list[str] = dataclasses.field(default_factory=list)
    server_errors: list[str] = dataclasses.field(default_factory=list)
    violations: list[str] = dataclasses.field(default_factory=list)
    error: str = ""

    def problems(self) -> list[str]:
        if self.error:
            return [f"could not be walked: {self.error}"]
        found = []
        if self.status != 200:
            found.append(f"answered {self.status}")
        if self.landed != self.key:
            found.append(f"landed on {self.landed or 'an unknown page'} (is the role right?)")
        found += [f"5xx: {line}" for line in self.server_errors]
        found += [f"console: {line}" for line in self.console]
        if self.overflow:
            found.append("scrolls sideways: " + "; ".join(self.overflow))
        found += [f"axe: {line}" for line in self.violations]
        return found


# What sticks out past the viewport's right edge: the outermost such elements, with their width.
OVERFLOW_SCRIPT = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0 && !(el.parentElement && out.includes(el.parentElement))) {
      if (!out.some(o => o.contains(el))) out.push(el);
    }
  }
  return [`scrollWidth ${document.documentElement.scrollWidth} > ${width}`].concat(out.slice(0, 5).map(el => {
    const box = el.getBoundingClientRect();
    const name = typeof el.className === 'string' ? el.className.trim() : '';
    const cls = name ? '.' + name.split(/\\s+/).join('.') : '';
    const id = el.id ? '#' + el.id : '';
    return `${el.tagName.toLowerCase()}${id}${cls} (${Math.round(box.left)}→${Math.round(box.right)})`;
  }));
}"""


def landed_key(path):
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.view_name if match.url_name else match.route


def session_cookie(user, base_url):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def open_tab(context):
    """A tab whose console errors and 5xx answers are collected into `tab.heard`."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.heard = {"console": [], "server_errors": []}
    page.on("console", lambda message: message.type == "error" and page.heard["console"].append(message.text))
    page.on("pageerror", lambda error: page.heard["console"].append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 500 and page.heard["server_errors"].append(f"{response.status} {response.url}")
        ),
    )
    return page


def visit(page, cell, base_url, axe, spent):
    """Open the cell's page and record what it answered, how wide it is and what axe finds."""
    page.heard = {"console": [], "server_errors": []}
    try:
        started = time.monotonic()
        response = page.goto(base_url + cell.url, wait_until="load")
        spent["load"] += time.monotonic() - started
        cell.status = response.status if response else None
        cell.landed = landed_key(unquote(urlsplit(page.url).path))
        cell.overflow = page.evaluate(OVERFLOW_SCRIPT)
        started = time.monotonic()
        results = axe.run(page)
        spent["axe"] += time.monotonic() - started
        if SCREENSHOTS:
            name = re.sub(r"[^\w-]+", "_", f"{cell.key}-{cell.role}-{cell.size}-{cell.url}").strip("_")
            page.screenshot(path=str(SCREENSHOTS / f"{name[:150]}.png"), full_page=True)
    except PlaywrightError as error:  # one page's failure is its cell's, not the whole walk's
        cell.error = str(error).splitlines()[0]
        return
    cell.violations = [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}×: "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        + ")"
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious")
    ]
    cell.console, cell.server_errors = page.heard["console"], page.heard["server_errors"]


@pytest.fixture(scope="module")
def crawl(chromium, django_db_setup, django_db_blocker, request):
    """Build the portal once, walk every (page, role, size) cell, and flush afterwards."""
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with django_db_blocker.unblock():
        server = LiveServer("localhost:0")
        try:
            data = build_portal()
            built = time.monotonic() - started
            base_url = server.url
            axe = Axe()
            cells, spent = {}, {"load": 0.0, "axe": 0.0}
            for role in ROLES:
                for size, viewport in SIZES.items():
                    context = chromium.new_context(locale="zh-CN", viewport=viewport)
                    if role != "visitor":
                        context.add_cookies([session_cookie(data.users[role], base_url)])
                    page = open_tab(context)
                    for key in pages_to_walk():
                        if key not in PAGES or role not in PAGES[key].roles:
                            continue  # an unlisted pattern fails its own test above
                        for url in urls_for(key, role, data):
                            cell = Cell(key=key, role=role, size=size, url=url)
                            visit(page, cell, base_url, axe, spent)
                            cells.setdefault((key, role, size), []).append(cell)
                    context.close()
        finally:
            server.stop()
            call_command("flush", verbosity=0, interactive=False)
    elapsed = time.monotonic() - started
    report(request, cells, built, elapsed, spent)
    return cells


def report(request, cells, built, elapsed, spent):
    """Print the summary and write every cell's findings to test-artifacts/every-page.json."""
    flat = [cell for found in cells.values() for cell in found]
    keys = {cell.key for cell in flat}
    overflow = [cell for cell in flat if cell.overflow]
    axe_cells = [cell for cell in flat if cell.violations]
    lines = [
        f"every page: {len(keys)} patterns, {len(flat)} page visits = "
        f"{len({(c.key, c.role) for c in flat})} page×role pairs × {len(SIZES)} sizes "
        f"({len(cells)} cells) in {elapsed:.0f}s (data {built:.0f}s, loads {spent['load']:.0f}s, "
        f"axe {spent['axe']:.0f}s)",
        f"every page: sideways scrolling in {len(overflow)} visits, "
        f"critical/serious axe violations in {len(axe_cells)} visits",
    ]
    for cell in flat:
        if problems := cell.problems():
            lines.append(f"  {cell.key} [{cell.role}, {cell.size}] {cell.url}: " + " | ".join(problems))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "every-page.json").write_text(
        json.dumps([dataclasses.asdict(cell) for cell in flat], ensure_ascii=False, indent=1)
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    # Shown even under -q and output capture, as pytest's own summary is.
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        for line in lines:
            reporter.write_line(line)


def cells():
    for key, page in PAGES.items():
        for role in page.roles:
            for size in SIZES:
                marks = []
                if (key, role, size) in KNOWN_FAILURES:
                    marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[key, role, size], strict=True))
                yield pytest.param(key, role, size, id=f"{key}-{role}-{size}", marks=marks)


# The crawl writes outside any test's transaction; the mark has the test database made.
@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role", "size"), list(cells()))
def test_page_works_for_the_role_at_the_size(crawl, key, role, size):
    visits = crawl.get((key, role, size))
    assert visits, f"{key} was not walked for {role} at {size} (is it in the URLconf?)"
    problems = [f"{cell.url}: {problem}" for cell in visits for problem in cell.problems()]
    assert not problems, "\n".join(problems)
