"""Why a campaign sign-up is refused (code + translatable message, see merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class SignupClosed(DomainError):
    code = "campaign_signup_closed"
    message = _("Sign-up for this campaign is not open now.")
    http_status = 409


class NotEligible(DomainError):
    code = "campaign_not_eligible"
    message = _("This good does not meet the campaign's rules: %(reason)s")
    http_status = 409


class CampaignFull(DomainError):
    code = "campaign_full"
    message = _("The campaign has reached its cap on sign-ups.")
    http_status = 409
