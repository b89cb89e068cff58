from django.urls import path

from . import live_views as views

app_name = "live"

urlpatterns = [
    path("merchant/live/", views.LiveSessionListView.as_view(), name="merchant-sessions"),
    path("merchant/live/new/", views.LiveSessionEditView.as_view(), name="session-create"),
    path("merchant/live/<uuid:public_id>/edit/", views.LiveSessionEditView.as_view(), name="session-edit"),
    path(
        "merchant/live/<uuid:public_id>/cancel/",
        views.LiveSessionActionView.as_view(action="cancel"),
        name="session-cancel",
    ),
    path(
        "merchant/live/<uuid:public_id>/go-live/",
        views.LiveSessionActionView.as_view(action="go-live"),
        name="session-go-live",
    ),
    path(
        "merchant/live/<uuid:public_id>/end/",
        views.LiveSessionActionView.as_view(action="end"),
        name="session-end",
    ),
    path("provider/live/", views.ProviderLiveScheduleView.as_view(), name="provider-schedule"),
]
