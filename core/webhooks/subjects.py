"""What a webhook event is about and who hears of it: declared by each workflow.

A workflow that declares `webhook_event` also declares `webhook_subject(obj)`, next to its
transition map in its app's workflows.py. The subject names the endpoints that receive
the event (a filter over `WebhookEndpoint`) and how to describe the object; the kernel
adds the move itself (from, to, reason) and never looks at which model moved.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class WebhookSubject:
    # Which endpoints hear of the event (before the kernel's own conditions: active,
    # the owner still active, subscribed to the event type).
    recipients: Q
    # The payload's object part, e.g. {"product": {"id": ..., "status": ...}}; called only
    # when some endpoint hears of the event (no subscriber, no query beyond the recipients').
    describe: Callable[[], dict]


def event_data(subject: WebhookSubject, transition) -> dict:
    """Return the payload's `data`: the move and its reason, then the subject's own part."""
    return {
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "reason": transition.reason,
        **subject.describe(),
    }
