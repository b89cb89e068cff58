from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustrybeltsConfig(AppConfig):
    name = "industrybelts"
    verbose_name = _("Industry belts")
