"""The allocation rules, as pure functions over plain data (no database, no Django).

What climbs is a *work* (作品): a good or a short video. Both kinds share one pool, one
budget per round, one cycle's capacity, and one Gini and ordinary floor per merchant over
all its works; a work is keyed by (kind, id), so good 5 and video 5 are two works.

One cycle (Celery, every few minutes; or one simulated hour):

1. `promote()`: a work that has used its round's budget is judged on the signals of
   that round. A good: click-through (product-page views / impressions); a video:
   completion (plays to the end / impressions); both: conversion (purchase-link clicks
   / impressions) for round 3. Good enough → the next round with a larger budget; else
   it leaves the pool (it stays in the catalog, it is just no longer pushed).
2. `allocate()`: the cycle's capacity (expected impressions) is split between works
   that still have budget left, base exposures (round 1) before promoted rounds:
   - a *quality* plan (capacity in proportion to round weights 1 / 3 / 9 per work:
     promoted works are pushed harder, and each finishes its round at its own pace)
     is blended with a *fair* plan (water-filling: raise the merchants with the least
     exposure in the window first). The blend uses
     the least fairness that keeps the window's Gini under the cap;
   - if ordinary merchants got less than the floor share (and want more), the plan is
     made again per group, with the ordinary group given exactly the floor;
   - traffic left once every budget is met lifts the least-exposed merchants first,
     including merchants whose works are outside the pool (their newest good);
   - if the window's Gini would still pass the cap (budgets themselves concentrate: a
     round-3 work may take 100× a new one), the most exposed merchants are clipped
     and what is freed lifts the least exposed, until it does not;
   - a merchant's share is split among its works by the same weights.
3. `slate()`: the planned impressions become an ordered list of feed slots (each work
   spread evenly), which pages read in a constant number of queries.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

ROUND_WEIGHTS = {1: 1.0, 2: 3.0, 3: 9.0}

# The kinds of work, as the first half of a work's key.
PRODUCT, VIDEO = "p", "v"
WorkKey = tuple[str, int]


@dataclass(frozen=True)
class Policy:
    budgets: tuple[int, int, int] = (300, 3000, 30000)
    round2_min_ctr: float = 0.08
    round3_min_ctr: float = 0.10
    round3_min_conversion: float = 0.015
    gini_cap: float = 0.6
    ordinary_floor: float = 0.7
    video_round2_min_completion: float = 0.04
    video_round3_min_completion: float = 0.06


@dataclass
class Candidate:
    """A work in the pool: a good (`kind` PRODUCT) or a video (VIDEO), and its round's signals."""

    work_id: int
    merchant_id: int
    ordinary: bool
    round: int = 1
    round_impressions: int = 0
    round_views: int = 0  # a good's product-page views
    round_clicks: int = 0  # purchase-link clicks (a good's, or from a video's player)
    in_pool: bool = True
    kind: str = PRODUCT
    round_completions: int = 0  # a video's plays to the end

    @property
    def key(self) -> WorkKey:
        return (self.kind, self.work_id)

    def budget(self, policy: Policy) -> int:
        return policy.budgets[self.round - 1]

    def remaining(self, policy: Policy) -> int:
        return max(0, self.budget(policy) - self.round_impressions) if self.in_pool else 0


@dataclass
class Promotion:
    kind: str
    work_id: int
    from_round: int
    to_round: int | None  # None: left the pool

    @property
    def key(self) -> WorkKey:
        return (self.kind, self.work_id)


