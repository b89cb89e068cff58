"""Every API route under /api/v1/; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from merchants.api.views import MeView
from storefront.api.views import BeltListView, MerchantProductViewSet, ProductDetailView, ProductListView

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("merchant/products", MerchantProductViewSet, basename="merchant-product")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("belts/", BeltListView.as_view(), name="belt-list"),
    path("products/", ProductListView.as_view(), name="product-list"),
    path("products/<uuid:public_id>/", ProductDetailView.as_view(), name="product-detail"),
    *router.urls,
]
