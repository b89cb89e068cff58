"""Region names: Chinese pages show 广东省肇庆市四会市, English pages Sihui, Zhaoqing, Guangdong."""

import pytest
from django.urls import reverse
from django.utils import translation

from merchants import selectors
from merchants.models import Region
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return approved_merchant()


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_every_region_has_an_english_name_from_the_migration():
    assert not Region.objects.filter(name_en="").exists()
    provinces = dict(Region.objects.filter(level="province").values_list("code", "name_en"))
    assert provinces["440000"] == "Guangdong"
    assert provinces["150000"] == "Inner Mongolia"
    assert provinces["540000"] == "Tibet"
    assert provinces["610000"] == "Shaanxi"
    assert provinces["640000"] == "Ningxia"


def test_full_name_follows_the_language():
    sihui = Region.objects.select_related("parent__parent").get(code="441284")

    with translation.override("zh-hans"):
        assert sihui.full_name == str(sihui) == "广东省肇庆市四会市"
        assert sihui.localized_name == "四会市"
    with translation.override("en"):
        assert sihui.full_name == str(sihui) == "Sihui, Zhaoqing, Guangdong"
        assert sihui.localized_name == "Sihui"


def test_english_names_follow_one_suffix_rule():
    names = dict(
        Region.objects.filter(
            code__in=["440104", "441223", "222400", "542500", "130828", "110101"]
        ).values_list("code", "name_en")
    )
    assert names == {
        "440104": "Yuexiu District",
        "441223": "Guangning County",
        "222400": "Yanbian Korean Autonomous Prefecture",
        "542500": "Ali Prefecture",
        "130828": "Weichang Manchu Mongol Autonomous County",
        "110101": "Dongcheng District",
    }
    with translation.override("en"):
        # Placeholder levels (市辖区) stay out of the full name in both languages.
        assert Region.objects.get(code="110101").full_name == "Dongcheng District, Beijing"
    with translation.override("zh-hans"):
        assert Region.objects.get(code="110101").full_name == "北京市东城区"


def test_region_options_in_each_language(client, seller):
    merchant_client = client
    merchant_client.force_login(seller.user)
    url = reverse("merchants:region-options")

    chinese = merchant_client.get(url, {"province": "440000"}).content.decode()
    english_options = english(merchant_client).get(url, {"province": "440000"}).content.decode()

    assert '<option value="441200">肇庆市</option>' in chinese
    assert '<option value="441200">Zhaoqing</option>' in english_options


def test_product_page_and_card_show_the_origin_in_the_pages_language(client, seller):
    product = make_product(seller, title="四会玉器手镯", origin_region=Region.objects.get(code="441284"))
    detail = reverse("storefront:product-detail", args=[product.public_id])
    catalog = reverse("storefront:catalog")

    chinese_page = client.get(detail).content.decode()
    chinese_card = client.get(catalog).content.decode()
    english(client)
    english_page = client.get(detail).content.decode()
    english_card = client.get(catalog).content.decode()

    assert "<dd>广东省肇庆市四会市</dd>" in chinese_page
    assert "<dd>Sihui, Zhaoqing, Guangdong</dd>" in english_page
    # The shop's region (the merchant's, 杭州市上城区) in the same language.
    assert "浙江省杭州市上城区" in chinese_page
    assert "Shangcheng District, Hangzhou, Zhejiang" in english_page
    assert " · 四会市" in chinese_card and "Sihui" not in chinese_card
    assert " · Sihui" in english_card and "四会市" not in english_card


def test_english_pages_read_no_more_queries_than_chinese_ones(client, seller, django_assert_max_num_queries):
    product = make_product(seller, origin_region=Region.objects.get(code="441284"))
    for n in range(5):
        make_product(seller, title=f"女装{n}")
    detail = reverse("storefront:product-detail", args=[product.public_id])
    catalog = reverse("storefront:catalog")
    with django_assert_max_num_queries(50) as chinese:
        client.get(detail)
        client.get(catalog)
    english(client)

    with django_assert_max_num_queries(len(chinese.captured_queries)):
        page = client.get(detail)
        cards = client.get(catalog)

    assert "Sihui, Zhaoqing, Guangdong" in page.content.decode()
    assert cards.content.decode().count(" · Shangcheng District") == 5


def test_admin_lists_show_regions_by_language_without_a_query_per_row(
    admin_client, django_assert_max_num_queries
):
    from industrybelts.models import Belt
    from tests.industrybelts.conftest import approved_provider

    jade = Belt.objects.get(slug="jade")
    providers = reverse("admin:industrybelts_serviceprovider_changelist")
    regions = reverse("admin:merchants_region_changelist")
    approved_provider(jade)
    with django_assert_max_num_queries(60) as few:
        admin_client.get(providers)
        admin_client.get(regions, {"level": "county"})
    for _ in range(4):
        approved_provider(jade)
    english(admin_client)

    with django_assert_max_num_queries(len(few.captured_queries)):
        provider_list = admin_client.get(providers).content.decode()
        region_list = admin_client.get(regions, {"level": "county"}).content.decode()

    assert provider_list.count("Foshan, Guangdong") == 5
    assert "Dongcheng District" in region_list and "Beijing" in region_list


def test_region_full_names_are_region_full_name_in_each_language_and_kept_per_process(
    django_assert_num_queries,
):
    selectors._known_regions.clear()
    nanhai, dongguan = Region.objects.get(code="440605"), Region.objects.get(code="441900")

    with translation.override("zh-hans"):
        with django_assert_num_queries(1):
            names = selectors.region_full_names([nanhai.pk, dongguan.pk, None])
        assert names == {nanhai.pk: nanhai.full_name, dongguan.pk: dongguan.full_name}
    assert names[nanhai.pk] == "广东省佛山市南海区"

    with translation.override("en"), django_assert_num_queries(0):
        english = selectors.region_full_names([nanhai.pk])
    assert english == {nanhai.pk: "Nanhai District, Foshan, Guangdong"}

    # A region not asked for before is known too: the first call read them all.
    shangcheng = Region.objects.get(code="330102")
    with translation.override("zh-hans"):
        expected = {shangcheng.pk: shangcheng.full_name}
        with django_assert_num_queries(0):
            assert selectors.region_full_names([shangcheng.pk]) == expected
