"""Fixtures of the content tests: sessions scheduled in a line, the processing task recorded, a
signed-in seller."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from storefront.content import live
from tests.storefront.conftest import apparel, jade, make_product, seller  # noqa: F401 (fixtures)
from tests.storefront.content.video_helpers import record_queued_videos

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(hours: float = 1, *, now=None) -> datetime.datetime:
    """A time `hours` from now, to the minute."""
    moment = (now or timezone.now()) + datetime.timedelta(hours=hours)
    return moment.replace(second=0, microsecond=0)


def schedule(merchant, *, hours: float = 1, minutes: int = 60, products=(), title="翡翠手镯直播", **extra):
    return live.live_session_schedule(
        merchant=merchant,
        by=merchant.user,
        title=title,
        starts_at=extra.pop("starts_at", None) or at(hours),
        expected_minutes=minutes,
        products=products,
        **extra,
    )


@pytest.fixture
def good(seller):  # noqa: F811
    return make_product(seller, title="冰种翡翠手镯")


@pytest.fixture
def queued_videos(monkeypatch):
    return record_queued_videos(monkeypatch)


@pytest.fixture
def merchant_client(seller):  # noqa: F811
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(seller.user)
    return client
