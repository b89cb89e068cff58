from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustrybeltsConfig(AppConfig):
    name = "industrybelts"
    verbose_name = _("Industry belts")

    def ready(self):
        # Imported here, not at the top: these modules import models, which exist only
        # once the app registry is ready (Django's rule for AppConfig.ready).
        from django.db.models.signals import post_migrate

        from core.api.scopes import token_actors
        from merchants import permissions as merchant_permissions
        from merchants import selectors as merchant_selectors
        from merchants import workflows as merchant_workflows

        from . import (
            permissions,
            receivers,  # noqa: F401  (sign-ups to invitations; member counts on deletion)
            selectors,
            workflows,
        )

        merchant_permissions.application_viewers.register(permissions.provider_can_view_merchant)
        merchant_permissions.token_managers.register(permissions.can_manage_provider_token)
        merchant_selectors.dashboard_sections.register(selectors.dashboard_memberships)
        merchant_selectors.dashboard_versions.register(selectors.dashboard_memberships_version)
        token_actors.register(permissions.token_provider)
        merchant_workflows.application_followers.register(workflows.recruiting_provider_endpoints)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="industrybelts.after_migrate")


def _after_migrate(sender, **kwargs):
    """Restore the launch belts after a flush (only when no belt exists at all)."""
    # Imported here for the same reason as in ready(): they reach models.
    from django.apps import apps

    from .reference_data import ensure_launch_belts

    ensure_launch_belts(apps)
