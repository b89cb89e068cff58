"""What every API request goes through before routing, and the API's own error pages.

- Oversized bodies are refused up front, in the one error shape. Django's own limit
  (DATA_UPLOAD_MAX_MEMORY_SIZE) only trips when a view parses the body, so an action that
  reads none (submit, publish) would accept a 10 MB body silently. A JSON body is small by
  nature; a multipart upload carries at most one document (10 MB) plus its form fields.
- A path without its trailing slash is served as if it had one: the site's APPEND_SLASH
  would answer a POST with a redirect (and lose its body), which no HTTP client follows.
- Under /api/, a 404 or 500 from outside a view (no route matched) is JSON too.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from core.uploads import MAX_DOCUMENT_BYTES

API_PREFIX = "/api/"
MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_MULTIPART_BODY_BYTES = MAX_DOCUMENT_BYTES + 1024 * 1024


def body_limit(content_type: str) -> int:
    # A raw body is a piece of a chunked upload (a video's: at most a few MB, the view checks).
    if content_type.startswith(("multipart/", "application/octet-stream")):
        return MAX_MULTIPART_BODY_BYTES
    return MAX_JSON_BODY_BYTES


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            if not request.path_info.endswith("/"):
                request.path_info += "/"
                request.path += "/"
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = body_limit(request.META.get("CONTENT_TYPE", ""))
            if length > limit:
                message = _("The request body is larger than the %(limit)d MB this endpoint accepts.") % {
                    "limit": limit // (1024 * 1024)
                }
                return api_error("request_too_large", message, 413)
        return self.get_response(request)
