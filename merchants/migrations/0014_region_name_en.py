"""English region names (merchants/data/gbt2260_regions_en.csv), one bulk update.

Reversing drops the column; the forward step only fills it, so it is a no-op backwards.
"""

from django.db import migrations, models

from merchants.reference_data import fill_region_english_names


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0013_compliance_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="region",
            name="name_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="name (English)"),
        ),
        migrations.RunPython(fill_region_english_names, migrations.RunPython.noop),
    ]
