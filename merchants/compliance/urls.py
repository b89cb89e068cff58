"""The compliance pages, inside the merchants namespace (merchants/urls.py includes them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("compliance/", views.ComplianceOverviewView.as_view(), name="compliance"),
]
