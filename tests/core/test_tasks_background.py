"""The embedded portal runs its long eager tasks in a thread, not inside the request (eager
here on either run: the worker of the PostgreSQL run is another process)."""

import threading

import pytest
from django.db import transaction

from core import tasks

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = {"subject": "s", "body": "b", "from_email": "portal@example.com", "to": ["m@example.com"]}


@pytest.fixture
def sent(monkeypatch):
    calls, done = [], threading.Event()

    def send(email, *args, **kwargs):
        calls.append(threading.current_thread().name)
        done.set()
        return 1

    monkeypatch.setattr(tasks.EmailMultiAlternatives, "send", send)
    return calls, done


def test_a_listed_task_runs_in_a_thread_after_commit(settings, sent, tasks_in_process):
    settings.EAGER_TASKS_IN_BACKGROUND = ("core.tasks.send_email_task",)
    calls, done = sent
    with transaction.atomic():
        tasks.enqueue_on_commit("core.tasks.send_email_task", MESSAGE)
        assert calls == []  # nothing before the commit
    assert done.wait(10)
    assert calls == ["task:core.tasks.send_email_task"]


def test_other_tasks_run_inside_the_caller_as_before(settings, sent, tasks_in_process):
    settings.EAGER_TASKS_IN_BACKGROUND = ()
    calls, _done = sent
    with transaction.atomic():
        tasks.enqueue_on_commit("core.tasks.send_email_task", MESSAGE)
    assert calls == [threading.current_thread().name]
