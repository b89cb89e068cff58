"""A GIN index on the search grams of published school items (PostgreSQL only; see storefront/search.py)."""

from django.db import migrations

INDEX = "school_search_grams_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON storefront_schoolitem USING gin (search_grams) "
            "WHERE status = 'published'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("storefront", "0003_school")]

    operations = [migrations.RunPython(create, drop)]
