"""Reference data the portal ships: GB/T 2260 regions and the launch categories.

Loaded by migration 0005, and again after a database flush (post_migrate, see
apps.py) when the tables are empty, e.g. between transactional tests. Categories,
their deposits and qualifications are staff-edited afterwards in admin.
"""

import csv
from decimal import Decimal
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "gbt2260_regions.csv"
# code → English name, written offline by data/make_regions_en.py (no runtime pinyin).
REGIONS_EN_CSV = Path(__file__).resolve().parent / "data" / "gbt2260_regions_en.csv"

QUALIFICATIONS = [
    (
        "gem-appraisal",
        "珠宝玉石鉴定证书",
        "Gem appraisal certificate",
        "由具备 CMA 或 CNAS 资质的检测机构出具的珠宝玉石鉴定证书（如国检 NGTC、省级质检站）。",
    ),
    (
        "food-business-licence",
        "食品经营许可证",
        "Food business licence",
        "市场监督管理部门核发的《食品经营许可证》；预包装食品仅销售的，可提供备案凭证。",
    ),
    (
        "cosmetics-filing",
        "化妆品备案或注册凭证",
        "Cosmetics filing or registration",
        "国家药监局化妆品备案/注册信息截图或凭证；代理品牌需另附授权书。",
    ),
    (
        "agricultural-origin",
        "产地证明",
        "Proof of origin",
        "村委会、合作社或农业农村部门出具的产地证明，或地理标志使用授权。",
    ),
]

CATEGORIES = [
    ("apparel", "服装鞋包", "Apparel, shoes and bags", "2000.00", []),
    ("jade-jewellery", "珠宝玉石（翡翠）", "Jewellery and jade", "10000.00", ["gem-appraisal"]),
    ("food", "食品饮料", "Food and drink", "5000.00", ["food-business-licence"]),
    ("fresh-produce", "生鲜农产品", "Fresh farm produce", "1000.00", ["agricultural-origin"]),
    ("cosmetics", "美妆个护", "Cosmetics and personal care", "5000.00", ["cosmetics-filing"]),
    ("household", "日用百货", "Household goods", "2000.00", []),
]


def region_english_names() -> dict[str, str]:
    with REGIONS_EN_CSV.open(encoding="utf-8") as handle:
        return {row["code"]: row["name_en"] for row in csv.DictReader(handle)}


def load_regions(apps, schema_editor=None):
    Region = apps.get_model("merchants", "Region")
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    parents_with_children = {row["parent_code"] for row in rows if row["parent_code"]}
    # Migration 0005 runs before 0013 adds the column; a reload after a flush has it.
    english = {}
    if any(field.name == "name_en" for field in Region._meta.get_fields()):
        english = region_english_names()
    ids = {}
    for level in ("province", "city", "county"):
        batch = [
            Region(
                code=row["code"],
                name=row["name"],
                level=level,
                parent_id=ids.get(row["parent_code"]),
                is_leaf=row["code"] not in parents_with_children,
                **({"name_en": english.get(row["code"], "")} if english else {}),
            )
            for row in rows
            if row["level"] == level
        ]
        Region.objects.bulk_create(batch, batch_size=1000)
        ids.update(Region.objects.filter(level=level).values_list("code", "id"))


def fill_region_english_names(apps, schema_editor=None):
    """Migration 0013: set `name_en` on the regions already loaded, in batches."""
    Region = apps.get_model("merchants", "Region")
    english = region_english_names()
    batch = []
    for region in Region.objects.only("id", "code", "name_en").order_by("pk").iterator(chunk_size=1000):
        name_en = english.get(region.code, "")
        if region.name_en != name_en:
            region.name_en = name_en
            batch.append(region)
    Region.objects.bulk_update(batch, ["name_en"], batch_size=500)


def load_categories(apps, schema_editor=None):
    QualificationType = apps.get_model("merchants", "QualificationType")
    Category = apps.get_model("merchants", "Category")
    qualifications = {}
    for code, name, name_en, description in QUALIFICATIONS:
        qualifications[code], _ = QualificationType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "description": description}
        )
    for position, (code, name, name_en, deposit, required) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "deposit_amount": Decimal(deposit),
                "position": position,
            },
        )
        category.required_qualifications.add(*(qualifications[q] for q in required))


def ensure_reference_data(apps) -> None:
    """Load regions and categories if their tables are empty (after a flush)."""
    if not apps.get_model("merchants", "Region").objects.exists():
        load_regions(apps)
    if not apps.get_model("merchants", "Category").objects.exists():
        load_categories(apps)
