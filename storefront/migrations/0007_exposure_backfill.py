"""Put goods published before discovery existed into round 1 (one INSERT … SELECT)."""

from django.db import migrations

SQL = """
INSERT INTO storefront_productexposure (
    product_id, merchant_id, round, in_pool, round_impressions, round_views, round_clicks,
    impressions, entered_at, round_started_at, created_at, updated_at)
SELECT p.id, p.merchant_id, 1, TRUE, 0, 0, 0, 0,
       CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM storefront_product p
WHERE p.status = 'published'
  AND NOT EXISTS (SELECT 1 FROM storefront_productexposure e WHERE e.product_id = p.id)
"""


class Migration(migrations.Migration):
    dependencies = [("storefront", "0006_campaigns")]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
