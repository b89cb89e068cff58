import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# Realised exposures are noisy around the plan (docs/discovery.md): the cap within half a
# point, a day's ordinary share within a few points of the floor.
GINI_TOLERANCE = 0.005
FLOOR_TOLERANCE = 0.05


def _simulate(**options):
    out = StringIO()
    call_command("simulate_discovery", json=True, stdout=out, **options)
    return json.loads(out.getvalue())


def test_simulation_reports_gini_ordinary_share_and_time_to_round_three():
    report = _simulate(merchants=300, days=6, buyers=6000)

    assert len(report["days"]) == 6
    assert all(day["window_gini"] <= report["policy"]["gini_cap"] + GINI_TOLERANCE for day in report["days"])
    assert all(
        day["ordinary_share"] >= report["policy"]["ordinary_floor"] - FLOOR_TOLERANCE
        for day in report["days"][1:]
    )
    assert report["base_exposure_share"] > 0.9


@pytest.mark.parametrize("seed", [1, 2])
def test_the_cap_and_the_floor_hold_over_goods_and_videos(seed):
    report = _simulate(merchants=200, days=3, buyers=2000, videos_per_merchant_per_day=0.3, seed=seed)

    days = report["days"]
    assert report["videos"] > 20 and report["products"] > 40
    assert sum(day["video_share"] for day in days) > 0.2  # videos really take part
    assert max(day["window_gini"] for day in days) <= report["policy"]["gini_cap"] + GINI_TOLERANCE
    assert min(day["ordinary_share"] for day in days) >= report["policy"]["ordinary_floor"] - FLOOR_TOLERANCE
    assert report["video_base_exposure_share"] > 0.9
    assert any(sum(day["video_pool"]) for day in days)  # promoted videos climbing at day end


def test_goods_only_is_still_possible():
    report = _simulate(merchants=100, days=2, buyers=1000, videos_per_merchant_per_day=0)

    assert report["videos"] == 0
    assert all(day["video_share"] == 0 for day in report["days"])


def test_simulation_prints_a_table_for_staff():
    out = StringIO()

    call_command("simulate_discovery", merchants=100, days=2, buyers=1000, stdout=out)

    text = out.getvalue()
    assert "videos in round" in text and "Gini" in text
    assert "new goods given their base exposures" in text and "new videos given their base exposures" in text
