"""The API's page shapes: one cursor pagination for every newest-first list, one page-size rule."""

import datetime
import re

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 100
PAGE_SIZE = re.compile(r"[0-9]+")


def page_size_schema(default: int) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": default}


def page_size_description(default: int) -> str:
    return f"Rows per page: 1–{MAX_PAGE_SIZE}, default {default}; anything else is a 400."


def page_size_parameter(default: int) -> OpenApiParameter:
    """`page_size` for a view that pages by itself (the same bounds as NewestFirstPagination)."""
    return OpenApiParameter(
        "page_size", page_size_schema(default), description=page_size_description(default)
    )


CURSOR_DESCRIPTION = "`next` of the previous page, as given (signed: an edited cursor is a 400)."


class NewestFirstPagination(CursorPagination):
    """Opaque cursors over (-created_at, -id): stable while rows are added, cheap at any depth."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return requested_page_size(request, self.page_size)

    def get_schema_operation_parameters(self, view):
        """DRF's two parameters, with the bounds this class enforces (and in English)."""
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": CURSOR_DESCRIPTION,
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": page_size_description(self.page_size),
                "schema": page_size_schema(self.page_size),
            },
        ]

    def decode_cursor(self, request):
        """DRF's cursor, refused with a 400 on `cursor` (not its 404) when edited or out of range."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            try:
                position = parse_datetime(cursor.position)
                if position is None or position.tzinfo is None:
                    raise ValueError
                position.astimezone(datetime.UTC)  # a year-1 date with an offset overflows here
            except (ValueError, OverflowError):
                raise invalid_cursor() from None
        return cursor


def invalid_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("This cursor is not valid; start from the first page.")]})


def requested_page_size(request, default: int) -> int:
    """`page_size` from the query, 1 to MAX_PAGE_SIZE in ASCII digits, or a 400 on the field.

    Digits only: int() would also take " 5", "+5", "5_0" and other scripts' digits, which
    the schema's integer does not allow.
    """
    raw = request.query_params.get("page_size")
    if raw is None:
        page_size = default
    elif PAGE_SIZE.fullmatch(raw):
        page_size = int(raw)
    else:
        page_size = 0
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Choose a page size from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return page_size
