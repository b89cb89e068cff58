"""What /api/schema/ says of every operation: its errors, its request media types, its bounds.

core.api.schema adds these to what drf-spectacular infers; these tests hold the schema
to the rules it states, operation by operation (tests/test_api_contract.py then holds the
running API to the schema).
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.api.middleware import MAX_JSON_BODY_BYTES

ERROR = {"$ref": "#/components/schemas/Error"}
UPLOADS = {
    ("post", "/api/v1/merchant/application/documents/"),
    ("post", "/api/v1/merchant/products/quick-list/"),
}
# Uploads of a spreadsheet rather than of a photo or document.
SPREADSHEET_UPLOADS = {("post", "/api/v1/merchant/imports/")}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_every_operation_declares_the_errors_it_can_answer_in_the_one_error_shape(schema):
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "429"}
        public = {} in operation["security"]
        if not public and path != "/api/v1/me/":
            expected.add("403")  # a scope (or the provider) is checked
        if "{" in path:
            expected.add("404")
        if method != "get":
            expected.add("413")
        if "requestBody" in operation:
            expected.add("415")
        errors = {status for status in responses if status.startswith("4")}
        assert expected <= errors, (method, path, sorted(errors))
        if public or path == "/api/v1/me/":
            assert "403" not in errors, (method, path)
        for status in errors:
            assert responses[status]["content"] == {"application/json": {"schema": ERROR}}, (method, path)
            assert responses[status]["description"], (method, path, status)


def test_the_error_shape_is_code_message_and_fields(schema):
    error = schema["components"]["schemas"]["Error"]

    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "message", "fields"}


def test_state_changes_declare_their_409(schema):
    conflicts = {
        (method, path) for method, path, operation in _operations(schema) if "409" in operation["responses"]
    }

    assert {
        ("post", "/api/v1/merchant/application/submit/"),
        ("post", "/api/v1/merchant/application/withdraw/"),
        ("post", "/api/v1/merchant/application/documents/"),
        ("post", "/api/v1/merchant/products/{public_id}/publish/"),
        ("post", "/api/v1/merchant/products/{public_id}/unpublish/"),
        ("put", "/api/v1/merchant/videos/{public_id}/upload/"),
        ("post", "/api/v1/merchant/videos/{public_id}/complete/"),
        ("post", "/api/v1/provider/memberships/{public_id}/pre-approve/"),
        ("post", "/api/v1/provider/memberships/{public_id}/pre-reject/"),
        ("post", "/api/v1/webhooks/endpoints/"),
        ("post", "/api/v1/webhooks/endpoints/{public_id}/ping/"),
    } <= conflicts
    assert ("get", "/api/v1/products/") not in conflicts


# A chunked upload's pieces are the file's bytes as they are (storefront.content.api_videos).
RAW_PIECES = {("put", "/api/v1/merchant/videos/{public_id}/upload/")}


def test_a_request_body_is_json_except_where_a_file_is_uploaded(schema):
    for method, path, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        content = operation["requestBody"]["content"]
        uploads = UPLOADS | SPREADSHEET_UPLOADS
        expected = "multipart/form-data" if (method, path) in uploads else "application/json"
        if (method, path) in RAW_PIECES:
            expected = "application/octet-stream"
        assert list(content) == [expected], (method, path)
        if (method, path) in SPREADSHEET_UPLOADS:
            assert content[expected]["encoding"]["file"]["contentType"].startswith("text/csv")
        elif expected == "multipart/form-data":
            assert all(
                part["contentType"].startswith("image/jpeg")
                for part in content[expected]["encoding"].values()
            )


def test_strict_bodies_refuse_unknown_fields_and_blank_text(schema):
    components = schema["components"]["schemas"]
    good = components["ProductWriteRequest"]
    webhook = components["WebhookEndpointCreateRequest"]

    assert good["additionalProperties"] is False
    assert components["PatchedProductWriteRequest"]["additionalProperties"] is False
    assert good["properties"]["title"]["pattern"].startswith("[^")  # something besides whitespace
    assert (
        good["properties"]["wholesale_price"]["pattern"]
        == r"^(?:[1-9]\d{0,6}(?:\.\d{1,2})?|0\.(?:0[1-9]|[1-9]\d?))$"
    )
    assert webhook["properties"]["event_types"]["minItems"] == 1
    assert components["RejectionRequest"]["required"] == ["reason"]


def _parameter(schema, path, name):
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return parameter


@pytest.mark.parametrize(
    ("path", "default"),
    [
        ("/api/v1/products/", 24),
        ("/api/v1/feeds/products/", 100),
        ("/api/v1/merchant/products/", 50),
        ("/api/v1/provider/memberships/", 50),
        ("/api/v1/school/items/", 20),
    ],
)
def test_page_size_is_bounded_everywhere(schema, path, default):
    page_size = _parameter(schema, path, "page_size")

    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": default}


@pytest.mark.parametrize(
    ("path", "name", "choices"),
    [
        (
            "/api/v1/provider/memberships/",
            "status",
            {"applied", "pre_approved", "approved", "rejected", "left"},
        ),
        ("/api/v1/products/", "source_kind", {"belt", "origin", "factory", "expert_brand"}),
        ("/api/v1/products/", "sort", {"new", "price", "price_desc", "popular"}),
        ("/api/v1/school/items/", "level", {"beginner", "growing", "advanced"}),
    ],
)
def test_choice_parameters_list_their_choices_and_may_be_sent_empty(schema, path, name, choices):
    parameter = _parameter(schema, path, name)

    assert set(parameter["schema"]["enum"]) == choices
    assert parameter["allowEmptyValue"] is True


def test_filters_of_one_list_are_not_offered_on_its_objects(schema):
    retrieve = schema["paths"]["/api/v1/provider/memberships/{public_id}/"]["get"]

    assert [p["name"] for p in retrieve["parameters"]] == ["public_id"]


def test_the_413_states_the_body_limit(schema):
    operation = schema["paths"]["/api/v1/merchant/products/"]["post"]

    assert f"{MAX_JSON_BODY_BYTES // (1024 * 1024)} MB" in operation["responses"]["413"]["description"]
