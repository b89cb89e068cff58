"""After approval, on a phone: a jade seller's gem appraisal certificate expires, the daily
sweep restricts the shop and its jade good leaves the catalog; the seller reads why on the
requirements page, uploads the renewed certificate there, a reviewer claims it from the
renewals queue in admin and approves it, and the good is back in the catalog."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from merchants.compliance import services as compliance
from merchants.models import ApplicationDocument, DocumentStatus, MerchantCompliance, Standing
from storefront.models import Product
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import log_in
from tests.factories import reviewer
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
CERTIFICATE = "qualification-gem-appraisal"

# Whether the page scrolls sideways at the phone's width.
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def in_catalog(browser, live_server, title):
    visitor = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    visitor.goto(f"{live_server.url}/catalog/?q={title}")
    found = title in visitor.locator("main").inner_text()
    visitor.context.close()
    return found


@pytest.mark.usefixtures("tasks_in_process")
def test_an_expired_qualification_restricts_until_the_renewal_is_approved(chromium, live_server, tmp_path):
    seller = approved_merchant(categories=("jade-jewellery",))
    jade = seller.categories.get(code="jade-jewellery")
    jade_good = make_product(seller, title="冰种飘花手镯", category=jade)
    assert jade_good.status == "published"
    assert in_catalog(chromium, live_server, "冰种飘花手镯")

    # The certificate expired yesterday; the day's sweep finds it (its last check was yesterday).
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    certificate = ApplicationDocument.objects.get(
        application__merchant=seller, qualification__code="gem-appraisal", status=DocumentStatus.CURRENT
    )
    ApplicationDocument.objects.filter(pk=certificate.pk).update(valid_until=yesterday)
    MerchantCompliance.objects.filter(merchant=seller).update(computed_on=yesterday)
    assert compliance.compliance_sweep()["refreshed"] == 1

    assert MerchantCompliance.objects.get(merchant=seller).status == Standing.RESTRICTED
    assert Product.objects.get(pk=jade_good.pk).status == "restricted"
    assert not in_catalog(chromium, live_server, "冰种飘花手镯")

    context = chromium.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server, seller.user.email, next_path="/merchant/compliance/")

    # The overview: the restriction, why, and the way out, in one column.
    assert page.get_by_test_id("standing-badge").inner_text() == "已限制"
    reason = page.get_by_test_id("restriction-reason").inner_text()
    assert "珠宝玉石鉴定证书" in reason and yesterday.isoformat() in reason
    action = page.get_by_test_id(f"action-{CERTIFICATE}")
    assert action.inner_text() == "上传续期证件"
    assert action.bounding_box()["height"] >= 44
    assert page.evaluate(SCROLLS_SIDEWAYS) is False
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compliance-overview-phone.png"), full_page=True)

    # The renew page: the file previewed before it is sent, the dates, then off to review.
    action.click()
    page.wait_for_url(f"**/merchant/compliance/documents/{CERTIFICATE}/renew/")
    certificate_pdf = tmp_path / "ngtc-2027.pdf"
    certificate_pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_upload", str(certificate_pdf))
    preview = page.get_by_test_id("preview-upload")
    assert preview.locator(".upload-preview-icon").inner_text() == "PDF"
    assert preview.locator(".upload-preview-name").inner_text() == "ngtc-2027.pdf"
    issued = timezone.localdate() - datetime.timedelta(days=2)
    valid_until = issued + datetime.timedelta(days=730)
    page.fill("#id_issued_on", issued.isoformat())
    page.fill("#id_valid_until", valid_until.isoformat())
    submit = page.get_by_test_id("renew-submit")
    assert submit.bounding_box()["height"] >= 44
    assert page.evaluate(SCROLLS_SIDEWAYS) is False
    page.screenshot(path=str(ARTIFACTS / "compliance-renew-phone.png"), full_page=True)
    submit.click()
    page.wait_for_url("**/merchant/compliance/")

    renewal = ApplicationDocument.objects.get(
        application__merchant=seller, qualification__code="gem-appraisal", status=DocumentStatus.PENDING
    )
    assert (renewal.issued_on, renewal.valid_until) == (issued, valid_until)
    assert page.get_by_test_id(f"item-{CERTIFICATE}").first.is_visible()
    assert "等待审核" in page.get_by_test_id("requirements-pending_verification").inner_text()
    assert not in_catalog(chromium, live_server, "冰种飘花手镯")  # still restricted until approved

    # A reviewer claims it from the renewals queue and approves it with the dates as entered.
    staff = reviewer()
    desk = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    admin = desk.new_page()
    admin.set_default_timeout(15_000)
    log_in(admin, live_server, staff.email, next_path="/admin/")
    admin.goto(f"{live_server.url}/admin/merchants/applicationdocument/")
    admin.get_by_role("button", name="认领下一个").click()
    admin.wait_for_url(f"**/admin/merchants/applicationdocument/{renewal.pk}/change/")
    with translation.override("zh-hans"):
        approve, confirm = str(_("Approve")), _("Confirm: %(label)s") % {"label": _("Approve")}
    decision = admin.locator("details.decision").filter(
        has=admin.locator("summary", has_text=re.compile(rf"^\s*{approve}\s*$"))
    )
    decision.locator("summary").click()
    assert decision.get_by_label("有效期至").input_value() == valid_until.isoformat()
    ARTIFACTS.mkdir(exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "compliance-renewal-review-1366.png"), full_page=True)
    decision.get_by_role("button", name=confirm).click()
    admin.wait_for_load_state()
    renewal.refresh_from_db()
    assert renewal.status == DocumentStatus.CURRENT
    assert renewal.validity_confirmed_by == staff
    desk.close()

    assert Product.objects.get(pk=jade_good.pk).status == "published"
    assert in_catalog(chromium, live_server, "冰种飘花手镯")
    page.reload()
    assert page.get_by_test_id("standing-badge").inner_text() != "已限制"
    assert page.get_by_test_id("disabled-reason").count() == 0
    page.screenshot(path=str(ARTIFACTS / "compliance-overview-after-phone.png"), full_page=True)
    assert errors == []
    context.close()
