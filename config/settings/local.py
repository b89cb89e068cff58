"""Developer settings: the embedded portal that `make run` serves."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)  # no proxy in front of the embedded portal
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Webhooks may go to a receiver on this machine (http://127.0.0.1:…) while developing.
WEBHOOKS_ALLOW_INSECURE_TARGETS = True
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

# Celery in the embedded portal: tasks run in the web process, and `manage.py runembedded`
# (what `make run` starts) runs beat's schedule in a thread of it. The in-memory broker
# only gives beat a connection to hold; nothing is queued there.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)

# Transcoding a video takes seconds: the page that completes an upload answers at once and
# shows the video processing, as with a worker.
EAGER_TASKS_IN_BACKGROUND = ("storefront.content.tasks.process_video_task",)

# One developer at a time: the entries a person waits for (every few minutes in
# production) run every 20 seconds, so views, leaderboards and scheduled school items
# move while they try the portal; hourly chores keep their hour. Beat's "sending" lines
# stay out of the console.
EMBEDDED_BEAT_SECONDS = env.int("EMBEDDED_BEAT_SECONDS", default=20)
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": EMBEDDED_BEAT_SECONDS if entry["schedule"] <= 5 * 60 else entry["schedule"]}
    for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
}
LOGGING["loggers"]["celery.beat"] = {"level": "WARNING"}  # noqa: F405

# The serving process and beat's thread share one SQLite file: wait for the other's write
# instead of failing, and take the write lock up front (no deadlock on upgrade).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

# Links in e-mails point where the page was served (host and port of the request);
# without a request (beat's tasks), at SITE_DOMAIN, which `make run` sets to its address.
PORTAL_LINKS_FOLLOW_REQUEST = True
