from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "storefront"
    verbose_name = _("Storefront")

    def ready(self):
        # Imported here, not at the top: these modules import models, which exist only
        # once the app registry is ready (Django's rule for AppConfig.ready).
        from industrybelts import selectors as belt_selectors
        from merchants import selectors as merchant_selectors
        from merchants.compliance import services as compliance_services

        from . import compliance, merchant_home, selectors
        from .content import live_selectors
        from .discovery import selectors as discovery_selectors
        from .school import selectors as school_selectors

        merchant_selectors.dashboard_sections.register(school_selectors.dashboard_learning)
        merchant_selectors.dashboard_sections.register(merchant_home.dashboard_home)
        merchant_selectors.dashboard_versions.register(school_selectors.dashboard_learning_version)
        merchant_selectors.dashboard_versions.register(merchant_home.dashboard_home_version)
        belt_selectors.belt_page_sections.register(discovery_selectors.belt_discovery_section)
        belt_selectors.belt_page_sections.register(live_selectors.belt_live_section)
        belt_selectors.applicant_sections.register(selectors.applicant_goods_section)
        compliance_services.restriction_changed.register(compliance.on_restriction_changed)
        compliance_services.shop_closed.register(compliance.on_shop_closed)
