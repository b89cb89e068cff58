"""Attribute a sign-up to the provider whose invitation link the visitor came through;
keep a belt's member count when an approved membership goes with its merchant."""

from allauth.account.signals import user_signed_up
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import services
from .exceptions import InvitationInvalid
from .models import BeltMembership, MembershipStatus, recount_members

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


@receiver(post_delete, sender=BeltMembership, dispatch_uid="industrybelts.recount_on_delete")
def recount_after_delete(sender, instance, **kwargs):
    # Status moves keep the count through the workflow; a deletion (a merchant's account
    # removed by staff, which takes its memberships) does not pass through it.
    if instance.status == MembershipStatus.APPROVED:
        recount_members(instance.belt_id)
