"""Durations read as people say them, not as Python prints a timedelta ("0:00:00.003586")."""

import datetime

import pytest
from django.utils import translation

from core.templatetags.durations import duration


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (datetime.timedelta(microseconds=3586), "不到 1 分钟", "under a minute"),
        (datetime.timedelta(minutes=75), "1 小时 15 分钟", "1 hour 15 minutes"),
        (datetime.timedelta(days=2, hours=3, minutes=40), "2 天 3 小时", "2 days 3 hours"),
    ],
)
def test_a_duration_in_words(value, zh, en):
    with translation.override("zh-hans"):
        assert duration(value) == zh
    with translation.override("en"):
        assert duration(value) == en


def test_what_is_not_a_duration_shows_nothing():
    assert duration(None) == ""
