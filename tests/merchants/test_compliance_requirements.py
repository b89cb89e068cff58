"""The requirement computation as a table: entity × categories × documents × dates → groups.

`compute` is a pure function, so each row states its inputs and the exact keys expected in
each group; a row that would pass with any output cannot pass here.
"""

import datetime
from decimal import Decimal

import pytest

from merchants.compliance.requirements import (
    CategoryRequestState,
    Deposit,
    Doc,
    Requirements,
    Slot,
    compute,
)
from merchants.compliance.services import reminder_threshold, standing_for

TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 1, 10, 0)
JADE, FOOD = 7, 9

ID = [Slot("id_front", {"zh-hans": "身份证人像面"}), Slot("id_back", {"zh-hans": "身份证国徽面"})]
LICENCE = Slot("business_licence", {"zh-hans": "营业执照"})
GEM = Slot("qualification-gem-appraisal", {"zh-hans": "珠宝玉石鉴定证书"}, (JADE,))
FOOD_LICENCE = Slot("qualification-food-licence", {"zh-hans": "食品经营许可证"}, (FOOD,))


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def doc(key, valid_until=None, status="current", created=NOW, reason=""):
    return Doc(key=key, status=status, valid_until=valid_until, created_at=created, refusal_reason=reason)


def docs_for(slots, **valid_until):
    return [doc(slot.key, valid_until.get(slot.key.replace("-", "_"))) for slot in slots]


# (name, status, slots, documents, deposit, expected {group: [keys]}, restricted_shop, restricted categories)
ROWS = [
    (
        "individual, apparel, all long-term: nothing due",
        "approved",
        ID,
        docs_for(ID),
        Deposit(),
        {},
        False,
        (),
    ),
    (
        "enterprise, licence valid for two years: eventually due with its date",
        "approved",
        [*ID, LICENCE],
        [*docs_for(ID), doc("business_licence", day(730))],
        Deposit(),
        {"eventually_due": ["business_licence"]},
        False,
        (),
    ),
    (
        "jade qualification expires in 20 days: currently due",
        "approved",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(20))],
        Deposit(),
        {"currently_due": [GEM.key]},
        False,
        (),
    ),
    (
        "jade qualification expires today: still currently due (valid through the day)",
        "approved",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(0))],
        Deposit(),
        {"currently_due": [GEM.key]},
        False,
        (),
    ),
    (
        "jade qualification expired yesterday: past due, jade goods restricted",
        "approved",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(-1))],
        Deposit(),
        {"past_due": [GEM.key]},
        False,
        (JADE,),
    ),
    (
        "expired qualification with a renewal awaiting review: past due and pending",
        "approved",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(-1)), doc(GEM.key, day(365), status="pending")],
        Deposit(),
        {"past_due": [GEM.key], "pending_verification": [GEM.key]},
        False,
        (JADE,),
    ),
    (
        "expiring qualification with a renewal awaiting review: only pending",
        "approved",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(5)), doc(GEM.key, day(365), status="pending")],
        Deposit(),
        {"pending_verification": [GEM.key]},
        False,
        (),
    ),
    (
        "licence expired: the whole shop is restricted",
        "approved",
        [*ID, LICENCE, GEM],
        [*docs_for(ID), doc("business_licence", day(-3)), doc(GEM.key, day(-3))],
        Deposit(),
        {"past_due": ["business_licence", GEM.key]},
        True,
        (),
    ),
    (
        "two categories, one qualification expired: only that category restricted",
        "approved",
        [*ID, GEM, FOOD_LICENCE],
        [*docs_for(ID), doc(GEM.key, day(90)), doc(FOOD_LICENCE.key, day(-1))],
        Deposit(),
        {"eventually_due": [GEM.key], "past_due": [FOOD_LICENCE.key]},
        False,
        (FOOD,),
    ),
    (
        "a qualification staff added later, never uploaded: currently due, not restricted",
        "approved",
        [*ID, FOOD_LICENCE],
        docs_for(ID),
        Deposit(),
        {"currently_due": [FOOD_LICENCE.key]},
        False,
        (),
    ),
    (
        "a refusal no newer than the document in force is not an error",
        "approved",
        [*ID, GEM],
        [
            *docs_for(ID),
            doc(GEM.key, day(10)),
            doc(GEM.key, day(400), status="refused", created=NOW, reason="模糊"),
        ],
        Deposit(),
        {"currently_due": [GEM.key]},
        False,
        (),
    ),
    (
        "deposit unpaid before its deadline: currently due",
        "approved",
        ID,
        docs_for(ID),
        Deposit(owed=Decimal("2000.00"), deadline=day(10)),
        {"currently_due": ["deposit"]},
        False,
        (),
    ),
    (
        "deposit unpaid after its deadline: past due, whole shop",
        "approved",
        ID,
        docs_for(ID),
        Deposit(owed=Decimal("2000.00"), deadline=day(-1)),
        {"past_due": ["deposit"]},
        True,
        (),
    ),
    (
        "a transfer awaiting finance: pending",
        "approved",
        ID,
        docs_for(ID),
        Deposit(owed=Decimal("2000.00"), deadline=day(10), pending_transfers=1),
        {"currently_due": ["deposit"], "pending_verification": ["deposit"]},
        False,
        (),
    ),
    (
        "before approval nothing is computed",
        "submitted",
        [*ID, GEM],
        [doc(GEM.key, day(-5))],
        Deposit(),
        {},
        False,
        (),
    ),
    (
        "a closed shop owes no documents",
        "closed",
        [*ID, GEM],
        [*docs_for(ID), doc(GEM.key, day(-5))],
        Deposit(),
        {},
        False,
        (),
    ),
]


