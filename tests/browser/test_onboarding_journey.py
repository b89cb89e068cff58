"""A seller applies with documents, a reviewer asks for changes, the seller fixes them, approval."""

import io

import pytest
from PIL import Image

from merchants.models import ApplicationStatus, OnboardingApplication
from tests.browser.helpers import log_in, sign_up_and_verify
from tests.factories import reviewer
from tests.identity import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db(transaction=True)


def _photo(tmp_path, name, color):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), color).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _admin_action(page, live_server, application, action):
    page.goto(f"{live_server.url}/admin/merchants/onboardingapplication/")
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.select_option("select[name=action]", action)
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    # Bulk decisions without a reason list what will change and wait for the confirmation.
    if action in ("start_review", "approve", "reinstate"):
        page.locator("input[name=confirm]").click()
        page.wait_for_load_state()


def test_apply_request_changes_fix_resubmit_approve(page, chromium, live_server, outbox, tmp_path):
    email = "li.hong@example.com"
    sign_up_and_verify(page, live_server, outbox, email)
    outbox.wait_for(2)  # verification and welcome

    # The wizard, step 1: entity and shop, with the cascading region selects (htmx).
    page.get_by_test_id("nav-dashboard").click()
    page.get_by_test_id("start-application").click()
    page.get_by_label("个体工商户").check()
    page.get_by_label("主体名称").fill("广州十三行李姐服装档口")
    page.get_by_label("统一社会信用代码").fill(make_uscc())
    page.get_by_label("法定代表人 / 经营者").fill("李红")
    page.get_by_label("居民身份证号码").fill(make_resident_id(region="440104", birth="19850612"))
    page.get_by_label("商家类型").select_option("stall")
    page.get_by_label("店铺名称").fill("李姐女装")
    page.get_by_label("联系手机").fill("139 2222 3333")
    page.get_by_label("省份").select_option("440000")
    page.wait_for_selector("#id_city option[value='440100']", state="attached")
    page.get_by_label("城市").select_option("440100")
    page.wait_for_selector("#id_county option[value='440104']", state="attached")
    page.get_by_label("区县").select_option("440104")
    page.get_by_label("服装鞋包").check()
    page.get_by_role("button", name="保存并继续").click()

    # Step 2: documents, step 3: channels, step 4: deposit, step 5: submit.
    page.wait_for_url("**/application/documents/")
    page.set_input_files("#id_id_front", _photo(tmp_path, "front.jpg", "blue"))
    page.set_input_files("#id_id_back", _photo(tmp_path, "back.jpg", "green"))
    page.set_input_files("#id_business_licence", _photo(tmp_path, "licence.jpg", "white"))
    page.get_by_role("button", name="上传并继续").click()
    page.wait_for_url("**/application/channels/")
    page.get_by_label("淘宝").fill("https://lijie.taobao.com/")
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_url("**/application/deposit/")
    assert page.get_by_test_id("deposit-amount").inner_text() == "¥2000.00"
    page.get_by_label("我已知晓应缴保证金").check()
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_url("**/application/review/")
    page.get_by_label("我保证所填信息").check()
    page.get_by_test_id("submit-application").click()
    page.wait_for_url("**/merchant/")
    assert page.get_by_test_id("application-status").inner_text() == "已提交"
    assert "收到" in outbox.wait_for(3)[2].subject
    application = OnboardingApplication.objects.get(merchant__user__email=email)

    # A reviewer asks for changes in admin, with a reason about the documents.
    staff = reviewer()
    reviewer_context = chromium.new_context(locale="zh-CN")
    admin_page = reviewer_context.new_page()
    log_in(admin_page, live_server, staff.email, next_path="/admin/")
    _admin_action(admin_page, live_server, application, "request_changes")
    admin_page.get_by_label("原因").fill("营业执照照片是空白的，请重新拍摄上传。")
    admin_page.get_by_label("证件材料").check()
    admin_page.locator("input[type=submit]").click()
    admin_page.wait_for_load_state()
    changes_mail = outbox.wait_for(4)[3]
    assert changes_mail.to == [email]
    assert "营业执照照片是空白的" in changes_mail.body

    # The merchant sees the reason beside the documents, fixes them and resubmits.
    page.goto(f"{live_server.url}/merchant/")
    assert page.get_by_test_id("application-status").inner_text() == "待修改"
    assert "营业执照照片是空白的" in page.get_by_test_id("change-request").inner_text()
    page.goto(f"{live_server.url}/merchant/application/documents/")
    assert page.get_by_test_id("change-request").is_visible()
    page.set_input_files("#id_business_licence", _photo(tmp_path, "licence2.jpg", "orange"))
    page.get_by_role("button", name="上传并继续").click()
    page.goto(f"{live_server.url}/merchant/application/review/")
    page.get_by_label("我保证所填信息").check()
    page.get_by_test_id("submit-application").click()
    page.wait_for_url("**/merchant/")
    assert page.get_by_test_id("application-status").inner_text() == "已提交"

    # The reviewer approves; the merchant is told.
    _admin_action(admin_page, live_server, application, "approve")
    approved_mail = outbox.wait_for(6)[5]
    assert approved_mail.to == [email]
    assert "通过" in approved_mail.subject
    page.goto(f"{live_server.url}/merchant/")
    assert page.get_by_test_id("application-status").inner_text() == "已通过"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert [e.to_status for e in application.events.order_by("created_at", "pk")] == [
        "submitted",
        "in_review",
        "changes_requested",
        "submitted",
        "in_review",
        "approved",
    ]
    reviewer_context.close()
