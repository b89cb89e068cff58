import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from merchants import services as merchant_services
from merchants.models import ApplicationStatus
from storefront.campaigns import services
from storefront.campaigns.exceptions import CampaignFull, NotEligible, SignupClosed
from storefront.campaigns.models import Campaign, CampaignEntry, CampaignLeaderboardRow
from storefront.campaigns.tasks import refresh_campaign_leaderboards_task
from storefront.discovery.models import ProductExposure
from storefront.services import NotAllowedToSell
from tests.factories import reviewer
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.campaigns.conftest import make_campaign
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


def test_signing_up_twice_keeps_one_entry(seller, campaign):
    product = make_product(seller)

    first, created = services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    again, created_again = services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)

    assert (created, created_again) == (True, False)
    assert first == again
    assert CampaignEntry.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.entry_count == 1


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(1, 2), (-3, -1)],  # days from now: not yet open, already closed
)
def test_sign_up_outside_the_window_is_refused(seller, starts, ends):
    now = timezone.now()
    campaign = make_campaign(
        signup_starts_at=now + datetime.timedelta(days=starts),
        signup_ends_at=now + datetime.timedelta(days=ends),
    )

    with pytest.raises(SignupClosed):
        services.campaign_sign_up(campaign=campaign, product=make_product(seller), by=seller.user)
    assert not CampaignEntry.objects.exists()


def test_another_merchants_good_is_refused(seller, campaign):
    product = make_product(seller)
    other = approved_merchant()

    with pytest.raises(PermissionDenied):
        services.campaign_sign_up(campaign=campaign, product=product, by=other.user)
    assert not CampaignEntry.objects.exists()


def test_a_suspended_merchant_cannot_sign_up(seller, campaign):
    product = make_product(seller)
    application = seller.applications.get(status=ApplicationStatus.APPROVED)
    merchant_services.application_suspend(application=application, by=reviewer(), reason="售假投诉核实中")
    seller = type(seller).objects.get(pk=seller.pk)
    product.merchant = seller

    with pytest.raises(NotAllowedToSell):
        services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    assert not CampaignEntry.objects.exists()


def test_ineligible_goods_are_refused_with_the_reason(seller, apparel, jade):
    jade_only = make_campaign(belts=[jade])
    climbed = make_campaign(min_round=2)
    product = make_product(seller, belt=apparel, source_kind="belt")
    draft = make_product(seller, title="草稿", publish=False)

    with pytest.raises(NotEligible, match="其他产业带"):
        services.campaign_sign_up(campaign=jade_only, product=product, by=seller.user)
    with pytest.raises(NotEligible, match="第 2 轮"):
        services.campaign_sign_up(campaign=climbed, product=product, by=seller.user)
    with pytest.raises(NotEligible, match="已上架的商品"):
        services.campaign_sign_up(campaign=jade_only, product=draft, by=seller.user)

    ProductExposure.objects.filter(product=product).update(round=2)
    product = type(product).objects.select_related("merchant").get(pk=product.pk)  # as a request loads it
    services.campaign_sign_up(campaign=climbed, product=product, by=seller.user)
    assert CampaignEntry.objects.filter(campaign=climbed).count() == 1


def test_the_cap_refuses_the_next_sign_up_and_keeps_the_count(seller):
    campaign = make_campaign(max_entries=2)
    first, second, third = (make_product(seller, title=f"货{n}") for n in range(3))
    services.campaign_sign_up(campaign=campaign, product=first, by=seller.user)
    services.campaign_sign_up(campaign=campaign, product=second, by=seller.user)

    with pytest.raises(CampaignFull):
        services.campaign_sign_up(campaign=campaign, product=third, by=seller.user)

    campaign.refresh_from_db()
    assert campaign.entry_count == 2
    assert not CampaignEntry.objects.filter(product=third).exists()


def test_a_shop_signs_up_at_most_its_allowance(seller):
    campaign = make_campaign(max_entries_per_merchant=1)
    first, second = make_product(seller), make_product(seller, title="第二件")
    services.campaign_sign_up(campaign=campaign, product=first, by=seller.user)

    with pytest.raises(NotEligible):
        services.campaign_sign_up(campaign=campaign, product=second, by=seller.user)


RACE_ROUNDS = 30


