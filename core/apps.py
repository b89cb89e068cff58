import importlib
import pkgutil
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The kernel as an app: its management commands and start-up hooks need one."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        post_migrate.connect(_sync_site, sender=self, dispatch_uid="core.sync_site")
        import_task_modules()


def import_task_modules() -> None:
    """Import every `tasks` module of the project's apps and their sub-packages.

    In every process (web, worker, beat), so every task is registered before anything
    queues one: services queue their tasks by name (core.tasks.enqueue_on_commit), which
    finds only registered tasks, and Celery's own discovery runs in the worker only.
    """
    root = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        if Path(app_config.path).resolve().parent != root:
            continue  # not one of the project's apps: its tasks, if any, are Celery's to find
        for module in pkgutil.walk_packages([app_config.path], prefix=f"{app_config.name}."):
            if module.name.rsplit(".", 1)[-1] == "tasks":
                importlib.import_module(module.name)


def _sync_site(sender, **kwargs):
    from .sites import sync_site_from_settings  # needs the app registry: loaded after it

    sync_site_from_settings()
