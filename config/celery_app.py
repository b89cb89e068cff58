"""The Celery application: settings from Django's (CELERY_ namespace), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options for tasks that are safe to run twice: the message is acknowledged only after
# the task ran, and redelivered if the worker died mid-way.
IDEMPOTENT_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}
