import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_simulation_reports_gini_ordinary_share_and_time_to_round_three():
    out = StringIO()

    call_command("simulate_discovery", merchants=300, days=6, buyers=6000, json=True, stdout=out)

    report = json.loads(out.getvalue())
    assert len(report["days"]) == 6
    # realised exposures are noisy around the plan: allow half a point
    assert all(day["window_gini"] <= report["policy"]["gini_cap"] + 0.005 for day in report["days"])
    assert all(
        day["ordinary_share"] >= report["policy"]["ordinary_floor"] - 0.05 for day in report["days"][1:]
    )
    assert report["base_exposure_share"] > 0.9


def test_simulation_prints_a_table_for_staff():
    out = StringIO()

    call_command("simulate_discovery", merchants=100, days=2, buyers=1000, stdout=out)

    text = out.getvalue()
    assert ("Gini" in text and "hours to round 3" in text) or "reaching round 3" in text
