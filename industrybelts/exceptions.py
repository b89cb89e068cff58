"""Domain errors of belts and providers (same shape as merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict


class NotEligible(Conflict):
    code = "not_eligible"
    message = _("You cannot join this belt.")


class InvitationInvalid(Conflict):
    code = "invitation_invalid"
    message = _("This invitation link cannot be used.")


class AlreadyMember(Conflict):
    code = "already_member"
    message = _("You have already applied to this belt.")
