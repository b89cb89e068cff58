"""Links in e-mails point where the portal is: the serving host in development, SITE_DOMAIN in production."""

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse

from core.sites import portal_base_url, sync_site_from_settings
from industrybelts.models import Belt
from tests.industrybelts.conftest import approved_provider

pytestmark = pytest.mark.django_db


def _invite_over(client, host, outbox, django_capture_on_commit_callbacks):
    _provider, owner = approved_provider(Belt.objects.get(slug="apparel"))
    client.force_login(owner)
    outbox = type(outbox)()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("industrybelts:member-invite"),
            {"email": "new.agent@example.com", "role": "agent"},
            HTTP_HOST=host,
        )
    assert response.status_code == 302
    return outbox.wait_for(1)[-1].body


def test_development_links_follow_the_host_and_port_that_served_the_request(
    client, settings, outbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_LINKS_FOLLOW_REQUEST = True
    settings.SITE_DOMAIN = "127.0.0.1:8000"

    body = _invite_over(client, "localhost:8123", outbox, django_capture_on_commit_callbacks)

    assert "http://localhost:8123/provider/join/" in body
    assert "127.0.0.1:8000" not in body


def test_production_links_use_site_domain_whatever_the_request_host(
    client, settings, outbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_LINKS_FOLLOW_REQUEST = False
    settings.SITE_DOMAIN = "shop.example.com"
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

    body = _invite_over(client, "localhost:8123", outbox, django_capture_on_commit_callbacks)

    assert "https://shop.example.com/provider/join/" in body
    assert "localhost:8123" not in body


def test_without_a_request_development_links_use_site_domain(settings):
    settings.PORTAL_LINKS_FOLLOW_REQUEST = True
    settings.SITE_DOMAIN = "127.0.0.1:8040"

    assert portal_base_url() == "http://127.0.0.1:8040"


def test_migrate_writes_site_domain_into_the_site_row(settings):
    settings.SITE_DOMAIN = "merchants.example.cn"
    settings.SITE_NAME = "源头好货商家平台"

    sync_site_from_settings()

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("merchants.example.cn", "源头好货商家平台")
