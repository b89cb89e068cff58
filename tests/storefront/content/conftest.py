"""Fixtures of the video tests: the processing task recorded, a signed-in seller."""

import pytest
from django.test import Client

from tests.storefront.content.video_helpers import record_queued_videos


@pytest.fixture
def queued_videos(monkeypatch):
    return record_queued_videos(monkeypatch)


@pytest.fixture
def merchant_client(seller):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(seller.user)
    return client