def gini(values) -> float:
    """The Gini coefficient of non-negative values (0 = all equal; → 1 = one takes all)."""
    ordered = sorted(v for v in values if v >= 0)
    n, total = len(ordered), sum(ordered)
    if n < 2 or total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def promote(candidate: Candidate, policy: Policy) -> Promotion | None:
    """Judge a work whose round budget is used up; change it in place and say what happened.

    Interest is a good's click-through or a video's completion rate, both per exposure (a
    video is watched where it is shown, so plays to the end are its "click"); round 3 also
    asks both kinds for the same purchase clicks per exposure.
    """
    if not candidate.in_pool or candidate.round_impressions < candidate.budget(policy):
        return None
    impressions = max(candidate.round_impressions, 1)
    if candidate.kind == VIDEO:
        interest = candidate.round_completions / impressions
        round2_min, round3_min = policy.video_round2_min_completion, policy.video_round3_min_completion
    else:
        interest = candidate.round_views / impressions
        round2_min, round3_min = policy.round2_min_ctr, policy.round3_min_ctr
    conversion = candidate.round_clicks / impressions
    from_round = candidate.round
    if from_round == 1 and interest >= round2_min:
        to_round = 2
    elif from_round == 2 and interest >= round3_min and conversion >= policy.round3_min_conversion:
        to_round = 3
    else:
        candidate.in_pool = False
        return Promotion(candidate.kind, candidate.work_id, from_round, None)
    candidate.round = to_round
    candidate.round_impressions = candidate.round_views = candidate.round_clicks = 0
    candidate.round_completions = 0
    return Promotion(candidate.kind, candidate.work_id, from_round, to_round)


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
    per_work: dict[WorkKey, float] = field(default_factory=dict)
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


def _split_within_merchant(works: list[Candidate], share: float, policy: Policy) -> dict[WorkKey, float]:
    """A merchant's share for its works: base budgets first, then promoted rounds by weight,
    then anything beyond every budget by weight."""
    plan = dict.fromkeys((c.key for c in works), 0.0)
    weights = {c.key: ROUND_WEIGHTS[c.round] for c in works}
    left = share
    for tier in ([c for c in works if c.round == 1], [c for c in works if c.round > 1]):
        demand = {c.key: float(c.remaining(policy)) for c in tier}
        given = _proportional({c.key: weights[c.key] for c in tier}, demand, left)
        for key, value in given.items():
            plan[key] += value
        left -= sum(given.values())
    if left > 1e-9:
        total = sum(weights.values())
        for key, weight in weights.items():
            plan[key] += left * weight / total
    return plan


