"""The bench's scenarios all answer, on a small seeded scale, so `make bench` cannot rot.

Not a timed test: it drives every scenario of `bench.scenarios` once or twice through
Django's test client, on data written by the bench's own seeder (batched INSERTs on
SQLite, COPY on PostgreSQL), with the bench's URLconf and query-count middleware.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from bench import scenarios
from bench.seed import BENCH_CAMPAIGN_SLUG, SCALES, seed
from storefront.campaigns.models import CampaignEntry
from storefront.content.models import Video
from storefront.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_targets(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    seeded = seed("small")
    targets = scenarios.resolve_targets(api_token=scenarios.bench_api_token())
    return seeded, {**targets, "photo_jpeg": scenarios.photo_jpeg()}


def test_the_seeder_writes_the_scale_with_its_derived_columns(bench_targets):
    seeded, _targets = bench_targets
    scale = SCALES["small"]

    bulk = Product.objects.filter(merchant__user__email__endswith="@bench.local")
    assert bulk.count() == scale.listed_products + scale.draft_products
    assert seeded["merchants"] == scale.merchants * 9 // 10
    assert seeded["campaign_signups"] == scale.listed_products
    product = bulk.select_related("origin_region", "merchant").filter(status="published").first()
    assert product.origin_province == product.origin_region.code[:2] + "0000"
    assert product.origin_city == product.origin_region.code[:4] + "00"
    assert product.seller_type == product.merchant.seller_type
    assert set(product.title.replace(" ", "")) & set(product.search_grams)
    assert product.exposure.in_pool


def test_every_scenario_answers_as_the_load_generator_expects(bench_targets):
    _seeded, targets = bench_targets
    client = Client()
    logged_in = client.post("/accounts/login/", {"login": targets["email"], "password": targets["password"]})
    assert logged_in.status_code == 302
    anonymous = Client()
    state: dict = {}
    failures = []

    for scenario in scenarios.SCENARIOS:
        browser = client if scenario.login else anonymous
        headers = {"Authorization": f"Bearer {targets['api_token']}"} if scenario.api_token else {}
        for path in dict.fromkeys(scenario.paths(targets, 3)):
            if scenario.method == "GET":
                response = browser.get(path, headers=headers)
            elif isinstance(raw := scenario.form(targets, state), scenarios.RawRequest):
                response = browser.generic(
                    scenario.method,
                    raw.path,
                    raw.body,
                    content_type=raw.headers["Content-Type"],
                    headers={**headers, "Content-Range": raw.headers["Content-Range"]},
                )
            else:
                fields, files = raw
                uploads = {name: _upload(*spec) for name, spec in files.items()}
                if scenario.name == "video_upload_start":
                    headers = {**headers, "Accept": "application/json"}
                response = browser.post(path, {**fields, **uploads}, headers=headers)
            if scenario.optional_until and response.status_code == 404:
                continue  # the feature is not built yet; the load generator skips it the same way
            if response.status_code != scenario.expected_status:
                failures.append(f"{scenario.name} {path}: HTTP {response.status_code}")
            if "X-Bench-Queries" not in response.headers:
                failures.append(f"{scenario.name}: no X-Bench-Queries header")
            if scenario.edits_per_second:
                edited = _edit_in_background(targets, len(state.setdefault("edited", [])) + 1)
                state["edited"].append(edited)
                if edited["status"] != 200:
                    failures.append(f"{scenario.name} edit {edited['path']}: HTTP {edited['status']}")
            if scenario.name == "video_upload_start" and response.status_code == 201:
                state.setdefault("video_uploads", []).append(response.json()["upload_url"])
            if scenario.name == "quick_listing":
                public_id = re.search(r"/catalog/p/([0-9a-f-]{36})/", response.headers.get("Location", ""))
                assert public_id, response.headers.get("Location")
                state.setdefault("listed_products", []).append(public_id.group(1))

    assert failures == []
    # The edits made beside the reads changed the goods, and the catalog shows them.
    assert state["edited"]
    last = state["edited"][-1]
    edited = Product.objects.get(public_id=last["public_id"])
    assert edited.intro == last["intro"]
    assert edited.status == "published"
    # The write scenarios did their work: the quick-listed good is live and signed up.
    entry = CampaignEntry.objects.select_related("product").get(
        campaign__slug=BENCH_CAMPAIGN_SLUG, merchant__user__email=targets["email"]
    )
    assert entry.product.title == "压测闪电上架真丝衬衫1"
    assert entry.product.status == "published"
    # The upload's announcement made a video, and its piece arrived whole.
    video = Video.objects.get(title="压测短视频1")
    assert (video.status, video.received_bytes, video.expected_bytes) == ("uploading", 2 << 20, 2 << 20)


def test_the_query_header_counts_every_query_of_the_request(bench_targets):
    _seeded, targets = bench_targets
    path = scenarios.BY_NAME["catalog_list"].paths(targets, 1)[0]

    executed = []

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = Client().get(path)
    hello = Client().get(scenarios.BY_NAME["hello"].paths(targets, 1)[0])

    assert int(response.headers["X-Bench-Queries"]) == len(executed) > 0
    assert hello.headers["X-Bench-Queries"] == "0"
    assert hello.content == b"hello"


def test_the_hello_view_exists_only_in_the_bench_urlconf():
    with pytest.raises(Resolver404):
        resolve("/__bench__/hello/", urlconf="config.urls")
    assert resolve("/__bench__/hello/", urlconf="bench.urls").url_name == "bench-hello"


def _edit_in_background(targets: dict, number: int) -> dict:
    """One of the partner's edits that the load generator makes beside a scenario's reads."""
    path, body = scenarios.background_edit(targets, number)
    response = Client().patch(
        path,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {targets['api_token']}"},
    )
    return {
        "path": path,
        "status": response.status_code,
        "public_id": path.rstrip("/").rsplit("/", 1)[-1],
        "intro": json.loads(body)["intro"],
    }


def _upload(filename, content, content_type):
    return SimpleUploadedFile(filename, content, content_type=content_type)
