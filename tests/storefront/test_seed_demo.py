import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import CommandError, call_command

from merchants.models import User
from merchants.roles import StaffGroup
from storefront.management.commands.seed_demo import DEMO_PASSWORD, MERCHANT_ACCOUNTS, STAFF_ACCOUNTS
from storefront.selectors import HOME_FIGURES_CACHE_KEY

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_log_ins(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = User.objects.count()
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert User.objects.count() == first == len(STAFF_ACCOUNTS) + len(MERCHANT_ACCOUNTS)
    assert DEMO_PASSWORD in out
    assert "reviewer@demo.local" in out


def test_seed_demo_gives_each_staff_group_a_member_who_can_log_in(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    for group in StaffGroup:
        members = Group.objects.get(name=str(group)).user_set.all()
        assert members.count() == 1
        member = members.get()
        assert member.is_staff and not member.is_superuser
        assert member.check_password(DEMO_PASSWORD)
        assert member.emailaddress_set.get().verified


def test_seed_demo_refreshes_home_figures(settings):
    settings.DEBUG = True
    cache.set(HOME_FIGURES_CACHE_KEY, {"merchants": 0}, 300)

    call_command("seed_demo")

    assert cache.get(HOME_FIGURES_CACHE_KEY) is None


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_puts_merchants_in_every_state_with_documents(settings, outbox):
    from merchants.compliance.demo import COMPLIANCE_MERCHANTS
    from merchants.models import ApplicationStatus, OnboardingApplication

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    states = set(OnboardingApplication.objects.values_list("status", flat=True))
    assert states == set(ApplicationStatus.values)
    approved = OnboardingApplication.objects.get(merchant__user__email="factory@demo.local")
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.documents.count() == 3
    assert approved.events.count() == 3
    # 9 onboarding demo merchants and the shops after approval (merchants/compliance/demo.py).
    assert OnboardingApplication.objects.count() == 9 + len(COMPLIANCE_MERCHANTS)
    assert outbox.messages() == []


def test_seed_demo_fills_both_belts_with_bases_providers_and_members(settings):
    from industrybelts.models import Belt, BeltMembership, ProviderMember, ServiceProvider

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    jade, apparel = Belt.objects.get(slug="jade"), Belt.objects.get(slug="apparel")
    assert {"四会玉器城", "平洲玉器街", "瑞丽姐告翡翠直播基地"} == set(
        jade.bases.values_list("name", flat=True)
    )
    assert apparel.bases.count() == 3
    assert ServiceProvider.objects.filter(status="approved").count() == 2
    assert ProviderMember.objects.count() == 3
    assert BeltMembership.objects.filter(status="approved").count() == 2
    assert BeltMembership.objects.filter(status="applied").count() == 1


def test_seed_demo_lists_goods_with_processed_photos(settings):
    from storefront.models import Product, ProductImage

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert Product.objects.filter(status="published").count() == 3 * settings.DEMO_PRODUCTS_PER_MERCHANT
    assert Product.objects.filter(belt__slug="jade").exists()
    assert ProductImage.objects.count() == Product.objects.count()  # one photo each, processed by Celery


def test_seed_demo_gives_each_shop_a_processed_video_in_discovery(settings):
    from storefront.models import FeedSlot, Product, Video

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    videos = list(Video.objects.all())
    assert len(videos) == 3  # one per demo shop, not one more on the second run
    assert all(video.status == "published" and video.file and video.poster for video in videos)
    assert all(video.width == 360 and video.height == 640 for video in videos)
    assert not any(video.original for video in videos)
    assert Product.objects.filter(featured_video__isnull=False).count() == 3
    assert FeedSlot.objects.filter(video__isnull=False).exists()  # the cycle after them saw them
