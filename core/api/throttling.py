"""Rate limits per API token (not per user: one partner's tokens are limited one by one)."""

from rest_framework.throttling import SimpleRateThrottle

from .authentication import is_api_token


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not is_api_token(request.auth):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "api_anonymous"

    def get_cache_key(self, request, view):
        if is_api_token(request.auth):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
