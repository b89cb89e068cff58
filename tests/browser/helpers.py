"""Steps shared by the browser journeys."""

import re

from tests.factories import TEST_PASSWORD

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def sign_up_and_verify(page, live_server, outbox, email):
    """Sign up through the form (from the current page if it is the sign-up form), open the
    link from the verification e-mail, and confirm it."""
    already_sent = len(outbox.messages())
    if "/accounts/signup/" not in page.url:
        page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("电子邮件").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button", name="注册").click()
    page.wait_for_url("**/accounts/confirm-email/")
    [verification] = [m for m in outbox.wait_for(already_sent + 1)[already_sent:] if m.to == [email]]
    page.goto(CONFIRM_LINK.search(verification.body).group(0))
    page.locator("main").get_by_role("button", name="确认").click()
    page.wait_for_url(f"{live_server.url}/merchant/")  # the dashboard, where the application starts


def log_in(page, live_server, email, password=TEST_PASSWORD, next_path="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("电子邮件").fill(email)
    page.get_by_label("密码").fill(password)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_load_state()
