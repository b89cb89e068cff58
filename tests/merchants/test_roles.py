import pytest
from django.contrib.auth.models import Group

from merchants.permissions import user_in_staff_group
from merchants.roles import StaffGroup
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _codenames(group):
    return set(Group.objects.get(name=str(group)).permissions.values_list("codename", flat=True))


def test_data_migration_creates_every_staff_group():
    names = set(Group.objects.values_list("name", flat=True))

    assert {str(g) for g in StaffGroup} <= names


def test_support_group_sees_users_and_revokes_tokens_but_mints_none():
    codenames = _codenames(StaffGroup.SUPPORT)

    assert {"view_user", "change_user", "view_apitoken", "change_apitoken"} <= codenames
    assert not {"delete_user", "add_user", "add_apitoken", "change_emailaddress"} & codenames


def test_only_reviewers_may_decide_on_applications():
    assert "review_onboardingapplication" in _codenames(StaffGroup.REVIEWER)
    for group in (StaffGroup.SUPPORT, StaffGroup.BELT_OPERATIONS, StaffGroup.CONTENT_EDITOR):
        assert not {"review_onboardingapplication", "view_onboardingapplication"} & _codenames(group)


def test_reviewer_cannot_change_or_delete_users():
    assert not {"change_user", "delete_user", "add_user"} & _codenames(StaffGroup.REVIEWER)


def test_group_membership_needs_active_staff():
    reviewer = StaffFactory(group=StaffGroup.REVIEWER)
    merchant_in_group = UserFactory()
    merchant_in_group.groups.add(Group.objects.get(name=str(StaffGroup.REVIEWER)))

    assert user_in_staff_group(reviewer, StaffGroup.REVIEWER)
    assert not user_in_staff_group(reviewer, StaffGroup.SUPPORT)
    assert not user_in_staff_group(merchant_in_group, StaffGroup.REVIEWER)
