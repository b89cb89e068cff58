"""A partner's Python client, generated from the schema the portal serves, against a live portal.

openapi-python-client (pinned in requirements-dev.txt) reads /api/schema/ of a running
portal and writes a client package into a temporary folder, offline; the test imports that
package and does what a partner's integration does with it. A schema that offered a body
in several media types, or answers it does not describe, made such a client fail to
import or to read the portal's answers.
"""

import importlib
import io
import subprocess
import sys
import uuid

import httpx
import pytest
from PIL import Image

from core.api.scopes import MERCHANT_SCOPES
from merchants.models import ApplicationStatus
from storefront.models import Product, ProductStatus
from tests.apiclient import api_client
from tests.factories import ApplicationFactory, fill_application
from tests.industrybelts.conftest import approved_merchant

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "portal_partner_client"
GENERATOR_CONFIG = f"""\
project_name_override: {PACKAGE}
package_name_override: {PACKAGE}
post_hooks: []
"""
GENERATE_ARGUMENTS = ("--path", "schema.json", "--meta", "none", "--config", "config.yaml")


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The client package generated from the live portal's /api/schema/, imported."""
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(GENERATOR_CONFIG)
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", *GENERATE_ARGUMENTS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def _token(user) -> str:
    return api_client(user, MERCHANT_SCOPES)._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer ")


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _operation(tag: str, operation_id: str):
    """The generated module of one operation (its `sync` calls it and reads the answer)."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")


def test_a_generated_client_creates_publishes_reads_back_and_submits(generated_client, live_server):
    client, models, types = (
        importlib.import_module(f"{PACKAGE}.{name}") for name in ("client", "models", "types")
    )
    create = _operation("merchant", "v1_merchant_products_create")
    publish = _operation("merchant", "v1_merchant_products_publish_create")
    read_own = _operation("merchant", "v1_merchant_products_retrieve")
    read_public = _operation("v1", "v1_products_retrieve")
    upload = _operation("merchant", "merchant_documents_upload")
    submit = _operation("merchant", "merchant_application_submit")
    read_application = _operation("merchant", "merchant_application_retrieve")
    seller = approved_merchant()
    applicant = fill_application(ApplicationFactory())
    anyone = client.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    as_seller = client.AuthenticatedClient(
        base_url=live_server.url, token=_token(seller.user), raise_on_unexpected_status=True
    )
    as_applicant = client.AuthenticatedClient(
        base_url=live_server.url, token=_token(applicant.merchant.user), raise_on_unexpected_status=True
    )

    # Given a seller's draft, made with the generated models
    draft = create.sync(
        client=as_seller,
        body=models.ProductWriteRequest(
            title="真丝连衣裙",
            category="apparel",
            source_kind=models.SourceKindEnum.FACTORY,
            origin_region="330102",
            wholesale_price="89.00",
            retail_price="159.00",
            min_order_quantity=2,
            stock_status=models.StockStatusEnum.IN_STOCK,
        ),
    )
    assert isinstance(draft, models.OwnProduct) and draft.status == models.OwnProductStatusEnum.DRAFT

    # When it is published and read back, by the seller and by anyone
    published = publish.sync(public_id=draft.id, client=as_seller)
    public = read_public.sync(public_id=draft.id, client=anyone)
    own = read_own.sync(public_id=draft.id, client=as_seller)

    # Then the good is public with what was sent
    assert published.status == models.OwnProductStatusEnum.PUBLISHED
    assert (public.title, public.wholesale_price, public.retail_price) == ("真丝连衣裙", "89.00", "159.00")
    assert public.shop_name == seller.display_name and own.min_order_quantity == 2
    assert Product.objects.get(public_id=draft.id).status == ProductStatus.PUBLISHED

    # And a refusal comes back as the one error shape, not as an exception
    missing = read_public.sync(public_id=uuid.uuid4(), client=anyone)
    assert isinstance(missing, models.Error) and missing.error.code == "not_found"

    # Given an applicant's draft application: a document replaced as a multipart upload
    document = upload.sync(
        client=as_applicant,
        body=models.DocumentUploadRequest(
            slot="id_front",
            file=types.File(payload=io.BytesIO(_jpeg()), file_name="id-front.jpg", mime_type="image/jpeg"),
        ),
    )
    assert isinstance(document, models.Document) and document.original_name == "id-front.jpg"

    # When the application is submitted
    submitted = submit.sync(client=as_applicant)

    # Then it is in review's queue, and says so when read back
    assert submitted.status == models.ApplicationStatusEnum.SUBMITTED
    assert read_application.sync(client=as_applicant).status == submitted.status
    applicant.refresh_from_db()
    assert applicant.status == ApplicationStatus.SUBMITTED
