"""Every API route under /api/v1/; each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from industrybelts.api.views import (
    BaseListView,
    MerchantMembershipListView,
    ProviderBeltListView,
    ProviderInvitationViewSet,
    ProviderMembershipViewSet,
    ProviderMerchantViewSet,
)
from merchants.api.views import (
    ApplicationSubmitView,
    ApplicationView,
    ApplicationWithdrawView,
    DocumentListView,
    MeView,
    ProfileView,
)
from storefront.api.views import (
    BeltListView,
    MerchantProductViewSet,
    ProductDetailView,
    ProductFeedView,
    ProductListView,
    SchoolItemDetailView,
    SchoolItemListView,
)

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("merchant/products", MerchantProductViewSet, basename="merchant-product")
router.register("provider/merchants", ProviderMerchantViewSet, basename="provider-merchant")
router.register("provider/memberships", ProviderMembershipViewSet, basename="provider-membership")
router.register("provider/invitations", ProviderInvitationViewSet, basename="provider-invitation")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    # Public reads
    path("belts/", BeltListView.as_view(), name="belt-list"),
    path("bases/", BaseListView.as_view(), name="base-list"),
    path("products/", ProductListView.as_view(), name="product-list"),
    path("products/<uuid:public_id>/", ProductDetailView.as_view(), name="product-detail"),
    path("school/items/", SchoolItemListView.as_view(), name="school-item-list"),
    path("school/items/<slug:slug>/", SchoolItemDetailView.as_view(), name="school-item-detail"),
    path("feeds/products/", ProductFeedView.as_view(), name="feed-products"),
    # The merchant's own shop (merchant tokens)
    path("merchant/profile/", ProfileView.as_view(), name="merchant-profile"),
    path("merchant/application/", ApplicationView.as_view(), name="merchant-application"),
    path("merchant/application/submit/", ApplicationSubmitView.as_view(), name="merchant-application-submit"),
    path(
        "merchant/application/withdraw/",
        ApplicationWithdrawView.as_view(),
        name="merchant-application-withdraw",
    ),
    path("merchant/application/documents/", DocumentListView.as_view(), name="merchant-documents"),
    path("merchant/memberships/", MerchantMembershipListView.as_view(), name="merchant-membership-list"),
    # The provider's side (provider tokens)
    path("provider/belts/", ProviderBeltListView.as_view(), name="provider-belt-list"),
    *router.urls,
    # Webhook endpoints and deliveries (merchant and provider tokens alike)
    path("", include("merchants.webhooks.urls")),
]
