"""Why a campaign sign-up is refused (code + translatable message, see merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict


class SignupClosed(Conflict):
    code = "campaign_signup_closed"
    message = _("Sign-up for this campaign is not open now.")


class NotEligible(Conflict):
    code = "campaign_not_eligible"
    message = _("This good does not meet the campaign's rules: %(reason)s")


class CampaignFull(Conflict):
    code = "campaign_full"
    message = _("The campaign has reached its cap on sign-ups.")
