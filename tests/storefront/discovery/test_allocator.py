"""The allocator's guarantees on seeded data, with the numbers asserted."""

import random

import pytest

from storefront.discovery import allocator
from storefront.discovery.allocator import (
    PRODUCT,
    VIDEO,
    Candidate,
    Policy,
    allocate,
    gini,
    promote,
    slate,
)

POLICY = Policy()


def good(product_id):
    return (PRODUCT, product_id)


def video(video_id):
    return (VIDEO, video_id)


def _market(seed=7, merchants=400, big_every=5):
    """Merchants with 1-4 products in the pool and a skewed exposure history (big accounts 10×)."""
    rng = random.Random(seed)
    candidates, history, product_id = [], {}, 0
    for merchant in range(merchants):
        big = merchant % big_every == 0
        history[merchant] = rng.randint(0, 3000) * (10 if big else 1)
        for _ in range(rng.randint(1, 4)):
            round_ = rng.choice([1, 1, 1, 2, 3])
            candidates.append(Candidate(product_id, merchant, ordinary=not big, round=round_))
            product_id += 1
    return candidates, history


def _window_gini(history, plan):
    totals = dict(history)
    for merchant, value in plan.per_merchant.items():
        totals[merchant] = totals.get(merchant, 0) + value
    return gini(totals.values())


def test_gini_of_known_distributions():
    assert gini([5, 5, 5, 5]) == 0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)


@pytest.mark.parametrize("capacity", [200_000, 2_000_000])
def test_window_gini_stays_under_the_cap_and_ordinary_share_above_the_floor(capacity):
    candidates, history = _market()
    assert gini(history.values()) > POLICY.gini_cap  # the history alone is too concentrated

    plan = allocate(candidates, history, capacity, POLICY)

    assert sum(plan.per_work.values()) == pytest.approx(capacity, rel=1e-6)
    assert _window_gini(history, plan) <= POLICY.gini_cap + 1e-6
    ordinary = sum(v for m, v in plan.per_merchant.items() if m % 5 != 0)
    assert ordinary / capacity >= POLICY.ordinary_floor - 1e-6


def test_over_many_cycles_the_window_gini_never_passes_the_cap():
    """From no history, with big accounts holding the promoted products, cycle after cycle."""
    rng = random.Random(11)
    history: dict[int, float] = {}
    worst = 0.0
    for cycle in range(20):
        candidates = [
            Candidate(cycle * 1000 + i, i, ordinary=i % 5 != 0, round=3 if i % 5 == 0 else rng.choice([1, 2]))
            for i in range(300)
        ]
        plan = allocate(candidates, history, 50_000, POLICY)
        for merchant, value in plan.per_merchant.items():
            history[merchant] = history.get(merchant, 0) + value
        worst = max(worst, gini(history.values()))
        ordinary = sum(v for m, v in plan.per_merchant.items() if m % 5 != 0)
        assert ordinary / 50_000 >= POLICY.ordinary_floor - 1e-6

    assert worst <= POLICY.gini_cap + 1e-6


def test_a_too_concentrated_history_is_pulled_down_as_far_as_one_cycle_can():
    candidates, history = _market()
    before = gini(history.values())

    plan = allocate(candidates, history, 20_000, POLICY)

    assert _window_gini(history, plan) < before
    top = max(history, key=history.get)
    assert plan.per_merchant.get(top, 0) == pytest.approx(0)


def test_base_exposures_come_before_promoted_rounds():
    candidates = [
        Candidate(1, 1, True, round=1),
        Candidate(2, 2, True, round=1),
        Candidate(3, 3, True, round=3),
    ]

    plan = allocate(candidates, {}, 700, POLICY)

    assert plan.per_work[good(1)] == pytest.approx(300)
    assert plan.per_work[good(2)] == pytest.approx(300)
    assert plan.per_work[good(3)] == pytest.approx(100)


def test_every_new_product_gets_its_base_exposures_over_cycles():
    candidates = [Candidate(i, i, ordinary=i % 4 != 0) for i in range(200)]
    history: dict[int, float] = {}
    for _cycle in range(12):
        plan = allocate(candidates, history, 6_000, POLICY)
        for candidate in candidates:
            shown = round(plan.per_work.get(candidate.key, 0))
            candidate.round_impressions += shown
            history[candidate.merchant_id] = history.get(candidate.merchant_id, 0) + shown

    assert min(c.round_impressions for c in candidates) >= POLICY.budgets[0] - 1


