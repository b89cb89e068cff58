"""The launch belts from the source article: apparel (signed in August) and jade (September).

Created by migration 0002, and again after a database flush when no belt exists
(post_migrate, see apps.py), e.g. between transactional tests. Staff edit them and
add more in admin.
"""

import datetime

LAUNCH_BELTS = [
    {
        "slug": "apparel",
        "name": "服装产业带",
        "name_en": "Apparel belt",
        "category": "apparel",
        "regions": ["330000", "440000"],
        "signed_on": datetime.date(2019, 8, 1),
        "requires_invitation": False,
        "required_qualification": None,
        "description": "杭州四季青、广州十三行等服装源头：工厂直供、档口批发，主播直播间一手货源。",
    },
    {
        "slug": "jade",
        "name": "珠宝玉石（翡翠）产业带",
        "name_en": "Jewellery and jade belt",
        "category": "jade-jewellery",
        "regions": ["440000", "530000"],
        "signed_on": datetime.date(2019, 9, 1),
        "requires_invitation": True,
        "required_qualification": "gem-appraisal",
        "description": (
            "四会、平洲、瑞丽等翡翠原产地与批发市场。"
            "仅限认证服务商邀请入驻，须持 CMA/CNAS 机构出具的鉴定证书。"
        ),
    },
]


def load_launch_belts(apps, schema_editor=None):
    Belt = apps.get_model("industrybelts", "Belt")
    Category = apps.get_model("merchants", "Category")
    QualificationType = apps.get_model("merchants", "QualificationType")
    Region = apps.get_model("merchants", "Region")
    for position, spec in enumerate(LAUNCH_BELTS):
        qualification = (
            QualificationType.objects.get(code=spec["required_qualification"])
            if spec["required_qualification"]
            else None
        )
        belt, _created = Belt.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "category": Category.objects.get(code=spec["category"]),
                "description": spec["description"],
                "status": "open",
                "signed_on": spec["signed_on"],
                "requires_invitation": spec["requires_invitation"],
                "required_qualification": qualification,
                "position": position,
            },
        )
        belt.regions.add(*Region.objects.filter(code__in=spec["regions"]))


def ensure_launch_belts(apps) -> None:
    if not apps.get_model("industrybelts", "Belt").objects.exists():
        load_launch_belts(apps)
