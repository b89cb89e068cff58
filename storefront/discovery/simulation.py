"""A synthetic market for tuning discovery: merchants, their goods and short videos, and buyers,
run for N days through the same `allocator` the Celery cycle uses. No database: staff can try
thresholds on 10 000 merchants in a few minutes (`manage.py simulate_discovery`).

Goods and videos are works of one pool, as in the portal: a good is judged on click-through,
a video on plays to the end per exposure, both on purchase clicks per exposure for round 3;
the Gini window and the ordinary share are per merchant over all its works.
"""

import math
import random
import statistics
from collections import defaultdict, deque
from dataclasses import dataclass, field

from . import allocator
from .allocator import PRODUCT, VIDEO


@dataclass
class Market:
    merchants: int = 10_000
    days: int = 30
    cycles_per_day: int = 4
    buyers: int = 100_000
    impressions_per_buyer: int = 30
    new_products_per_merchant_per_day: float = 0.1
    # Half as many videos as goods; a merchant posts one only once it has a good to sell.
    new_videos_per_merchant_per_day: float = 0.05
    big_merchant_share: float = 0.15
    good_product_share: float = 0.1
    good_video_share: float = 0.1
    window_days: int = 7
    slate_size: int = 2000
    seed: int = 1


@dataclass
class Work:
    candidate: allocator.Candidate
    interest: float  # a good's click-through, a video's plays to the end, per exposure
    conversion: float  # purchase clicks per exposure
    good: bool
    entered_cycle: int
    impressions: int = 0
    reached_round3_cycle: int | None = None


@dataclass
class DayReport:
    day: int
    pool: tuple[int, int, int]  # goods per round
    video_pool: tuple[int, int, int]
    video_share: float  # the videos' share of the day's exposures
    window_gini: float  # per merchant, over all works
    ordinary_share: float
    impressions: int


@dataclass
class Report:
    days: list[DayReport] = field(default_factory=list)
    products: int = 0
    videos: int = 0
    base_exposure_share: float = 0.0
    good_reaching_round3: float = 0.0
    hours_to_round3_median: float | None = None
    hours_to_round3_p90: float | None = None
    video_base_exposure_share: float = 0.0
    good_videos_reaching_round3: float = 0.0
    video_hours_to_round3_median: float | None = None
    video_hours_to_round3_p90: float | None = None


def _noisy(rng, mean: float) -> int:
    """A count around `mean` (normal approximation of a binomial, never negative)."""
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _new_good(rng, market: Market, big: bool) -> tuple[float, float, bool]:
    good = rng.random() < market.good_product_share
    ctr = (rng.uniform(0.09, 0.15) if good else rng.uniform(0.01, 0.07)) * (1.2 if big else 1.0)
    conversion = rng.uniform(0.012, 0.03) if good else rng.uniform(0.0, 0.012)
    return ctr, conversion, good


def _new_video(rng, market: Market, big: bool) -> tuple[float, float, bool]:
    good = rng.random() < market.good_video_share
    completion = (rng.uniform(0.05, 0.12) if good else rng.uniform(0.005, 0.045)) * (1.2 if big else 1.0)
    conversion = rng.uniform(0.012, 0.03) if good else rng.uniform(0.0, 0.012)
    return completion, conversion, good


