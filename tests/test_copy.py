"""The pages and e-mails of sign-up and onboarding speak one language at a time.

In zh-hans no English word may show (brand and platform names aside), and in English
none of the Chinese that used to leak into it. Text is read as a person sees it: tags,
scripts, styles, URLs and e-mail addresses removed.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import uses_worker
from tests.factories import UserFactory, submitted_application

pytestmark = pytest.mark.django_db

# Words that stay as they are in Chinese text: names, and what merchants type as is.
ALLOWED_LATIN = {
    "api", "csv", "id", "kuaishou", "pdf", "jpg", "jpeg", "png", "webp", "mb", "cny", "uscc", "erp",
    "pinduoduo", "taobao", "tmall", "jd", "youzan", "email", "e-mail", "ok", "asia", "shanghai",
    "english",  # the language switcher names each language in itself
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-']{2,}")
URLISH = re.compile(r"https?://\S+|\S+@\S+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\S*|testserver\S*")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(text: str) -> set[str]:
    text = URLISH.sub(" ", text)
    return {w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED_LATIN}


def _client(language="zh-hans"):
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def test_signup_and_login_pages_and_their_errors_are_all_chinese():
    client = _client()
    pages = {
        "signup": client.get(reverse("account_signup")),
        "login": client.get(reverse("account_login")),
        "weak password": client.post(
            reverse("account_signup"), {"email": "new@example.com", "password1": "abc", "password2": "abc"}
        ),
        "reset": client.get(reverse("account_reset_password")),
    }

    leaks = {name: english_words(visible_text(r.content.decode())) for name, r in pages.items()}

    assert leaks == {name: set() for name in pages}


@pytest.fixture
def named_site(settings):
    """The site the migration names: a flush by an earlier transactional test leaves Django's
    default "example.com" in the row instead."""
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "源头好货商家平台"}
    )
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def test_the_verification_and_reset_emails_are_chinese(django_capture_on_commit_callbacks, named_site):
    if uses_worker():
        pytest.skip("reads mail.outbox and a Site row in the test's transaction: the eager run covers it")
    client = _client()
    UserFactory(email="forgot@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "newseller@example.com",
                "password1": "Gx7-long-unusual",
                "password2": "Gx7-long-unusual",
            },
        )
        client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})

    leaks = {message.subject: english_words(f"{message.subject} {message.body}") for message in mail.outbox}

    assert len(leaks) == 2
    assert leaks == {subject: set() for subject in leaks}


def test_the_onboarding_pages_are_chinese():
    client = _client()
    application = submitted_application()
    client.force_login(application.merchant.user)
    pages = [reverse("merchants:dashboard")] + [
        reverse("merchants:application-step", args=[step])
        for step in ("entity", "documents", "channels", "deposit", "review")
    ]

    leaks = {page: english_words(visible_text(client.get(page).content.decode())) for page in pages}

    assert leaks == {page: set() for page in pages}


CHINESE = re.compile(r"[\u4e00-\u9fff]+")


def _data_words(application) -> set[str]:
    """Chinese that is data, not copy: the merchant's names, and the place names it chose
    (regions have Chinese names only), and the language switcher's 简体中文."""
    merchant = application.merchant
    values = [application.legal_name, application.legal_representative, merchant.display_name]
    if merchant.region:
        values.append(merchant.region.full_name)
    return {w for value in values if value for w in CHINESE.findall(value)} | {"简体中文"}


def test_the_onboarding_pages_in_english_show_no_chinese_copy():
    client = _client("en")
    application = submitted_application()
    client.force_login(application.merchant.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    pages = [reverse("merchants:dashboard")] + [
        reverse("merchants:application-step", args=[step])
        for step in ("entity", "documents", "channels", "deposit", "review")
    ]
    allowed = _data_words(application) | {"源头好货"}

    leaks = {
        page: set(CHINESE.findall(visible_text(client.get(page).content.decode()))) - allowed
        for page in pages
    }

    assert leaks == {page: set() for page in pages}


def test_english_lists_and_dates_read_as_english():
    import datetime

    from industrybelts.models import Belt

    Belt.objects.filter(slug="jade").update(signed_on=datetime.date(2019, 8, 1))
    client = _client("en")
    application = submitted_application()
    client.force_login(application.merchant.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    belts = visible_text(client.get(reverse("industrybelts:belt-list")).content.decode())
    review = visible_text(client.get(reverse("merchants:application-step", args=["review"])).content.decode())

    assert "signed August 2019" in belts and "年" not in belts
    assert "、" not in review
