"""A new seller signs up, verifies the e-mail, logs in, switches language and logs out."""

import re

import pytest

from merchants.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def test_sign_up_verify_log_in_switch_language_log_out(page, live_server, outbox):
    email = "new.seller@example.com"

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="我要入驻").click()
    page.get_by_label("电子邮件").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="注册").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert "验证" in page.content()

    [verification] = outbox.wait_for(1)
    assert verification.to == [email]
    link = CONFIRM_LINK.search(verification.body).group(0)
    page.goto(link)
    page.locator("main").get_by_role("button", name="确认").click()
    # A confirmed merchant lands on its dashboard, where the application starts.
    page.wait_for_url(f"{live_server.url}/merchant/")
    assert page.get_by_test_id("current-user").inner_text() == email
    welcome = outbox.wait_for(2)[1]
    assert "欢迎" in welcome.subject

    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("电子邮件").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/merchant/")
    assert page.get_by_test_id("current-user").inner_text() == email

    page.goto(f"{live_server.url}/")
    page.get_by_test_id("language-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Sell your source goods on live stream and short video"
    )

    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Log in").is_visible()
    assert User.objects.get(email=email).emailaddress_set.get().verified
