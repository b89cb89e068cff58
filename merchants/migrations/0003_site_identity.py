"""Name the Site that allauth's e-mails use; domain and name come from the environment."""

import os

from django.db import migrations


def set_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=1,
        defaults={
            "domain": os.environ.get("SITE_DOMAIN", "127.0.0.1:8000"),
            "name": os.environ.get("SITE_NAME", "源头好货商家平台"),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("merchants", "0002_staff_groups"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(set_site, migrations.RunPython.noop)]
