"""Demo data after approval for `seed_demo`: a shop in each state of the lifecycle.

merchants.demo calls `seed_compliance` once the onboarding demo is in place. Each state is
reached through the services, as a merchant, a reviewer and finance would, except where
the services refuse by design: a document already expired (no one may enter a past
date) is written by setting its date back. Every step looks for what it would create
first, so the command stays idempotent; dates are relative to the day it first ran.

- factory@ (approved earlier): the deposit paid by bank transfer, in good standing.
- ruili@ (approved earlier): the deposit paid; its gem appraisal expires in 5 days, the
  reminder sent.
- renewal@: restricted, its gem appraisal expired; the renewal it uploaded awaits review.
- categories@: asks to add jade with its appraisal; the request awaits review.
- transfer@: reported its deposit transfer; finance has not confirmed it yet.
- topup@: paid, then ¥500 deducted for a violation; the top-up is due.
- closed@: paid and closed the shop; the deposit is held for the after-sales period.
"""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from stdnum.cn import ric

from core.fonts import cjk_font
from core.uploads import check_upload

from .. import selectors as merchant_selectors
from .. import services as merchant_services
from ..models import (
    ApplicationDocument,
    Category,
    DepositEntryKind,
    DocumentStatus,
    EntityType,
    Region,
    SalesPlatform,
    SellerType,
    User,
)
from . import services

REVIEWER_EMAIL = "reviewer@demo.local"
FINANCE_EMAIL = "finance@demo.local"
GEM = "gem-appraisal"

# email, shop, seller type, county, categories, holder's name, the state it is left in
COMPLIANCE_MERCHANTS = [
    (
        "renewal@demo.local",
        "揭阳阳美玉器小陈",
        SellerType.WHOLESALE_MARKET,
        "445202",
        ["jade-jewellery"],
        "陈玉明",
        "merchant, restricted: gem appraisal expired, renewal awaiting review",
    ),
    (
        "categories@demo.local",
        "临沂兰山日用百货",
        SellerType.WHOLESALE_MARKET,
        "371302",
        ["household"],
        "刘红梅",
        "merchant, asked to add jade (awaiting review)",
    ),
    (
        "transfer@demo.local",
        "南通通州家纺直供",
        SellerType.FACTORY,
        "320612",
        ["household"],
        "周建华",
        "merchant, deposit transfer awaiting finance",
    ),
    (
        "topup@demo.local",
        "德化陶瓷小林",
        SellerType.FACTORY,
        "350526",
        ["household"],
        "林志强",
        "merchant, ¥500 deducted, top-up due",
    ),
    (
        "closed@demo.local",
        "白沟箱包老郑",
        SellerType.STALL,
        "130684",
        ["apparel"],
        "郑国庆",
        "merchant, shop closed, deposit held for the after-sales period",
    ),
]


def _today() -> datetime.date:
    return services.today()


