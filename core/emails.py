"""Outgoing e-mail: rendered in the recipient's language, sent by Celery after commit.

Rendering happens here, in the process that decides to send, so the message is
fixed at that moment; the task only carries plain data (JSON serialiser).
"""

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from .tasks import send_email_task


def email_to_payload(message: EmailMessage) -> dict:
    """Turn an EmailMessage into the JSON-safe dict send_email_task takes."""
    alternatives = []
    if isinstance(message, EmailMultiAlternatives):
        alternatives = [(content, mimetype) for content, mimetype in message.alternatives]
    if message.content_subtype == "html":
        alternatives.append((message.body, "text/html"))
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
    }


def send_after_commit(message: EmailMessage) -> None:
    """Queue the message for Celery once the surrounding transaction commits."""
    payload = email_to_payload(message)
    transaction.on_commit(lambda: send_email_task.delay(payload))


def render_plain_text(template_name: str, context: dict) -> str:
    """Render a .txt template without HTML escaping: a reason "A&B <ID>" stays as typed."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_templated_email(*, template_prefix: str, to: str, context: dict, language: str) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` in `language`, then queue it."""
    with translation.override(language):
        subject = " ".join(render_plain_text(f"{template_prefix}_subject.txt", context).splitlines())
        body = render_plain_text(f"{template_prefix}_message.txt", context)
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX or ""
    message = EmailMessage(subject=f"{prefix}{subject}".strip(), body=body, to=[to])
    send_after_commit(message)


def email_user(user, *, template_prefix: str, context: dict) -> None:
    """Queue the templated e-mail to `user`'s address, in the language the user chose."""
    send_templated_email(
        template_prefix=template_prefix, to=user.email, context=context, language=user.language
    )
