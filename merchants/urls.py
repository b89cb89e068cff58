from django.urls import path

from . import api_tokens, views
from .compliance import urls as compliance_urls

app_name = "merchants"

urlpatterns = [
    path("", views.MerchantDashboardView.as_view(), name="dashboard"),
    path("application/start/", views.ApplicationStartView.as_view(), name="application-start"),
    path("application/<slug:step>/", views.ApplicationStepView.as_view(), name="application-step"),
    path("regions/", views.RegionOptionsView.as_view(), name="region-options"),
    path("api-tokens/", api_tokens.ApiTokenListView.as_view(), name="api-tokens"),
    path(
        "api-tokens/<uuid:public_id>/revoke/",
        api_tokens.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("documents/<uuid:public_id>/", views.DocumentFileView.as_view(), name="document-file"),
    path(
        "documents/<uuid:public_id>/thumbnail/",
        views.DocumentFileView.as_view(thumbnail=True),
        name="document-thumbnail",
    ),
    *compliance_urls.urlpatterns,
]