def test_promoted_products_get_more_than_new_ones_when_fairness_allows():
    candidates = [
        Candidate(1, 1, True, round=2),
        Candidate(2, 2, True, round=3),
        Candidate(3, 3, True, round=2),
    ]

    plan = allocate(candidates, {1: 1000, 2: 1000, 3: 1000}, 3_000, POLICY)

    assert plan.per_work[good(2)] > plan.per_work[good(1)] == pytest.approx(plan.per_work[good(3)])


def test_surplus_traffic_lifts_the_least_exposed_merchants():
    candidates = [Candidate(1, 1, True), Candidate(2, 2, True)]

    plan = allocate(candidates, {1: 5000, 2: 0}, 2_000, POLICY)

    assert plan.per_merchant[2] > plan.per_merchant[1]
    assert sum(plan.per_merchant.values()) == pytest.approx(2_000)


@pytest.mark.parametrize(
    ("round_", "views", "clicks", "expected"),
    [
        (1, 24, 0, 2),  # 8% click-through: round 2
        (1, 23, 0, None),  # 7.7%: leaves the pool
        (2, 300, 45, 3),  # 10% click-through and 1.5% conversion: round 3
        (2, 300, 44, None),  # conversion just short
        (3, 9000, 900, None),  # round 3 done: leaves the pool
    ],
)
def test_promotion_follows_the_thresholds(round_, views, clicks, expected):
    budget = POLICY.budgets[round_ - 1]
    candidate = Candidate(
        1, 1, True, round=round_, round_impressions=budget, round_views=views, round_clicks=clicks
    )

    promotion = promote(candidate, POLICY)

    assert promotion.to_round == expected
    if expected:
        assert (candidate.round, candidate.round_impressions, candidate.in_pool) == (expected, 0, True)
    else:
        assert candidate.in_pool is False


@pytest.mark.parametrize(
    ("round_", "completions", "clicks", "expected"),
    [
        (1, 12, 0, 2),  # 4% of exposures played to the end: round 2
        (1, 11, 0, None),  # 3.7%: leaves the pool
        (2, 180, 45, 3),  # 6% completion and 1.5% purchase clicks per exposure: round 3
        (2, 179, 45, None),  # completion just short
        (2, 180, 44, None),  # conversion just short
        (3, 9000, 900, None),  # round 3 done: leaves the pool
    ],
)
def test_a_video_is_promoted_by_its_completion_rate(round_, completions, clicks, expected):
    budget = POLICY.budgets[round_ - 1]
    candidate = Candidate(
        1,
        1,
        True,
        kind=VIDEO,
        round=round_,
        round_impressions=budget,
        round_completions=completions,
        round_clicks=clicks,
    )

    promotion = promote(candidate, POLICY)

    assert (promotion.key, promotion.from_round, promotion.to_round) == (video(1), round_, expected)
    if expected:
        assert (candidate.round, candidate.round_impressions, candidate.round_completions) == (expected, 0, 0)
        assert candidate.in_pool is True
    else:
        assert candidate.in_pool is False


def test_a_video_is_not_judged_on_views_nor_a_good_on_completions():
    views_only = Candidate(1, 1, True, kind=VIDEO, round_impressions=300, round_views=300)
    completions_only = Candidate(1, 1, True, round_impressions=300, round_completions=300)

    assert promote(views_only, POLICY).to_round is None
    assert promote(completions_only, POLICY).to_round is None


def test_video_thresholds_follow_the_policy():
    strict = Policy(video_round2_min_completion=0.05)
    candidate = Candidate(1, 1, True, kind=VIDEO, round_impressions=300, round_completions=12)

    assert promote(candidate, strict).to_round is None


def test_a_good_and_a_video_with_the_same_id_are_two_works():
    candidates = [Candidate(5, 1, True), Candidate(5, 2, True, kind=VIDEO)]

    plan = allocate(candidates, {}, 600, POLICY)

    assert plan.per_work == {good(5): pytest.approx(300), video(5): pytest.approx(300)}
    assert slate(plan.per_work, 24, page=12, seed=1).count(video(5)) == 2


