from django.urls import path

from . import views

app_name = "industrybelts"

urlpatterns = [
    path("belts/", views.BeltListView.as_view(), name="belt-list"),
    path("belts/invite/<str:code>/", views.InvitationLandingView.as_view(), name="invitation"),
    path("belts/<slug:slug>/", views.BeltDetailView.as_view(), name="belt-detail"),
    path("belts/<slug:slug>/apply/", views.MembershipApplyView.as_view(), name="belt-apply"),
    path("provider/", views.ProviderDashboardView.as_view(), name="provider-dashboard"),
    path("provider/api-tokens/", views.ProviderApiTokenListView.as_view(), name="provider-api-tokens"),
    path("provider/apply/", views.ProviderApplyView.as_view(), name="provider-apply"),
    path("provider/team/invite/", views.MemberInviteView.as_view(), name="member-invite"),
    path("provider/join/<str:code>/", views.MemberJoinView.as_view(), name="member-join"),
    path("provider/belts/<slug:slug>/", views.ProviderBeltView.as_view(), name="provider-belt"),
    path(
        "provider/belts/<slug:slug>/invitations/",
        views.MerchantInvitationCreateView.as_view(),
        name="merchant-invitation-create",
    ),
    path(
        "provider/memberships/<uuid:public_id>/pre-review/",
        views.MembershipPreReviewView.as_view(),
        name="membership-pre-review",
    ),
]
