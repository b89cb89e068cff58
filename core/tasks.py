"""What every app's Celery tasks share.

Task modules import their options from here rather than from `config.celery_app`, so an
app never imports the configuration layer above it (docs/layout.md).
"""

# Options for tasks that are safe to run twice: the message is acknowledged only after
# the task ran, and redelivered if the worker died mid-way.
IDEMPOTENT_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}
