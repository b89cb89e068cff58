"""The approved merchant's home: what to do next, and how its goods are doing.

A section of the merchant's dashboard (merchants.selectors.dashboard_sections, registered in
apps.py), shown once the application is approved:

- the requirements card (merchants.compliance): the standing and what is due, from the
  stored requirements (one query), for approved, suspended and closed shops;
- the checklist of a new seller's first steps (deposit paid, first goods, a belt, a
  campaign, a course): the deposit from the stored requirements (no query of its own),
  the rest each read with one EXISTS in one query;
- the funnel of the last 30 days, exposure → views → purchase clicks by day, from the
  merchant's day rows the counter flush writes (one query), drawn as an SVG the portal
  renders itself (no script, no CDN), with the numbers in a table beside it. Only a
  counter flush writes those rows, so the drawn funnel is cached under the last flush's
  stamp and the day (`funnel_html`): a hit reads no row.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from industrybelts.models import BeltMembership, MembershipStatus
from merchants.compliance import selectors as compliance_selectors
from merchants.compliance.requirements import Requirements
from merchants.models import ApplicationStatus, MerchantProfile

from . import counters, fragments
from .campaigns.models import CampaignEntry
from .discovery.models import MerchantExposureDay
from .models import Product
from .school.models import LessonProgress

FUNNEL_DAYS = 30
FUNNEL_TEMPLATE = "storefront/partials/merchant_funnel.html"
# A drawn funnel outlives no day (the key carries it) and no flush (the version); this
# only bounds what an idle merchant's entry holds on to.
FUNNEL_TTL = 6 * 60 * 60
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 160, 4


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    url: str


@dataclass(frozen=True)
class FunnelDay:
    day: datetime.date
    impressions: int
    views: int
    clicks: int


def checklist_facts() -> dict:
    """The checklist's facts besides the deposit, as EXISTS read on the merchant's row."""
    return {
        "has_goods": Exists(Product.objects.filter(merchant=OuterRef("pk"))),
        "in_belt": Exists(
            BeltMembership.objects.filter(merchant=OuterRef("pk"), status=MembershipStatus.APPROVED)
        ),
        "in_campaign": Exists(CampaignEntry.objects.filter(merchant=OuterRef("pk"))),
        "learning": Exists(LessonProgress.objects.filter(user=OuterRef("user"))),
    }


def checklist(merchant, application, requirements: Requirements) -> list[Step]:
    """The first steps of a seller, done or not, in the order they usually come.

    The deposit is paid when the stored requirements owe none (computed from the ledger,
    so a top-up after a deduction is owed again), read with the card: no query of its own.
    """
    facts_read = checklist_facts()
    facts = MerchantProfile.objects.filter(pk=merchant.pk).annotate(**facts_read).values(*facts_read).get()
    url = reverse
    return [
        Step("deposit", _("Pay the deposit"), not requirements.owes_deposit,
             url("merchants:compliance-deposit-transfer")),
        Step("goods", _("List your first goods"), facts["has_goods"], url("storefront:merchant-products")),
        Step("belt", _("Join an industry belt"), facts["in_belt"], url("industrybelts:belt-list")),
        Step("campaign", _("Sign up for a campaign"), facts["in_campaign"],
             url("campaigns:merchant-campaigns")),
        Step("course", _("Start a course"), facts["learning"], url("school:home")),
    ]  # fmt: skip


def funnel(merchant, *, today: datetime.date | None = None) -> list[FunnelDay]:
    """The last FUNNEL_DAYS days, oldest first, days without a row as zeros."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=FUNNEL_DAYS - 1)
    rows = {
        row["day"]: row
        for row in MerchantExposureDay.objects.filter(
            merchant=merchant, day__gte=start, day__lte=today
        ).values("day", "impressions", "views", "clicks")
    }
    days = []
    for offset in range(FUNNEL_DAYS):
        day = start + datetime.timedelta(days=offset)
        row = rows.get(day, {})
        days.append(FunnelDay(day, row.get("impressions", 0), row.get("views", 0), row.get("clicks", 0)))
    return days


def chart_lines(days: list[FunnelDay]) -> dict[str, str]:
    """SVG polyline points for each series, on one scale (the largest exposure count)."""
    top = max((max(d.impressions, d.views, d.clicks) for d in days), default=0) or 1
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(len(days) - 1, 1)

    def points(values):
        height = CHART_HEIGHT - 2 * CHART_PAD
        return " ".join(
            f"{CHART_PAD + i * step:.1f},{CHART_PAD + height - height * value / top:.1f}"
            for i, value in enumerate(values)
        )

    return {
        "impressions": points([d.impressions for d in days]),
        "views": points([d.views for d in days]),
        "clicks": points([d.clicks for d in days]),
    }


def dashboard_home(user, *, merchant, application) -> dict:
    """The dashboard section (merchants.selectors.dashboard_sections) of an approved seller."""
    card = compliance_selectors.requirements_card(merchant, application)
    if merchant is None or application is None or application.status != ApplicationStatus.APPROVED:
        return card
    return {
        **card,
        "home_checklist": checklist(
            merchant, application, card["compliance_card"]["requirements"] if card else Requirements()
        ),
        "funnel_html": funnel_html(merchant),
    }


def dashboard_home_version() -> dict:
    """What this section shows changes with (merchants.selectors.dashboard_versions): the
    checklist's facts, and the funnel's last counter flush (the card is merchants' own)."""
    return {**checklist_facts(), "funnel": counters.flush_stamp}


def funnel_html(merchant, *, today: datetime.date | None = None) -> str:
    """The funnel's section, drawn once per merchant, day and counter flush (see above)."""
    today = today or timezone.localdate()
    stamp = counters.flush_stamp()
    key = fragments.fragment_key("merchant-funnel", get_language(), merchant.pk, today) if stamp else None

    def draw() -> str:
        days = funnel(merchant, today=today)
        totals = FunnelDay(
            days[-1].day,
            sum(d.impressions for d in days),
            sum(d.views for d in days),
            sum(d.clicks for d in days),
        )
        context = {
            "funnel_days": days,
            "funnel_totals": totals,
            "funnel_lines": chart_lines(days),
            "funnel_size": {"width": CHART_WIDTH, "height": CHART_HEIGHT},
        }
        return render_to_string(FUNNEL_TEMPLATE, context)

    return mark_safe(fragments.cached(key, stamp, draw, timeout=FUNNEL_TTL))  # noqa: S308 (our template)
