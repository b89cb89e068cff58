from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants and accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401  (connects allauth's signals)

        post_migrate.connect(_sync_staff_groups, sender=self, dispatch_uid="merchants.sync_staff_groups")


def _sync_staff_groups(sender, **kwargs):
    from django.apps import apps

    from .roles import sync_staff_groups

    sync_staff_groups(apps)
