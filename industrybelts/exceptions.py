"""Domain errors of belts and providers (same shape as merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict

NotEligible = Conflict.define("NotEligible", "not_eligible", _("You cannot join this belt."))
InvitationInvalid = Conflict.define(
    "InvitationInvalid", "invitation_invalid", _("This invitation link cannot be used.")
)
AlreadyMember = Conflict.define(
    "AlreadyMember", "already_member", _("You have already applied to this belt.")
)
