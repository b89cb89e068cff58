"""Attribute a sign-up to the provider whose invitation link the visitor came through."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from . import services
from .exceptions import InvitationInvalid

INVITATION_SESSION_KEY = "belt_invitation_code"


@receiver(user_signed_up, dispatch_uid="industrybelts.attribute_sign_up")
def attribute_sign_up(sender, request, user, **kwargs):

    code = request.session.pop(INVITATION_SESSION_KEY, None) if request is not None else None
    if not code:
        return
    try:
        services.merchant_invitation_claim(code=code, user=user)
    except InvitationInvalid:
        return  # expired or used meanwhile: the sign-up stands, unattributed
