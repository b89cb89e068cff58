"""Demo belts for `seed_demo`: bases of both launch belts, two providers with teams, members.

Idempotent: rows are found by natural key; memberships are created only once.
"""

import datetime

from django.utils import timezone

from merchants.demo import demo_uscc
from merchants.models import MerchantProfile, Region, User

from . import services
from .models import (
    Base,
    BaseKind,
    Belt,
    BeltMembership,
    MemberRole,
    ProviderMember,
    ProviderStatus,
    ServiceProvider,
)

BASES = {
    "jade": [
        ("四会玉器城", BaseKind.WHOLESALE_MARKET, "441284", "四会市玉器街", 800),
        ("平洲玉器街", BaseKind.WHOLESALE_MARKET, "440605", "南海区平洲玉器街", 1200),
        ("瑞丽姐告翡翠直播基地", BaseKind.LIVESTREAM, "533102", "瑞丽市姐告边境贸易区", 500),
    ],
    "apparel": [
        ("杭州四季青服装市场", BaseKind.WHOLESALE_MARKET, "330102", "上城区杭海路", 3000),
        ("广州十三行服装批发", BaseKind.WHOLESALE_MARKET, "440104", "越秀区十三行路", 2500),
        ("杭州九堡女装工厂集群", BaseKind.FACTORY_CLUSTER, "330105", "拱墅区九堡", 600),
    ],
}

PROVIDERS = [
    (
        "杭州云仓电商服务有限公司",
        "91330102MA27X0001B",
        "330100",
        "apparel",
        35,
        "服务四季青、九堡商家三年，带动 600 余家档口开通直播。",
        [("apparel.provider@demo.local", MemberRole.OWNER), ("apparel.agent@demo.local", MemberRole.AGENT)],
    ),
    (
        "佛山平洲翡翠直播服务中心",
        "91440605MA4W00021X",
        "440600",
        "jade",
        18,
        "平洲玉器街直播基地运营方，持证鉴定合作实验室两家。",
        [("jade.provider@demo.local", MemberRole.OWNER)],
    ),
]

MEMBERSHIPS = [
    ("factory@demo.local", "apparel", "杭州四季青服装市场", "approved"),
    ("ruili@demo.local", "jade", "瑞丽姐告翡翠直播基地", "approved"),
    ("sihui@demo.local", "jade", "四会玉器城", "applied"),
]


def _valid_uscc(seed: str) -> str:

    return demo_uscc(int(seed[-4:-1], 36) % 900 + 100, seed[2:8])


def seed_belts(stdout=None) -> list[tuple[str, str]]:
    staff = User.objects.get(email="belts@demo.local")
    for slug, bases in BASES.items():
        belt = Belt.objects.get(slug=slug)
        for name, kind, county, address, capacity in bases:
            Base.objects.get_or_create(
                belt=belt,
                name=name,
                defaults={
                    "kind": kind,
                    "region": Region.objects.get(code=county),
                    "address": address,
                    "capacity": capacity,
                },
            )
    logins = []
    today = timezone.localdate()
    for name, uscc_seed, city, slug, team, record, members in PROVIDERS:
        belt = Belt.objects.get(slug=slug)
        owner = User.objects.get(email=members[0][0])
        uscc = _valid_uscc(uscc_seed)
        provider = ServiceProvider.objects.filter(uscc=uscc).first()
        if provider is None:
            provider = services.provider_apply(
                user=owner,
                name=name,
                uscc=uscc,
                region=Region.objects.get(code=city),
                team_size=team,
                track_record=record,
                belt=belt,
            )
        if provider.status == ProviderStatus.APPLIED:
            services.provider_approve(
                provider=provider,
                by=staff,
                belt=belt,
                starts_on=today - datetime.timedelta(days=30),
                ends_on=today + datetime.timedelta(days=335),
            )
        for email, role in members:
            ProviderMember.objects.get_or_create(
                provider=provider, user=User.objects.get(email=email), defaults={"role": role}
            )
            logins.append((email, f"provider {role.label}: {name}"))
    for email, slug, base_name, target in MEMBERSHIPS:
        _seed_membership(email, slug, base_name, target, staff)
    return logins


def _seed_membership(email, slug, base_name, target, staff):
    merchant = MerchantProfile.objects.get(user__email=email)
    belt = Belt.objects.get(slug=slug)
    if BeltMembership.objects.filter(merchant=merchant, belt=belt).exists():
        return
    provider_member = (
        ProviderMember.objects.filter(
            provider__assignments__belt=belt, provider__status=ProviderStatus.APPROVED
        )
        .select_related("provider", "user")
        .first()
    )
    invitation = None
    if belt.requires_invitation:
        invitation, code = services.merchant_invitation_create(
            provider=provider_member.provider, belt=belt, by=provider_member.user, note=merchant.display_name
        )
        services.merchant_invitation_claim(code=code, user=merchant.user)
    membership = services.membership_apply(
        merchant=merchant,
        belt=belt,
        base=belt.bases.get(name=base_name),
        by=merchant.user,
        invitation=invitation,
    )
    if target == "approved":
        services.membership_pre_approve(membership=membership, by=provider_member.user)
        services.membership_approve(membership=membership, by=staff)
