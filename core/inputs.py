"""The one input boundary: characters no field of the portal can store are refused here.

PostgreSQL text and JSON cannot hold NUL (U+0000), and a lone surrogate (U+D800–U+DFFF,
which only JSON's `\\ud800` escape can produce) cannot be encoded as UTF-8 at all; either
reaches the database driver as an error, i.e. a 500, wherever a value is used in a query
or saved. Every request passes `InputBoundaryMiddleware` (query parameters, form and
multipart fields, upload names, JSON bodies) and every CSV cell passes `refuse_unstorable`,
so no view or form handles these characters on its own. Other control characters are
storable and stay a field's own business (a title's validators refuse them).
"""

from __future__ import annotations

import io
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import uploadhandler
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = gettext_lazy("The input contains characters that cannot be stored (such as NUL).")
JSON_CONTENT_TYPES = ("application/json", "application/merge-patch+json")


def has_unstorable(value: str) -> bool:
    return UNSTORABLE.search(value) is not None


def refuse_unstorable(value: str) -> str:
    """Return `value`, or raise the boundary's ValidationError (code `unstorable`)."""
    if has_unstorable(value):
        raise ValidationError(UNSTORABLE_MESSAGE, code="unstorable")
    return value


def _strings_in(data):
    """Yield every key and string value of a parsed JSON document."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, value in item.items():
                yield key
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def unstorable_field(request) -> str | None:
    """Name the first query parameter or body field of `request` holding an unstorable character."""
    for name, values in request.GET.lists():
        if has_unstorable(name) or any(has_unstorable(v) for v in values):
            return name
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        fields, files = _form_fields(request)
        for name, values in fields.lists():
            if has_unstorable(name) or any(has_unstorable(v) for v in values):
                return name
        for name, uploads in files.lists():
            if any(has_unstorable(upload.name or "") for upload in uploads):
                return name
    elif content_type.startswith(JSON_CONTENT_TYPES):
        try:
            document = json.loads(request.body or b"null")
        except ValueError:
            return None  # a malformed body is the parser's 400, with its own message
        if any(has_unstorable(text) for text in _strings_in(document)):
            return "body"
    return None


def _form_fields(request):
    """Return a form body's fields and files, leaving the request's own unparsed under /api/.

    Pages read `request.POST` anyway (CSRF does). An API view parses the body itself and
    must still be able to refuse a media type it does not take (415): once Django has
    parsed `request.POST`, DRF would see the form as already read, so the API's body is
    parsed here from a copy of its bytes.
    """
    if not request.path.startswith("/api/"):
        return request.POST, request.FILES
    body = request.body
    if request.META.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return QueryDict(body, encoding=request.encoding), MultiValueDict()
    handlers = [uploadhandler.load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    try:
        return MultiPartParser(request.META, io.BytesIO(body), handlers, request.encoding).parse()
    except MultiPartParserError:
        return QueryDict(), MultiValueDict()  # the view's parser answers the malformed body


class InputBoundaryMiddleware:
    """Answer 400 before any view runs when a request carries an unstorable character.

    Under /api/ the answer is the API's one error shape (code `unstorable`, the field named);
    elsewhere a short page in the visitor's language. Placed after the API middleware, which
    refuses oversized bodies before this one reads a body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = unstorable_field(request)
        if field is None:
            return self.get_response(request)
        message = str(UNSTORABLE_MESSAGE)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "unstorable",
                        "message": message,
                        "fields": {field: [{"code": "unstorable", "message": message}]},
                    }
                },
                status=400,
            )
        body = render_to_string("400.html", {"message": message, "title": _("Bad request")}, request=request)
        return HttpResponse(body, status=400)
