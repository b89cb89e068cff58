"""The Celery application: settings from Django's (CELERY_ namespace), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's `tasks` module, and those of storefront's sub-packages, which
# are not apps of their own.
app.autodiscover_tasks()
app.autodiscover_tasks(["storefront.campaigns", "storefront.discovery", "storefront.school"])
