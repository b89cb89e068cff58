"""Benchmark settings: production's settings, served over plain HTTP on loopback.

`make bench` serves the portal with these under gunicorn. Everything that shapes a
request's cost stays as in production (DEBUG off, the same middleware, persistent
database connections with CONN_MAX_AGE, Redis cache, a Celery broker so image work
leaves the request). What differs, and why:

- HTTPS redirects and secure-only cookies are off: the load generator speaks HTTP on
  127.0.0.1 (in production a proxy terminates TLS in front of gunicorn).
- The API rate limits are raised: one client on loopback stands for many partners.
- `bench.urls` adds the bare "hello" baseline, and `QueryCountMiddleware` answers each
  request with the number of queries it ran (`X-Bench-Queries`). Neither exists in
  the production URLconf or middleware.
"""

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "bench"

# production.py reads these without defaults; the bench gives loopback values.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# The bench's own database and Redis db, even when the shell exports the test suite's URLs.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
os.environ.setdefault("API_TOKEN_RATE", "1000000/min")
os.environ.setdefault("API_ANONYMOUS_RATE", "1000000/min")
os.environ.setdefault("MEDIA_ROOT", str(BENCH_DIR / ".media"))
os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(BENCH_DIR / ".private_media"))

from .production import *  # noqa: E402, F403
from .production import MIDDLEWARE, env  # noqa: E402

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1", "http://localhost"]

# The hashed static files are collected into the bench's own folder, not the checkout's.
STATIC_ROOT = BENCH_DIR / ".staticfiles"

# A queue of its own, so the bench's Celery worker never takes another run's tasks.
CELERY_TASK_DEFAULT_QUEUE = "bench"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
