"""/healthz: is the database reachable, and the broker and cache when configured?

Answers 200 when every configured part is up, 503 naming the parts that are down,
for load balancers and uptime checks. It never touches the application's tables.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as broker:
        broker.ensure_connection(max_retries=0, timeout=timeout)


def _check_cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def configured_checks() -> dict:
    checks = {"database": _check_database}
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
    return checks


@never_cache
@require_GET
def healthz(request):
    results = {}
    for name, check in configured_checks().items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means "down"
            logger.warning("healthz: %s is down: %s", name, exc)
            results[name] = "down"
        else:
            results[name] = "ok"
    down = sorted(name for name, state in results.items() if state == "down")
    status = 503 if down else 200
    return JsonResponse({"status": "down" if down else "ok", "checks": results, "down": down}, status=status)
