"""Routes of the webhooks API, included under /api/v1/ by config/api_router.py:

path("", include("core.webhooks.urls")),
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

DELIVERIES = "webhooks/endpoints/<str:endpoint_id>/deliveries/"

urlpatterns = [
    path(DELIVERIES, WebhookDeliveryViewSet.as_view({"get": "list"}), name="webhook-delivery-list"),
    path(
        f"{DELIVERIES}<str:public_id>/",
        WebhookDeliveryViewSet.as_view({"get": "retrieve"}),
        name="webhook-delivery-detail",
    ),
    path(
        f"{DELIVERIES}<str:public_id>/redeliver/",
        WebhookDeliveryViewSet.as_view({"post": "redeliver"}),
        name="webhook-delivery-redeliver",
    ),
    *router.urls,
]
