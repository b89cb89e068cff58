from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("merchant/campaigns/", views.MerchantCampaignsView.as_view(), name="merchant-campaigns"),
    path("merchant/campaigns/<slug:slug>/sign-up/", views.CampaignSignUpView.as_view(), name="sign-up"),
]
