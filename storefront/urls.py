from django.urls import path

from . import views

app_name = "storefront"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("catalog/", views.CatalogView.as_view(), name="catalog"),
    path("catalog/p/<uuid:public_id>/", views.ProductDetailView.as_view(), name="product-detail"),
    path(
        "catalog/p/<uuid:public_id>/buy/<slug:platform>/", views.ProductBuyView.as_view(), name="product-buy"
    ),
    path("shops/<uuid:public_id>/", views.ShopView.as_view(), name="shop-detail"),
    path("merchant/products/", views.MerchantProductListView.as_view(), name="merchant-products"),
    path("merchant/products/quick/", views.QuickListView.as_view(), name="product-quick-list"),
    path("merchant/products/new/", views.ProductEditView.as_view(), name="product-create"),
    path("merchant/products/import/", views.ProductImportView.as_view(), name="product-import"),
    path(
        "merchant/products/import/template.<str:file_format>",
        views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    path("merchant/products/import/<uuid:public_id>/", views.ImportJobView.as_view(), name="import-job"),
    path(
        "merchant/products/import/<uuid:public_id>/progress/",
        views.ImportJobProgressView.as_view(),
        name="import-job-progress",
    ),
    path(
        "merchant/products/import/<uuid:public_id>/confirm/",
        views.ImportJobConfirmView.as_view(),
        name="import-job-confirm",
    ),
    path("merchant/products/export/", views.ProductExportView.as_view(), name="product-export"),
    path("merchant/products/<uuid:public_id>/edit/", views.ProductEditView.as_view(), name="product-edit"),
]
