"""Live sessions in the partner API: the merchant's flows, the provider's schedule, the feed."""

import datetime

import pytest
from django.utils import timezone

from core.api.scopes import MERCHANT_SCOPES, PROVIDER_SCOPES, Scope
from industrybelts import services as belt_services
from storefront import catalog
from storefront.content import live
from storefront.content.models import LiveSession, LiveStatus
from tests.apiclient import api_client
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops
from tests.storefront.conftest import make_product

from .conftest import schedule

pytestmark = pytest.mark.django_db

BASE = "/api/v1/merchant/live-sessions/"


def _tomorrow_at_20_beijing() -> str:
    day = (timezone.localtime() + datetime.timedelta(days=1)).date()
    return f"{day.isoformat()}T20:00:00+08:00"


def test_schedule_change_go_live_and_end_through_the_api(seller, good):
    client = api_client(seller.user, MERCHANT_SCOPES)

    created = client.post(
        BASE,
        {"title": "API 直播", "starts_at": _tomorrow_at_20_beijing(), "expected_minutes": 45,
         "goods": [str(good.public_id)], "room_url": "https://live.example.com/a"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "scheduled" and body["starts_at"].endswith("T20:00:00+08:00")
    assert body["goods"] == [{"id": str(good.public_id), "title": good.title}]
    session = LiveSession.objects.get(public_id=body["id"])
    assert session.starts_at.astimezone(datetime.UTC).hour == 12

    changed = client.patch(f"{BASE}{body['id']}/", {"title": "改名了", "expected_minutes": 60}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "改名了"
    assert changed.json()["goods"] == body["goods"]  # kept

    early = client.post(f"{BASE}{body['id']}/go-live/")
    assert early.status_code == 409 and early.json()["error"]["code"] == "go_live_too_early"

    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() + datetime.timedelta(minutes=5))
    went = client.post(f"{BASE}{body['id']}/go-live/")
    assert went.status_code == 200 and went.json()["status"] == "live" and went.json()["went_live_at"]
    ended = client.post(f"{BASE}{body['id']}/end/")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again = client.post(f"{BASE}{body['id']}/end/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_the_api_refuses_as_the_page_does_with_the_rules_codes(seller, good):
    client = api_client(seller.user, MERCHANT_SCOPES)
    other_good = make_product(approved_merchant(), title="别人的")
    first = schedule(seller, hours=30)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).isoformat()

    cases = [
        ({"starts_at": past}, 400, "start_in_past"),
        ({"starts_at": first.starts_at.isoformat()}, 409, "session_overlap"),
        ({"goods": [str(other_good.public_id)]}, 400, "not_your_goods"),
        ({"room_url": "http://live.example.com/a"}, 400, "room_not_https"),
        ({"expected_minutes": 721}, 400, "invalid"),
        ({"colour": "red"}, 400, "invalid"),
    ]
    for change, status, code in cases:
        data = {"title": "x", "starts_at": _tomorrow_at_20_beijing(), "expected_minutes": 60, **change}
        response = client.post(BASE, data, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), change
    assert LiveSession.objects.count() == 1


def test_a_merchant_lists_only_its_own_sessions_in_a_fixed_number_of_queries(
    seller, django_assert_max_num_queries
):
    other = approved_merchant()
    schedule(other, hours=2)
    schedule(seller, hours=2, products=[make_product(seller)])
    client = api_client(seller.user, [Scope.PRODUCTS_READ])
    client.get(BASE)
    with django_assert_max_num_queries(10) as first:
        client.get(BASE)
    for day in range(1, 6):
        schedule(seller, hours=24 * day, products=[make_product(seller, title=f"货{day}")])

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(BASE)

    assert len(response.json()["results"]) == 6


def _member(merchant, belt, owner):
    membership = belt_services.membership_apply(
        merchant=merchant, belt=belt, base=belt.bases.first(), by=merchant.user
    )
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())


def test_a_provider_token_reads_its_belts_schedule_only(seller, apparel, jade):
    provider, owner = approved_provider(apparel)
    other_provider, other_owner = approved_provider(jade)
    _member(seller, apparel, owner)
    mine = schedule(seller, hours=2)
    schedule(approved_merchant(), hours=2)  # in no belt

    response = api_client(owner, PROVIDER_SCOPES, provider=provider).get("/api/v1/provider/live-sessions/")
    theirs = api_client(other_owner, PROVIDER_SCOPES, provider=other_provider).get(
        "/api/v1/provider/live-sessions/"
    )

    assert [row["id"] for row in response.json()["results"]] == [str(mine.public_id)]
    assert theirs.json()["results"] == []


def test_the_public_feed_lists_changes_oldest_first_and_resumes_from_its_cursor(seller, monkeypatch):
    monkeypatch.setattr(catalog, "FEED_SETTLE", datetime.timedelta(0))
    first = schedule(seller, hours=2, title="第一场")
    second = schedule(seller, hours=5, title="第二场")
    client = api_client()

    page = client.get("/api/v1/feeds/live-sessions/", {"page_size": 1}).json()
    assert [row["id"] for row in page["results"]] == [str(first.public_id)]
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [str(second.public_id)]

    live.live_session_cancel(session=first, by=seller.user)
    since = client.get(
        "/api/v1/feeds/live-sessions/", {"updated_since": second.updated_at.isoformat()}
    ).json()
    assert [(row["id"], row["status"]) for row in since["results"]] == [
        (str(second.public_id), "scheduled"),
        (str(first.public_id), LiveStatus.CANCELLED),
    ]
    bad = client.get("/api/v1/feeds/live-sessions/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
