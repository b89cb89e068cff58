"""The baseline: a view that does nothing, behind the same middleware as every page."""

from django.http import HttpResponse


def hello(request):
    return HttpResponse("hello", content_type="text/plain")
