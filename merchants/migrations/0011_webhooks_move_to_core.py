"""The webhook outbox's models move to the kernel (core.0001) with their tables: state only.

Nothing is dropped or copied: core's models keep the db_table names these created.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0010_webhooks"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="webhookdelivery",
                    name="endpoint",
                ),
                migrations.RemoveField(
                    model_name="webhookendpoint",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="webhookendpoint",
                    name="provider",
                ),
                migrations.DeleteModel(
                    name="WebhookAttempt",
                ),
                migrations.DeleteModel(
                    name="WebhookDelivery",
                ),
                migrations.DeleteModel(
                    name="WebhookEndpoint",
                ),
            ],
            database_operations=[],
        ),
    ]
