"""Every API route under /api/v1/; each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from merchants.api.views import MeView

app_name = "api"

router = DefaultRouter()
router.include_root_view = False

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
