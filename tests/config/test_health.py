import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["down"] == []


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_TASK_ALWAYS_EAGER=False)
def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "down"
    assert response.json()["down"] == ["broker"]


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_is_503_naming_the_cache_when_it_is_unreachable(client):
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    with override_settings(REDIS_URL=UNREACHABLE_REDIS, CACHES=caches):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
