"""Run discovery over a synthetic market of goods and short videos with the current (or given)
thresholds and print the Gini of exposure, the ordinary merchants' share, the videos' share
of exposure, and how fast good new goods and videos reach round 3."""

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
        parser.add_argument(
            "--videos-per-merchant-per-day",
            type=float,
            default=simulation.Market.new_videos_per_merchant_per_day,
            help="new short videos per merchant and day (goods: 0.1); 0 for goods only",
        )
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
            new_videos_per_merchant_per_day=options["videos_per_merchant_per_day"],
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
            f"{market.merchants} merchants, {report.products} goods, {report.videos} videos, "
            f"{market.days} days, {market.buyers * market.impressions_per_buyer} exposures a day; "
            f"Gini cap {policy.gini_cap}, ordinary floor {policy.ordinary_floor}, budgets {policy.budgets}"
        )
        self.stdout.write(
            f"{'':>4} {'goods in round':^20} {'videos in round':^20}\n"
            f"{'day':>4} {'1':>6} {'2':>6} {'3':>6} {'1':>6} {'2':>6} {'3':>6} "
            f"{'videos':>7} {'Gini':>6} {'ordinary':>9}"
        )
        for day in report.days:
            goods, videos = day.pool, day.video_pool
            self.stdout.write(
                f"{day.day:>4} {goods[0]:>6} {goods[1]:>6} {goods[2]:>6} "
                f"{videos[0]:>6} {videos[1]:>6} {videos[2]:>6} "
                f"{day.video_share:>6.1%} {day.window_gini:>6.3f} {day.ordinary_share:>8.1%}"
            )
        self.stdout.write(
            "(videos: their share of the day's exposures; Gini: the window's, per merchant over all works)"
        )
        for label, base, reached, median, p90 in (
            (
                "goods",
                report.base_exposure_share,
                report.good_reaching_round3,
                report.hours_to_round3_median,
                report.hours_to_round3_p90,
            ),
            (
                "videos",
                report.video_base_exposure_share,
                report.good_videos_reaching_round3,
                report.video_hours_to_round3_median,
                report.video_hours_to_round3_p90,
            ),
        ):
            self.stdout.write(f"new {label} given their base exposures: {base:.1%}")
            self.stdout.write(f"good new {label} reaching round 3: {reached:.1%}")
            if median is not None:
                self.stdout.write(f"hours to round 3 ({label}): median {median:.0f}, p90 {p90:.0f}")
        self.stdout.write(f"({elapsed:.1f} s)")
