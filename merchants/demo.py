"""Demo onboarding data for `seed_demo`: merchants in every state, with generated documents.

The documents are drawn with Pillow (an ID card and a licence marked SAMPLE), never
real people's; identity numbers are built with valid check characters for the demo.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from stdnum.cn import ric, uscc

from core.fonts import cjk_font
from core.uploads import check_upload

from . import selectors, services
from .compliance.demo import seed_compliance
from .models import ApplicationStatus, Category, DocumentKind, EntityType, Region, SellerType, User

# email, shop, seller type, entity type, county code, categories, the state to reach
DEMO_MERCHANTS = [
    (
        "factory@demo.local",
        "杭州四季青女装工厂",
        SellerType.FACTORY,
        EntityType.ENTERPRISE,
        "330102",
        ["apparel"],
        ApplicationStatus.APPROVED,
    ),
    (
        "stall@demo.local",
        "广州十三行李姐档口",
        SellerType.STALL,
        EntityType.INDIVIDUAL_BUSINESS,
        "440104",
        ["apparel"],
        ApplicationStatus.SUBMITTED,
    ),
    (
        "village@demo.local",
        "瑞丽姐告村翡翠合作社",
        SellerType.VILLAGE,
        EntityType.ENTERPRISE,
        "533102",
        ["jade-jewellery", "fresh-produce"],
        ApplicationStatus.CHANGES_REQUESTED,
    ),
    (
        "jade@demo.local",
        "平洲玉器街阿强",
        SellerType.WHOLESALE_MARKET,
        EntityType.INDIVIDUAL_BUSINESS,
        "440605",
        ["jade-jewellery"],
        ApplicationStatus.IN_REVIEW,
    ),
    (
        "expert@demo.local",
        "种草达人小美",
        SellerType.EXPERT,
        EntityType.INDIVIDUAL,
        "510104",
        ["cosmetics"],
        ApplicationStatus.DRAFT,
    ),
    (
        "brand@demo.local",
        "四会玉器品牌馆",
        SellerType.BRAND,
        EntityType.ENTERPRISE,
        "441284",
        ["jade-jewellery"],
        ApplicationStatus.SUSPENDED,
    ),
    (
        "market@demo.local",
        "义乌小商品批发",
        SellerType.WHOLESALE_MARKET,
        EntityType.INDIVIDUAL_BUSINESS,
        "330782",
        ["household"],
        ApplicationStatus.REJECTED,
    ),
    (
        "ruili@demo.local",
        "瑞丽翡翠直播小王",
        SellerType.EXPERT,
        EntityType.INDIVIDUAL_BUSINESS,
        "533102",
        ["jade-jewellery"],
        ApplicationStatus.APPROVED,
    ),
    (
        "sihui@demo.local",
        "四会玉器城陈师傅",
        SellerType.FACTORY,
        EntityType.INDIVIDUAL_BUSINESS,
        "441284",
        ["jade-jewellery"],
        ApplicationStatus.APPROVED,
    ),
]

PATH_TO = {
    ApplicationStatus.DRAFT: [],
    ApplicationStatus.SUBMITTED: ["submit"],
    ApplicationStatus.IN_REVIEW: ["submit", "review"],
    ApplicationStatus.CHANGES_REQUESTED: ["submit", "changes"],
    ApplicationStatus.APPROVED: ["submit", "approve"],
    ApplicationStatus.REJECTED: ["submit", "reject"],
    ApplicationStatus.SUSPENDED: ["submit", "approve", "suspend"],
}


def _card(title: str, lines: list[str], *, size=(856, 540), color=(232, 240, 250)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((12, 12, size[0] - 12, size[1] - 12), radius=24, outline=(90, 110, 140), width=4)
    draw.text((40, 36), title, fill=(30, 40, 60), font=cjk_font(40))
    for index, line in enumerate(lines):
        draw.text((40, 120 + index * 52), line, fill=(40, 40, 40), font=cjk_font(30))
    draw.text((size[0] - 300, size[1] - 90), "SAMPLE 样本", fill=(200, 40, 40), font=cjk_font(40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png")


def _resident_id(index: int) -> str:
    first17 = f"110105198{index}0615{100 + index:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def demo_uscc(index: int, region: str) -> str:
    """A unified social credit code with valid check characters, for demo data only."""
    body = f"MA{index:06d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    remainder = 11 - sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 11
    first17 = "92" + region + body + {10: "X", 11: "0"}.get(remainder, str(remainder))
    return first17 + uscc.calc_check_digit(first17)


def _uploads(application):
    """Yield (slot, upload, checked, issued_on, valid_until) for each document slot, as the
    documents step's form does (demo documents are long-term)."""
    for slot in selectors.document_slots(application):
        upload = _documents_for(slot, application)
        yield slot, upload, check_upload(upload, allow_pdf=slot.allow_pdf), None, None


