from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "storefront"
    verbose_name = _("Storefront")

    def ready(self):
        # Imported here, not at the top: models may be imported only once apps are loaded.
        from merchants import selectors as merchant_selectors

        from .school import selectors as school_selectors

        merchant_selectors.dashboard_sections.register(school_selectors.dashboard_learning)
