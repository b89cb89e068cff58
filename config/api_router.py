"""Every API route under /api/v1/; each app registers its viewsets here."""

from django.urls import URLPattern, URLResolver, include, path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

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
from merchants.compliance.api import RequirementsView
from storefront.api.views import (
    BeltListView,
    MerchantImportViewSet,
    MerchantProductViewSet,
    ProductDetailView,
    ProductFeedView,
    ProductListView,
    SchoolItemDetailView,
    SchoolItemListView,
)
from storefront.content.api_live import (
    LiveSessionFeedView,
    MerchantLiveSessionViewSet,
    ProviderLiveSessionListView,
)
from storefront.content.api_videos import MerchantVideoViewSet, VideoFeedView

app_name = "api"


def _collection_names(patterns, namespace="api"):
    """The names of the routes that take no parameter (the API's entry points), in URL order."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _collection_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and "<" not in str(pattern.pattern):
            yield f"{namespace}:{pattern.name}"


class ApiIndexView(APIView):
    """Say where everything is: each entry point's URL, the OpenAPI schema and its docs."""

    permission_classes = [AllowAny]  # like every public read, a bad token is still a 401

    @extend_schema(
        operation_id="api_index",
        summary="Where everything is",
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "ApiIndex",
                    {
                        "version": serializers.CharField(),
                        "schema": serializers.URLField(),
                        "docs": serializers.URLField(),
                        "resources": serializers.DictField(child=serializers.URLField()),
                    },
                )
            )
        },
    )
    def get(self, request):
        resources = {
            name.split(":", 1)[1]: request.build_absolute_uri(reverse(name))
            for name in _collection_names(urlpatterns)
            if name != "api:index"
        }
        return Response(
            {
                "version": "v1",
                "schema": request.build_absolute_uri(reverse("api-schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
                "resources": resources,
            }
        )


router = DefaultRouter()
router.include_root_view = False
router.register("merchant/products", MerchantProductViewSet, basename="merchant-product")
router.register("merchant/imports", MerchantImportViewSet, basename="merchant-import")
router.register("merchant/live-sessions", MerchantLiveSessionViewSet, basename="merchant-live-session")
router.register("merchant/videos", MerchantVideoViewSet, basename="merchant-video")
router.register("provider/merchants", ProviderMerchantViewSet, basename="provider-merchant")
router.register("provider/memberships", ProviderMembershipViewSet, basename="provider-membership")
router.register("provider/invitations", ProviderInvitationViewSet, basename="provider-invitation")

urlpatterns = [
    path("", ApiIndexView.as_view(), name="index"),
    path("me/", MeView.as_view(), name="me"),
    # Public reads
    path("belts/", BeltListView.as_view(), name="belt-list"),
    path("bases/", BaseListView.as_view(), name="base-list"),
    path("products/", ProductListView.as_view(), name="product-list"),
    path("products/<uuid:public_id>/", ProductDetailView.as_view(), name="product-detail"),
    path("school/items/", SchoolItemListView.as_view(), name="school-item-list"),
    path("school/items/<slug:slug>/", SchoolItemDetailView.as_view(), name="school-item-detail"),
    path("feeds/products/", ProductFeedView.as_view(), name="feed-products"),
    path("feeds/live-sessions/", LiveSessionFeedView.as_view(), name="feed-live-sessions"),
    path("feeds/videos/", VideoFeedView.as_view(), name="feed-videos"),
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
    path("merchant/requirements/", RequirementsView.as_view(), name="merchant-requirements"),
    path("merchant/memberships/", MerchantMembershipListView.as_view(), name="merchant-membership-list"),
    # The provider's side (provider tokens)
    path("provider/belts/", ProviderBeltListView.as_view(), name="provider-belt-list"),
    path("provider/live-sessions/", ProviderLiveSessionListView.as_view(), name="provider-live-session-list"),
    *router.urls,
    # Webhook endpoints and deliveries (merchant and provider tokens alike)
    path("", include("core.webhooks.urls")),
]
