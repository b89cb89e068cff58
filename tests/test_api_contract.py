"""The partner API against its own OpenAPI schema, with generated requests (schemathesis).

Every operation of /api/schema/ is called with generated inputs, valid and invalid, under a
merchant token or a provider token, and every check schemathesis has judges each answer:
no 5xx; only documented status codes (`status_code_conformance`), content types, headers
and bodies; valid data accepted (`positive_data_acceptance`: a 2xx, or 401/403/404/409)
and invalid data refused (`negative_data_rejection`); authentication enforced; a 405 with
`Allow` for a method a path does not take.

What the test supplies because no schema can say it:

- the tokens: schemathesis generates no Authorization header of its own;
- no NUL character: the input boundary (core.inputs) refuses one in any string of any
  request with 400 `unstorable`, which every operation's 400 says once rather than a
  pattern on each string;
- for a valid case only, what a valid request also needs beyond its shape: references
  that exist (`belt`, `category`, `origin_region`, `province`, a document `slot`, a
  webhook `url` this test may call, a reachable mobile number and e-mail address), the
  rules between fields of a good (wholesale at most retail, a belt good names its belt,
  no link, which must lead to a shop the merchant declared), no `cursor` (it is signed: a
  forged one is a 400, tested in tests/storefront/test_api_feeds.py), and for
  `{public_id}` an object the token reaches, so that successful answers are checked too.
  Each of these refusals has its own test beside its endpoint; invalid cases are sent as
  generated.

Two blind spots of schemathesis 4.32 with file parts are worked around, narrowly: a "valid"
multipart case that its coverage phase builds from the file parts alone is not sent
(`filter_case`), and "invalid data accepted" does not count for a form whose parts, as
sent, are valid (`filter_failure`).
"""

import datetime
import io
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.jsonschema import make_validator
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import _sent_form_fields

from core.api.scopes import MERCHANT_SCOPES, PROVIDER_SCOPES
from core.webhooks import services as webhook_services
from industrybelts import services as belt_services
from industrybelts.models import Belt
from storefront.content import live
from storefront.imports import import_job_create
from tests.apiclient import api_client
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, make_base
from tests.storefront.conftest import make_product
from tests.storefront.content.video_helpers import make_video

pytestmark = pytest.mark.django_db

# Test settings allow http and private addresses for webhooks; nothing listens on port 9.
WEBHOOK_URL = "http://127.0.0.1:9/contract"
# Values of this test's world that the fields naming other objects take in a valid case.
REFERENCES = {
    "belt": "apparel",
    "category": "apparel",
    "origin_region": "330102",
    "province": "330000",
    "slot": "id_front",
    "url": WEBHOOK_URL,
    "email": "seller@example.com",
    "contact_mobile": "13812345678",
}
# The world's object that each kind of `{public_id}` (and `{endpoint_id}`) names.
PATH_OBJECTS = {
    "/api/v1/products/": "product",
    "/api/v1/merchant/products/": "product",
    "/api/v1/merchant/imports/": "import_job",
    "/api/v1/merchant/videos/": "video",
    "/api/v1/provider/merchants/": "merchant",
    "/api/v1/provider/memberships/": "membership",
    "/api/v1/provider/invitations/": "invitation",
    "/api/v1/webhooks/endpoints/": "endpoint",
    "/api/v1/merchant/live-sessions/": "live_session",
}
WORLD: dict = {}
VIDEO_BYTES = 5000  # the size the world's video announced (tests.storefront.content.video_helpers)
MULTIPART = "multipart/form-data"


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


for media_type, image_format in (("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WEBP")):
    schemathesis.openapi.media_type(media_type, st.just(_image(image_format)))