def run(market: Market, policy: allocator.Policy) -> Report:
    rng = random.Random(market.seed)
    ordinary = {m: rng.random() >= market.big_merchant_share for m in range(market.merchants)}
    works: list[Work] = []
    pool: dict[allocator.WorkKey, Work] = {}
    by_key: dict[allocator.WorkKey, Work] = {}
    # A merchant's newest good, for traffic beyond the pool (goods only, as in the portal).
    newest: dict[int, tuple[allocator.WorkKey, bool]] = {}
    daily: deque[dict[int, float]] = deque(maxlen=market.window_days)
    window: dict[int, float] = defaultdict(float)
    capacity = market.buyers * market.impressions_per_buyer / market.cycles_per_day
    report = Report()
    next_id = {PRODUCT: 0, VIDEO: 0}

    def add(kind, merchant_id, interest, conversion, good, day):
        candidate = allocator.Candidate(next_id[kind], merchant_id, ordinary[merchant_id], kind=kind)
        work = Work(candidate, interest, conversion, good, entered_cycle=day * market.cycles_per_day)
        works.append(work)
        pool[candidate.key] = by_key[candidate.key] = work
        next_id[kind] += 1
        return candidate.key

    for day in range(market.days):
        if len(daily) == market.window_days:
            for merchant_id, value in daily[0].items():
                window[merchant_id] -= value
        today: dict[int, float] = defaultdict(float)
        today_videos = 0.0
        daily.append(today)
        for merchant_id in range(market.merchants):
            big = not ordinary[merchant_id]
            if rng.random() < market.new_products_per_merchant_per_day:
                key = add(PRODUCT, merchant_id, *_new_good(rng, market, big), day)
                newest[merchant_id] = (key, ordinary[merchant_id])
            if merchant_id in newest and rng.random() < market.new_videos_per_merchant_per_day:
                add(VIDEO, merchant_id, *_new_video(rng, market, big), day)
        for cycle in range(market.cycles_per_day):
            now = day * market.cycles_per_day + cycle
            for work in list(pool.values()):
                promotion = allocator.promote(work.candidate, policy)
                if promotion and promotion.to_round == 3:
                    work.reached_round3_cycle = now
                if not work.candidate.in_pool:
                    del pool[work.candidate.key]
            plan = allocator.allocate(
                [w.candidate for w in pool.values()], window, capacity, policy, fill=newest
            )
            for key, planned in plan.per_work.items():
                work = by_key[key]
                shown = _noisy(rng, planned)
                candidate = work.candidate
                if candidate.in_pool:
                    candidate.round_impressions += shown
                    interest = _noisy(rng, shown * work.interest)
                    if candidate.kind == VIDEO:
                        candidate.round_completions += interest
                    else:
                        candidate.round_views += interest
                    candidate.round_clicks += _noisy(rng, shown * work.conversion)
                work.impressions += shown
                today[candidate.merchant_id] += shown
                window[candidate.merchant_id] += shown
                if candidate.kind == VIDEO:
                    today_videos += shown
        total_today = sum(today.values())
        rounds = {PRODUCT: [0, 0, 0], VIDEO: [0, 0, 0]}
        for work in pool.values():
            rounds[work.candidate.kind][work.candidate.round - 1] += 1
        report.days.append(
            DayReport(
                day=day + 1,
                pool=tuple(rounds[PRODUCT]),
                video_pool=tuple(rounds[VIDEO]),
                video_share=today_videos / total_today if total_today else 0,
                window_gini=allocator.gini([v for v in window.values() if v > 0]),
                ordinary_share=(sum(v for m, v in today.items() if ordinary[m]) / total_today)
                if total_today
                else 0,
                impressions=round(total_today),
            )
        )
    report.products = sum(w.candidate.kind == PRODUCT for w in works)
    report.videos = len(works) - report.products
    # Works listed in the last two days have not had the time to finish round 1.
    settled = [w for w in works if w.entered_cycle <= (market.days - 2) * market.cycles_per_day]
    goods = _climbing([w for w in settled if w.candidate.kind == PRODUCT], policy, market)
    videos = _climbing([w for w in settled if w.candidate.kind == VIDEO], policy, market)
    (
        report.base_exposure_share,
        report.good_reaching_round3,
        report.hours_to_round3_median,
        report.hours_to_round3_p90,
    ) = goods
    (
        report.video_base_exposure_share,
        report.good_videos_reaching_round3,
        report.video_hours_to_round3_median,
        report.video_hours_to_round3_p90,
    ) = videos
    return report


def _climbing(settled: list[Work], policy, market) -> tuple[float, float, float | None, float | None]:
    """Of works of one kind: the share given their base exposures, the share of good ones that
    reached round 3, and the median and p90 hours they took."""
    if not settled:
        return 0.0, 0.0, None, None
    base = sum(w.impressions >= policy.budgets[0] for w in settled) / len(settled)
    good = [w for w in settled if w.good]
    reached = [w for w in good if w.reached_round3_cycle is not None]
    hours = sorted((w.reached_round3_cycle - w.entered_cycle) * 24 / market.cycles_per_day for w in reached)
    return (
        base,
        len(reached) / len(good) if good else 0.0,
        statistics.median(hours) if hours else None,
        hours[int(0.9 * (len(hours) - 1))] if hours else None,
    )
