"""Give every merchant a public id for its shop page (added nullable, filled, then made unique)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    MerchantProfile = apps.get_model("merchants", "MerchantProfile")
    for profile in MerchantProfile.objects.filter(public_id__isnull=True).only("pk"):
        MerchantProfile.objects.filter(pk=profile.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("merchants", "0005_regions_and_categories")]

    operations = [
        migrations.AddField(
            model_name="merchantprofile", name="public_id", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="merchantprofile",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"),
        ),
    ]
