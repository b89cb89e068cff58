"""Developer settings: the embedded portal that `make run` serves."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Webhooks may go to a receiver on this machine (http://127.0.0.1:…) while developing.
WEBHOOKS_ALLOW_INSECURE_TARGETS = True
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
