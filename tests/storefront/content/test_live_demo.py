import pytest
from django.core.management import call_command

from storefront.content.models import LiveSession, LiveStatus
from storefront.models import Product

pytestmark = pytest.mark.django_db


def test_seed_demo_announces_two_sessions_of_the_jade_shop_once(settings):
    settings.DEBUG = True
    settings.DEMO_PRODUCTS_PER_MERCHANT = 6

    call_command("seed_demo")
    call_command("seed_demo")

    sessions = LiveSession.objects.filter(merchant__user__email="ruili@demo.local")
    assert sessions.count() == 2
    assert set(sessions.values_list("status", flat=True)) == {LiveStatus.SCHEDULED}
    assert Product.objects.filter(live_session__in=sessions).count() == 6
