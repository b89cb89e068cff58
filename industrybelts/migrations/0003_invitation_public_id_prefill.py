"""Give merchant invitations a public id (one per row, not one shared default) and a prefill."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    MerchantInvitation = apps.get_model("industrybelts", "MerchantInvitation")
    for invitation in MerchantInvitation.objects.filter(public_id__isnull=True).only("pk"):
        MerchantInvitation.objects.filter(pk=invitation.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("industrybelts", "0002_launch_belts")]

    operations = [
        migrations.AddField(
            model_name="merchantinvitation",
            name="prefill",
            field=models.JSONField(blank=True, default=dict, verbose_name="prepared application"),
        ),
        migrations.AddField(
            model_name="merchantinvitation",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="merchantinvitation",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"),
        ),
    ]
