"""The shop a merchant's token acts for: every shop endpoint of every app finds it here,
and answers the same 404 (and documents it the same way) when the account has none yet."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound

from .. import selectors
from ..models import MerchantProfile

NO_SHOP = OpenApiResponse(description="`not_found`: this account has no shop yet.")


def shop_of(user) -> MerchantProfile:
    """Return `user`'s shop, or raise NotFound when the account has no shop yet."""
    merchant = selectors.merchant_profile_for(user)
    if merchant is None:
        raise NotFound(_("This account has no shop yet."))
    return merchant