def _load_schema():
    """The schema /api/schema/ serves, generated in-process; requests go to the WSGI app."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    loaded.config.generation.update(allow_x00=False, with_security_parameters=False)
    return loaded


schema = _load_schema()


def _valid_references(values: dict) -> dict:
    values = dict(values)
    values.pop("cursor", None)
    for name, value in REFERENCES.items():
        if values.get(name):
            values[name] = value
    return values


def _valid_good(body: dict) -> dict:
    """The rules between a good's fields that its schema cannot state (storefront.forms)."""
    # A belt good names its belt; a change of the belt alone may leave the good a belt good.
    if body.get("source_kind") == "belt" or ("belt" in body and "source_kind" not in body):
        body["belt"] = REFERENCES["belt"]
    if body.get("link"):
        body["link"] = ""
    wholesale, retail = body.get("wholesale_price"), body.get("retail_price")
    if wholesale and not retail:
        body["retail_price"] = wholesale  # a PATCH keeps the good's retail price otherwise
    elif retail and not wholesale and "wholesale_price" not in body:
        body["wholesale_price"] = retail
    elif wholesale and retail and Decimal(wholesale) > Decimal(retail):
        body["wholesale_price"], body["retail_price"] = retail, wholesale
    return body


def _valid_session(body: dict) -> dict:
    """A live session's rules that its schema cannot state (storefront.content.live): a start
    from now on within 90 days (the clock's rule), goods that exist and are the shop's, an
    https room. An overlap or the cap is a 409, which a valid case may get."""
    if body.get("starts_at"):
        days = 1 + len(WORLD_STARTS) % 80  # a day apart, so fewer valid cases overlap
        body["starts_at"] = (timezone.now() + datetime.timedelta(days=days)).isoformat()
        WORLD_STARTS.append(body["starts_at"])
    if body.get("goods"):
        body["goods"] = [WORLD["product"]]
    if body.get("room_url"):
        body["room_url"] = "https://live.example.com/room"
    return body


WORLD_STARTS: list = []


def _valid_video(body: dict) -> dict:
    """A video shows the merchant's own goods and is announced as a phone's video file."""
    if "products" in body:
        body["products"] = [WORLD["product"]]
    if body.get("file_name"):
        body["file_name"] = "IMG_0001.MOV"
    if body.get("content_type"):
        body["content_type"] = "video/quicktime"
    return body


@schema.hook
def filter_case(context, case):
    """Leave out a "valid" multipart case that lacks a required part.

    With a file part of a registered media type, schemathesis 4.32's coverage phase builds
    one multipart body from those parts alone and calls it valid; it is not.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive or case.media_type != MULTIPART:
        return True
    body = case.operation.get_body_for_media_type(MULTIPART)
    required = (body.resolved_schema or {}).get("required", [])
    return isinstance(case.body, dict) and all(
        case.body.get(name) not in (None, "", b"") for name in required
    )


@schema.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but "invalid data accepted" for a form whose parts, as sent, are valid.

    A form part is text on the wire (a generated title 2 arrives as "2", a valid title), which
    schemathesis allows for, except in a body with a file part, which it cannot validate. Here
    the parts as the server reads them (the last of a repeated one), a file as any text, are
    held against the schema: the resolved one, as written. schemathesis 4.32's optimised schema
    folds an unanchored "contains a non-blank" pattern and the length bounds into one anchored
    pattern, which calls a valid title with a leading U+0085 invalid.
    """
    if not isinstance(failure, AcceptedNegativeData) or case.media_type != MULTIPART:
        return True
    negative = [location for location, part in case.meta.components.items() if part.mode.is_negative]
    fields = _sent_form_fields(response, MULTIPART)
    if negative != [ParameterLocation.BODY] or fields is None:
        return True
    sent = {name: "file" if texts[-1] is None else texts[-1] for name, texts in fields.items()}
    body = case.operation.get_body_for_media_type(MULTIPART)
    validator = make_validator(body.resolved_schema, case.operation.schema.adapter.jsonschema_validator_cls)
    return not validator.is_valid(sent)