def _sign_up_at_once(campaign, goods, by) -> list[str]:
    """Sign each of `goods` up at once, each in its own thread and connection; return the outcomes."""
    barrier = threading.Barrier(len(goods))
    outcomes = [None] * len(goods)

    def sign_up(index, good):
        try:
            barrier.wait(timeout=10)
            _entry, created = services.campaign_sign_up(campaign=campaign, product=good, by=by)
            outcomes[index] = "created" if created else "existing"
        except NotEligible:
            outcomes[index] = "refused"
        except Exception as error:  # any other outcome fails the test, by name
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=pair) for pair in enumerate(goods)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_goods_signing_up_at_once_cannot_pass_the_shops_cap(seller):
    """The cap was a COUNT then an INSERT: two goods of one shop at once both counted 0 and joined."""
    goods = [make_product(seller, title=f"同时报名{n}") for n in range(2)]

    for round_number in range(RACE_ROUNDS):
        campaign = make_campaign(slug=f"race-{round_number}", max_entries_per_merchant=1)

        outcomes = _sign_up_at_once(campaign, goods, seller.user)

        assert sorted(outcomes) == ["created", "refused"], (round_number, outcomes)
        assert CampaignEntry.objects.filter(campaign=campaign).count() == 1
        assert Campaign.objects.get(pk=campaign.pk).entry_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_good_signing_up_twice_at_once_is_still_one_entry_under_the_lock(seller):
    """The lock comes before the look for an existing entry: the second click finds the first's."""
    good = make_product(seller)

    for round_number in range(RACE_ROUNDS // 3):
        campaign = make_campaign(slug=f"twice-{round_number}", max_entries_per_merchant=1)

        outcomes = _sign_up_at_once(campaign, [good, good], seller.user)

        assert sorted(outcomes) == ["created", "existing"], (round_number, outcomes)
        assert CampaignEntry.objects.filter(campaign=campaign).count() == 1


def test_sign_up_queries_do_not_grow_with_the_sign_ups(seller, campaign):
    """No COUNT or scan over all sign-ups: other shops' entries change nothing."""
    product = make_product(seller)
    others = [approved_merchant() for _ in range(3)]
    for other in others:
        for n in range(3):
            services.campaign_sign_up(
                campaign=campaign, product=make_product(other, title=f"别家{n}"), by=other.user
            )
    baseline_campaign = make_campaign()
    baseline_product = make_product(seller, title="对照")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as busy:
        services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    with CaptureQueriesContext(connection) as quiet:
        services.campaign_sign_up(campaign=baseline_campaign, product=baseline_product, by=seller.user)

    assert len(busy) == len(quiet)
    counts = [q["sql"] for q in busy.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and '"merchant_id" =' in counts[0]  # the shop's own allowance only


def test_the_leaderboard_ranks_by_purchase_clicks(seller, campaign):
    products = [make_product(seller, title=f"货{n}") for n in range(3)]
    for product, clicks in zip(products, (5, 50, 0), strict=True):
        services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
        type(product).objects.filter(pk=product.pk).update(click_count=clicks)

    assert refresh_campaign_leaderboards_task() == 3

    rows = list(
        CampaignLeaderboardRow.objects.filter(campaign=campaign).values_list("rank", "product_id", "score")
    )
    assert rows == [(1, products[1].pk, 50), (2, products[0].pk, 5), (3, products[2].pk, 0)]
    assert Campaign.objects.get(pk=campaign.pk).leaderboard_updated_at is not None


def test_the_cap_cannot_go_below_the_sign_ups(seller, campaign):
    from django.core.exceptions import ValidationError

    for n in range(3):
        services.campaign_sign_up(
            campaign=campaign, product=make_product(seller, title=f"货{n}"), by=seller.user
        )
    campaign.refresh_from_db()
    campaign.max_entries = 2

    with pytest.raises(ValidationError) as error:
        campaign.full_clean()

    assert "max_entries" in error.value.message_dict


def test_hidden_goods_leave_the_leaderboard(seller, campaign):
    from storefront import services as product_services
    from tests.factories import StaffFactory

    shown, hidden = make_product(seller, title="正常"), make_product(seller, title="违规")
    for product in (shown, hidden):
        services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    product_services.product_hide(product=hidden, by=StaffFactory(group="belt-operations"), reason="虚假宣传")

    services.refresh_leaderboard(campaign)

    assert list(CampaignLeaderboardRow.objects.values_list("product_id", flat=True)) == [shown.pk]
