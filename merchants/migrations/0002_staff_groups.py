"""Create the staff groups with their permissions, so no one needs to be superuser."""

from django.db import migrations

from merchants.roles import create_staff_groups


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(create_staff_groups, migrations.RunPython.noop)]
