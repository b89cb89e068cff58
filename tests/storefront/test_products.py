"""The merchant's side of the catalog: lightning listing, the editor, bulk actions, CSV import,
and staff moderation in admin."""

import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from merchants import services as merchant_services
from merchants.models import Category, Region
from storefront.models import Product, ProductImage, ProductStatus
from tests.factories import StaffFactory, image_upload, pdf_upload, reviewer, submitted_application
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db

QUICK = reverse("storefront:product-quick-list")


def gps_photo(size=(1200, 900)):
    """A JPEG as a phone writes it: rotated by EXIF, with the GPS position of the shop."""
    image = Image.new("RGB", size, (180, 60, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (22.0, 54.0, 3.0), 3: "E", 4: (113.0, 8.0, 2.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_2024.jpg", buffer.getvalue(), content_type="image/jpeg")


def _processed(image_id, timeout=20):
    deadline = time.monotonic() + timeout
    image = ProductImage.objects.get(pk=image_id)
    while not image.large and time.monotonic() < deadline:
        time.sleep(0.2)
        image.refresh_from_db()
    return image


@pytest.mark.django_db(transaction=True)
def test_quick_listing_goes_live_and_publishes_a_clean_photo(client, settings):
    seller = approved_merchant()
    client.force_login(seller.user)

    response = client.post(
        QUICK, {"photo": gps_photo(), "title": "冰种翡翠手镯", "price": "888.00", "intro": "瑞丽直播间现货"}
    )

    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("storefront:product-detail", args=[product.public_id])
    assert product.status == ProductStatus.PUBLISHED
    assert product.wholesale_price == product.retail_price == Decimal("888.00")
    image = _processed(ProductImage.objects.get().pk)
    assert not image.original
    for rendition in (image.large, image.thumbnail):
        assert rendition.path.startswith(str(settings.MEDIA_ROOT))
        with Image.open(rendition.path) as public:
            assert public.format == "WEBP"
            assert not public.getexif()
            assert 0x8825 not in public.getexif()
            assert public.size[1] > public.size[0]  # turned upright from the EXIF orientation
    page = client.get(reverse("storefront:product-detail", args=[product.public_id])).content.decode()
    assert image.large.url in page


def test_quick_listing_writes_the_live_good_once_with_its_event_and_pool_entry(client, seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from storefront.discovery.models import ProductExposure

    client.force_login(seller.user)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(QUICK, {"photo": image_upload(), "title": "一次写好", "price": "19.90"})

    assert response.status_code == 302
    product = Product.objects.get()
    assert product.status == ProductStatus.PUBLISHED and product.published_at is not None
    assert list(product.events.values_list("from_status", "to_status")) == [("", "published")]
    assert ProductExposure.objects.filter(product=product, round=1, in_pool=True).exists()
    product_writes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT INTO", "UPDATE"))
        and '"storefront_product"' in q["sql"].split("(")[0].split(" SET ")[0]
    ]
    assert len(product_writes) == 1  # the row is written live, not as a draft published a moment later


def test_the_photo_field_opens_the_phone_camera(client, seller):
    client.force_login(seller.user)

    html = client.get(QUICK).content.decode()

    assert 'capture="environment"' in html
    assert 'accept="image/*"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "-1"), ("price", "0.001"), ("price", "1000000000000"), ("price", "abc"), ("title", "")],
)
def test_quick_listing_refuses_bad_values_and_keeps_the_rest(client, seller, field, value):
    client.force_login(seller.user)
    data = {"photo": image_upload(), "title": "真丝连衣裙", "price": "99.00", "intro": "一句介绍"}
    data[field] = value

    response = client.post(QUICK, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "一句介绍" in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.parametrize("upload", ["pdf_as_jpg", "huge_png"])
def test_quick_listing_refuses_disguised_files_and_bombs(client, seller, upload):
    client.force_login(seller.user)
    if upload == "pdf_as_jpg":
        photo = pdf_upload("photo.jpg")
    else:
        buffer = io.BytesIO()
        Image.new("1", (20000, 20000)).save(buffer, format="PNG")
        photo = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")

    response = client.post(QUICK, {"photo": photo, "title": "测试", "price": "9.90"})

    assert response.status_code == 400
    assert "photo" in response.context["form"].errors
    assert not Product.objects.exists()


def cut_photo(image_format="JPEG", keep=0.6):
    """A photo cut short, as a dropped upload leaves it: its header still reads as a photo."""
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 64).convert("RGB").save(buffer, format=image_format)
    data = buffer.getvalue()
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(f"IMG_0001.{image_format.lower()}", data[: int(len(data) * keep)], content_type)


@pytest.mark.parametrize(
    ("image_format", "keep", "message"),
    [
        ("JPEG", 0.6, "图片已损坏，无法打开。"),
        ("JPEG", 0.999, "图片已损坏，无法打开。"),
        ("PNG", 0.6, "图片已损坏，无法打开。"),
        ("WEBP", 0.6, "无论文件名如何，该文件都不是 JPEG、PNG 或 WebP 图片。"),
    ],
)
def test_quick_listing_refuses_a_cut_photo_before_the_good_goes_live(
    client, seller, image_format, keep, message
):
    """The photo used to go live with its good, and vanish when Celery could not decode it."""
    make_product(seller, title="已有的货")
    client.force_login(seller.user)
    products, images = Product.objects.count(), ProductImage.objects.count()

    response = client.post(QUICK, {"photo": cut_photo(image_format, keep), "title": "断图", "price": "9.90"})

    assert response.status_code == 400
    assert response.context["form"].errors["photo"] == [message]
    assert (Product.objects.count(), ProductImage.objects.count()) == (products, images)


def test_the_quick_listing_service_decodes_the_photo_itself(seller):
    """A caller without the form (the demo, a script) cannot list a cut photo either."""
    from django.core.exceptions import ValidationError

    from storefront import services

    with pytest.raises(ValidationError) as refused:
        services.product_quick_list(
            merchant=seller, by=seller.user, photo=cut_photo(), title="断图", price="9.90"
        )

    assert refused.value.code == "image_broken"
    assert not Product.objects.exists()


def test_unapproved_and_suspended_merchants_cannot_list(client, photo):
    pending = submitted_application().merchant
    suspended = approved_merchant()
    merchant_services.application_suspend(
        application=suspended.applications.get(), by=reviewer(), reason="核查"
    )

    for merchant in (pending, suspended):
        client.force_login(merchant.user)
        response = client.post(QUICK, {"photo": image_upload(), "title": "测试", "price": "9.90"})
        assert response.status_code == 403
    assert not Product.objects.exists()


def test_wholesale_above_retail_is_refused_by_the_form_and_the_database(client, seller):
    client.force_login(seller.user)
    data = {
        "title": "手工茶具",
        "intro": "",
        "category": Category.objects.get(code="apparel").pk,
        "source_kind": "factory",
        "origin_region": Region.objects.get(code="330102").pk,
        "wholesale_price": "120.00",
        "retail_price": "100.00",
        "min_order_quantity": "1",
        "stock_status": "in_stock",
    }

    response = client.post(reverse("storefront:product-create"), data)

    assert response.status_code == 400
    assert "wholesale_price" in response.context["form"].errors
    assert not Product.objects.exists()
    product = make_product(seller)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(wholesale_price=Decimal("500.00"))


# A good that breaks each of the table's check constraints, and the field that says so.
CONSTRAINT_BREAKERS = {
    "product_wholesale_not_above_retail": (
        {"wholesale_price": Decimal("120.00"), "retail_price": Decimal("100.00")},
        "wholesale_price",
    ),
    "product_price_in_range": ({"wholesale_price": Decimal("0.00")}, "wholesale_price"),
    "product_belt_good_has_belt": ({"source_kind": "belt", "belt": None}, "belt"),
    "product_moq_positive": ({"min_order_quantity": 0}, "min_order_quantity"),
}


def test_every_check_constraint_has_its_counterpart_in_python():
    from storefront.services import CHECKED_IN_PYTHON

    names = {constraint.name for constraint in Product._meta.constraints}
    assert set(CHECKED_IN_PYTHON) == names == set(CONSTRAINT_BREAKERS)


@pytest.mark.parametrize("constraint", sorted(CONSTRAINT_BREAKERS))
def test_a_save_that_would_break_a_constraint_is_a_validation_error_without_asking_the_database(
    seller, constraint
):
    from django.core.exceptions import ValidationError

    from storefront import services

    product = make_product(seller, price="80.00", retail="100.00")
    changes, field = CONSTRAINT_BREAKERS[constraint]
    data = {"title": "改过的标题", **changes}
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        services.product_save(merchant=seller, by=seller.user, product=product, data=data)

    assert field in refused.value.message_dict
    assert not [q for q in queries.captured_queries if '"_check"' in q["sql"]]
    product.refresh_from_db()
    assert product.title != "改过的标题"


def test_an_edit_checks_the_good_in_python_and_writes_it_once(seller):
    from storefront import services

    product = make_product(seller, price="80.00", retail="100.00")
    data = {"intro": "源头工厂直供,今日更新", "min_order_quantity": 3}
    with CaptureQueriesContext(connection) as queries:
        services.product_save(merchant=seller, by=seller.user, product=product, data=data)

    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if '"_check"' in q]
    assert sum(q.startswith("SAVEPOINT") for q in sql) == 1  # product_save's own atomic, in the test's
    assert sum(q.startswith("UPDATE") and "storefront_product" in q for q in sql) == 1
    assert len(sql) <= 8, sql  # seller check, locked read, update, links; no constraint or FK lookups
    product.refresh_from_db()
    assert (product.intro, product.min_order_quantity) == ("源头工厂直供,今日更新", 3)


@pytest.mark.parametrize(
    ("link", "fragment"),
    [("https://item.jd.com/100.html", "京东"), ("https://evil.example.com/x", "不是")],
)
def test_editor_links_must_be_on_a_declared_platform(client, seller, link, fragment):
    client.force_login(seller.user)
    data = {
        "title": "手工茶具",
        "intro": "",
        "category": Category.objects.get(code="apparel").pk,
        "source_kind": "factory",
        "origin_region": Region.objects.get(code="330102").pk,
        "wholesale_price": "80.00",
        "retail_price": "100.00",
        "min_order_quantity": "1",
        "stock_status": "in_stock",
        "link": link,
    }

    response = client.post(reverse("storefront:product-create"), data)

    assert response.status_code == 400
    assert fragment in " ".join(response.context["form"].errors["link"])


def test_editor_saves_a_taobao_link_the_merchant_declared(client, seller):
    client.force_login(seller.user)
    data = {
        "title": "手工茶具",
        "intro": "景德镇",
        "category": Category.objects.get(code="apparel").pk,
        "source_kind": "factory",
        "origin_region": Region.objects.get(code="330102").pk,
        "wholesale_price": "80.00",
        "retail_price": "100.00",
        "min_order_quantity": "10",
        "stock_status": "in_stock",
        "link": "https://shop123.taobao.com/item/9",
        "publish": "1",
    }

    response = client.post(reverse("storefront:product-create"), data)

    product = Product.objects.get()
    assert response.status_code == 302
    assert product.status == ProductStatus.PUBLISHED
    assert list(product.links.values_list("platform", "url")) == [
        ("taobao", "https://shop123.taobao.com/item/9")
    ]


def test_bulk_actions_touch_only_the_merchants_own_goods(client, seller):
    mine = [make_product(seller, title=f"我的{n}") for n in range(2)]
    other = make_product(approved_merchant(), title="别人的")
    client.force_login(seller.user)

    client.post(
        reverse("storefront:merchant-products"),
        {
            "action": "unpublish",
            "products": [str(p.public_id) for p in [*mine, other]],
        },
    )

    statuses = {p.title: p.status for p in Product.objects.all()}
    assert statuses == {"我的0": "unpublished", "我的1": "unpublished", "别人的": "published"}


def test_another_merchants_product_cannot_be_edited(client, seller):
    other = make_product(approved_merchant())
    client.force_login(seller.user)

    assert client.get(reverse("storefront:product-edit", args=[other.public_id])).status_code == 404


CSV_HEADER = (
    "title,intro,category,source_kind,belt,base,origin_region,wholesale_price,retail_price,"
    "min_order_quantity,stock_status,own_shop_price,link\n"
)


def _csv(rows):
    return SimpleUploadedFile(
        "goods.csv", (CSV_HEADER + "".join(rows)).encode("utf-8"), content_type="text/csv"
    )


def test_csv_import_creates_every_row_as_a_draft(client, seller):
    client.force_login(seller.user)
    rows = [
        f"连衣裙{n},档口直供,apparel,factory,,,330102,{50 + n}.00,{99 + n}.00,5,in_stock,," + "\n"
        for n in range(3)
    ]

    response = client.post(reverse("storefront:product-import"), {"file": _csv(rows)})

    assert response.status_code == 302  # to the preview: nothing written yet
    assert not Product.objects.exists()
    response = client.post(response["Location"] + "confirm/")
    assert Product.objects.filter(status=ProductStatus.DRAFT).count() == 3


def test_csv_with_a_broken_row_imports_nothing_and_names_the_row(client, seller):
    client.force_login(seller.user)
    rows = [
        "连衣裙,档口直供,apparel,factory,,,330102,50.00,99.00,5,in_stock,,\n",
        "坏行,说明,apparel,factory,,,330102,150.00,99.00,5,in_stock,,\n",
        "第三行,说明,no-such-category,factory,,,330102,5.00,9.00,1,in_stock,,\n",
    ]

    response = client.post(reverse("storefront:product-import"), {"file": _csv(rows)})

    assert response.status_code == 400
    errors = {error["row"]: error["message"] for error in response.context["row_errors"]}
    assert set(errors) == {3, 4}
    assert "批发价" in errors[3]
    assert not Product.objects.exists()


def test_staff_hide_a_product_with_a_reason_and_the_merchant_is_told(
    client, seller, outbox, django_capture_on_commit_callbacks
):
    product = make_product(seller)
    client.force_login(StaffFactory(group="belt-operations"))
    changelist = reverse("admin:storefront_product_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            changelist,
            {"action": "hide", "_selected_action": [product.pk], "apply": "1", "reason": "图片涉嫌侵权"},
        )

    product.refresh_from_db()
    assert product.status == ProductStatus.HIDDEN
    assert product.events.last().reason == "图片涉嫌侵权"
    [message] = [m for m in outbox.wait_for(1) if m.to == [seller.user.email]]
    assert "图片涉嫌侵权" in message.body
    client.post(changelist, {"action": "restore", "_selected_action": [product.pk], "apply": "1"})
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED


def test_merchants_and_reviewers_cannot_moderate(client, seller):
    product = make_product(seller)
    client.force_login(reviewer())

    response = client.get(reverse("admin:storefront_product_changelist"), follow=True)

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
