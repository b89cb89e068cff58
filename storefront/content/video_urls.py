from django.urls import path

from . import video_views as views

app_name = "videos"

urlpatterns = [
    path("merchant/videos/", views.VideoListView.as_view(), name="video-list"),
    path("merchant/videos/new/", views.VideoUploadView.as_view(), name="video-upload"),
    path("merchant/videos/<uuid:public_id>/", views.VideoDetailView.as_view(), name="video-detail"),
    path("merchant/videos/<uuid:public_id>/upload/", views.VideoChunkView.as_view(), name="video-chunk"),
    path(
        "merchant/videos/<uuid:public_id>/complete/", views.VideoCompleteView.as_view(), name="video-complete"
    ),
    path("merchant/videos/<uuid:public_id>/status/", views.VideoStatusView.as_view(), name="video-status"),
    path("merchant/videos/<uuid:public_id>/delete/", views.VideoDeleteView.as_view(), name="video-delete"),
    path("videos/<uuid:public_id>/signal/<slug:kind>/", views.VideoSignalView.as_view(), name="video-signal"),
    path(
        "videos/<uuid:public_id>/buy/<uuid:product_id>/<slug:platform>/",
        views.VideoBuyView.as_view(),
        name="video-buy",
    ),
]
