"""Response headers every answer carries, whatever produced it (pages, API, static, errors)."""

from django.conf import settings

# The browser features the portal never uses are switched off for it and any frame: a
# script injected despite the CSP still cannot reach the camera, microphone or location.
# Photo and video uploads use the file picker (`capture`), which no policy governs.
DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), browsing-topics=()"
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