def _complete(case) -> None:
    """Give a valid case what a valid request needs beyond its shape (see the module's docstring).

    A container is replaced only when a value changes: schemathesis judges a replaced one
    against the schema again (and cannot judge a file part).
    """
    query = _valid_references(case.query or {})
    if query != (case.query or {}):
        case.query = query
    if isinstance(case.body, dict):
        body = _valid_video(_valid_good(_valid_references(case.body)))
        if case.path.startswith("/api/v1/merchant/live-sessions/"):
            body = _valid_session(body)
        if body != case.body:
            case.body = body
    path_parameters = dict(case.path_parameters or {})
    for prefix, kind in PATH_OBJECTS.items():
        if case.path.startswith(prefix) and "public_id" in path_parameters:
            path_parameters["public_id"] = WORLD[kind]
    if "endpoint_id" in path_parameters:
        path_parameters["endpoint_id"] = WORLD["endpoint"]
        if "public_id" in path_parameters:
            path_parameters["public_id"] = WORLD["delivery"]
    if path_parameters != (case.path_parameters or {}):
        case.path_parameters = path_parameters
    if case.method.upper() == "PUT" and case.path.endswith("/upload/"):
        # A piece starts where the world's video stands (nothing received yet) and fits in
        # the size it announced (VIDEO_BYTES); a piece sent twice is a 409.
        if not isinstance(case.body, bytes) or not 0 < len(case.body) <= VIDEO_BYTES:
            case.body = bytes(100)
        piece = f"bytes 0-{len(case.body) - 1}/{VIDEO_BYTES}"
        case.headers = {**(case.headers or {}), "Content-Range": piece}


@pytest.fixture
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(monkeypatch, _keep_the_test_connection):
    """A belt with its provider, a merchant of the belt with a good, a webhook endpoint; tokens."""
    # Thousands of generated requests in a minute: the per-token limits are tested elsewhere.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api_token": None, "api_anonymous": None})
    apparel = Belt.objects.get(slug="apparel")
    base = make_base(apparel, name="杭州四季青服装市场", county="330102")
    provider, owner = approved_provider(apparel)
    seller = approved_merchant()
    membership = belt_services.membership_apply(merchant=seller, belt=apparel, base=base, by=seller.user)
    belt_services.membership_pre_approve(membership=membership, by=owner)
    belt_services.membership_approve(membership=membership, by=belt_ops())
    good = make_product(seller, title="冰种翡翠手镯")
    invitation, _code = belt_services.merchant_invitation_create(provider=provider, belt=apparel, by=owner)
    endpoint, _secret = webhook_services.webhook_endpoint_create(
        owner=seller.user, url=WEBHOOK_URL, event_types=["product.published"]
    )
    delivery = webhook_services.webhook_endpoint_ping(endpoint=endpoint)
    job = import_job_create(
        merchant=seller,
        by=seller.user,
        upload=SimpleUploadedFile(
            "goods.csv",
            "标题,类目,货源类型,产地,批发价,零售价\n连衣裙,服装鞋包,工厂好货,330102,50,99\n".encode(),
        ),
    )
    session = live.live_session_schedule(
        merchant=seller,
        by=seller.user,
        title="冰种翡翠专场",
        starts_at=timezone.now() + datetime.timedelta(hours=2),
        expected_minutes=60,
        products=[good],
    )
    video = make_video(seller, [good], status="uploading")
    WORLD.update(
        live_session=str(session.public_id),
        video=str(video.public_id),
        import_job=str(job.public_id),
        product=str(good.public_id),
        merchant=str(seller.public_id),
        membership=str(membership.public_id),
        invitation=str(invitation.public_id),
        endpoint=str(endpoint.public_id),
        delivery=str(delivery.public_id),
    )
    merchant = api_client(seller.user, MERCHANT_SCOPES)
    partner = api_client(owner, PROVIDER_SCOPES, provider=provider)
    yield {
        "merchant": merchant._credentials["HTTP_AUTHORIZATION"],
        "provider": partner._credentials["HTTP_AUTHORIZATION"],
    }
    WORLD.clear()
    WORLD_STARTS.clear()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_keeps_its_contract(case, tokens):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _complete(case)
    token = tokens["provider"] if case.path.startswith("/api/v1/provider/") else tokens["merchant"]
    case.call_and_validate(headers={"Authorization": token})
