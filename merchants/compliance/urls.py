"""The compliance pages, inside the merchants namespace (merchants/urls.py includes them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("compliance/", views.ComplianceOverviewView.as_view(), name="compliance"),
    path(
        "compliance/documents/<slug:slot_key>/renew/",
        views.DocumentRenewView.as_view(),
        name="compliance-document-renew",
    ),
    path("compliance/categories/", views.CategoryRequestView.as_view(), name="compliance-categories"),
    path(
        "compliance/categories/<uuid:public_id>/withdraw/",
        views.CategoryRequestWithdrawView.as_view(),
        name="compliance-category-withdraw",
    ),
    path(
        "compliance/deposit/transfer/",
        views.DepositTransferView.as_view(),
        name="compliance-deposit-transfer",
    ),
    path(
        "compliance/deposit/transfers/<uuid:public_id>/receipt/",
        views.ReceiptFileView.as_view(),
        name="compliance-receipt",
    ),
    path("compliance/deposit/refund/", views.RefundRequestView.as_view(), name="compliance-refund"),
    path("compliance/close/", views.ShopCloseView.as_view(), name="compliance-close"),
]
