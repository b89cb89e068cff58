"""The embedded portal is alive: started as `make run` starts it, its periodic work runs.

The test prepares a fresh SQLite database the way `make run` does (migrate, seed_demo),
serves it with `manage.py runembedded` (beat in the serving process, tasks eager), and then
acts as people would over HTTP, with no manual step: a visitor opens a good three times, a
merchant signs a good up for the campaign, an editor schedules a school item a minute
ahead. Within 90 seconds the merchant's goods page shows the views, the leaderboard shows
the sign-up, and the school item is live.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_SECONDS = 90
DEMO_PASSWORD = "demo-pass-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """Serve a freshly seeded embedded portal; yield (base_url, manage) where manage runs commands."""
    home = tmp_path_factory.mktemp("embedded")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "MEDIA_ROOT": str(home / "media"),
            "PRIVATE_MEDIA_ROOT": str(home / "private"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(home / "mail"),
            "DEMO_PRODUCTS_PER_MERCHANT": "6",
            "SITE_DOMAIN": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
        }
    )

    def manage(*args, timeout=300):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    started = time.monotonic()
    manage("migrate", "--noinput")
    manage("seed_demo")
    log_path = home / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runembedded", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the embedded portal did not start:\n{log_path.read_text()[-3000:]}")
        print(f"\nembedded portal prepared and serving in {time.monotonic() - started:.1f} s")
        yield base_url, manage, log_path
    finally:
        server.terminate()
        server.wait(timeout=15)


def _logged_in(base_url, email):
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base_url}/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD},
        headers={"Referer": f"{base_url}/accounts/login/"},
    )
    assert response.ok and "sessionid" in session.cookies, response.text[:500]
    return session, token


def _csrf(session, url):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url).text).group(1)


def _wait_until(check, what, *, since):
    """Poll `check` until it holds; fail once DEADLINE_SECONDS have passed since `since`."""
    deadline = since + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(2)
    pytest.fail(f"{what} did not happen within {DEADLINE_SECONDS} s")


# A good of the approved demo seller not yet in the campaign, and a school item an editor
# schedules a minute ahead (through the service, as the admin action does).
PREPARE = """
import datetime
from django.utils import timezone
from merchants.models import User
from storefront.campaigns.models import Campaign, CampaignEntry
from storefront.models import Product
from storefront.school import services
from storefront.school.models import SchoolItem

campaign = Campaign.objects.get(slug="1106-sales-king")
product = (
    Product.objects.filter(merchant__user__email="factory@demo.local", status="published")
    .exclude(pk__in=CampaignEntry.objects.values("product"))
    .order_by("pk")
    .first()
)
editor = User.objects.get(email="editor@demo.local")
item = services.school_item_save(
    item=SchoolItem(kind="article", title="直播间的三句开场白", body="开场先讲货源。"), by=editor
)
a_minute_ahead = timezone.now() + datetime.timedelta(seconds=60)
services.school_item_schedule(item=item, by=editor, publish_at=a_minute_ahead)
print(product.public_id, campaign.slug, item.slug)
"""


def test_periodic_work_runs_in_the_embedded_portal(portal):
    base_url, manage, log_path = portal
    product_id, campaign_slug, item_slug = manage("shell", "-c", PREPARE).splitlines()[-1].split()
    started = time.monotonic()

    for _ in range(3):  # three visitors, one view each
        assert requests.get(f"{base_url}/catalog/p/{product_id}/", timeout=10).status_code == 200
    merchant, _token = _logged_in(base_url, "factory@demo.local")
    token = _csrf(merchant, f"{base_url}/merchant/campaigns/")
    signed_up = merchant.post(
        f"{base_url}/merchant/campaigns/{campaign_slug}/sign-up/",
        {"csrfmiddlewaretoken": token, "product": product_id},
        headers={"Referer": f"{base_url}/merchant/campaigns/"},
    )
    assert signed_up.ok

    def views_shown():
        page = merchant.get(f"{base_url}/merchant/products/").text
        cell = re.search(rf'data-testid="funnel-{product_id}">([^<]*)<', page)
        return cell is not None and cell.group(1).split("→")[1].strip() == "3"

    def on_leaderboard():
        return product_id in requests.get(f"{base_url}/campaigns/{campaign_slug}/", timeout=10).text

    def school_item_live():
        return requests.get(f"{base_url}/school/{item_slug}/", timeout=10).status_code == 200

    assert not school_item_live()
    timings = {
        "views on the goods page": _wait_until(
            views_shown, "the views reaching the goods page", since=started
        ),
        "sign-up on the leaderboard": _wait_until(
            on_leaderboard, "the sign-up reaching the leaderboard", since=started
        ),
        "school item live": _wait_until(
            school_item_live, "the scheduled school item going live", since=started
        ),
    }
    for what, when in timings.items():
        print(f"{what}: {when - started:.0f} s after the action")
    log = log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert log.count("Starting development server") == 1
