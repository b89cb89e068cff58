"""The Celery application: settings from Django's (CELERY_ namespace), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The project's tasks modules (its apps' and their sub-packages') are imported when Django
# starts, in every process (core/apps.py); Celery discovers third-party apps' own.
app.autodiscover_tasks()
