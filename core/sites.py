"""Where the portal is, for links in e-mails and the site's name.

Production: `SITE_DOMAIN` (kept in the Site row at every migrate) and the scheme of
`ACCOUNT_DEFAULT_HTTP_PROTOCOL` rule every link, whichever host a request came in on.
Development (`PORTAL_LINKS_FOLLOW_REQUEST`, set by the local settings): a link made while
a request is served points at the host and port that served it, so a portal reached at
another address (a phone on the LAN, a second port) mails links that work there; links
made without a request (beat's tasks) use SITE_DOMAIN, which `make run` sets to its
address. The request's base URL is kept in a context variable by `RequestSiteMiddleware`,
so services need no request argument to build a link.
"""

from contextvars import ContextVar

from django.conf import settings
from django.contrib.sites.models import Site
from django.contrib.sites.requests import RequestSite

_request_base_url: ContextVar[str | None] = ContextVar("portal_request_base_url", default=None)
_request_site: ContextVar[RequestSite | None] = ContextVar("portal_request_site", default=None)


def configured_site() -> Site:
    return Site.objects.get_current()


def portal_base_url(request=None) -> str:
    """Return the scheme and host (no trailing slash) that links in e-mails start with."""
    if getattr(settings, "PORTAL_LINKS_FOLLOW_REQUEST", False):
        if request is not None:
            return request.build_absolute_uri("/").rstrip("/")
        current = _request_base_url.get()
        if current:
            return current
    domain = settings.SITE_DOMAIN or configured_site().domain
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}"


def current_site(request=None):
    """The site e-mails name: the request's host in development, the Site row otherwise."""
    if getattr(settings, "PORTAL_LINKS_FOLLOW_REQUEST", False):
        if request is not None:
            site = RequestSite(request)
            site.name = configured_site().name
            return site
        if _request_site.get() is not None:
            return _request_site.get()
    return configured_site()


class RequestSiteMiddleware:
    """Remember, while a request is served, where it was served (development only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "PORTAL_LINKS_FOLLOW_REQUEST", False):
            return self.get_response(request)
        base = _request_base_url.set(request.build_absolute_uri("/").rstrip("/"))
        site = _request_site.set(current_site(request))
        try:
            return self.get_response(request)
        finally:
            _request_base_url.reset(base)
            _request_site.reset(site)


def sync_site_from_settings() -> None:
    """Keep the Site row's domain (and name) equal to SITE_DOMAIN / SITE_NAME when they are set."""
    if not settings.SITE_DOMAIN:
        return
    defaults = {"domain": settings.SITE_DOMAIN}
    if settings.SITE_NAME:
        defaults["name"] = settings.SITE_NAME
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults=defaults)
    Site.objects.clear_cache()
