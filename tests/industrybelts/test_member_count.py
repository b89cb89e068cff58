"""A belt's kept member count: every way a membership enters or leaves "approved"."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from industrybelts import services
from industrybelts.models import Belt, MembershipStatus
from industrybelts.workflows import MEMBERSHIP_WORKFLOW
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops


def _applied(belt):
    merchant = approved_merchant()
    return services.membership_apply(merchant=merchant, belt=belt, base=belt.bases.first(), by=merchant.user)


def _approved(belt, owner, ops):
    membership = _applied(belt)
    services.membership_pre_approve(membership=membership, by=owner)
    return services.membership_approve(membership=membership, by=ops)


def _count(belt):
    return Belt.objects.values_list("member_count", flat=True).get(pk=belt.pk)


@pytest.mark.django_db
def test_approvals_count_and_other_moves_do_not(apparel):
    _provider, owner = approved_provider(apparel)
    ops = belt_ops()
    _approved(apparel, owner, ops)
    _approved(apparel, owner, ops)
    pre_approved = _applied(apparel)
    services.membership_pre_approve(membership=pre_approved, by=owner)
    services.membership_reject(membership=pre_approved, by=ops, reason="资料不全")
    services.membership_pre_reject(membership=_applied(apparel), by=owner, reason="不在本带")
    _applied(apparel)

    assert _count(apparel) == 2


@pytest.mark.django_db
def test_a_member_who_leaves_is_counted_out_and_the_page_says_so_at_once(client, apparel):
    _provider, owner = approved_provider(apparel)
    ops = belt_ops()
    leaving = _approved(apparel, owner, ops)
    _approved(apparel, owner, ops)
    url = reverse("industrybelts:belt-detail", args=[apparel.slug])
    assert client.get(url).context["belt"].member_count == 2

    with transaction.atomic():
        MEMBERSHIP_WORKFLOW.move(obj=leaving, to=MembershipStatus.LEFT, by=ops)

    response = client.get(url)
    assert _count(apparel) == 1 and response.context["belt"].member_count == 1
    assert response.content.decode().count("<li><strong>") == 1  # the members' list


@pytest.mark.django_db
def test_a_merchant_removed_with_its_memberships_is_counted_out(apparel):
    _provider, owner = approved_provider(apparel)
    ops = belt_ops()
    _approved(apparel, owner, ops)
    removed = _approved(apparel, owner, ops)
    waiting = _applied(apparel)

    removed.merchant.user.delete()
    waiting.merchant.user.delete()

    assert _count(apparel) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_both_count(apparel):
    """The second approval waits for the first one's lock on the belt, then counts both."""
    _provider, owner = approved_provider(apparel)
    ops = belt_ops()
    first, second = _applied(apparel), _applied(apparel)
    for membership in (first, second):
        services.membership_pre_approve(membership=membership, by=owner)
    first_moved, release = threading.Event(), threading.Event()

    def approve_and_hold():
        try:
            with transaction.atomic():
                services.membership_approve(membership=first, by=ops)
                first_moved.set()
                release.wait(30)
        finally:
            connection.close()

    def approve():
        try:
            first_moved.wait(30)
            services.membership_approve(membership=second, by=ops)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_and_hold), threading.Thread(target=approve)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    waiting = 0
    while not waiting and time.monotonic() < deadline:  # the second one waits for the belt's row
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = %s",
                [connection.settings_dict["NAME"]],
            )
            waiting = cursor.fetchone()[0]
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert waiting == 1
    assert _count(apparel) == 2
