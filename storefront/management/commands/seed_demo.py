"""Load demo data idempotently and print the demo log-ins.

Every app adds its demo data as a step of `seed_steps()` below, each safe to run again:
rows are found by natural key and created only when missing. The command lives in the
top layer (storefront) because it seeds all of them.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from industrybelts.demo import seed_belts
from merchants.demo import seed_onboarding
from merchants.models import User
from merchants.roles import StaffGroup
from storefront.campaigns.demo import seed_campaigns
from storefront.content.live_demo import seed_live_sessions
from storefront.content.video_demo import seed_videos
from storefront.demo import seed_products
from storefront.school.demo import seed_school
from storefront.selectors import HOME_FIGURES_CACHE_KEY

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (public by design; refused when DEBUG is off)

STAFF_ACCOUNTS = [
    ("admin@demo.local", "平台管理员", None),
    ("reviewer@demo.local", "入驻审核员", StaffGroup.REVIEWER),
    ("belts@demo.local", "产业带运营", StaffGroup.BELT_OPERATIONS),
    ("editor@demo.local", "商学院编辑", StaffGroup.CONTENT_EDITOR),
    ("support@demo.local", "客服专员", StaffGroup.SUPPORT),
    ("finance@demo.local", "财务专员", StaffGroup.FINANCE),
]

MERCHANT_ACCOUNTS = [
    ("factory@demo.local", "王厂长（杭州女装工厂）"),
    ("stall@demo.local", "李姐（广州十三行档口）"),
    ("village@demo.local", "张书记（瑞丽村合作社）"),
    ("jade@demo.local", "平洲翡翠批发阿强"),
    ("expert@demo.local", "种草达人小美"),
    ("brand@demo.local", "四会玉器品牌馆"),
    ("market@demo.local", "义乌小商品批发"),
    ("ruili@demo.local", "瑞丽翡翠直播小王"),
    ("sihui@demo.local", "四会玉器城陈师傅"),
    # After approval (merchants/compliance/demo.py): a shop in each state of the lifecycle.
    ("renewal@demo.local", "揭阳阳美玉器小陈"),
    ("categories@demo.local", "临沂兰山日用百货"),
    ("transfer@demo.local", "南通通州家纺直供"),
    ("topup@demo.local", "德化陶瓷小林"),
    ("closed@demo.local", "白沟箱包老郑"),
    ("apparel.provider@demo.local", "杭州云仓电商服务（负责人）"),
    ("apparel.agent@demo.local", "杭州云仓电商服务（招商专员）"),
    ("jade.provider@demo.local", "平洲翡翠直播服务中心（负责人）"),
]


def _ensure_user(email: str, name: str, *, staff: bool, superuser: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"name": name, "is_staff": staff, "is_superuser": superuser},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_accounts(stdout) -> list[tuple[str, str]]:
    logins = []
    for email, name, group in STAFF_ACCOUNTS:
        user = _ensure_user(email, name, staff=True, superuser=group is None)
        if group is not None:
            user.groups.add(Group.objects.get(name=str(group)))
        logins.append((email, str(group.label) if group else "superuser"))
    for email, name in MERCHANT_ACCOUNTS:
        _ensure_user(email, name, staff=False)
    return logins


def seed_steps():
    """Return the seeding steps in order; each returns the log-ins it created."""
    return [
        seed_accounts, seed_onboarding, seed_belts, seed_products, seed_videos, seed_school,
        seed_campaigns, seed_live_sessions,
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Load idempotent demo data (staff in every group, merchants) and print the log-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo passwords are public: never on a real site).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts with a public password; "
                "it runs only with DEBUG on, or with --allow-production."
            )
        logins = []
        # The demo's own status moves would e-mail the demo addresses; send nothing.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for step in seed_steps():
                logins.extend(step(self.stdout) or [])
        cache.delete(HOME_FIGURES_CACHE_KEY)
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Log-ins (password: {DEMO_PASSWORD}):"))
        for email, role in logins:
            self.stdout.write(f"  {email:<28} {role}")
