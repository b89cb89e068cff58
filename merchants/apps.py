from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants and accounts")

    def ready(self):
        from . import receivers  # noqa: F401  (connects allauth's signals)
