import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from storefront import services as storefront_services
from storefront.campaigns import services
from storefront.campaigns.models import Campaign, CampaignEntry
from tests.factories import StaffFactory, UserFactory
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.campaigns.conftest import make_campaign
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_merchant_signs_a_good_up_and_a_double_click_changes_nothing(client, seller, campaign):
    product = make_product(seller)
    client.force_login(seller.user)
    url = reverse("campaigns:sign-up", args=[campaign.slug])

    page = client.get(reverse("campaigns:merchant-campaigns"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    button = page.content.decode().split(f'data-testid="sign-up-{product.public_id}">')[1].split("<")[0]
    assert button == "报名"  # a campaign's sign-up, not an account's 注册
    first = client.post(url, {"product": str(product.public_id)}, follow=True)
    second = client.post(url, {"product": str(product.public_id)}, follow=True)

    assert 'data-testid="signed-up">已报名<' in first.content.decode()
    assert "已经报过名" in second.content.decode()
    assert CampaignEntry.objects.count() == 1
    assert Campaign.objects.get(pk=campaign.pk).entry_count == 1


def test_another_merchants_good_is_a_404_and_nothing_changes(client, seller, campaign):
    product = make_product(seller)
    other = approved_merchant()
    client.force_login(other.user)

    response = client.post(
        reverse("campaigns:sign-up", args=[campaign.slug]), {"product": str(product.public_id)}
    )

    assert response.status_code == 404
    assert not CampaignEntry.objects.exists()


@pytest.mark.parametrize("product", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_bad_product_ids_are_404(client, seller, campaign, product):
    client.force_login(seller.user)

    assert (
        client.post(reverse("campaigns:sign-up", args=[campaign.slug]), {"product": product}).status_code
        == 404
    )


def test_a_closed_campaign_refuses_with_a_message(client, seller):
    now = timezone.now()
    closed = make_campaign(
        signup_starts_at=now - datetime.timedelta(days=9), signup_ends_at=now - datetime.timedelta(days=1)
    )
    product = make_product(seller)
    client.force_login(seller.user)

    response = client.post(
        reverse("campaigns:sign-up", args=[closed.slug]), {"product": str(product.public_id)}, follow=True
    )

    assert "报名未开放" in response.content.decode()
    assert not CampaignEntry.objects.exists()


def test_the_public_page_shows_rules_count_and_leaderboard(client, seller, campaign):
    product = make_product(seller, title="帝王绿手镯")
    services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    services.refresh_leaderboard(campaign)

    response = client.get(reverse("campaigns:campaign-detail", args=[campaign.slug]))

    html = response.content.decode()
    assert "1106卖货王" in html and "帝王绿手镯" in html
    assert "1 件商品已报名" in html


def test_campaign_page_queries_do_not_grow_with_sign_ups(client, seller, campaign):
    services.campaign_sign_up(campaign=campaign, product=make_product(seller), by=seller.user)
    services.refresh_leaderboard(campaign)
    few = _queries(client, reverse("campaigns:campaign-detail", args=[campaign.slug]))
    for n in range(12):
        services.campaign_sign_up(
            campaign=campaign, product=make_product(seller, title=f"货{n}"), by=seller.user
        )
    services.refresh_leaderboard(campaign)

    assert _queries(client, reverse("campaigns:campaign-detail", args=[campaign.slug])) == few


def test_merchant_campaign_page_queries_do_not_grow_with_goods(client, seller, campaign):
    client.force_login(seller.user)
    make_product(seller)
    few = _queries(client, reverse("campaigns:merchant-campaigns"))
    for n in range(8):
        make_product(seller, title=f"货{n}")

    assert _queries(client, reverse("campaigns:merchant-campaigns")) == few


def test_people_without_a_shop_see_no_sign_up_button(client, campaign):
    client.force_login(UserFactory())

    html = client.get(reverse("campaigns:merchant-campaigns")).content.decode()

    assert "sign-up-" not in html


def test_admin_refuses_a_window_that_ends_before_it_starts(client):
    client.force_login(StaffFactory(group="belt-operations"))
    data = {
        "name": "双十一",
        "slug": "double-eleven",
        "description": "",
        "signup_starts_at_0": "2026-11-10",
        "signup_starts_at_1": "00:00:00",
        "signup_ends_at_0": "2026-11-01",
        "signup_ends_at_1": "00:00:00",
        "min_round": "4",
        "max_entries_per_merchant": "20",
        "leaderboard-TOTAL_FORMS": "0",
        "leaderboard-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:storefront_campaign_add"), data)

    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"signup_ends_at", "min_round"}
    assert not Campaign.objects.exists()


def test_merchant_campaign_page_with_round_rules_does_not_query_per_good(client, seller):
    make_campaign(min_round=2)
    client.force_login(seller.user)
    make_product(seller)
    few = _queries(client, reverse("campaigns:merchant-campaigns"))
    for n in range(8):
        make_product(seller, title=f"货{n}")

    assert _queries(client, reverse("campaigns:merchant-campaigns")) == few


def test_a_cached_campaign_page_costs_one_query_however_long_its_leaderboard(
    client, seller, campaign, django_assert_num_queries
):
    for n in range(5):
        services.campaign_sign_up(
            campaign=campaign, product=make_product(seller, title=f"货{n}"), by=seller.user
        )
    services.refresh_leaderboard(campaign)
    url = reverse("campaigns:campaign-detail", args=[campaign.slug])
    assert client.get(url).status_code == 200

    with django_assert_num_queries(1):  # the campaign's row with the leaderboard's version
        html = client.get(url).content.decode()
    assert "货4" in html


def test_what_the_campaign_page_shows_changes_at_once(client, seller, campaign):
    kept = make_product(seller, title="留榜的手镯")
    leaving = make_product(seller, title="将下架的手镯")
    for product in (kept, leaving):
        services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    services.refresh_leaderboard(campaign)
    url = reverse("campaigns:campaign-detail", args=[campaign.slug])
    assert "将下架的手镯" in client.get(url).content.decode()

    storefront_services.product_unpublish(product=leaving, by=seller.user)
    html = client.get(url).content.decode()
    assert "将下架的手镯" not in html and "留榜的手镯" in html

    storefront_services.product_save(
        merchant=seller, by=seller.user, product=kept, data={"title": "改名的手镯"}
    )
    assert "改名的手镯" in client.get(url).content.decode()

    services.campaign_sign_up(campaign=campaign, product=make_product(seller, title="新报名"), by=seller.user)
    assert "3 件商品已报名" in client.get(url).content.decode()
