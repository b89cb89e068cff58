from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustrybeltsConfig(AppConfig):
    name = "industrybelts"
    verbose_name = _("Industry belts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401  (attributes allauth sign-ups to invitations)

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="industrybelts.after_migrate")


def _after_migrate(sender, **kwargs):
    """Restore the launch belts after a flush (only when no belt exists at all)."""
    from django.apps import apps

    from .reference_data import ensure_launch_belts

    ensure_launch_belts(apps)
