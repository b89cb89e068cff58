from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants and accounts")

    def ready(self):
        # Imported here, not at the top: these modules import models, which exist only
        # once the app registry is ready (Django's rule for AppConfig.ready).
        from django.db.models.signals import post_migrate

        from core.transitions import status_events
        from core.webhooks.services import webhook_emit

        from . import receivers  # noqa: F401  (connects allauth's signals)

        status_events.register(webhook_emit)

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="merchants.after_migrate")


def _after_migrate(sender, **kwargs):
    """Keep staff groups in step with roles.py and restore reference data after a flush."""
    # Late for the same reason as ready(): they reach models.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .reference_data import ensure_reference_data
    from .roles import sync_staff_groups

    # Apps after this one have not had their permissions created yet in this run.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    sync_staff_groups(apps)
    ensure_reference_data(apps)
