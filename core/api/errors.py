"""One JSON error shape for the whole API.

    {"error": {"code": "not_authenticated", "message": "...", "fields": {...}}}

`code` is stable and machine-readable; `message` is localised by the request's
Accept-Language; `fields` appears for validation errors, keyed by field name.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import DomainError


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def _codes(detail):
    if isinstance(detail, dict):
        return {key: _codes(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_codes(item) for item in detail]
    return {"code": getattr(detail, "code", "invalid"), "message": str(detail)}


def invalid_form(form) -> exceptions.ValidationError:
    """A Django form's errors as the API's 400: each field's messages, under `fields`."""
    return exceptions.ValidationError(
        {field: [str(error) for error in errors] for field, errors in form.errors.items()}
    )


class DomainRefusal(exceptions.APIException):
    """A domain error (merchants.exceptions.DomainError) as an API error: its code, its status."""

    def __init__(self, error):
        self.status_code = error.http_status
        self.error_code = error.code
        super().__init__(detail=str(error), code=error.code)


def api_exception_handler(exc, context):
    """Render every API error in the one shape; unknown exceptions stay 500s for logging."""
    if isinstance(exc, DomainError):
        exc = DomainRefusal(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    body: dict = {"code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = _first_message(exc.detail)
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["fields"] = _codes(detail)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else exc.default_code
        body["message"] = _first_message(exc.detail)
    if getattr(exc, "error_code", None):
        body["code"] = exc.error_code
    return Response({"error": body}, status=response.status_code, headers=_headers(response))


def _headers(response):
    return {
        key: value for key, value in response.items() if key in ("WWW-Authenticate", "Retry-After", "Allow")
    }
