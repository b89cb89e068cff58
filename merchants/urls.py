from django.urls import path

from . import views

app_name = "merchants"

urlpatterns = [
    path("", views.MerchantDashboardView.as_view(), name="dashboard"),
    path("application/start/", views.ApplicationStartView.as_view(), name="application-start"),
    path("application/<slug:step>/", views.ApplicationStepView.as_view(), name="application-step"),
    path("regions/", views.RegionOptionsView.as_view(), name="region-options"),
    path("documents/<uuid:public_id>/", views.DocumentFileView.as_view(), name="document-file"),
    path(
        "documents/<uuid:public_id>/thumbnail/",
        views.DocumentFileView.as_view(thumbnail=True),
        name="document-thumbnail",
    ),
]