def test_a_new_video_gets_its_base_exposures_before_a_promoted_good():
    candidates = [Candidate(1, 1, True, round=3), Candidate(1, 2, True, kind=VIDEO)]

    plan = allocate(candidates, {}, 400, POLICY)

    assert plan.per_work[video(1)] == pytest.approx(300)
    assert plan.per_work[good(1)] == pytest.approx(100)


def test_a_merchant_s_share_covers_its_goods_and_videos():
    candidates = [Candidate(1, 1, True), Candidate(2, 1, True, kind=VIDEO, round=2), Candidate(3, 2, True)]

    plan = allocate(candidates, {}, 10_000, POLICY)

    assert plan.per_work[good(1)] + plan.per_work[video(2)] == pytest.approx(plan.per_merchant[1])
    assert sum(plan.per_work.values()) == pytest.approx(10_000)


def _mixed_market(seed=13, merchants=400):
    """Big accounts (one in five, 10× the history) post promoted videos; everyone has goods."""
    rng = random.Random(seed)
    candidates, history = [], {}
    for merchant in range(merchants):
        big = merchant % 5 == 0
        history[merchant] = rng.randint(0, 3000) * (10 if big else 1)
        candidates.append(Candidate(merchant, merchant, ordinary=not big, round=rng.choice([1, 2])))
        if big or rng.random() < 0.3:
            round_ = 3 if big else rng.choice([1, 1, 2])
            candidates.append(Candidate(merchant, merchant, ordinary=not big, kind=VIDEO, round=round_))
    return candidates, history


@pytest.mark.parametrize("capacity", [100_000, 1_000_000])
def test_gini_cap_and_ordinary_floor_hold_over_goods_and_videos(capacity):
    candidates, history = _mixed_market()

    plan = allocate(candidates, history, capacity, POLICY)

    per_merchant = {}
    for (kind, work_id), value in plan.per_work.items():
        merchant = next(c.merchant_id for c in candidates if c.key == (kind, work_id))
        per_merchant[merchant] = per_merchant.get(merchant, 0) + value
    assert per_merchant == pytest.approx(plan.per_merchant)
    assert any(kind == VIDEO for kind, _id in plan.per_work)
    assert _window_gini(history, plan) <= POLICY.gini_cap + 1e-6
    # Ordinary merchants get the floor, or all their works' budgets when those are less.
    wanted = sum(c.remaining(POLICY) for c in candidates if c.ordinary)
    ordinary = sum(v for m, v in plan.per_merchant.items() if m % 5 != 0)
    assert ordinary >= min(wanted, POLICY.ordinary_floor * capacity) - 1e-3


def test_no_judgement_before_the_budget_is_used():
    candidate = Candidate(1, 1, True, round_impressions=299, round_views=299)

    assert promote(candidate, POLICY) is None
    assert candidate.round == 1


def test_slate_gives_slots_in_proportion_to_the_plan():
    order = slate({1: 600.0, 2: 300.0, 3: 100.0}, 1000, page=1, seed=3)

    counts = {p: order.count(p) for p in (1, 2, 3)}
    assert counts == {1: 600, 2: 300, 3: 100}
    tenths = [order[i : i + 100].count(3) for i in range(0, 1000, 100)]
    assert min(tenths) >= 5 and max(tenths) <= 15  # spread over the slate, not bunched


def test_no_product_takes_more_than_one_slot_per_strip():
    plan = {1: 900.0, **dict.fromkeys(range(2, 40), 10.0)}

    order = slate(plan, 1200, page=12, seed=4)

    assert order.count(1) == 100  # 1200 / 12, the rest of its share went to the others
    assert len(order) == pytest.approx(1200, abs=20)


def test_ordinary_floor_holds_when_big_accounts_want_everything():
    candidates = [Candidate(i, i, ordinary=i >= 90, round=3) for i in range(100)]

    plan = allocate(candidates, {}, 10_000, POLICY)

    ordinary = sum(v for m, v in plan.per_merchant.items() if m >= 90)
    assert ordinary / 10_000 >= POLICY.ordinary_floor - 1e-6


def test_the_module_has_no_django_imports():
    from pathlib import Path

    assert "django" not in Path(allocator.__file__).read_text()
