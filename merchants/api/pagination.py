"""The API's page shapes: one cursor pagination for every newest-first list, one page-size rule."""

import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 100


class NewestFirstPagination(CursorPagination):
    """Opaque cursors over (-created_at, -id): stable while rows are added, cheap at any depth."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return requested_page_size(request, self.page_size)

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
    """`page_size` from the query, 1 to MAX_PAGE_SIZE, or a 400 on the field."""
    try:
        page_size = int(request.query_params.get("page_size", default))
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Choose a page size from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]}
        )
    return page_size
