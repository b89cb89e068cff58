"""Run discovery over a synthetic market with the current (or given) thresholds and print the
Gini of exposure, the ordinary merchants' share and how fast good new products reach round 3."""

import dataclasses
import json
import time

from django.core.management.base import BaseCommand

from storefront.discovery import simulation
from storefront.discovery.models import DiscoverySettings
from storefront.discovery.services import policy_from


class Command(BaseCommand):
    help = "Simulate the climbing mechanism for N days over synthetic merchants and buyers."

    def add_arguments(self, parser):
        parser.add_argument("--merchants", type=int, default=10_000)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--cycles-per-day", type=int, default=4)
        parser.add_argument("--buyers", type=int, default=100_000)
        parser.add_argument("--impressions-per-buyer", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--gini-cap", type=float, help="override the staff setting")
        parser.add_argument("--ordinary-floor", type=float, help="override the staff setting")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        settings = DiscoverySettings.current()
        policy = policy_from(settings)
        overrides = {
            "gini_cap": options["gini_cap"],
            "ordinary_floor": options["ordinary_floor"],
        }
        policy = dataclasses.replace(policy, **{k: v for k, v in overrides.items() if v is not None})
        market = simulation.Market(
            merchants=options["merchants"],
            days=options["days"],
            cycles_per_day=options["cycles_per_day"],
            buyers=options["buyers"],
            impressions_per_buyer=options["impressions_per_buyer"],
            window_days=settings.window_days,
            seed=options["seed"],
        )
        started = time.monotonic()
        report = simulation.run(market, policy)
        elapsed = time.monotonic() - started
        if options["json"]:
            self.stdout.write(
                json.dumps({"policy": dataclasses.asdict(policy), **dataclasses.asdict(report)})
            )
            return
        self.stdout.write(
            f"{market.merchants} merchants, {report.products} products, {market.days} days, "
            f"{market.buyers * market.impressions_per_buyer} exposures a day; "
            f"Gini cap {policy.gini_cap}, ordinary floor {policy.ordinary_floor}, budgets {policy.budgets}"
        )
        self.stdout.write(
            f"{'day':>4} {'round 1':>8} {'round 2':>8} {'round 3':>8} {'Gini':>6} {'ordinary':>9}"
        )
        for day in report.days:
            self.stdout.write(
                f"{day.day:>4} {day.pool[0]:>8} {day.pool[1]:>8} {day.pool[2]:>8} "
                f"{day.window_gini:>6.3f} {day.ordinary_share:>8.1%}"
            )
        self.stdout.write(f"new products given their base exposures: {report.base_exposure_share:.1%}")
        self.stdout.write(f"good new products reaching round 3: {report.good_reaching_round3:.1%}")
        if report.hours_to_round3_median is not None:
            median, p90 = report.hours_to_round3_median, report.hours_to_round3_p90
            self.stdout.write(f"hours to round 3: median {median:.0f}, p90 {p90:.0f}")
        self.stdout.write(f"({elapsed:.1f} s)")
