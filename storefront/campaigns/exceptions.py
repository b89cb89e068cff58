"""Why a campaign sign-up is refused (code + translatable message, see merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict

SignupClosed = Conflict.define(
    "SignupClosed", "campaign_signup_closed", _("Sign-up for this campaign is not open now.")
)
NotEligible = Conflict.define(
    "NotEligible", "campaign_not_eligible", _("This good does not meet the campaign's rules: %(reason)s")
)
CampaignFull = Conflict.define(
    "CampaignFull", "campaign_full", _("The campaign has reached its cap on sign-ups.")
)
