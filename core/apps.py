from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The kernel as an app: its management commands and start-up hooks need one."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        post_migrate.connect(_sync_site, sender=self, dispatch_uid="core.sync_site")


def _sync_site(sender, **kwargs):
    from .sites import sync_site_from_settings  # needs the app registry: loaded after it

    sync_site_from_settings()
