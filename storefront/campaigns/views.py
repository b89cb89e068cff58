"""Campaign pages: the public list and page with its leaderboard, and the merchant's sign-up."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError
from storefront import fragments
from storefront.permissions import own_products
from storefront.views import MerchantMixin, _is_uuid

from . import selectors, services


class CampaignListView(TemplateView):
    template_name = "storefront/campaigns/campaign_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.public_campaigns(), 20).get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "page": page}


# The page's body holds reference data too (belt and category names, shop names): a
# renamed one shows within this many seconds. Everything else it shows is in its key.
CAMPAIGN_PAGE_TTL = 10 * 60


class CampaignDetailView(TemplateView):
    """A campaign's page with its leaderboard. The body is the same for every viewer, so it
    is cached by what it shows: the campaign's row (its sign-up count, when its leaderboard
    was ranked), whether sign-up is open, and the leaderboard's goods still published and
    their latest change. A hit is one query (compiled once) and no model beyond the
    campaign's row."""

    template_name = "storefront/campaigns/campaign_detail.html"

    def get_context_data(self, slug, **kwargs):
        campaign = selectors.campaign_for_cached_page(slug)
        if campaign is None:
            raise Http404
        is_open = campaign.is_open()
        version = (
            campaign.updated_at.isoformat(),
            campaign.entry_count,
            is_open,
            *map(str, selectors.leaderboard_version(campaign)),
        )
        key = (
            fragments.fragment_key("campaign-page", get_language(), campaign.pk)
            if settings.CATALOG_FRAGMENT_TTL
            else None
        )

        def build():
            context = {
                "campaign": campaign,
                "leaderboard": selectors.leaderboard(campaign),
                "is_open": is_open,
            }
            return render_to_string("storefront/campaigns/partials/campaign_body.html", context)

        body = fragments.cached(key, version, build, timeout=CAMPAIGN_PAGE_TTL)
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "body": mark_safe(body),  # noqa: S308 (rendered by our template)
        }


class MerchantCampaignsView(MerchantMixin, View):
    template_name = "storefront/campaigns/merchant_campaigns.html"

    def get(self, request):
        campaigns = selectors.open_campaigns()
        goods = selectors.merchant_goods_for_campaigns(self.merchant) if self.merchant else []
        signed = selectors.signed_up_pairs(self.merchant, campaigns) if self.merchant else set()
        rows = [
            {
                "campaign": campaign,
                "goods": [
                    {
                        "product": product,
                        "signed_up": (campaign.pk, product.pk) in signed,
                        "refusal": None
                        if (campaign.pk, product.pk) in signed
                        else services.refusal_reason(campaign, product),
                    }
                    for product in goods
                ],
            }
            for campaign in campaigns
        ]
        return render(request, self.template_name, {"rows": rows, "can_sell": self.can_sell})


class CampaignSignUpView(MerchantMixin, View):
    def post(self, request, slug):
        campaign = selectors.campaign_for_page(slug)
        public_id = request.POST.get("product", "")
        if campaign is None or not _is_uuid(public_id):
            raise Http404
        product = own_products(request.user).select_related("merchant").filter(public_id=public_id).first()
        if product is None:
            raise Http404  # another merchant's good, or none: nothing to say about it
        try:
            _entry, created = services.campaign_sign_up(campaign=campaign, product=product, by=request.user)
        except PermissionDenied:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, str(error))
        else:
            if created:
                messages.success(
                    request,
                    _("“%(title)s” is signed up for %(campaign)s.")
                    % {"title": product.title, "campaign": campaign.name},
                )
            else:
                messages.info(request, _("“%(title)s” was already signed up.") % {"title": product.title})
        return redirect("campaigns:merchant-campaigns")
