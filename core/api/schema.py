"""The partner API's OpenAPI schema: what drf-spectacular infers, plus what it cannot see.

One AutoSchema for every operation (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds the
errors each operation can answer, all in the one error shape (core.api.errors):

- 400 everywhere: the input boundary (core.inputs) refuses an unstorable character in
  any query parameter or body with code `unstorable`, before routing;
- 401 everywhere: a bad token is refused even on a public read;
- 403 where a permission beyond "authenticated" is checked (scopes, the provider);
- 404 where the path names an object (and where a view declares it, e.g. "no shop yet");
- 413 on every write method: the API middleware refuses an oversized body up front,
  whether or not the view reads one;
- 415 where the operation takes a body: the parsers refuse another media type;
- 429 everywhere: every operation is throttled;
- 409 and other codes only where a view declares them (the state changes it makes).

A 4xx a view declares with a description only (`OpenApiResponse(description=...)`) gets
the error body here too, so views say *when* and this module says *what it looks like*.
Request bodies of StrictSerializers refuse unknown fields, so their schemas say
`additionalProperties: false`; a text field that may not be blank says it needs a
character other than whitespace (DRF trims it first).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, get_doc
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from .middleware import MAX_JSON_BODY_BYTES, MAX_MULTIPART_BODY_BYTES
from .serializers import StrictSerializer

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ALLOW_EMPTY_VALUE = "x-allow-empty-value"
# DRF trims a CharField's value (str.strip): one that is only whitespace is blank, refused
# unless allowed. The whitespace spelled out as Python's str.isspace() knows it, since `\s`
# means less in the ECMA regexes of JSON Schema (no U+001C-U+001F, U+0085).
NOT_BLANK = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

FIELD_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable, e.g. `required`, `invalid`."},
        "message": {"type": "string", "description": "In the request's language."},
    },
    "required": ["code", "message"],
}
ERROR = {
    "type": "object",
    "description": "The one error shape of the API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable, machine-readable (see the response's description).",
                },
                "message": {"type": "string", "description": "In the request's `Accept-Language`."},
                "fields": {
                    "type": "object",
                    "description": "Validation errors, keyed by field (query parameter or body field): "
                    "a list of errors, or for a list's or an object's members an object of the same "
                    "shape keyed by index or name.",
                    "additionalProperties": {
                        "oneOf": [
                            {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                            {"type": "object"},
                        ]
                    },
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}

_MB = 1024 * 1024
DESCRIPTIONS = {
    "400": "`invalid` (each field's errors under `fields`: a query parameter, a body field, a page "
    "size outside its bounds, an edited cursor), `parse_error` (malformed JSON), `unstorable` (a NUL "
    "character or a lone surrogate anywhere in the request), or a domain rule's code; the message "
    "says what to do.",
    "401": "`not_authenticated` (no token) or `authentication_failed` (an unknown, revoked or expired "
    "token; a public read refuses a bad token too).",
    "403": "`insufficient_scope` (the token lacks the scope, or is the other kind of token), "
    "`provider_access_ended`, or `permission_denied`.",
    "404": "`not_found`: nothing with this address within the token's reach.",
    "409": "The object's status does not allow this (`invalid_transition`).",
    "413": f"`request_too_large`: a JSON body over {MAX_JSON_BODY_BYTES // _MB} MB or a multipart body "
    f"over {MAX_MULTIPART_BODY_BYTES // _MB} MB.",
    "415": "`unsupported_media_type`: send the body as {media}.",
    "429": "`throttled`: too many requests; `Retry-After` says when to try again.",
}


class PartnerAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the API's errors and strict request bodies."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses(responses):
            declared = responses.get(status, {}).get("description", "")
            default = self._default_description(status)
            if status == "400" and declared:
                description = f"{declared}\n\nAny request: {default}"
            else:
                description = declared or default
            responses[status] = {
                "content": {"application/json": {"schema": self._error_component().ref}},
                "description": description,
            }
        return dict(sorted(responses.items()))

    def _get_parameters(self):
        """Say `allowEmptyValue` for a query parameter that takes "" as "not given".

        A choice says so with "" among its choices (a ChoiceField with allow_blank, or
        an enum with ""), any other parameter with the extension `x-allow-empty-value`.
        """
        parameters = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter["in"] == "query" and "" in schema.get("enum", ()):
                schema["enum"] = [value for value in schema["enum"] if value != ""]
                parameter["allowEmptyValue"] = True
            if parameter.pop(ALLOW_EMPTY_VALUE, False):
                parameter["allowEmptyValue"] = True
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request":
            return schema
        if (
            type(field) is serializers.CharField
            and field.trim_whitespace
            and not field.allow_blank
            and "pattern" not in schema
        ):
            schema["pattern"] = NOT_BLANK
        if isinstance(field, serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)
        return schema

    def error_statuses(self, declared) -> set[str]:
        """The 4xx statuses this operation can answer (see the module's docstring)."""
        statuses = {"400", "401", "429"}
        statuses |= {status for status in declared if status.startswith("4")}
        permissions = [type(permission) for permission in self.view.get_permissions()]
        if any(permission not in (AllowAny, IsAuthenticated) for permission in permissions):
            statuses.add("403")
        if "{" in self.path:
            statuses.add("404")
        if self.method in WRITE_METHODS:
            statuses.add("413")
        if self._request_media_types():
            statuses.add("415")
        return statuses

    def _request_media_types(self) -> list[str]:
        body = self._get_request_body()
        return list(body["content"]) if body else []

    def _default_description(self, status: str) -> str:
        media = " or ".join(f"`{media}`" for media in self._request_media_types())
        return DESCRIPTIONS.get(status, "").format(media=media)

    def _error_component(self) -> ResolvedComponent:
        for name, schema in (("FieldError", FIELD_ERROR), ("Error", ERROR)):
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
            )
            self.registry.register_on_missing(component)
        return component

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        strict = StrictSerializer
        if direction == "request" and isinstance(serializer, strict):
            schema["additionalProperties"] = False
            if schema.get("description") == get_doc(strict):  # inherited, says nothing of this body
                schema["description"] = "Unknown fields are refused (400 `invalid`)."
        return schema
