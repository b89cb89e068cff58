"""The partner API against its own OpenAPI schema, with generated requests (schemathesis).

Every operation of /api/schema/ is called with many generated inputs — valid and not —
under a merchant token or a provider token, and must never answer 5xx, and whatever it
answers with a documented status must match the schema (body and content type).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from industrybelts.models import Belt
from merchants.api.scopes import MERCHANT_SCOPES, PROVIDER_SCOPES
from tests.apiclient import api_client
from tests.industrybelts.conftest import approved_merchant, approved_provider, make_base
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _load_schema():
    """The schema /api/schema/ serves, generated in-process; requests go to the WSGI app."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    return loaded


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
    # Thousands of generated requests in a minute: the per-token limits are tested elsewhere.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api_token": None, "api_anonymous": None})
    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    seller = approved_merchant()
    make_product(seller, title="冰种翡翠手镯")
    provider, owner = approved_provider(apparel)
    merchant = api_client(seller.user, MERCHANT_SCOPES)
    partner = api_client(owner, PROVIDER_SCOPES, provider=provider)
    return {
        "merchant": merchant._credentials["HTTP_AUTHORIZATION"],
        "provider": partner._credentials["HTTP_AUTHORIZATION"],
    }


schema = _load_schema()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case, tokens):
    token = tokens["provider"] if case.path.startswith("/api/v1/provider/") else tokens["merchant"]
    case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)
