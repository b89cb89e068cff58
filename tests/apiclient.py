"""An API client carrying a fresh token with the given scopes (a provider's with `provider`)."""

from rest_framework.test import APIClient

from merchants import services as merchant_services


def api_client(user=None, scopes=(), *, provider=None, **token):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.token, raw = merchant_services.api_token_create(
            user=user, name="对接系统", scopes=[str(s) for s in scopes], provider=provider, **token
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client
