"""Serve the embedded portal with Celery beat's schedule running inside it.

`make run` needs no broker and no second process: tasks run eagerly in the web process
(CELERY_TASK_ALWAYS_EAGER), and Celery's own beat service runs in a thread of the same
process (`celery.beat.EmbeddedService`), sending each due entry of CELERY_BEAT_SCHEDULE
through the eager path. So the same task code and the same schedule run as in production,
and they share the process's memory with the pages: the in-memory view counters and the
local cache that a separate worker process could not see. Ctrl-C stops both.
"""

from celery import current_app as celery_app
from celery.beat import EmbeddedService
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.runserver import Command as RunserverCommand


class Command(RunserverCommand):
    help = "Serve the portal for development with the Celery beat schedule running in-process."

    def inner_run(self, *args, **options):
        # inner_run runs in the serving process (the autoreloader's child), once per reload.
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "runembedded runs tasks in-process: set CELERY_TASK_ALWAYS_EAGER (see README)."
            )
        beat = EmbeddedService(celery_app, thread=True, scheduler_cls="celery.beat:Scheduler")
        beat.start()
        self.stdout.write(
            f"Celery beat runs in this process: {len(settings.CELERY_BEAT_SCHEDULE)} periodic tasks."
        )
        super().inner_run(*args, **options)
