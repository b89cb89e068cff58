"""Rate limits per API token (not per user: one partner's tokens are limited one by one)."""

from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "api_anonymous"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