def _documents_for(slot, application):
    if slot.kind == DocumentKind.ID_FRONT:
        return _card(
            "居民身份证",
            [
                f"姓名 {application.legal_representative or application.legal_name}",
                f"公民身份号码 {application.id_number}",
            ],
        )
    if slot.kind == DocumentKind.ID_BACK:
        return _card(
            "中华人民共和国 居民身份证", ["签发机关 北京市公安局西城分局", "有效期限 2020.01.01-2040.01.01"]
        )
    if slot.kind == DocumentKind.BUSINESS_LICENCE:
        return _card(
            "营业执照",
            [
                f"统一社会信用代码 {application.uscc}",
                f"名称 {application.legal_name}",
                f"法定代表人 {application.legal_representative}",
            ],
            size=(1000, 700),
            color=(250, 245, 230),
        )
    return _card(str(slot.label), ["CMA / CNAS", "检验结论 天然翡翠（A货）"], color=(245, 250, 240))


def seed_onboarding(stdout=None) -> list[tuple[str, str]]:
    reviewer = User.objects.get(email="reviewer@demo.local")
    logins = []
    for index, (email, shop, seller_type, entity_type, county, categories, target) in enumerate(
        DEMO_MERCHANTS
    ):
        user = User.objects.get(email=email)
        merchant = services.merchant_profile_ensure(user=user)
        logins.append((email, f"merchant, application {target.label}"))
        if merchant.applications.exists():
            continue
        application = services.application_start(merchant=merchant)
        is_business = entity_type != EntityType.INDIVIDUAL
        region = Region.objects.get(code=county)
        services.application_update_entity(
            application=application,
            by=user,
            entity={
                "entity_type": entity_type,
                "legal_name": shop if is_business else "李小美",
                "uscc": demo_uscc(index + 1, county) if is_business else "",
                "legal_representative": "王建国" if is_business else "",
                "id_number": _resident_id(index),
            },
            profile={
                "seller_type": seller_type,
                "display_name": shop,
                "contact_mobile": f"+86139{index:04d}{index:04d}",
                "region": region,
            },
            categories=list(Category.objects.filter(code__in=categories)),
        )
        if target == ApplicationStatus.DRAFT:
            continue
        application = selectors.application_with_details().get(pk=application.pk)
        services.application_upload_documents(application=application, by=user, uploads=_uploads(application))
        services.application_set_channels(
            application=application,
            by=user,
            channels=[
                ("kuaishou", f"https://www.kwaixiaodian.com/shop/{1000 + index}"),
                ("taobao", f"https://shop{5000 + index}.taobao.com/"),
            ],
        )
        services.application_acknowledge_deposit(application=application, by=user)
        _walk(application, PATH_TO[target], user=user, reviewer=reviewer)
    # After approval: deposits, renewals, category requests, a closed shop.
    return logins + seed_compliance(stdout)


def _walk(application, steps, *, user, reviewer):
    for step in steps:
        if step == "submit":
            services.application_submit(application=application, by=user)
        elif step == "review":
            services.application_start_review(application=application, by=reviewer)
        elif step == "approve":
            services.application_approve(application=application, by=reviewer)
        elif step == "changes":
            services.application_request_changes(
                application=application,
                by=reviewer,
                fields=["documents"],
                reason="翡翠鉴定证书需由具备 CMA 或 CNAS 资质的机构出具，请重新上传。",
            )
        elif step == "reject":
            services.application_reject(
                application=application, by=reviewer, reason="营业执照与申请主体不一致。"
            )
        elif step == "suspend":
            services.application_suspend(
                application=application, by=reviewer, reason="多起售假投诉，核查期间暂停店铺。"
            )
