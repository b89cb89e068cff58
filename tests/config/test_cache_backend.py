"""config.cache.RedisCache: Django's Redis cache, with one client per connection pool."""

import pytest
from django.conf import settings

from config.cache import RedisCache

# Runs in the services run of `make test` (tests/conftest.py skips it without REDIS_URL,
# or fails it under REQUIRE_SERVICES=1).
needs_redis = pytest.mark.redis


def test_the_client_is_built_once_and_shared():
    # Building clients opens no connection, so this needs no Redis server.
    backend = RedisCache("redis://127.0.0.1:6399/0", {})

    client = backend._cache.get_client("answer")

    assert backend._cache.get_client("counter", write=True) is client
    assert RedisCache("redis://127.0.0.1:6399/0", {})._cache.get_client("answer") is not client


@pytest.fixture
def redis_cache():
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "cache-backend-test"})
    yield backend
    backend.delete_many(["answer", "counter"])


@needs_redis
def test_it_behaves_as_djangos_redis_cache(redis_cache):
    redis_cache.set("answer", {"value": 42}, 30)
    redis_cache.set("counter", 1, 30)

    assert redis_cache.get("answer") == {"value": 42}
    assert redis_cache.incr("counter") == 2
    assert redis_cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    with pytest.raises(ValueError):
        redis_cache.incr("missing")
