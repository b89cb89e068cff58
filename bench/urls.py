"""The production URLconf plus the bench's bare "hello" baseline (bench settings only)."""

from django.urls import include, path

from config.urls import handler403, handler404, handler500  # noqa: F401

from .views import hello

urlpatterns = [
    path("__bench__/hello/", hello, name="bench-hello"),
    path("", include("config.urls")),
]