def allocate(
    candidates: list[Candidate],
    window_exposure: dict[int, float],
    capacity: float,
    policy: Policy,
    fill: dict[int, tuple[WorkKey, bool]] | None = None,
) -> Allocation:
    """Plan the next cycle's impressions per work (see the module docstring).

    `fill` maps merchants with public works outside the pool to (a work, ordinary):
    traffic left once every budget is met goes to the least exposed of all merchants, so
    surplus never piles onto the few works that happen to be in the pool.
    """
    candidates = [c for c in candidates if c.remaining(policy) > 0]
    in_pool = {c.merchant_id for c in candidates}  # once: inside the comprehension it was O(n²)
    fill = {m: value for m, value in (fill or {}).items() if m not in in_pool}
    exposure = {m: float(v) for m, v in window_exposure.items()}
    per_merchant: dict[int, float] = defaultdict(float)
    left = capacity
    promoted: dict[int, float] = {}  # each merchant's plan for its promoted works
    # Base exposures come first: every new work's 300 before any promoted round.
    for tier in ([c for c in candidates if c.round == 1], [c for c in candidates if c.round > 1]):
        if left <= 1e-9 or not tier:
            continue
        so_far = {
            m: exposure.get(m, 0.0) + per_merchant.get(m, 0.0) for m in set(exposure) | set(per_merchant)
        }
        tier_plan = _plan_tier(tier, so_far, left, policy)
        for merchant_id, value in tier_plan.items():
            per_merchant[merchant_id] += value
            left -= value
        if tier[0].round > 1:
            promoted = tier_plan

    receivers = in_pool | set(fill)
    ordinary = {c.merchant_id for c in candidates if c.ordinary} | {
        m for m, (_key, is_ordinary) in fill.items() if is_ordinary
    }
    owed = policy.ordinary_floor * capacity - sum(per_merchant.get(m, 0.0) for m in ordinary)
    if owed > 1e-6 and ordinary:
        # The floor over the whole cycle. Within a tier ordinary merchants get the floor only
        # of what their works want; when that is less (few ordinary works in the pool, one
        # big account's round 3 wanting everything), ordinary merchants still take more:
        # beyond their budgets or through their works outside the pool. The traffic comes
        # from what is left, then from big accounts' promoted works (never a base exposure).
        from_surplus = min(left, owed)
        left -= from_surplus
        takeable = {m: v for m, v in promoted.items() if m not in ordinary and v > 1e-9}
        from_big = min(owed - from_surplus, sum(takeable.values()))
        if from_big > 1e-6:
            ratio = from_big / sum(takeable.values())
            for merchant_id, value in takeable.items():
                per_merchant[merchant_id] -= value * ratio
        given = from_surplus + max(0.0, from_big)
        so_far = {m: exposure.get(m, 0.0) + per_merchant.get(m, 0.0) for m in ordinary}
        for merchant_id, value in _water_fill(dict.fromkeys(ordinary, given), so_far, given).items():
            per_merchant[merchant_id] += value
    if left > 1e-6 and receivers:
        # Every budget is met and traffic is left: it lifts the least-exposed merchants
        # (beyond their budgets, or with works outside the pool), which only lowers the concentration.
        so_far = {m: exposure.get(m, 0.0) + per_merchant.get(m, 0.0) for m in receivers}
        for merchant_id, value in _water_fill(dict.fromkeys(receivers, left), so_far, left).items():
            per_merchant[merchant_id] += value

    others = {m: v for m, v in exposure.items() if m not in receivers}
    allocation = Allocation()
    plan = {m: per_merchant.get(m, 0.0) for m in receivers}
    allocation.per_merchant = {
        m: v for m, v in _cap_concentration(plan, exposure, others, policy.gini_cap).items() if v > 1e-9
    }
    works_by_merchant: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        works_by_merchant[candidate.merchant_id].append(candidate)
    for merchant_id, share in allocation.per_merchant.items():
        if merchant_id in works_by_merchant:
            allocation.per_work.update(_split_within_merchant(works_by_merchant[merchant_id], share, policy))
        else:
            key, _ordinary = fill[merchant_id]
            allocation.per_work[key] = allocation.per_work.get(key, 0.0) + share
    return allocation


def _capped_shares(planned: dict, size: int, cap: float) -> dict:
    """Slots per work in proportion to the plan, none above `cap`, the excess shared by the rest."""
    shares = {}
    open_ = dict(planned)
    left = float(size)
    while open_:
        total = sum(open_.values())
        over = {p: v for p, v in open_.items() if left * v / total > cap}
        if not over:
            shares.update({p: left * v / total for p, v in open_.items()})
            break
        for key in over:
            shares[key] = cap
            left -= cap
            del open_[key]
    return shares


def slate(per_work: dict, size: int, *, page: int = 12, seed: int = 0) -> list:
    """Turn planned impressions into about `size` feed slots, each work spread evenly.

    `per_work` maps sortable keys (work keys) to planned impressions; the slots are those
    keys. A page shows `page` distinct works, so no work can use more than one slot in
    `page`: shares above that are capped and the excess goes to the others. A work's
    slot count is then its share, rounded at random in proportion to the fraction (a
    work planned for a third of a slot gets one in three cycles: the expectation is
    exact), and its slots are spread over the slate. O(size · log size).
    """

    planned = {key: v for key, v in per_work.items() if v > 0}
    if not planned or size <= 0:
        return []
    rng = random.Random(seed)
    placed = []
    for key, exact in sorted(_capped_shares(planned, size, size / page).items()):
        count = int(exact) + (1 if rng.random() < exact - int(exact) else 0)
        placed.extend(((k + rng.random()) / count, key) for k in range(count))
    placed.sort()
    return [key for _position, key in placed]
