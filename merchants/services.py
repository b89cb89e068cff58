"""Writes of the accounts app: welcome e-mails and the lifecycle of API tokens."""

import datetime

from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.utils import timezone

from .emails import send_templated_email
from .models import ApiToken, User


def user_send_welcome(*, user: User, request=None) -> None:
    """Queue the welcome e-mail, in the user's language, for after the commit."""
    site = get_current_site(request) if request is not None else None
    protocol = "https" if request is not None and request.is_secure() else "http"
    base_url = f"{protocol}://{site.domain}" if site else ""
    send_templated_email(
        template_prefix="merchants/email/welcome",
        to=user.email,
        context={"user": user, "base_url": base_url},
        language=user.language,
    )


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw key, which is never stored or shown again."""
    raw_key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scopes=sorted(set(scopes or [])),
        expires_at=expires_at,
        key_prefix=raw_key[: len(ApiToken.PREFIX) + 6],
        key_digest=ApiToken.digest(raw_key),
    )
    return token, raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token now; revoking twice keeps the first time."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
