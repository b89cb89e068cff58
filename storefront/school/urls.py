from django.urls import path

from . import views

app_name = "school"

urlpatterns = [
    path("school/", views.SchoolHomeView.as_view(), name="home"),
    path("school/search/", views.SchoolSearchView.as_view(), name="search"),
    path("school/<slug:slug>/", views.SchoolItemView.as_view(), name="item"),
    path("school/<slug:container>/<slug:slug>/", views.SchoolPartView.as_view(), name="part"),
    path("school/<slug:container>/<slug:slug>/done/", views.LessonDoneView.as_view(), name="part-done"),
    path("provider/articles/", views.ProviderArticleListView.as_view(), name="provider-articles"),
    path("provider/articles/new/", views.ProviderArticleEditView.as_view(), name="provider-article-create"),
    path(
        "provider/articles/<slug:slug>/edit/",
        views.ProviderArticleEditView.as_view(),
        name="provider-article-edit",
    ),
    path(
        "provider/articles/<slug:slug>/preview/",
        views.ProviderArticlePreviewView.as_view(),
        name="provider-article-preview",
    ),
    path(
        "provider/articles/<slug:slug>/withdraw/",
        views.ProviderArticleWithdrawView.as_view(),
        name="provider-article-withdraw",
    ),
]
