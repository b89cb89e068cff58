"""Demo goods for `seed_demo`: a few hundred products across both belts, with generated photos.

Photos are drawn with Pillow (a coloured tile with the product's name) and go through
the same pipeline as a merchant's upload (Celery makes the WebP sizes).
"""

import io
import random
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core.fonts import cjk_font
from core.uploads import check_upload
from merchants.models import Category, MerchantProfile

from . import services
from .discovery.services import run_cycle
from .models import SourceKind

CATALOGUE = {
    "apparel": (
        ["真丝", "棉麻", "羊毛", "雪纺", "针织", "牛仔", "醋酸", "法式"],
        ["连衣裙", "衬衫", "阔腿裤", "针织衫", "风衣", "半身裙", "西装外套", "T恤"],
        "杭州四季青档口一手货源，支持一件代发，直播间下单享批发价。",
        (29, 399),
    ),
    "jade-jewellery": (
        ["冰种", "糯种", "飘花", "满绿", "晴水", "紫罗兰", "黄加绿", "白冰"],
        ["翡翠手镯", "翡翠吊坠", "平安扣", "翡翠戒面", "观音挂件", "叶子吊坠", "翡翠手串", "福瓜"],
        "缅甸A货天然翡翠，附国检鉴定证书，源头直播间一物一拍。",
        (199, 8800),
    ),
}
COLOURS = [(214, 92, 58), (64, 128, 96), (70, 110, 170), (190, 150, 60), (140, 90, 160), (60, 150, 160)]


def _photo(title: str, colour) -> SimpleUploadedFile:
    image = Image.new("RGB", (720, 720), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, 680, 680), radius=40, outline=(255, 255, 255), width=6)
    draw.text((80, 320), title, fill=(255, 255, 255), font=cjk_font(56))
    draw.text((80, 600), "源头好货 DEMO", fill=(255, 255, 255), font=cjk_font(30))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def seed_products(stdout=None) -> list:
    per_merchant = settings.DEMO_PRODUCTS_PER_MERCHANT
    rng = random.Random(1106)
    for email in ("factory@demo.local", "ruili@demo.local", "sihui@demo.local"):
        merchant = MerchantProfile.objects.select_related("region").get(user__email=email)
        if merchant.products.exists():
            continue
        category = merchant.categories.order_by("position").first()
        adjectives, nouns, intro, (low, high) = CATALOGUE[category.code]
        membership = merchant.memberships.filter(status="approved").select_related("belt").first()
        for n in range(per_merchant):
            title = f"{rng.choice(adjectives)}{rng.choice(nouns)}"
            wholesale = Decimal(rng.randrange(low, high))
            photo = _photo(title, COLOURS[n % len(COLOURS)])
            product = services.product_save(
                merchant=merchant,
                by=merchant.user,
                product=None,
                data={
                    "title": f"{title} {n + 1:03d}",
                    "intro": intro,
                    "category": Category.objects.get(pk=category.pk),
                    "source_kind": SourceKind.BELT if membership else SourceKind.FACTORY,
                    "belt": membership.belt if membership else None,
                    "base": None,
                    "origin_region": merchant.region,
                    "wholesale_price": wholesale,
                    "retail_price": (wholesale * Decimal("1.6")).quantize(Decimal("0.01")),
                    "own_shop_price": None,
                    "min_order_quantity": rng.choice([1, 2, 5, 10]),
                    "stock_status": "in_stock",
                },
                photos=[(photo, check_upload(photo, allow_pdf=False, decode=False))],
            )
            services.product_publish(product=product, by=merchant.user)
    seed_discovery()
    return []


def seed_discovery() -> None:
    """Run one discovery cycle so the catalog and belt pages show their "new and climbing" strip."""

    run_cycle(seed=2026)