@pytest.mark.parametrize(
    "name, status, slots, documents, deposit, expected, restricted_shop, restricted_categories",
    ROWS,
    ids=[row[0] for row in ROWS],
)
def test_requirements_table(
    name, status, slots, documents, deposit, expected, restricted_shop, restricted_categories
):
    result = compute(
        status=status,
        slots=slots,
        documents=documents,
        deposit=deposit,
        category_request=CategoryRequestState(),
        today=TODAY,
    )

    for group in ("past_due", "currently_due", "eventually_due", "pending_verification", "errors"):
        assert [item.key for item in getattr(result, group)] == expected.get(group, []), group
    assert result.restricted_shop is restricted_shop
    assert result.restricted_category_ids == restricted_categories


def test_refused_upload_is_an_error_until_something_newer_arrives():
    refused_at = datetime.datetime(2026, 12, 5, 9, 0)
    documents = [
        *docs_for(ID),
        doc(GEM.key, day(200), created=NOW),
        doc(GEM.key, day(500), status="refused", created=refused_at, reason="证书编号看不清"),
    ]

    result = compute(
        status="approved",
        slots=[*ID, GEM],
        documents=documents,
        deposit=Deposit(),
        category_request=CategoryRequestState(),
        today=TODAY,
    )

    assert [(item.code, item.reason) for item in result.errors] == [("document.refused", "证书编号看不清")]


def test_current_deadline_is_the_earliest_and_the_snapshot_round_trips():
    documents = [*docs_for(ID), doc(LICENCE.key, day(25)), doc(GEM.key, day(12))]

    result = compute(
        status="approved",
        slots=[*ID, LICENCE, GEM],
        documents=documents,
        deposit=Deposit(),
        category_request=CategoryRequestState(pending=True),
        today=TODAY,
    )

    assert result.current_deadline == day(12).isoformat()
    assert [item.code for item in result.pending_verification] == ["category_request.pending"]
    assert Requirements.from_dict(result.as_dict()) == result


@pytest.mark.parametrize(
    "requirements, closed, standing",
    [
        (Requirements(), False, "good"),
        (Requirements(eventually_due=["x"]), False, "good"),
        (Requirements(currently_due=["x"]), False, "action_required"),
        (Requirements(errors=["x"]), False, "action_required"),
        (Requirements(past_due=["x"], currently_due=["y"]), False, "restricted"),
        (Requirements(past_due=["x"]), True, "closed"),
    ],
)
def test_standing_follows_the_most_urgent_group(requirements, closed, standing):
    assert standing_for(requirements, closed=closed) == standing


@pytest.mark.parametrize(
    "days_left, threshold", [(45, None), (31, None), (30, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 1)]
)
def test_reminder_threshold_is_the_nearest_not_yet_passed(days_left, threshold):
    assert reminder_threshold(days_left) == threshold
