import datetime

import pytest
from django.utils import timezone

from industrybelts import services
from industrybelts.models import Base, BaseKind, Belt, MemberRole, ProviderMember
from merchants import services as merchant_services
from merchants.models import Region
from tests.factories import StaffFactory, UserFactory, reviewer, submitted_application
from tests.identity import make_uscc


def belt_ops():
    return StaffFactory(group="belt-operations")


def make_base(belt, name="平洲玉器街", county="440605"):
    return Base.objects.get_or_create(
        belt=belt,
        name=name,
        defaults={"kind": BaseKind.WHOLESALE_MARKET, "region": Region.objects.get(code=county)},
    )[0]


def approved_provider(belt, *, owner=None, staff=None):
    """A provider approved for `belt` with an open contract; return (provider, owner_user)."""
    owner = owner or UserFactory()
    provider = services.provider_apply(
        user=owner,
        name=f"服务商{owner.pk}",
        uscc=make_uscc(prefix="91"),
        region=Region.objects.get(code="440600"),
        team_size=12,
        track_record="带动 300 家档口开播",
        belt=belt,
    )
    today = timezone.localdate()
    services.provider_approve(
        provider=provider,
        by=staff or belt_ops(),
        belt=belt,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=365),
    )
    provider.refresh_from_db()
    return provider, owner


def approved_merchant(categories=("apparel",)):
    application = submitted_application(categories=categories)
    merchant_services.application_approve(application=application, by=reviewer())
    return application.merchant


def invited(provider, belt, merchant, *, by=None):
    """Create an invitation from `provider` and have `merchant` claim it; return the invitation."""
    by = by or ProviderMember.objects.filter(provider=provider).first().user
    _invitation, code = services.merchant_invitation_create(provider=provider, belt=belt, by=by)
    return services.merchant_invitation_claim(code=code, user=merchant.user)


@pytest.fixture
def jade():
    belt = Belt.objects.get(slug="jade")
    make_base(belt)
    return belt


@pytest.fixture
def apparel():
    belt = Belt.objects.get(slug="apparel")
    make_base(belt, name="杭州四季青服装市场", county="330102")
    return belt


__all__ = ["MemberRole", "approved_merchant", "approved_provider", "belt_ops", "invited", "make_base"]
