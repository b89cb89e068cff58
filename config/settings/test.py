"""Test settings: the same code paths, fast hashing, files in a temporary place.

With CELERY_BROKER_URL set (the PostgreSQL run of `make test`), tasks go through a
real Celery worker that the test session starts itself (tests/conftest.py); the
worker writes e-mails as files to EMAIL_FILE_PATH, where the tests read them.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# A test session's files live in one temporary folder, removed when the session ends
# (tests/conftest.py); a worker it starts is handed the same folder (TEST_FILES_DIR).
TEST_FILES_DIR_OWNED = "TEST_FILES_DIR" not in os.environ
_tmp = Path(env("TEST_FILES_DIR", default=tempfile.mkdtemp(prefix="portal-test-")))
TEST_FILES_DIR = _tmp
MEDIA_ROOT = _tmp / "media"
SERVE_MEDIA = True  # browser tests load photos and play videos from the live server
PRIVATE_MEDIA_ROOT = _tmp / "private"
STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)  # noqa: F405
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(_tmp / "mail"))
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
# WhiteNoise serves STATIC_ROOT and warns on every request while it is missing; tests
# serve static files from the apps' folders (finders), so an empty root is enough.
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

# Each test session has a queue of its own, so a worker never takes a message left
# in Redis by an earlier, interrupted run.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"test-{os.getpid()}")

# The webhook tests' receiver listens on http://127.0.0.1 (production refuses both).
WEBHOOKS_ALLOW_INSECURE_TARGETS = True
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
WEBHOOKS_TIMEOUT_SECONDS = 2

# seed_demo's tests check shape and idempotence, not volume.
DEMO_PRODUCTS_PER_MERCHANT = 3
