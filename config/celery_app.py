"""The Celery application: settings from Django's (CELERY_ namespace), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's `tasks` module, and those of packages that are not apps of their
# own (the kernel's webhooks, storefront's sub-packages).
app.autodiscover_tasks()
app.autodiscover_tasks(["core.webhooks", "storefront.campaigns", "storefront.discovery", "storefront.school"])
