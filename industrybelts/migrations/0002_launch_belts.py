"""Create the apparel and jade belts the platform launched with."""

from django.db import migrations

from industrybelts.reference_data import load_launch_belts


class Migration(migrations.Migration):
    dependencies = [
        ("industrybelts", "0001_belts_providers"),
        ("merchants", "0005_regions_and_categories"),
    ]

    operations = [migrations.RunPython(load_launch_belts, migrations.RunPython.noop)]
