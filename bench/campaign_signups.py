"""Measure campaign sign-up and the campaign page at 0 and 1 000 000 sign-ups (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/campaign_signups.py [--rows 1000000]

Seeds 1M published products (SQL generate_series, under one seeding merchant: the
sign-up path reads only the signing merchant's own rows) and signs all of them up, then
times, through Django's test client in this process: one sign-up
(POST), the public campaign page (GET) and the leaderboard refresh (the Celery task's work).
An earlier, in-process piece of issue 10. `make bench SCALE=1m` now measures the sign-up
and the campaign page under load with 1M sign-ups from its own seeder (bench/seed.py);
this script is kept for the before/after view of one campaign growing to 1M entries.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    assert connection.vendor == "postgresql", "run against PostgreSQL"
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    call_command("migrate", verbosity=0)

    from storefront.campaigns import services
    from storefront.campaigns.models import Campaign, CampaignEntry
    from tests.industrybelts.conftest import approved_merchant
    from tests.storefront.campaigns.conftest import make_campaign
    from tests.storefront.conftest import make_product

    Campaign.objects.all().delete()
    campaign = make_campaign(slug="bench-sales-king", max_entries_per_merchant=1000)
    seller = approved_merchant()
    client = Client()
    client.force_login(seller.user)

    def measure(label):
        fresh = [make_product(seller, title=f"测速商品{n}") for n in range(args.repeat)]
        sign_up, page = [], []
        queries = {}
        for product in fresh:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.post(
                    f"/merchant/campaigns/{campaign.slug}/sign-up/", {"product": str(product.public_id)}
                )
            sign_up.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
            assert CampaignEntry.objects.filter(campaign=campaign, product=product).exists()
            queries["sign-up"] = len(captured)
        for _ in range(args.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200
            page.append((time.perf_counter() - started) * 1000)
            queries["page"] = len(captured)
        started = time.perf_counter()
        services.refresh_leaderboard(campaign)
        refresh = (time.perf_counter() - started) * 1000
        entries = CampaignEntry.objects.filter(campaign=campaign).count()
        print(
            f"{label:>10} | {entries:>9} sign-ups | sign-up p50 {statistics.median(sign_up):6.1f} ms "
            f"p95 {sorted(sign_up)[int(0.95 * (len(sign_up) - 1))]:6.1f} ms ({queries['sign-up']} queries) | "
            f"page p50 {statistics.median(page):6.1f} ms ({queries['page']} queries) | "
            f"leaderboard refresh {refresh:7.0f} ms"
        )

    measure("before")
    seed(args.rows, campaign)
    measure("after")
    measure("after, again")


def seed(rows, campaign):
    from django.db import connection

    from tests.industrybelts.conftest import approved_merchant

    started = time.perf_counter()
    owner = approved_merchant()
    with connection.cursor() as cursor:
        cursor.execute("SELECT category_id, origin_region_id FROM storefront_product LIMIT 1")
        category_id, region_id = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO storefront_product (
                public_id, merchant_id, status, source_kind, origin_region_id, category_id, title, intro,
                wholesale_price, retail_price, min_order_quantity, stock_status, seller_type,
                origin_province, origin_city, search_grams, view_count, click_count, published_at,
                created_at, updated_at)
            SELECT gen_random_uuid(), %s, 'published', 'factory', %s, %s, '批量商品' || n, '',
                   10, 20, 1, 'in_stock', 'factory', '330000', '330100', '{}', 0, (n::bigint * 7919) %% 1000,
                   now(), now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [owner.pk, region_id, category_id, rows],
        )
        cursor.execute(
            """
            INSERT INTO storefront_campaignentry
                (campaign_id, product_id, merchant_id, created_at, updated_at)
            SELECT %s, id, merchant_id, now(), now() FROM storefront_product
            WHERE merchant_id = %s
            """,
            [campaign.pk, owner.pk],
        )
        cursor.execute(
            "UPDATE storefront_campaign SET entry_count = entry_count + %s WHERE id = %s", [rows, campaign.pk]
        )
        # Settle the tables as a live database would be (no autovacuum running during the timing).
        cursor.execute("VACUUM ANALYZE storefront_product")
        cursor.execute("VACUUM ANALYZE storefront_campaignentry")
    print(f"seeded {rows} products and sign-ups in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
