"""The provider's side of the partner API, public bases and the merchant's memberships.

The matrix: provider of belt A against belt B's objects, read-only tokens against writes,
merchant tokens against provider endpoints, a token whose owner left the provider.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.api.scopes import Scope
from industrybelts import services
from industrybelts.models import BeltMembership, MembershipStatus, MerchantInvitation, ProviderMember
from merchants.models import ApplicationStatus, MerchantProfile
from tests.apiclient import api_client
from tests.factories import UserFactory
from tests.industrybelts.conftest import approved_merchant, approved_provider, make_base

pytestmark = pytest.mark.django_db

PROVIDER_ALL = (
    Scope.PROVIDER_MERCHANTS_READ,
    Scope.PROVIDER_MEMBERSHIPS_WRITE,
    Scope.PROVIDER_INVITATIONS_READ,
    Scope.PROVIDER_INVITATIONS_WRITE,
)


def _applied(merchant, belt):
    return services.membership_apply(merchant=merchant, belt=belt, base=belt.bases.first(), by=merchant.user)


@pytest.fixture
def world(apparel):
    """Provider A serves apparel; provider B serves a second belt; one application in each."""
    from industrybelts.models import Belt, BeltStatus

    other = Belt.objects.create(slug="tea", name="茶叶带", category=apparel.category, status=BeltStatus.OPEN)
    make_base(other, name="安溪茶叶市场", county="350524")
    provider_a, owner_a = approved_provider(apparel)
    provider_b, owner_b = approved_provider(other)
    in_a = _applied(approved_merchant(), apparel)
    in_b = _applied(approved_merchant(), other)
    return {
        "apparel": apparel,
        "other": other,
        "a": provider_a,
        "owner_a": owner_a,
        "b": provider_b,
        "owner_b": owner_b,
        "in_a": in_a,
        "in_b": in_b,
    }


def _provider_client(world, key="a", scopes=PROVIDER_ALL, **token):
    return api_client(world[f"owner_{key}"], scopes, provider=world[key], **token)


def test_provider_lists_only_its_belts_memberships_and_merchants(world):
    client = _provider_client(world)

    belts = client.get("/api/v1/provider/belts/").json()
    memberships = client.get("/api/v1/provider/memberships/").json()["results"]
    merchants = client.get("/api/v1/provider/merchants/").json()["results"]

    assert [b["slug"] for b in belts] == ["apparel"]
    assert [m["id"] for m in memberships] == [str(world["in_a"].public_id)]
    assert [m["id"] for m in merchants] == [str(world["in_a"].merchant.public_id)]
    assert merchants[0]["application"]["status"] == ApplicationStatus.APPROVED
    assert {d["kind"] for d in merchants[0]["application"]["documents"]} >= {"id_front", "id_back"}


def test_provider_of_belt_a_gets_404_for_belt_b_objects_and_nothing_changes(world):
    client = _provider_client(world)
    other = world["in_b"]

    read = client.get(f"/api/v1/provider/memberships/{other.public_id}/")
    decide = client.post(f"/api/v1/provider/memberships/{other.public_id}/pre-approve/", {}, format="json")
    merchant = client.get(f"/api/v1/provider/merchants/{other.merchant.public_id}/")
    invite = client.post("/api/v1/provider/invitations/", {"belt": "tea"}, format="json")

    assert (read.status_code, decide.status_code, merchant.status_code) == (404, 404, 404)
    assert invite.status_code == 400 and invite.json()["error"]["fields"]["belt"]
    other.refresh_from_db()
    assert other.status == MembershipStatus.APPLIED
    assert not MerchantInvitation.objects.filter(provider=world["a"]).exists()


def test_pre_approve_and_pre_reject_are_actions_with_409_for_a_refused_move(world):
    client = _provider_client(world)
    membership = world["in_a"]

    approved = client.post(
        f"/api/v1/provider/memberships/{membership.public_id}/pre-approve/", {}, format="json"
    )
    again = client.post(
        f"/api/v1/provider/memberships/{membership.public_id}/pre-reject/",
        {"reason": "资质不符"},
        format="json",
    )

    assert approved.status_code == 200 and approved.json()["status"] == MembershipStatus.PRE_APPROVED
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PRE_APPROVED


def test_pre_reject_needs_a_reason_and_refuses_unknown_fields(world):
    client = _provider_client(world)
    url = f"/api/v1/provider/memberships/{world['in_a'].public_id}/pre-reject/"

    no_reason = client.post(url, {}, format="json")
    unknown = client.post(url, {"reason": "不符", "status": "approved"}, format="json")

    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["fields"]["reason"][0]["code"] == "required"
    assert unknown.status_code == 400 and "status" in unknown.json()["error"]["fields"]
    world["in_a"].refresh_from_db()
    assert world["in_a"].status == MembershipStatus.APPLIED


def test_read_only_provider_token_cannot_decide_or_invite(world):
    client = _provider_client(world, scopes=(Scope.PROVIDER_MERCHANTS_READ, Scope.PROVIDER_INVITATIONS_READ))

    decide = client.post(
        f"/api/v1/provider/memberships/{world['in_a'].public_id}/pre-approve/", {}, format="json"
    )
    invite = client.post("/api/v1/provider/invitations/", {"belt": "apparel"}, format="json")

    assert (decide.status_code, invite.status_code) == (403, 403)
    assert decide.json()["error"]["code"] == "insufficient_scope"
    world["in_a"].refresh_from_db()
    assert world["in_a"].status == MembershipStatus.APPLIED
    assert not MerchantInvitation.objects.exists()


def test_a_merchant_token_cannot_use_provider_endpoints(world):
    merchant = world["in_a"].merchant
    client = api_client(merchant.user, (Scope.PROFILE_READ, Scope.MEMBERSHIPS_READ))

    assert client.get("/api/v1/provider/memberships/").status_code == 403


def test_a_token_whose_owner_left_the_provider_stops_working(world):
    client = _provider_client(world)
    ProviderMember.objects.filter(provider=world["a"], user=world["owner_a"]).delete()

    response = client.get("/api/v1/provider/memberships/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "provider_access_ended"


def test_revoked_and_expired_provider_tokens_are_401(world):
    import datetime

    from django.utils import timezone

    from merchants import services as merchant_services

    revoked = _provider_client(world)
    merchant_services.api_token_revoke(token=revoked.token)
    expired = _provider_client(world, expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert revoked.get("/api/v1/provider/belts/").status_code == 401
    assert expired.get("/api/v1/provider/belts/").status_code == 401


def test_invitation_link_is_shown_once_and_works_in_the_browser(world, client):
    api = _provider_client(world)

    created = api.post(
        "/api/v1/provider/invitations/", {"belt": "apparel", "note": "四季青 3 楼"}, format="json"
    )
    listed = api.get("/api/v1/provider/invitations/").json()["results"]

    assert created.status_code == 201
    link = created.json()["link"]
    assert "/belts/invite/" in link
    assert listed[0]["state"] == "open" and "link" not in listed[0]
    assert client.get(link.split("testserver", 1)[-1]).status_code == 200


def test_recruiting_prepares_a_draft_the_seller_completes_in_the_browser(
    world, outbox, django_capture_on_commit_callbacks
):
    api = _provider_client(world)
    recruit = {
        "belt": "apparel",
        "email": "boss@sijiqing.example",
        "shop_name": "四季青小香风女装",
        "seller_type": "stall",
        "contact_mobile": "13812345678",
        "entity_type": "individual_business",
        "legal_name": "杭州小香风服饰店",
    }

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/provider/invitations/recruit/", recruit, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["prefill"]["display_name"] == "四季青小香风女装"
    [mail] = outbox.wait_for(1)
    assert created.json()["link"] in mail.body and mail.to == ["boss@sijiqing.example"]
    code = created.json()["link"].rstrip("/").rsplit("/", 1)[-1]
    seller = UserFactory(email="boss@sijiqing.example")
    services.merchant_invitation_claim(code=code, user=seller)
    profile = MerchantProfile.objects.get(user=seller)
    application = profile.applications.get()
    assert application.status == ApplicationStatus.DRAFT
    assert (application.entity_type, application.legal_name) == ("individual_business", "杭州小香风服饰店")
    assert (profile.display_name, profile.contact_mobile) == ("四季青小香风女装", "+8613812345678")
    merchants = api.get("/api/v1/provider/merchants/").json()["results"]
    assert str(profile.public_id) in [m["id"] for m in merchants]


def test_recruit_validates_its_fields(world):
    api = _provider_client(world)

    response = api.post(
        "/api/v1/provider/invitations/recruit/",
        {"belt": "apparel", "shop_name": "店", "seller_type": "alien", "contact_mobile": "12345"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"seller_type", "contact_mobile"}
    assert not MerchantInvitation.objects.exists()


def test_provider_lists_have_constant_queries(world):
    api = _provider_client(world)
    for _ in range(4):
        _applied(approved_merchant(), world["apparel"])

    api.get("/api/v1/provider/belts/")  # the token's last-use stamp is written once a minute

    def count(url, size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url, {"page_size": size}).status_code == 200
        return len(queries)

    for url in (
        "/api/v1/provider/memberships/",
        "/api/v1/provider/merchants/",
        "/api/v1/provider/invitations/",
    ):
        assert count(url, 1) == count(url, 5), url


def test_provider_tokens_page_is_for_owners_and_managers(world, client):
    agent = UserFactory()
    ProviderMember.objects.create(provider=world["a"], user=agent, role="agent")

    client.force_login(agent)
    assert client.get("/provider/api-tokens/").status_code == 404
    client.force_login(world["owner_a"])
    page = client.get("/provider/api-tokens/")
    made = client.post(
        "/provider/api-tokens/",
        {"name": "CRM", "scopes": [Scope.PROVIDER_MERCHANTS_READ], "expires_in_days": "30"},
    )
    merchant_scope = client.post("/provider/api-tokens/", {"name": "x", "scopes": [Scope.PRODUCTS_WRITE]})

    assert page.status_code == 200
    assert made.status_code == 200 and "ksp_" in made.content.decode()
    assert merchant_scope.status_code == 400
    token = world["a"].api_tokens.get()
    assert token.scopes == [Scope.PROVIDER_MERCHANTS_READ] and token.user == world["owner_a"]


# --- Public and merchant ---------------------------------------------------------------------


def test_public_bases_filter_by_belt(world):
    response = api_client().get("/api/v1/bases/", {"belt": "tea"})

    assert response.status_code == 200
    assert [b["name"] for b in response.json()] == ["安溪茶叶市场"]


def test_merchant_reads_only_its_own_memberships(world):
    mine = world["in_a"]
    client = api_client(mine.merchant.user, (Scope.MEMBERSHIPS_READ,))
    no_scope = api_client(mine.merchant.user, (Scope.PROFILE_READ,))

    response = client.get("/api/v1/merchant/memberships/")

    assert [m["id"] for m in response.json()["results"]] == [str(mine.public_id)]
    assert no_scope.get("/api/v1/merchant/memberships/").status_code == 403
    assert BeltMembership.objects.count() == 2


def test_list_filters_in_the_query_do_not_break_an_action(world):
    client = _provider_client(world)
    url = f"/api/v1/provider/memberships/{world['in_a'].public_id}/pre-approve/?status=applied"

    response = client.post(url, {}, format="json")

    assert response.status_code == 200 and response.json()["status"] == MembershipStatus.PRE_APPROVED


def test_a_token_for_one_provider_cannot_decide_for_another_provider_of_its_owner(world):
    """The owner of A is also an agent of B, which answers for a membership in the same belt."""
    apparel = world["apparel"]
    provider_c, _owner_c = approved_provider(apparel)
    ProviderMember.objects.create(provider=provider_c, user=world["owner_a"], role="agent")
    membership = _applied(approved_merchant(), apparel)
    BeltMembership.objects.filter(pk=membership.pk).update(provider=provider_c)
    token_for_a = _provider_client(world)

    response = token_for_a.post(
        f"/api/v1/provider/memberships/{membership.public_id}/pre-approve/", {}, format="json"
    )

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_a_belt_the_provider_does_not_serve_is_a_400_on_the_memberships_filter(world):
    client = _provider_client(world)

    served = client.get("/api/v1/provider/memberships/", {"belt": "apparel"})
    not_served = client.get("/api/v1/provider/memberships/", {"belt": "tea"})
    no_such_belt = client.get("/api/v1/provider/memberships/", {"belt": "no-such-belt"})

    assert [m["id"] for m in served.json()["results"]] == [str(world["in_a"].public_id)]
    for refused in (not_served, no_such_belt):
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid"
        assert list(refused.json()["error"]["fields"]) == ["belt"]


def test_a_status_that_is_not_a_membership_status_is_a_400_and_an_empty_one_no_filter(world):
    client = _provider_client(world)

    applied = client.get("/api/v1/provider/memberships/", {"status": "applied"})
    approved = client.get("/api/v1/provider/memberships/", {"status": "approved"})
    empty = client.get("/api/v1/provider/memberships/", {"status": "", "belt": ""})
    unknown = client.get("/api/v1/provider/memberships/", {"status": "pending"})

    assert [m["id"] for m in applied.json()["results"]] == [str(world["in_a"].public_id)]
    assert approved.json()["results"] == []
    assert [m["id"] for m in empty.json()["results"]] == [str(world["in_a"].public_id)]
    assert unknown.status_code == 400 and list(unknown.json()["error"]["fields"]) == ["status"]
