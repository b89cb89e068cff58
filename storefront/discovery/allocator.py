"""The allocation rules, as pure functions over plain data (no database, no Django).

One cycle (Celery, every few minutes; or one simulated hour):

1. `promote()`: a product that has used its round's budget is judged on the signals of
   that round: click-through (views / impressions) and conversion (purchase-link clicks
   / impressions). Good enough → the next round with a larger budget; else it leaves the
   pool (it stays in the catalog, it is just no longer pushed).
2. `allocate()`: the cycle's capacity (expected impressions) is split between products
   that still have budget left, base exposures (round 1) before promoted rounds:
   - a *quality* plan (capacity in proportion to round weights 1 / 3 / 9 per product:
     promoted products are pushed harder, and each finishes its round at its own pace)
     is blended with a *fair* plan (water-filling: raise the merchants with the least
     exposure in the window first). The blend uses
     the least fairness that keeps the window's Gini under the cap;
   - if ordinary merchants got less than the floor share (and want more), the plan is
     made again per group, with the ordinary group given exactly the floor;
   - traffic left once every budget is met lifts the least-exposed merchants first,
     including merchants whose goods are outside the pool (their newest product);
   - if the window's Gini would still pass the cap (budgets themselves concentrate: a
     round-3 product may take 100× a new one), the most exposed merchants are clipped
     and what is freed lifts the least exposed, until it does not;
   - a merchant's share is split among its products by the same weights.
3. `slate()`: the planned impressions become an ordered list of feed slots (smooth
   weighted round-robin), which pages read in a constant number of queries.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

ROUND_WEIGHTS = {1: 1.0, 2: 3.0, 3: 9.0}


@dataclass(frozen=True)
class Policy:
    budgets: tuple[int, int, int] = (300, 3000, 30000)
    round2_min_ctr: float = 0.08
    round3_min_ctr: float = 0.10
    round3_min_conversion: float = 0.015
    gini_cap: float = 0.6
    ordinary_floor: float = 0.7


@dataclass
class Candidate:
    product_id: int
    merchant_id: int
    ordinary: bool
    round: int = 1
    round_impressions: int = 0
    round_views: int = 0
    round_clicks: int = 0
    in_pool: bool = True

    def budget(self, policy: Policy) -> int:
        return policy.budgets[self.round - 1]

    def remaining(self, policy: Policy) -> int:
        return max(0, self.budget(policy) - self.round_impressions) if self.in_pool else 0


@dataclass
class Promotion:
    product_id: int
    from_round: int
    to_round: int | None  # None: left the pool


def gini(values) -> float:
    """The Gini coefficient of non-negative values (0 = all equal; → 1 = one takes all)."""
    ordered = sorted(v for v in values if v >= 0)
    n, total = len(ordered), sum(ordered)
    if n < 2 or total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def promote(candidate: Candidate, policy: Policy) -> Promotion | None:
    """Judge a product whose round budget is used up; change it in place and say what happened."""
    if not candidate.in_pool or candidate.round_impressions < candidate.budget(policy):
        return None
    impressions = max(candidate.round_impressions, 1)
    ctr = candidate.round_views / impressions
    conversion = candidate.round_clicks / impressions
    from_round = candidate.round
    if from_round == 1 and ctr >= policy.round2_min_ctr:
        to_round = 2
    elif from_round == 2 and ctr >= policy.round3_min_ctr and conversion >= policy.round3_min_conversion:
        to_round = 3
    else:
        candidate.in_pool = False
        return Promotion(candidate.product_id, from_round, None)
    candidate.round = to_round
    candidate.round_impressions = candidate.round_views = candidate.round_clicks = 0
    return Promotion(candidate.product_id, from_round, to_round)


def _water_fill(demand: dict[int, float], exposure: dict[int, float], capacity: float) -> dict[int, float]:
    """Give capacity to the merchants with the least exposure first, up to each one's demand.

    Finds the level L with Σ min(demand, max(0, L − exposure)) = capacity exactly, walking
    the sorted breakpoints (where a merchant starts or stops taking): O(n log n).
    """
    total_demand = sum(demand.values())
    if capacity >= total_demand:
        return dict(demand)
    events = []
    for merchant, wanted in demand.items():
        start = exposure.get(merchant, 0.0)
        events.append((start, 1))
        events.append((start + wanted, -1))
    events.sort()
    level, slope, given = events[0][0], 0, 0.0
    for point, change in events:
        if slope and given + slope * (point - level) >= capacity:
            break
        given += slope * (point - level)
        level, slope = point, slope + change
    if slope:
        level += (capacity - given) / slope
    return {m: min(d, max(0.0, level - exposure.get(m, 0.0))) for m, d in demand.items()}


def _cap_concentration(per_merchant, exposure, others, cap):
    """Clip the most exposed merchants and lift the least exposed with what is freed, until the
    window Gini is under `cap` (or as low as moving this cycle's traffic can make it)."""

    def totals(plan):
        return [*others.values(), *(exposure.get(m, 0.0) + v for m, v in plan.items())]

    if not per_merchant or gini(totals(per_merchant)) <= cap:
        return per_merchant
    offered = sum(per_merchant.values())
    unbounded = dict.fromkeys(per_merchant, offered)

    def clipped_and_lifted(ceiling):
        clipped = {m: min(v, max(0.0, ceiling - exposure.get(m, 0.0))) for m, v in per_merchant.items()}
        freed = offered - sum(clipped.values())
        if freed <= 1e-9:
            return clipped
        base = {m: exposure.get(m, 0.0) + v for m, v in clipped.items()}
        extra = _water_fill(unbounded, base, freed)
        return {m: clipped[m] + extra[m] for m in clipped}

    low, high = 0.0, max(exposure.get(m, 0.0) + v for m, v in per_merchant.items())
    best = clipped_and_lifted(low)
    for _ in range(25):
        middle = (low + high) / 2
        plan = clipped_and_lifted(middle)
        if gini(totals(plan)) <= cap:
            low, best = middle, plan
        else:
            high = middle
    return best


def _proportional(weights: dict[int, float], demand: dict[int, float], capacity: float) -> dict[int, float]:
    """Split capacity in proportion to weights, never above a merchant's demand (redistributing the rest)."""
    plan = dict.fromkeys(weights, 0.0)
    open_ = {m for m, w in weights.items() if w > 0 and demand[m] > 0}
    left = min(capacity, sum(demand.values()))
    while left > 1e-9 and open_:
        total = sum(weights[m] for m in open_)
        spent = 0.0
        for m in list(open_):
            share = min(left * weights[m] / total, demand[m] - plan[m])
            plan[m] += share
            spent += share
            if demand[m] - plan[m] <= 1e-9:
                open_.discard(m)
        left -= spent
        if spent <= 1e-9:
            break
    return plan


def _blend(quality, fair, t):
    return {m: (1 - t) * quality[m] + t * fair[m] for m in quality}


def _merchant_plan(demand, weights, exposure, capacity, cap, others):
    """Blend the quality plan toward the fair one just enough to keep the window Gini under `cap`."""
    quality = _proportional(weights, demand, capacity)
    fair = _water_fill(demand, exposure, capacity)

    def window_gini(plan):
        totals = dict(others)
        for m, value in plan.items():
            totals[m] = exposure.get(m, 0) + value
        return gini(totals.values())

    if window_gini(quality) <= cap:
        return quality
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        if window_gini(_blend(quality, fair, middle)) <= cap:
            high = middle
        else:
            low = middle
    return _blend(quality, fair, high)


@dataclass
class Allocation:
    per_product: dict[int, float] = field(default_factory=dict)
    per_merchant: dict[int, float] = field(default_factory=dict)


def _plan_tier(candidates, exposure, capacity, policy) -> dict[int, float]:
    """Per-merchant plan for one tier: quality blended toward fair under the cap, ordinary floor."""
    demand_by_group: dict[bool, dict[int, float]] = {True: defaultdict(float), False: defaultdict(float)}
    weight_by_group: dict[bool, dict[int, float]] = {True: defaultdict(float), False: defaultdict(float)}
    for candidate in candidates:
        remaining = candidate.remaining(policy)
        demand_by_group[candidate.ordinary][candidate.merchant_id] += remaining
        weight_by_group[candidate.ordinary][candidate.merchant_id] += (
            remaining * ROUND_WEIGHTS[candidate.round]
        )
    demand = {**demand_by_group[True], **demand_by_group[False]}
    capacity = min(capacity, sum(demand.values()))
    if capacity <= 0:
        return {}
    weights = {**weight_by_group[True], **weight_by_group[False]}
    others = {m: v for m, v in exposure.items() if m not in demand}
    plan = _merchant_plan(demand, weights, exposure, capacity, policy.gini_cap, others)

    floor = min(sum(demand_by_group[True].values()), policy.ordinary_floor * capacity)
    if sum(plan[m] for m in demand_by_group[True]) >= floor - 1e-6:
        return plan
    # Too little for ordinary merchants: plan each group on its own, ordinary ones at the floor.
    plan = {}
    for group, group_capacity in ((True, floor), (False, capacity - floor)):
        group_demand = dict(demand_by_group[group])
        if group_capacity <= 0 or not group_demand:
            continue
        group_others = {m: v for m, v in exposure.items() if m not in group_demand}
        plan.update(
            _merchant_plan(
                group_demand,
                dict(weight_by_group[group]),
                exposure,
                min(group_capacity, sum(group_demand.values())),
                policy.gini_cap,
                group_others,
            )
        )
    return plan


def _split_within_merchant(products: list[Candidate], share: float, policy: Policy) -> dict[int, float]:
    """A merchant's share for its products: base budgets first, then promoted rounds by weight,
    then anything beyond every budget by weight."""
    plan = dict.fromkeys((c.product_id for c in products), 0.0)
    weights = {c.product_id: ROUND_WEIGHTS[c.round] for c in products}
    left = share
    for tier in ([c for c in products if c.round == 1], [c for c in products if c.round > 1]):
        demand = {c.product_id: float(c.remaining(policy)) for c in tier}
        given = _proportional({c.product_id: weights[c.product_id] for c in tier}, demand, left)
        for product_id, value in given.items():
            plan[product_id] += value
        left -= sum(given.values())
    if left > 1e-9:
        total = sum(weights.values())
        for product_id, weight in weights.items():
            plan[product_id] += left * weight / total
    return plan


def allocate(
    candidates: list[Candidate],
    window_exposure: dict[int, float],
    capacity: float,
    policy: Policy,
    fill: dict[int, tuple[int, bool]] | None = None,
) -> Allocation:
    """Plan the next cycle's impressions per product (see the module docstring).

    `fill` maps merchants with published goods outside the pool to (a product, ordinary):
    traffic left once every budget is met goes to the least exposed of all merchants, so
    surplus never piles onto the few products that happen to be in the pool.
    """
    candidates = [c for c in candidates if c.remaining(policy) > 0]
    in_pool = {c.merchant_id for c in candidates}  # once: inside the comprehension it was O(n²)
    fill = {m: value for m, value in (fill or {}).items() if m not in in_pool}
    exposure = {m: float(v) for m, v in window_exposure.items()}
    per_merchant: dict[int, float] = defaultdict(float)
    left = capacity
    # Base exposures come first: every new product's 300 before any promoted round.
    for tier in ([c for c in candidates if c.round == 1], [c for c in candidates if c.round > 1]):
        if left <= 1e-9 or not tier:
            continue
        so_far = {
            m: exposure.get(m, 0.0) + per_merchant.get(m, 0.0) for m in set(exposure) | set(per_merchant)
        }
        for merchant_id, value in _plan_tier(tier, so_far, left, policy).items():
            per_merchant[merchant_id] += value
            left -= value

    receivers = in_pool | set(fill)
    if left > 1e-6 and receivers:
        # Every budget is met and traffic is left: it lifts the least-exposed merchants
        # (beyond their budgets, or with goods outside the pool), which only lowers the concentration.
        so_far = {m: exposure.get(m, 0.0) + per_merchant.get(m, 0.0) for m in receivers}
        for merchant_id, value in _water_fill(dict.fromkeys(receivers, left), so_far, left).items():
            per_merchant[merchant_id] += value

    others = {m: v for m, v in exposure.items() if m not in receivers}
    allocation = Allocation()
    plan = {m: per_merchant.get(m, 0.0) for m in receivers}
    allocation.per_merchant = {
        m: v for m, v in _cap_concentration(plan, exposure, others, policy.gini_cap).items() if v > 1e-9
    }
    products_by_merchant: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        products_by_merchant[candidate.merchant_id].append(candidate)
    for merchant_id, share in allocation.per_merchant.items():
        if merchant_id in products_by_merchant:
            allocation.per_product.update(
                _split_within_merchant(products_by_merchant[merchant_id], share, policy)
            )
        else:
            product_id, _ordinary = fill[merchant_id]
            allocation.per_product[product_id] = allocation.per_product.get(product_id, 0.0) + share
    return allocation


def _capped_shares(planned: dict[int, float], size: int, cap: float) -> dict[int, float]:
    """Slots per product in proportion to the plan, none above `cap`, the excess shared by the rest."""
    shares = {}
    open_ = dict(planned)
    left = float(size)
    while open_:
        total = sum(open_.values())
        over = {p: v for p, v in open_.items() if left * v / total > cap}
        if not over:
            shares.update({p: left * v / total for p, v in open_.items()})
            break
        for product_id in over:
            shares[product_id] = cap
            left -= cap
            del open_[product_id]
    return shares


def slate(per_product: dict[int, float], size: int, *, page: int = 12, seed: int = 0) -> list[int]:
    """Turn planned impressions into about `size` feed slots, each product spread evenly.

    A page shows `page` distinct products, so no product can use more than one slot in
    `page`: shares above that are capped and the excess goes to the others. A product's
    slot count is then its share, rounded at random in proportion to the fraction (a
    product planned for a third of a slot gets one in three cycles: the expectation is
    exact), and its slots are spread over the slate. O(size · log size).
    """

    planned = {p: v for p, v in per_product.items() if v > 0}
    if not planned or size <= 0:
        return []
    rng = random.Random(seed)
    placed = []
    for product_id, exact in sorted(_capped_shares(planned, size, size / page).items()):
        count = int(exact) + (1 if rng.random() < exact - int(exact) else 0)
        placed.extend(((k + rng.random()) / count, product_id) for k in range(count))
    placed.sort()
    return [product_id for _position, product_id in placed]
