"""Refuse oversized API bodies before any view reads them, in the API's one error shape.

Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) only trips when a view parses the body,
so an action that reads none (submit, publish) would accept a 10 MB body silently. A JSON
body is small by nature; a multipart upload carries at most one document (10 MB) plus its
form fields.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from ..uploads import MAX_DOCUMENT_BYTES

API_PREFIX = "/api/"
MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_MULTIPART_BODY_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024


def body_limit(content_type: str) -> int:
    return MAX_MULTIPART_BODY_BYTES if content_type.startswith("multipart/") else MAX_JSON_BODY_BYTES


class ApiBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = body_limit(request.META.get("CONTENT_TYPE", ""))
            if length > limit:
                message = _("The request body is larger than the %(limit)d MB this endpoint accepts.") % {
                    "limit": limit // (1024 * 1024)
                }
                return JsonResponse({"error": {"code": "request_too_large", "message": message}}, status=413)
        return self.get_response(request)
