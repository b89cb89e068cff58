"""Bearer-token authentication for partners: `Authorization: Bearer ksp_...`.

The token model belongs to the accounts app (settings.API_TOKEN_MODEL, like
AUTH_USER_MODEL): the kernel reads it through the app registry, never by import. It
must offer `digest(raw_key)`, `key_digest`, `user`, `revoked_at`, `is_usable`,
`last_used_at` and `scopes`.
"""

import functools

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions


@functools.cache
def token_model():
    """The API token model named by settings.API_TOKEN_MODEL."""
    return apps.get_model(settings.API_TOKEN_MODEL)


def is_api_token(auth) -> bool:
    """Return whether a request's `auth` is an API token (not a session or nothing)."""
    return isinstance(auth, token_model())


# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        model = token_model()
        token = model.objects.select_related("user").filter(key_digest=model.digest(raw_key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        self._touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword

    @staticmethod
    def _touch(token) -> None:
        now = timezone.now()
        last = token.last_used_at
        if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "ksp_<secret>"}
