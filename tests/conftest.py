"""Fixtures shared by the whole suite.

The suite runs twice (`make test`): on SQLite with Celery eager, and on PostgreSQL
with a real Celery worker on Redis that this module starts for the session. Tests
read sent e-mail through the `outbox` fixture, which works in both runs.
"""

import email
import email.policy
import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from config.celery_app import app as celery_app

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
WORKER_START_TIMEOUT = 60


def uses_worker() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    for item in items:
        if "postgres" in item.keywords:
            if REQUIRE_SERVICES:
                item.add_marker(pytest.mark.xfail(reason="needs PostgreSQL", strict=True, run=False))
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


def pytest_sessionfinish(session, exitstatus):
    """Remove the session's temporary files folder (media, private files, mail) if it made it."""
    if getattr(settings, "TEST_FILES_DIR_OWNED", False):
        shutil.rmtree(settings.TEST_FILES_DIR, ignore_errors=True)


def pytest_runtest_setup(item):
    if "redis" in item.keywords and not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("needs Redis (REDIS_URL), and REQUIRE_SERVICES=1 forbids skipping")
        pytest.skip("needs Redis (set REDIS_URL)")


def _worker_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def cache_keys(fragment: str) -> list[str]:
    """The cache's keys that contain `fragment`, on either test backend (locmem, or the
    PostgreSQL run's Redis, which each test empties)."""
    backend = cache._cache
    if isinstance(backend, dict):  # LocMemCache
        keys = list(backend)
    else:  # django's RedisCache
        keys = [key.decode() for key in backend.get_client().scan_iter(f"*{fragment}*")]
    return [key for key in keys if fragment in key]


@pytest.fixture
def tasks_in_process():
    """Run queued Celery tasks in this process, as the eager run does.

    For a test whose rows the worker of the PostgreSQL run cannot see (they are in the
    test's own transaction) or whose next line reads what the task wrote. E-mails such a
    task sends go to this process's backend, not the worker's files the `outbox` reads.
    """
    from celery import current_app

    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def celery_worker_process(django_db_setup, tmp_path_factory):
    """Start a real Celery worker on the test database when a broker is configured."""
    if not uses_worker():
        yield None
        return
    Path(settings.EMAIL_FILE_PATH).mkdir(parents=True, exist_ok=True)
    name = f"portal-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _worker_database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": settings.EMAIL_FILE_PATH,
        "TEST_FILES_DIR": str(Path(settings.MEDIA_ROOT).parent),
    }
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n",
                name,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not celery_app.control.ping(destination=[name], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class SentMessage:
    subject: str
    to: list[str]
    body: str


class Outbox:
    """The e-mails sent during one test, whether by eager tasks or by the worker."""

    def __init__(self):
        self._dir = Path(settings.EMAIL_FILE_PATH)
        # Bytes already there when the test began, per file. Django's file backend names a
        # file by the second and the backend object's id() and appends to it, so an e-mail
        # of this test can land at the end of an earlier test's file.
        self._seen = {path: path.stat().st_size for path in self._dir.glob("*.log")}

    def messages(self) -> list[SentMessage]:
        if not uses_worker():
            return [SentMessage(str(m.subject), list(m.to), str(m.body)) for m in mail.outbox]
        found = []
        for path in sorted(self._dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            with path.open("rb") as file:
                file.seek(self._seen.get(path, 0))
                new = file.read()
            for chunk in new.split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(self._parse(chunk))
        return found

    @staticmethod
    def _parse(raw: bytes) -> SentMessage:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        return SentMessage(
            subject=str(message["subject"]),
            to=[address.strip() for address in str(message["to"]).split(",")],
            body=part.get_content() if part is not None else "",
        )

    def wait_for(self, count: int, timeout: float = 20.0) -> list[SentMessage]:
        """Return the messages once at least `count` were sent; fail after `timeout`."""
        deadline = time.monotonic() + (timeout if uses_worker() else 0)
        while True:
            messages = self.messages()
            if len(messages) >= count or time.monotonic() >= deadline:
                assert len(messages) >= count, f"expected {count} e-mails, got {len(messages)}"
                return messages
            time.sleep(0.1)


@pytest.fixture
def outbox(mailoutbox) -> Outbox:
    return Outbox()


@pytest.fixture(autouse=True)
def _isolate_cache():
    """Give every test empty rate-limit counters, caches and view counters."""
    from core import fragments
    from storefront import counters

    cache.clear()
    counters.discard()
    fragments.reset()  # a test that breaks the cache must not skip the next one's
    yield
    cache.clear()
    fragments.reset()
    counters.discard()


CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many", "touch")


@pytest.fixture
def cache_round_trips():
    """The names of the calls made to the cache from now on, one per round trip as Redis
    takes them: a backend's `get_many` that calls its own `get` per key (the test cache's
    does) counts once. Clear the list before the request to measure."""
    calls = []
    depth = 0

    def counted(name, method):
        def call(*args, **kwargs):
            nonlocal depth
            if depth == 0:
                calls.append(name)
            depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth -= 1

        return call

    with ExitStack() as stack:
        for name in CACHE_CALLS:
            stack.enter_context(mock.patch.object(cache, name, counted(name, getattr(cache, name))))
        yield calls


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the site's language: a request the test client made in English
    leaves English active in the thread, and a later test reading a message would then
    depend on the order the tests ran in."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def password() -> str:
    return "Gx7-long-unusual-passphrase"
