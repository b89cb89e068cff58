"""Domain errors of belts and providers (same shape as merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class NotEligible(DomainError):
    code = "not_eligible"
    message = _("You cannot join this belt.")
    http_status = 409


class InvitationInvalid(DomainError):
    code = "invitation_invalid"
    message = _("This invitation link cannot be used.")
    http_status = 409


class AlreadyMember(DomainError):
    code = "already_member"
    message = _("You have already applied to this belt.")
    http_status = 409
