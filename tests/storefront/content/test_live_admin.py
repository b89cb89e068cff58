"""Staff cancel a live session in admin with a reason; the history shows it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from storefront.content.models import LiveSessionEvent, LiveStatus
from tests.factories import StaffFactory

from .conftest import schedule

pytestmark = pytest.mark.django_db


def test_a_moderator_cancels_with_a_reason_through_the_reason_form(client, seller, good):
    session = schedule(seller, hours=3, products=[good])
    moderator = StaffFactory(group="content-editor")
    client.force_login(moderator)
    url = reverse("admin:storefront_livesession_changelist")
    picked = {"action": "cancel_with_reason", ACTION_CHECKBOX_NAME: [str(session.pk)], "index": "0"}

    asked = client.post(url, picked)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED  # nothing on the first click

    client.post(url, {**picked, "apply": "1", "reason": "宣传内容违规"})

    session.refresh_from_db()
    assert session.status == LiveStatus.CANCELLED
    event = LiveSessionEvent.objects.filter(session=session).last()
    assert (event.actor, event.to_status, event.reason) == (moderator, "cancelled", "宣传内容违规")
    good.refresh_from_db()
    assert good.live_session_id is None
    history = client.get(reverse("admin:storefront_livesession_change", args=[session.pk])).content.decode()
    assert "宣传内容违规" in history


def test_an_empty_reason_cancels_nothing(client, seller):
    session = schedule(seller, hours=3)
    client.force_login(StaffFactory(group="belt-operations"))

    response = client.post(
        reverse("admin:storefront_livesession_changelist"),
        {"action": "cancel_with_reason", ACTION_CHECKBOX_NAME: [str(session.pk)], "apply": "1", "reason": ""},
    )

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED


def test_staff_without_the_permission_are_not_offered_the_action(client, seller):
    session = schedule(seller, hours=3)
    client.force_login(StaffFactory(group="support"))

    response = client.post(
        reverse("admin:storefront_livesession_changelist"),
        {
            "action": "cancel_with_reason",
            ACTION_CHECKBOX_NAME: [str(session.pk)],
            "apply": "1",
            "reason": "x",
        },
    )

    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == LiveStatus.SCHEDULED
