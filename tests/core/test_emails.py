import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction

from core.emails import send_after_commit
from core.tasks import send_email_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_postgres_run_uses_a_real_worker_not_eager_tasks():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_rolled_back_transaction_sends_nothing(outbox):
    message = EmailMultiAlternatives("主题", "正文", to=["merchant@example.com"])
    with pytest.raises(RuntimeError), transaction.atomic():
        send_after_commit(message)
        raise RuntimeError("the write failed")

    send_after_commit(EmailMultiAlternatives("second", "body", to=["other@example.com"]))

    [sent] = outbox.wait_for(1)
    assert sent.to == ["other@example.com"]


def test_email_task_carries_html_alternative_and_runs_twice_safely(outbox):
    payload = {
        "subject": "审核结果",
        "body": "纯文本",
        "from_email": "noreply@example.com",
        "to": ["merchant@example.com"],
        "alternatives": [["<p>网页</p>", "text/html"]],
    }

    send_email_task.delay(payload)
    send_email_task.delay(payload)

    sent = outbox.wait_for(2)
    assert [m.subject for m in sent] == ["审核结果", "审核结果"]
    assert sent[0].body.strip() == "纯文本"


def test_every_task_queued_by_name_is_registered_at_start_up():
    """Services queue tasks by name; a name the registry lacks would be sent nowhere in eager mode."""
    import re
    from pathlib import Path

    from celery import current_app

    root = Path(__file__).resolve().parents[2]
    names = {
        name
        for path in root.glob("[cmis]*/**/*.py")
        for name in re.findall(r'enqueue_on_commit\(\s*"([\w.]+)"', path.read_text())
    }
    assert names >= {
        "merchants.tasks.make_document_thumbnail_task",
        "core.webhooks.tasks.deliver_webhook_task",
    }
    assert names <= set(current_app.tasks)
