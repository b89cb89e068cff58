"""A GIN index on the search grams of published products (PostgreSQL only; see storefront/search.py)."""

from django.db import migrations

INDEX = "product_search_grams_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON storefront_product USING gin (search_grams) "
            "WHERE status = 'published'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("storefront", "0001_catalog")]

    operations = [migrations.RunPython(create, drop)]
