"""The merchant's pages after approval: requirements, renewals, categories, deposit, closing.

Thin: each view parses, calls one service or selector of merchants.compliance, and renders.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from .. import selectors as merchant_selectors
from . import selectors


class MerchantOwnedMixin(LoginRequiredMixin):
    """Resolve the signed-in user's merchant profile; someone without one gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.merchant = merchant_selectors.merchant_profile_for(request.user)
            if self.merchant is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class ComplianceOverviewView(MerchantOwnedMixin, TemplateView):
    """What the shop owes now and later, its deposit ledger, and the ways to act on both."""

    template_name = "merchants/compliance/overview.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **selectors.overview(self.merchant)}