def _picture(title: str, lines: list[str], *, color=(240, 244, 250)) -> SimpleUploadedFile:
    image = Image.new("RGB", (856, 540), color)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((12, 12, 844, 528), radius=24, outline=(90, 110, 140), width=4)
    draw.text((40, 36), title, fill=(30, 40, 60), font=cjk_font(40))
    for index, line in enumerate(lines):
        draw.text((40, 120 + index * 52), line, fill=(40, 40, 40), font=cjk_font(30))
    draw.text((556, 450), "SAMPLE 样本", fill=(200, 40, 40), font=cjk_font(40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png")


def _upload(title: str, lines: list[str]):
    upload = _picture(title, lines)
    return upload, check_upload(upload, allow_pdf=True)


def _resident_id(index: int) -> str:
    """A resident ID number with a valid check character, for demo data only (born 1990)."""
    first17 = f"4452021990{index + 1:02d}15{300 + index:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def _approved_shop(index, email, shop, seller_type, county, categories, holder, *, reviewer):
    """Onboard `email` as an individual seller and approve it (once)."""
    user = User.objects.get(email=email)
    merchant = merchant_services.merchant_profile_ensure(user=user)
    if merchant.applications.exists():
        return merchant
    application = merchant_services.application_start(merchant=merchant)
    merchant_services.application_update_entity(
        application=application,
        by=user,
        entity={
            "entity_type": EntityType.INDIVIDUAL,
            "legal_name": holder,
            "uscc": "",
            "legal_representative": "",
            "id_number": _resident_id(index),
        },
        profile={
            "seller_type": seller_type,
            "display_name": shop,
            "contact_mobile": f"+86137{index:04d}{index:04d}",
            "region": Region.objects.get(code=county),
        },
        categories=list(Category.objects.filter(code__in=categories)),
    )
    application = merchant_selectors.application_with_details().get(pk=application.pk)
    for slot in merchant_selectors.document_slots(application):
        upload = _picture(str(slot.label), [holder, "CMA / CNAS"])
        merchant_services.application_upload_document(
            application=application,
            by=user,
            kind=slot.kind,
            qualification=slot.qualification,
            upload=upload,
            checked=check_upload(upload, allow_pdf=slot.allow_pdf),
        )
    merchant_services.application_set_channels(
        application=application,
        by=user,
        channels=[(SalesPlatform.KUAISHOU, f"https://www.kwaixiaodian.com/shop/{2000 + index}")],
    )
    merchant_services.application_acknowledge_deposit(application=application, by=user)
    merchant_services.application_submit(application=application, by=user)
    merchant_services.application_approve(application=application, by=reviewer)
    return merchant


def _report_transfer(merchant, *, amount: Decimal):
    upload, checked = _upload("网上银行电子回单", [f"付款人 {merchant.display_name}", f"金额 ¥{amount:.2f}"])
    return services.deposit_transfer_submit(
        merchant=merchant,
        by=merchant.user,
        amount=amount,
        payer_name=merchant.display_name,
        bank_reference=f"DEMO{merchant.user.email.split('@')[0].upper()}{merchant.pk:04d}",
        upload=upload,
        checked=checked,
    )


def _pay(merchant, *, finance) -> None:
    """Pay what the merchant owes by a confirmed transfer, unless a transfer was reported already."""
    _held, owed = services.deposit_balance(merchant)
    if owed <= 0 or merchant.deposit_transfers.exists():
        return
    transfer = _report_transfer(merchant, amount=owed)
    services.deposit_transfer_confirm(transfer=transfer, by=finance, amount_received=owed)


def _gem_document(merchant, status=DocumentStatus.CURRENT):
    return ApplicationDocument.objects.filter(
        application__merchant=merchant, qualification__code=GEM, status=status
    ).first()


def _expiring_soon(merchant, *, reviewer) -> None:
    """The gem appraisal confirmed by a reviewer as valid for 5 more days."""
    document = _gem_document(merchant)
    if document is None or document.validity_confirmed_at is not None:
        return
    services.document_confirm_validity(
        document=document,
        by=reviewer,
        issued_on=_today() - datetime.timedelta(days=360),
        valid_until=_today() + datetime.timedelta(days=5),
    )


def _expired_with_renewal(merchant) -> None:
    if _gem_document(merchant, DocumentStatus.PENDING) is not None:
        return
    document = _gem_document(merchant)
    # Already expired: only a date set back gets there (the services refuse past dates).
    ApplicationDocument.objects.filter(pk=document.pk).update(
        issued_on=_today() - datetime.timedelta(days=733), valid_until=_today() - datetime.timedelta(days=3)
    )
    services.requirements_refresh(merchant=merchant, cause="Demo: the gem appraisal has expired")
    upload, checked = _upload(
        "珠宝玉石鉴定证书（换发）", [merchant.display_name, "CMA / CNAS 天然翡翠（A货）"]
    )
    services.document_renew(
        merchant=merchant,
        by=merchant.user,
        kind=document.kind,
        qualification=document.qualification,
        upload=upload,
        checked=checked,
        issued_on=_today() - datetime.timedelta(days=2),
        valid_until=_today() + datetime.timedelta(days=730),
    )


def _asks_for_jade(merchant) -> None:
    if merchant.category_requests.exists():
        return
    jade = Category.objects.get(code="jade-jewellery")
    uploads = {}
    for qualification in services.qualifications_needed(merchant, [jade]):
        upload, checked = _upload(qualification.name, [merchant.display_name, "CMA / CNAS"])
        uploads[qualification.pk] = (
            upload,
            checked,
            _today() - datetime.timedelta(days=30),
            _today() + datetime.timedelta(days=700),
        )
    services.category_request_submit(merchant=merchant, by=merchant.user, categories=[jade], uploads=uploads)


def _deducted(merchant, *, finance) -> None:
    if merchant.deposit_entries.filter(kind=DepositEntryKind.DEDUCTED).exists():
        return
    services.deposit_deduct(
        merchant=merchant,
        by=finance,
        amount=Decimal("500.00"),
        violation="虚假发货",
        reason="订单 KS20261120-0032 上传的物流单号无揽收记录，按规则扣除保证金 500 元。",
    )


def _closed(merchant) -> None:
    if merchant.compliance.closed_at is not None:
        return
    services.shop_close(merchant=merchant, by=merchant.user, reason="转做线下批发，不再经营线上店铺。")


def seed_compliance(stdout=None) -> list[tuple[str, str]]:
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    finance = User.objects.get(email=FINANCE_EMAIL)
    shops = {}
    for index, (email, shop, seller_type, county, categories, holder, _role) in enumerate(
        COMPLIANCE_MERCHANTS
    ):
        shops[email] = _approved_shop(
            index, email, shop, seller_type, county, categories, holder, reviewer=reviewer
        )

    factory = merchant_selectors.merchant_profile_for(User.objects.get(email="factory@demo.local"))
    ruili = merchant_selectors.merchant_profile_for(User.objects.get(email="ruili@demo.local"))
    for merchant in (factory, ruili):
        _pay(merchant, finance=finance)
    _expiring_soon(ruili, reviewer=reviewer)

    _pay(shops["renewal@demo.local"], finance=finance)
    _expired_with_renewal(shops["renewal@demo.local"])
    _pay(shops["categories@demo.local"], finance=finance)
    _asks_for_jade(shops["categories@demo.local"])
    transfer_shop = shops["transfer@demo.local"]
    if not transfer_shop.deposit_transfers.exists():
        _report_transfer(transfer_shop, amount=services.deposit_balance(transfer_shop)[1])
    _pay(shops["topup@demo.local"], finance=finance)
    _deducted(shops["topup@demo.local"], finance=finance)
    _pay(shops["closed@demo.local"], finance=finance)
    _closed(shops["closed@demo.local"])

    services.send_expiry_reminders()
    return [(email, role) for email, *_rest, role in COMPLIANCE_MERCHANTS]
