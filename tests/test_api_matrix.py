"""The role × object matrix over every endpoint of the partner API.

Every operation in the schema has a row here (a new endpoint fails
`test_the_matrix_covers_every_operation` until it gets one). Each row is called by the
actors who must be refused — no token, a revoked or expired token, a token without the
scope, a token of the other kind, and the other merchant or provider with every scope —
against merchant A's or provider A's objects; each refusal has its status and code, and
the database fingerprint shows nothing changed.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from core.api.scopes import MERCHANT_SCOPES, PROVIDER_SCOPES, Scope
from core.webhooks import services as webhook_services
from core.webhooks.models import WebhookDelivery, WebhookEndpoint
from industrybelts import services as belt_services
from industrybelts.models import Belt, BeltMembership, BeltStatus, MerchantInvitation
from merchants import services as merchant_services
from merchants.models import ApiToken, ApplicationDocument, OnboardingApplication
from storefront.content import live
from storefront.content.models import LiveSession, Video
from storefront.imports import import_job_create
from storefront.models import ImportJob, Product, ProductEvent
from tests.apiclient import api_client
from tests.factories import image_upload
from tests.industrybelts.conftest import approved_merchant, approved_provider, make_base
from tests.storefront.conftest import make_product
from tests.storefront.content.video_helpers import make_video

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    method: str
    template: str
    kind: str  # "public", "merchant", "provider" or "both": whose tokens the endpoint serves
    scope: str | None = None
    addressed: bool = False  # names one of A's objects: others get 404
    body: dict | None = None
    multipart: bool = False


GOOD = {
    "title": "真丝连衣裙", "category": "apparel", "source_kind": "factory", "origin_region": "330102",
    "wholesale_price": "89.00", "retail_price": "159.00", "min_order_quantity": 2, "stock_status": "in_stock",
}  # fmt: skip
VIDEO = {"title": "新视频", "products": [], "file_name": "a.mp4", "size": 100, "content_type": "video/mp4"}

SESSION = {"title": "新场次", "starts_at": "2099-01-01T20:00:00+08:00", "expected_minutes": 60}

ROWS = [
    Row("GET", "/api/v1/", "public"),
    Row("GET", "/api/v1/bases/", "public"),
    Row("GET", "/api/v1/belts/", "public"),
    Row("GET", "/api/v1/feeds/products/", "public"),
    Row("GET", "/api/v1/feeds/live-sessions/", "public"),
    Row("GET", "/api/v1/feeds/videos/", "public"),
    Row("GET", "/api/v1/products/", "public"),
    Row("GET", "/api/v1/products/{public_id}/", "public"),
    Row("GET", "/api/v1/school/items/", "public"),
    Row("GET", "/api/v1/school/items/{slug}/", "public"),
    Row("GET", "/api/v1/me/", "any"),
    Row("GET", "/api/v1/merchant/profile/", "merchant", Scope.PROFILE_READ),
    Row("GET", "/api/v1/merchant/application/", "merchant", Scope.APPLICATION_READ),
    Row("POST", "/api/v1/merchant/application/submit/", "merchant", Scope.APPLICATION_WRITE),
    Row("POST", "/api/v1/merchant/application/withdraw/", "merchant", Scope.APPLICATION_WRITE),
    Row("GET", "/api/v1/merchant/application/documents/", "merchant", Scope.APPLICATION_READ),
    Row(
        "POST", "/api/v1/merchant/application/documents/", "merchant", Scope.APPLICATION_WRITE,
        body={"slot": "id_front"}, multipart=True,
    ),
    Row("GET", "/api/v1/merchant/requirements/", "merchant", Scope.APPLICATION_READ),
    Row("GET", "/api/v1/merchant/memberships/", "merchant", Scope.MEMBERSHIPS_READ),
    Row("GET", "/api/v1/merchant/products/", "merchant", Scope.PRODUCTS_READ),
    Row("POST", "/api/v1/merchant/products/", "merchant", Scope.PRODUCTS_WRITE, body=GOOD),
    Row("GET", "/api/v1/merchant/products/{public_id}/", "merchant", Scope.PRODUCTS_READ, addressed=True),
    Row(
        "PATCH", "/api/v1/merchant/products/{public_id}/", "merchant", Scope.PRODUCTS_WRITE,
        addressed=True, body={"title": "被改了"},
    ),
    Row("POST", "/api/v1/merchant/products/{public_id}/publish/", "merchant", Scope.PRODUCTS_WRITE, addressed=True),  # noqa: E501
    Row(
        "POST", "/api/v1/merchant/products/{public_id}/unpublish/", "merchant", Scope.PRODUCTS_WRITE,
        addressed=True,
    ),
    Row(
        "POST", "/api/v1/merchant/products/quick-list/", "merchant", Scope.PRODUCTS_WRITE,
        body={"title": "快速上架", "price": "19.90"}, multipart=True,
    ),
    Row("GET", "/api/v1/merchant/products/export/", "merchant", Scope.PRODUCTS_READ),
    Row("POST", "/api/v1/merchant/imports/", "merchant", Scope.PRODUCTS_WRITE, multipart=True),
    Row("GET", "/api/v1/merchant/imports/{public_id}/", "merchant", Scope.PRODUCTS_READ, addressed=True),
    Row("POST", "/api/v1/merchant/imports/{public_id}/confirm/", "merchant", Scope.PRODUCTS_WRITE, addressed=True),  # noqa: E501
    Row("GET", "/api/v1/merchant/live-sessions/", "merchant", Scope.PRODUCTS_READ),
    Row("POST", "/api/v1/merchant/live-sessions/", "merchant", Scope.PRODUCTS_WRITE, body=SESSION),
    Row("GET", "/api/v1/merchant/live-sessions/{public_id}/", "merchant", Scope.PRODUCTS_READ, addressed=True),  # noqa: E501
    Row(
        "PATCH", "/api/v1/merchant/live-sessions/{public_id}/", "merchant", Scope.PRODUCTS_WRITE,
        addressed=True, body={"title": "被改了"},
    ),
    *(
        Row("POST", f"/api/v1/merchant/live-sessions/{{public_id}}/{move}/", "merchant", Scope.PRODUCTS_WRITE,
            addressed=True)
        for move in ("cancel", "go-live", "end")
    ),
    Row("GET", "/api/v1/provider/live-sessions/", "provider", Scope.PROVIDER_MERCHANTS_READ),
    Row("GET", "/api/v1/merchant/videos/", "merchant", Scope.PRODUCTS_READ),
    Row("POST", "/api/v1/merchant/videos/", "merchant", Scope.PRODUCTS_WRITE, body=VIDEO),
    Row("GET", "/api/v1/merchant/videos/{public_id}/", "merchant", Scope.PRODUCTS_READ, addressed=True),
    Row("PATCH", "/api/v1/merchant/videos/{public_id}/", "merchant", Scope.PRODUCTS_WRITE, addressed=True, body={"title": "被改了"}),  # noqa: E501
    Row("DELETE", "/api/v1/merchant/videos/{public_id}/", "merchant", Scope.PRODUCTS_WRITE, addressed=True),
    Row("PUT", "/api/v1/merchant/videos/{public_id}/upload/", "merchant", Scope.PRODUCTS_WRITE, addressed=True),  # noqa: E501
    Row("POST", "/api/v1/merchant/videos/{public_id}/complete/", "merchant", Scope.PRODUCTS_WRITE, addressed=True),  # noqa: E501
    Row("GET", "/api/v1/provider/belts/", "provider", Scope.PROVIDER_MERCHANTS_READ),
    Row("GET", "/api/v1/provider/merchants/", "provider", Scope.PROVIDER_MERCHANTS_READ),
    Row("GET", "/api/v1/provider/merchants/{public_id}/", "provider", Scope.PROVIDER_MERCHANTS_READ, addressed=True),  # noqa: E501
    Row("GET", "/api/v1/provider/memberships/", "provider", Scope.PROVIDER_MERCHANTS_READ),
    Row(
        "GET", "/api/v1/provider/memberships/{public_id}/", "provider", Scope.PROVIDER_MERCHANTS_READ,
        addressed=True,
    ),
    Row(
        "POST", "/api/v1/provider/memberships/{public_id}/pre-approve/", "provider",
        Scope.PROVIDER_MEMBERSHIPS_WRITE, addressed=True,
    ),
    Row(
        "POST", "/api/v1/provider/memberships/{public_id}/pre-reject/", "provider",
        Scope.PROVIDER_MEMBERSHIPS_WRITE, addressed=True, body={"reason": "资质不符"},
    ),
    Row("GET", "/api/v1/provider/invitations/", "provider", Scope.PROVIDER_INVITATIONS_READ),
    Row("POST", "/api/v1/provider/invitations/", "provider", Scope.PROVIDER_INVITATIONS_WRITE, body={"belt": "apparel"}),  # noqa: E501
    Row(
        "GET", "/api/v1/provider/invitations/{public_id}/", "provider", Scope.PROVIDER_INVITATIONS_READ,
        addressed=True,
    ),
    Row(
        "POST", "/api/v1/provider/invitations/recruit/", "provider", Scope.PROVIDER_INVITATIONS_WRITE,
        body={"belt": "apparel", "shop_name": "新店", "seller_type": "stall"},
    ),
    Row("GET", "/api/v1/webhooks/endpoints/", "both", Scope.WEBHOOKS_READ),
    Row("POST", "/api/v1/webhooks/endpoints/", "both", Scope.WEBHOOKS_WRITE, body={"url": "http://127.0.0.1:9/new", "event_types": ["product.published"]}),  # noqa: E501
    Row("GET", "/api/v1/webhooks/endpoints/{public_id}/", "both", Scope.WEBHOOKS_READ, addressed=True),
    Row("PATCH", "/api/v1/webhooks/endpoints/{public_id}/", "both", Scope.WEBHOOKS_WRITE, addressed=True, body={"is_active": False}),  # noqa: E501
    Row("DELETE", "/api/v1/webhooks/endpoints/{public_id}/", "both", Scope.WEBHOOKS_WRITE, addressed=True),
    Row("POST", "/api/v1/webhooks/endpoints/{public_id}/ping/", "both", Scope.WEBHOOKS_WRITE, addressed=True),
    Row("POST", "/api/v1/webhooks/endpoints/{public_id}/rotate-secret/", "both", Scope.WEBHOOKS_WRITE, addressed=True),  # noqa: E501
    Row("GET", "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries/", "both", Scope.WEBHOOKS_READ, addressed=True),  # noqa: E501
    Row("GET", "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries/{public_id}/", "both", Scope.WEBHOOKS_READ, addressed=True),  # noqa: E501
    Row("POST", "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries/{public_id}/redeliver/", "both", Scope.WEBHOOKS_WRITE, addressed=True),  # noqa: E501
]  # fmt: skip


def test_the_matrix_covers_every_operation():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}

    assert operations == {(row.method, row.template) for row in ROWS}


@pytest.fixture
def world():
    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    tea = Belt.objects.create(slug="tea", name="茶叶带", category=apparel.category, status=BeltStatus.OPEN)
    make_base(tea, name="安溪茶叶市场", county="350524")
    provider_a, owner_a = approved_provider(apparel)
    provider_b, owner_b = approved_provider(tea)
    merchant_a, merchant_b = approved_merchant(), approved_merchant()
    product = make_product(merchant_a, title="A 的商品")
    membership = belt_services.membership_apply(
        merchant=merchant_a, belt=apparel, base=apparel.bases.first(), by=merchant_a.user
    )
    invitation, _code = belt_services.merchant_invitation_create(
        provider=provider_a, belt=apparel, by=owner_a
    )
    endpoint, _secret = webhook_services.webhook_endpoint_create(
        owner=merchant_a.user, url="http://127.0.0.1:9/hook", event_types=["product.published"]
    )
    delivery = webhook_services.webhook_endpoint_ping(endpoint=endpoint)
    video = make_video(merchant_a, [product], status="uploading")
    job = import_job_create(
        merchant=merchant_a,
        by=merchant_a.user,
        upload=SimpleUploadedFile(
            "goods.csv",
            "标题,类目,货源类型,产地,批发价,零售价\n连衣裙,服装鞋包,工厂好货,330102,50,99\n".encode(),
        ),
    )
    session = live.live_session_schedule(
        merchant=merchant_a,
        by=merchant_a.user,
        title="A 的直播",
        starts_at=timezone.now() + datetime.timedelta(minutes=10),
        expected_minutes=60,
        products=[product],
    )
    return {
        "merchant_a": merchant_a,
        "merchant_b": merchant_b,
        "provider_a": (provider_a, owner_a),
        "provider_b": (provider_b, owner_b),
        "ids": {
            "/merchant/products/": product.public_id,
            "/merchant/imports/": job.public_id,
            "/merchant/live-sessions/": session.public_id,
            "/merchant/videos/": video.public_id,
            "/provider/merchants/": merchant_a.public_id,
            "/provider/memberships/": membership.public_id,
            "/provider/invitations/": invitation.public_id,
            "/deliveries/": delivery.public_id,
            "/webhooks/endpoints/": endpoint.public_id,
        },
    }


def _fingerprint():
    """What a refused request must not change."""
    return {
        "products": sorted(Product.objects.values_list("pk", "status", "title")),
        "product_events": ProductEvent.objects.count(),
        "applications": sorted(OnboardingApplication.objects.values_list("pk", "status")),
        "documents": sorted(ApplicationDocument.objects.values_list("pk", flat=True)),
        "memberships": sorted(BeltMembership.objects.values_list("pk", "status")),
        "invitations": MerchantInvitation.objects.count(),
        "tokens": ApiToken.objects.count(),
        "import_jobs": sorted(ImportJob.objects.values_list("pk", "status", "file")),
        "live_sessions": sorted(LiveSession.objects.values_list("pk", "status", "title", "starts_at")),
        "videos": sorted(Video.objects.values_list("pk", "status", "title", "received_bytes")),
        "webhook_endpoints": sorted(WebhookEndpoint.objects.values_list("pk", "url", "is_active", "secret")),
        "webhook_deliveries": sorted(WebhookDelivery.objects.values_list("pk", "status", "attempts")),
    }


def _url(row, world):
    url = row.template.replace("{endpoint_id}", str(world["ids"]["/webhooks/endpoints/"]))
    if "{public_id}" not in url:
        return url
    key = next(prefix for prefix in world["ids"] if prefix in row.template)
    return url.replace("{public_id}", str(world["ids"][key]))


def _send(client, row, world):
    body = dict(row.body or {})
    if row.multipart:
        if "imports" in row.template:
            body["file"] = SimpleUploadedFile("goods.csv", b"title\n")
        else:
            body["file" if "documents" in row.template else "photo"] = image_upload()
    method = getattr(client, row.method.lower())
    if row.method in ("GET", "DELETE"):
        return method(_url(row, world))
    return method(_url(row, world), body, format="multipart" if row.multipart else "json")


def _owner(world, kind, scopes, **token):
    if kind == "provider":
        provider, owner = world["provider_a"]
        return api_client(owner, scopes, provider=provider, **token)
    return api_client(world["merchant_a"].user, scopes, **token)


def _actors(row, world):
    """(label, client, expected status, expected code) for everyone this row must refuse."""
    all_scopes = PROVIDER_SCOPES if row.kind == "provider" else MERCHANT_SCOPES
    revoked = _owner(world, row.kind, all_scopes)
    merchant_services.api_token_revoke(token=revoked.token)
    past = timezone.now() - datetime.timedelta(seconds=1)
    actors = [
        ("no token", api_client(), 401, "not_authenticated"),
        ("revoked", revoked, 401, "authentication_failed"),
        ("expired", _owner(world, row.kind, all_scopes, expires_at=past), 401, "authentication_failed"),
        (
            "without the scope",
            _owner(
                world, row.kind, [s for s in all_scopes if s != row.scope and s != Scope.WEBHOOKS_WRITE][:1]
            ),
            403,
            "insufficient_scope",
        ),
    ]
    if row.kind == "both":
        if row.addressed:
            provider_b, owner_b = world["provider_b"]
            actors.append(
                ("merchant B", api_client(world["merchant_b"].user, MERCHANT_SCOPES), 404, "not_found")
            )
            actors.append(
                ("provider B", api_client(owner_b, PROVIDER_SCOPES, provider=provider_b), 404, "not_found")
            )
    elif row.kind == "provider":
        actors.append(
            (
                "a merchant token",
                api_client(world["merchant_a"].user, MERCHANT_SCOPES),
                403,
                "insufficient_scope",
            )
        )
        if row.addressed:
            provider_b, owner_b = world["provider_b"]
            actors.append(
                (
                    "provider of belt B",
                    api_client(owner_b, PROVIDER_SCOPES, provider=provider_b),
                    404,
                    "not_found",
                )
            )
    else:
        provider, owner = world["provider_a"]
        actors.append(
            (
                "a provider token",
                api_client(owner, PROVIDER_SCOPES, provider=provider),
                403,
                "insufficient_scope",
            )
        )
        if row.addressed:
            actors.append(
                ("merchant B", api_client(world["merchant_b"].user, MERCHANT_SCOPES), 404, "not_found")
            )
    return actors


PROTECTED = [row for row in ROWS if row.kind in ("merchant", "provider", "both")]


@pytest.mark.parametrize("row", PROTECTED, ids=[f"{r.method} {r.template}" for r in PROTECTED])
def test_every_refusal_is_as_designed_and_changes_nothing(row, world):
    for label, client, status, code in _actors(row, world):
        before = _fingerprint()

        response = _send(client, row, world)

        assert (response.status_code, response.json()["error"]["code"]) == (status, code), label
        assert _fingerprint() == before, label


PUBLIC = [row for row in ROWS if row.kind == "public"]


@pytest.mark.parametrize("row", PUBLIC, ids=[f"{r.method} {r.template}" for r in PUBLIC])
def test_public_reads_need_no_token_and_refuse_a_bad_one(row, world):
    from tests.storefront.school.conftest import make_item

    item = make_item(title="公开文章")
    product = Product.objects.get(title="A 的商品")
    url = row.template.replace("{public_id}", str(product.public_id)).replace("{slug}", item.slug)
    revoked = api_client(world["merchant_b"].user, MERCHANT_SCOPES)
    merchant_services.api_token_revoke(token=revoked.token)

    assert api_client().get(url).status_code == 200
    assert revoked.get(url).status_code == 401  # a bad token is never silently ignored
