"""Load the GB/T 2260 divisions the project ships, and the first categories."""

from django.db import migrations

from merchants.reference_data import load_categories, load_regions


def unload(apps, schema_editor):
    Region = apps.get_model("merchants", "Region")
    for level in ("county", "city", "province"):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("merchants", "0004_onboarding")]

    operations = [
        migrations.RunPython(load_regions, unload),
        migrations.RunPython(load_categories, migrations.RunPython.noop),
    ]
