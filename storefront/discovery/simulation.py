"""A synthetic market for tuning discovery: merchants, their products and buyers, run for N days
through the same `allocator` the Celery cycle uses. No database: staff can try thresholds
on 10 000 merchants in a minute or two (`manage.py simulate_discovery`)."""

import math
import random
import statistics
from collections import defaultdict, deque
from dataclasses import dataclass, field

from . import allocator


@dataclass
class Market:
    merchants: int = 10_000
    days: int = 30
    cycles_per_day: int = 4
    buyers: int = 100_000
    impressions_per_buyer: int = 30
    new_products_per_merchant_per_day: float = 0.1
    big_merchant_share: float = 0.15
    good_product_share: float = 0.1
    window_days: int = 7
    slate_size: int = 2000
    seed: int = 1


@dataclass
class Product:
    candidate: allocator.Candidate
    ctr: float
    conversion: float
    good: bool
    entered_cycle: int
    impressions: int = 0
    reached_round3_cycle: int | None = None


@dataclass
class DayReport:
    day: int
    pool: tuple[int, int, int]
    window_gini: float
    ordinary_share: float
    impressions: int


@dataclass
class Report:
    days: list[DayReport] = field(default_factory=list)
    products: int = 0
    base_exposure_share: float = 0.0
    good_reaching_round3: float = 0.0
    hours_to_round3_median: float | None = None
    hours_to_round3_p90: float | None = None


def _noisy(rng, mean: float) -> int:
    """A count around `mean` (normal approximation of a binomial, never negative)."""
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def run(market: Market, policy: allocator.Policy) -> Report:
    rng = random.Random(market.seed)
    ordinary = {m: rng.random() >= market.big_merchant_share for m in range(market.merchants)}
    products: list[Product] = []
    pool: dict[int, Product] = {}
    by_id: dict[int, Product] = {}
    newest: dict[int, tuple[int, bool]] = {}  # a merchant's newest product, for traffic beyond the pool
    daily: deque[dict[int, float]] = deque(maxlen=market.window_days)
    window: dict[int, float] = defaultdict(float)
    capacity = market.buyers * market.impressions_per_buyer / market.cycles_per_day
    report = Report()
    next_id = 0
    for day in range(market.days):
        if len(daily) == market.window_days:
            for merchant_id, value in daily[0].items():
                window[merchant_id] -= value
        today: dict[int, float] = defaultdict(float)
        daily.append(today)
        for merchant_id in range(market.merchants):
            if rng.random() < market.new_products_per_merchant_per_day:
                good = rng.random() < market.good_product_share
                big_bonus = 1.0 if ordinary[merchant_id] else 1.2
                ctr = (rng.uniform(0.09, 0.15) if good else rng.uniform(0.01, 0.07)) * big_bonus
                conversion = rng.uniform(0.012, 0.03) if good else rng.uniform(0.0, 0.012)
                candidate = allocator.Candidate(next_id, merchant_id, ordinary[merchant_id])
                product = Product(candidate, ctr, conversion, good, entered_cycle=day * market.cycles_per_day)
                products.append(product)
                pool[next_id] = product
                by_id[next_id] = product
                newest[merchant_id] = (next_id, ordinary[merchant_id])
                next_id += 1
        for cycle in range(market.cycles_per_day):
            now = day * market.cycles_per_day + cycle
            for product in list(pool.values()):
                promotion = allocator.promote(product.candidate, policy)
                if promotion and promotion.to_round == 3:
                    product.reached_round3_cycle = now
                if not product.candidate.in_pool:
                    del pool[product.candidate.product_id]
            plan = allocator.allocate(
                [p.candidate for p in pool.values()], window, capacity, policy, fill=newest
            )
            for product_id, planned in plan.per_product.items():
                product = by_id[product_id]
                shown = _noisy(rng, planned)
                candidate = product.candidate
                if candidate.in_pool:
                    candidate.round_impressions += shown
                    candidate.round_views += _noisy(rng, shown * product.ctr)
                    candidate.round_clicks += _noisy(rng, shown * product.conversion)
                product.impressions += shown
                today[candidate.merchant_id] += shown
                window[candidate.merchant_id] += shown
        total_today = sum(today.values())
        rounds = [0, 0, 0]
        for product in pool.values():
            rounds[product.candidate.round - 1] += 1
        report.days.append(
            DayReport(
                day=day + 1,
                pool=tuple(rounds),
                window_gini=allocator.gini([v for v in window.values() if v > 0]),
                ordinary_share=(sum(v for m, v in today.items() if ordinary[m]) / total_today)
                if total_today
                else 0,
                impressions=round(total_today),
            )
        )
    settled = [p for p in products if p.entered_cycle <= (market.days - 2) * market.cycles_per_day]
    report.products = len(products)
    if settled:
        report.base_exposure_share = sum(p.impressions >= policy.budgets[0] for p in settled) / len(settled)
        good = [p for p in settled if p.good]
        reached = [p for p in good if p.reached_round3_cycle is not None]
        report.good_reaching_round3 = len(reached) / len(good) if good else 0
        hours = sorted(
            (p.reached_round3_cycle - p.entered_cycle) * 24 / market.cycles_per_day for p in reached
        )
        if hours:
            report.hours_to_round3_median = statistics.median(hours)
            report.hours_to_round3_p90 = hours[int(0.9 * (len(hours) - 1))]
    return report
