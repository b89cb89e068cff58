"""A document upload shows the chosen file before it is sent, on a phone (upload-preview.js)."""

import io

import pytest
from PIL import Image

from merchants.models import OnboardingApplication
from tests.browser.helpers import log_in
from tests.factories import ApplicationFactory, fill_application

pytestmark = pytest.mark.django_db(transaction=True)


def test_documents_step_previews_a_photo_and_a_pdf_on_a_phone(chromium, live_server, tmp_path):
    application = fill_application(ApplicationFactory())
    application.documents.all().delete()
    assert OnboardingApplication.objects.get(pk=application.pk).documents.count() == 0
    photo = tmp_path / "front.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), "blue").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server, application.merchant.user.email, next_path="/merchant/application/documents/")

    preview = page.get_by_test_id("preview-id_front")
    assert preview.is_hidden()
    page.set_input_files("#id_id_front", str(photo))
    assert preview.locator("img.upload-preview-thumb").get_attribute("src").startswith("blob:")
    assert preview.locator(".upload-preview-name").inner_text() == "front.jpg"
    assert preview.locator(".upload-preview-size").inner_text().endswith("KB")

    page.set_input_files("#id_business_licence", str(pdf))
    licence = page.get_by_test_id("preview-business_licence")
    assert licence.locator(".upload-preview-icon").inner_text() == "PDF"
    assert licence.locator(".upload-preview-name").inner_text() == "licence.pdf"
    assert licence.locator(".upload-preview-size").inner_text() == f"{pdf.stat().st_size} B"

    # Choosing nothing again hides the preview; the file button stays a 44 px target.
    page.set_input_files("#id_id_front", [])
    assert preview.is_hidden()
    assert page.locator("#id_id_front").bounding_box()["height"] >= 44
    assert errors == []
    context.close()
