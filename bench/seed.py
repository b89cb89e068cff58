"""Seed a benchmark scale: the demo data, then merchants, products and sign-ups in bulk.

    DJANGO_SETTINGS_MODULE=config.settings.bench python -m bench.seed --scale 100k

Rows are generated in Python from a fixed random seed (the same scale gives the same
data) and written with PostgreSQL's COPY (about 3 minutes for the 1.03M products and
their indexes); on SQLite, used only by the small scale in the test suite, with batched
INSERTs. The derived columns are computed as the project computes them: `product_grams`
for the search grams (title, intro, the category's, belt's and source kind's words), the
region code for `origin_province`/`origin_city`, the merchant's seller type; discovery
rows with migration 0007's SQL, the leaderboard by the service Celery runs, the feed
slate by the cycle's layout and writer. The seeder expects a freshly migrated database
(`bench/run.py` creates one per scale).
"""

import argparse
import datetime
import io
import math
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .wordlist import CATEGORY_WORDS, INTRO_PHRASES, PLACES, SELLING_POINTS


@dataclass(frozen=True)
class Scale:
    listed_products: int  # ever published (published, unpublished, hidden, deleted)
    merchants: int
    demo_products_per_merchant: int

    @property
    def draft_products(self) -> int:
        return self.listed_products * 3 // 100


SCALES = {
    "small": Scale(listed_products=300, merchants=30, demo_products_per_merchant=3),
    "100k": Scale(listed_products=100_000, merchants=10_000, demo_products_per_merchant=20),
    "1m": Scale(listed_products=1_000_000, merchants=100_000, demo_products_per_merchant=20),
}

BENCH_MERCHANT_EMAIL = "factory@demo.local"
BENCH_CAMPAIGN_SLUG = "bench-sales-king"
SELLER_EMAIL = "seller-{:06d}@bench.local"
RANDOM_SEED = 20261201

# More belts than the two launch belts, so a belt filter is as selective as in a grown portal.
EXTRA_BELTS = [
    ("changshu-apparel", "常熟服装产业带", "apparel", "320000"),
    ("yiwu-small-goods", "义乌小商品产业带", "household", "330000"),
    ("dehua-ceramics", "德化陶瓷产业带", "household", "350000"),
    ("gannan-navel-orange", "赣南脐橙产业带", "fresh-produce", "360000"),
    ("wuchang-rice", "五常大米产业带", "fresh-produce", "230000"),
    ("yunnan-puer-tea", "云南普洱茶产业带", "food", "530000"),
    ("guangzhou-cosmetics", "广州美妆产业带", "cosmetics", "440000"),
]
CATEGORY_SHARES = {
    "apparel": 30,
    "household": 20,
    "food": 15,
    "fresh-produce": 15,
    "cosmetics": 10,
    "jade-jewellery": 10,
}
SELLER_TYPE_SHARES = {
    "factory": 30,
    "stall": 25,
    "wholesale_market": 15,
    "village": 10,
    "expert": 10,
    "brand": 10,
}
DEFAULT_SOURCE = {"factory": "factory", "expert": "expert_brand", "brand": "expert_brand"}
STATUS_SHARES = {"published": 93, "unpublished": 4, "hidden": 1, "deleted": 2}
STOCK_SHARES = {"in_stock": 80, "low": 10, "pre_order": 6, "out": 4}


def _pick(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Writing rows ----------------------------------------------------------------------


def _sqlite_value(value):
    """What Django itself would store in SQLite for these Python values."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):  # search grams: GramsField's text form
        return "|" + "|".join(value) + "|" if value else ""
    return value


def insert_rows(table: str, columns: list[str], rows) -> int:
    """Write `rows` (tuples in `columns` order): COPY on PostgreSQL, batched INSERTs elsewhere."""
    names = ", ".join(columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        # The table and column names are this module's constants, never input.
        insert = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append([_sqlite_value(value) for value in row])
            if len(batch) == 1000:
                cursor.executemany(insert, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)
            written += len(batch)
    return written


# --- Reference data -------------------------------------------------------------------


def seed_demo(scale: Scale) -> None:
    """The demo accounts, belts, school, campaign and a few products with real photos."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    with override_settings(DEMO_PRODUCTS_PER_MERCHANT=scale.demo_products_per_merchant):
        call_command("seed_demo", "--allow-production", stdout=io.StringIO())


def seed_extra_belts() -> None:
    from industrybelts.models import Base, BaseKind, Belt, BeltStatus
    from merchants.models import Category, Region

    for position, (slug, name, category_code, province_code) in enumerate(EXTRA_BELTS, start=10):
        province = Region.objects.get(code=province_code)
        belt, _ = Belt.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": Category.objects.get(code=category_code),
                "status": BeltStatus.OPEN,
                "signed_on": datetime.date(2025, 3, 1),
                "description": f"{name}：源头工厂和产地直供，服务商陪跑直播。",
                "position": position,
            },
        )
        belt.regions.add(province)
        county = Region.objects.filter(code__startswith=province_code[:2], is_leaf=True).order_by("code")
        for number, region in enumerate(county[:2], start=1):
            Base.objects.get_or_create(
                belt=belt,
                name=f"{name[:-3]}{number}号基地",
                defaults={"kind": BaseKind.FACTORY_CLUSTER, "region": region, "capacity": 500},
            )


@dataclass
class Merchant:
    id: int
    seller_type: str
    category_id: int
    category_code: str
    region_id: int
    region_code: str
    belt_id: int | None
    base_id: int | None


def seed_merchants(scale: Scale, rng: random.Random, now) -> list[Merchant]:
    """Users, profiles, categories, approved applications and belt memberships, in bulk."""
    from industrybelts.models import Base, Belt, recount_members
    from merchants.models import Category, Region

    categories = {c.code: c.pk for c in Category.objects.all()}
    leaves = list(Region.objects.filter(is_leaf=True).values_list("pk", "code"))
    belts_by_category: dict[str, list[tuple[int, list[int]]]] = {}
    for belt in Belt.objects.filter(status="open").select_related("category"):
        bases = list(Base.objects.filter(belt=belt).values_list("pk", flat=True))
        if bases:
            belts_by_category.setdefault(belt.category.code, []).append((belt.pk, bases))

    specs = []
    for n in range(scale.merchants):
        joined = now - datetime.timedelta(days=400 + rng.random() * 700)
        specs.append(
            {
                "email": SELLER_EMAIL.format(n),
                "joined": joined,
                "seller_type": _pick(rng, SELLER_TYPE_SHARES),
                "category": _pick(rng, CATEGORY_SHARES),
                "region": rng.choice(leaves),
                "followers": int(math.exp(rng.random() * 13)),
                "public_id": _uuid(rng),
                "place": rng.choice(PLACES),
            }
        )
    user_columns = ["password", "is_superuser", "email", "name", "language", "is_staff", "is_active"]
    insert_rows(
        "merchants_user",
        [*user_columns, "date_joined", "updated_at"],
        (
            ("!bench", False, s["email"], f"商家{n}", "zh-hans", False, True, s["joined"], s["joined"])
            for n, s in enumerate(specs)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, id FROM merchants_user WHERE email LIKE %s", ["seller-%@bench.local"])
        user_ids = dict(cursor.fetchall())
    profile_columns = ["public_id", "user_id", "seller_type", "display_name", "contact_mobile", "region_id"]
    insert_rows(
        "merchants_merchantprofile",
        [*profile_columns, "follower_count", "created_at", "updated_at"],
        (
            (
                s["public_id"],
                user_ids[s["email"]],
                s["seller_type"],
                f"{s['place']}源头好货{n}号店",
                "",
                s["region"][0],
                s["followers"],
                s["joined"],
                s["joined"],
            )
            for n, s in enumerate(specs)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, id FROM merchants_merchantprofile WHERE user_id >= %s", [min(user_ids.values())]
        )
        profile_ids = dict(cursor.fetchall())
    merchants = []
    for spec in specs:
        profile_id = profile_ids[user_ids[spec["email"]]]
        belt_id = base_id = None
        candidates = belts_by_category.get(spec["category"])
        if candidates and rng.random() < 0.4:
            belt_id, bases = rng.choice(candidates)
            base_id = rng.choice(bases)
        merchants.append(
            Merchant(
                id=profile_id,
                seller_type=spec["seller_type"],
                category_id=categories[spec["category"]],
                category_code=spec["category"],
                region_id=spec["region"][0],
                region_code=spec["region"][1],
                belt_id=belt_id,
                base_id=base_id,
            )
        )
    insert_rows(
        "merchants_merchantprofile_categories",
        ["merchantprofile_id", "category_id"],
        ((m.id, m.category_id) for m in merchants),
    )
    # One merchant in ten is still on its way (no goods); the rest are approved sellers.
    statuses = [
        "approved" if n % 10 else rng.choice(["draft", "submitted", "in_review"])
        for n in range(len(merchants))
    ]
    application_columns = ["public_id", "merchant_id", "status", "entity_type", "legal_name", "uscc"]
    insert_rows(
        "merchants_onboardingapplication",
        [
            *application_columns,
            "legal_representative",
            "id_number",
            "deposit_amount",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
        ],
        (
            (
                _uuid(rng),
                m.id,
                status,
                "individual_business",
                f"商家{m.id}经营部",
                "",
                "",
                "",
                Decimal("2000.00"),
                spec["joined"],
                spec["joined"] if status == "approved" else None,
                spec["joined"],
                spec["joined"],
            )
            for m, spec, status in zip(merchants, specs, statuses, strict=True)
        ),
    )
    insert_rows(
        "industrybelts_beltmembership",
        [
            "public_id",
            "merchant_id",
            "belt_id",
            "base_id",
            "status",
            "decided_at",
            "created_at",
            "updated_at",
        ],
        (
            (_uuid(rng), m.id, m.belt_id, m.base_id, "approved", now, now, now)
            for m, status in zip(merchants, statuses, strict=True)
            if m.belt_id and status == "approved"
        ),
    )
    with transaction.atomic():  # the count the membership workflow keeps (rows above bypass it)
        for belt_id in Belt.objects.values_list("pk", flat=True):
            recount_members(belt_id)
    return [m for m, status in zip(merchants, statuses, strict=True) if status == "approved"]


# --- Products -------------------------------------------------------------------------

PRODUCT_COLUMNS = [
    *("public_id", "merchant_id", "status", "source_kind", "belt_id", "base_id", "origin_region_id"),
    *("category_id", "title", "intro", "wholesale_price", "retail_price", "own_shop_price"),
    *("min_order_quantity", "stock_status", "seller_type", "origin_province", "origin_city"),
    *("search_grams", "view_count", "click_count", "published_at", "created_at", "updated_at"),
]


def _title(rng: random.Random, category_code: str) -> str:
    styles, materials, nouns, _prices = CATEGORY_WORDS[category_code]
    parts = []
    if rng.random() < 0.5:
        parts.append(rng.choice(PLACES))
    if rng.random() < 0.6:
        parts.append(rng.choice(styles))
    parts.append(rng.choice(materials) + rng.choice(nouns))
    if rng.random() < 0.7:
        parts.append(rng.choice(SELLING_POINTS))
    if rng.random() < 0.15:
        parts.append(f" 款号{rng.choice('ABCDEFGHK')}{rng.randrange(100, 9999)}")
    return "".join(parts)[:60]


def product_rows(scale: Scale, merchants: list[Merchant], rng: random.Random, now):
    """Yield product rows: listed goods first, then drafts (never published)."""
    from industrybelts.models import Belt
    from merchants.models import Category

    # The grams hold the category's, belt's and source kind's words as the services write them.
    # Read now, not on the generator's first step: that step runs inside the COPY, where the
    # connection cannot answer another query (PostgreSQL waits for the client for ever).
    categories = Category.objects.in_bulk()
    belts = Belt.objects.in_bulk()
    return _product_rows(scale, merchants, rng, now, categories, belts)


def _product_rows(scale, merchants, rng, now, categories, belts):
    from storefront.indexing import product_grams

    total = scale.listed_products + scale.draft_products
    year = 365 * 24 * 3600
    for n in range(total):
        # A few big shops and a long tail, as on a real platform.
        merchant = merchants[int(len(merchants) * rng.random() ** 2)]
        listed = n < scale.listed_products
        title = _title(rng, merchant.category_code)
        intro = "".join(rng.sample(INTRO_PHRASES, 2))
        low, high = CATEGORY_WORDS[merchant.category_code][3]
        wholesale = Decimal(low * (high / low) ** rng.random()).quantize(Decimal("0.01"))
        retail = (wholesale * Decimal(1.2 + rng.random())).quantize(Decimal("0.01"))
        in_belt = merchant.belt_id is not None and rng.random() < 0.7
        clicks = int(math.exp(rng.random() * 8)) - 1
        # Goods are listed over a year, in id order as on a live table (with some jitter),
        # so the newest-first index and the heap are as correlated as they would be.
        published_at = (
            now - datetime.timedelta(seconds=year * (1 - n / total) + rng.random() * 3600) if listed else None
        )
        created_at = (published_at or now) - datetime.timedelta(seconds=rng.random() * 86400)
        updated_at = (published_at or created_at) + (now - (published_at or created_at)) * rng.random() ** 3
        source_kind = "belt" if in_belt else DEFAULT_SOURCE.get(merchant.seller_type, "origin")
        yield (
            _uuid(rng),
            merchant.id,
            _pick(rng, STATUS_SHARES) if listed else "draft",
            source_kind,
            merchant.belt_id if in_belt else None,
            merchant.base_id if in_belt else None,
            merchant.region_id,
            merchant.category_id,
            title,
            intro,
            wholesale,
            retail,
            (retail * Decimal("0.95")).quantize(Decimal("0.01")) if rng.random() < 0.3 else None,
            rng.choice([1, 1, 2, 5, 10, 50]),
            _pick(rng, STOCK_SHARES),
            merchant.seller_type,
            merchant.region_code[:2] + "0000",
            merchant.region_code[:4] + "00",
            product_grams(
                title=title,
                intro=intro,
                category=categories[merchant.category_id],
                belt=belts[merchant.belt_id] if in_belt else None,
                source_kind=source_kind,
            ),
            clicks * rng.randrange(5, 40),
            clicks,
            published_at,
            created_at,
            updated_at,
        )


def seed_products(scale: Scale, merchants: list[Merchant], rng: random.Random, now) -> int:
    """Products and one photo each (the demo goods' WebP files, shared), returning the first new id."""
    from storefront.models import Product, ProductImage

    first_id = (Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    written = insert_rows("storefront_product", PRODUCT_COLUMNS, product_rows(scale, merchants, rng, now))
    _log(f"{written} products written")
    photos = list(ProductImage.objects.exclude(large="").values_list("large", "thumbnail")[:50]) or [("", "")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM storefront_product WHERE id >= %s ORDER BY id", [first_id])
        ids = [row[0] for row in cursor.fetchall()]
    insert_rows(
        "storefront_productimage",
        [
            *("product_id", "original", "large", "thumbnail"),
            "width",
            "height",
            "position",
            "created_at",
            "updated_at",
        ],
        ((pk, "", *photos[pk % len(photos)], 720, 720, 0, now, now) for pk in ids),
    )
    return first_id


def seed_exposure(first_id: int) -> None:
    """Discovery rows as migration 0007 writes them, with a realistic spread over the rounds."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO storefront_productexposure (
                product_id, merchant_id, round, in_pool, round_impressions, round_views, round_clicks,
                impressions, entered_at, round_started_at, created_at, updated_at)
            SELECT p.id, p.merchant_id,
                   CASE WHEN p.id %% 20 = 0 THEN 3 WHEN p.id %% 5 = 0 THEN 2 ELSE 1 END,
                   TRUE, p.id %% 300, p.id %% 40, p.id %% 7, p.id %% 3000,
                   CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
            FROM storefront_product p
            WHERE p.status = 'published' AND p.id >= %s
            """,
            [first_id],
        )


def seed_campaign_signups(first_id: int, now) -> int:
    """An open campaign that every listed bulk product signed up for (1M at SCALE=1m)."""
    from storefront.campaigns.models import Campaign

    campaign, _ = Campaign.objects.get_or_create(
        slug=BENCH_CAMPAIGN_SLUG,
        defaults={
            "name": "源头好货销量王（压测）",
            "description": "按购买链接点击数排名，前50名获得首页推荐位。",
            "signup_starts_at": now - datetime.timedelta(days=30),
            "signup_ends_at": now + datetime.timedelta(days=365),
            "max_entries_per_merchant": 1000,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO storefront_campaignentry
                (campaign_id, product_id, merchant_id, created_at, updated_at)
            SELECT %s, p.id, p.merchant_id, p.published_at, p.published_at
            FROM storefront_product p
            WHERE p.published_at IS NOT NULL AND p.id >= %s
            """,
            [campaign.pk, first_id],
        )
        signed = cursor.rowcount
        cursor.execute(
            "UPDATE storefront_campaign SET entry_count = entry_count + %s WHERE id = %s",
            [signed, campaign.pk],
        )
    return signed


def seed_feed_slate(rng: random.Random) -> int:
    """Write a discovery slate as a cycle would: newest round-1 goods, one per merchant.

    `run_cycle()` itself is not used: its allocator is quadratic (merchants × pool goods:
    the `fill` filter rebuilds a set per merchant), and at 1m it had not finished after
    5 minutes (docs/performance.md). The slate is laid out by the project's own
    `allocator.slate()` and written by the same writer the cycle uses.
    """
    from storefront.discovery import allocator
    from storefront.discovery.models import DiscoverySettings, ProductExposure
    from storefront.discovery.services import FEED_PAGE, _write_slate

    settings = DiscoverySettings.current()
    newest = {}
    pool = (
        ProductExposure.objects.filter(in_pool=True, round=1, product__status="published")
        .order_by("-product_id")
        .values_list("product_id", "merchant_id", "product__belt_id")[: settings.slate_size * 20]
    )
    for product_id, merchant_id, belt_id in pool:
        newest.setdefault(merchant_id, (product_id, belt_id))
    chosen = rng.sample(sorted(newest.values()), min(settings.slate_size, len(newest)))
    order = allocator.slate(
        {(allocator.PRODUCT, product_id): 1.0 for product_id, _belt in chosen},
        settings.slate_size,
        page=FEED_PAGE,
        seed=2026,
    )
    _write_slate(order, dict(chosen))
    return len(order)


def seed(scale_name: str) -> dict:
    """Seed `scale_name` into the (freshly migrated) default database; return what was written."""
    from django.core.cache import cache

    from storefront.campaigns.models import Campaign
    from storefront.campaigns.services import refresh_leaderboard
    from storefront.selectors import HOME_FIGURES_CACHE_KEY

    scale = SCALES[scale_name]
    rng = random.Random(RANDOM_SEED)
    now = timezone.now()
    timings = {}

    def step(name, function, *args):
        started = time.perf_counter()
        result = function(*args)
        timings[name] = round(time.perf_counter() - started, 1)
        _log(f"{name}: {timings[name]} s")
        return result

    step("demo data", seed_demo, scale)
    step("extra belts", seed_extra_belts)

    def bulk():
        # One transaction: a failed seed leaves nothing half-written. The commit is where
        # PostgreSQL checks the deferred foreign keys of every row (about a minute at 1m).
        with transaction.atomic():
            merchants = step("merchants", seed_merchants, scale, rng, now)
            first_id = step("products", seed_products, scale, merchants, rng, now)
            step("discovery rows", seed_exposure, first_id)
            signups = step("campaign sign-ups", seed_campaign_signups, first_id, now)
        return merchants, signups

    merchants, signups = step("bulk rows, committed", bulk)
    step("leaderboard", refresh_leaderboard, Campaign.objects.get(slug=BENCH_CAMPAIGN_SLUG))
    step("discovery slate", seed_feed_slate, rng)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Settle the tables as a live database would be: statistics, and a visibility map
        # for index-only scans (autovacuum would get there, but not before the first run).
        with connection.cursor() as cursor:
            step("vacuum analyze", cursor.execute, "VACUUM ANALYZE")
    cache.delete(HOME_FIGURES_CACHE_KEY)
    return {"scale": scale_name, "merchants": len(merchants), "campaign_signups": signups, "seconds": timings}


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="100k")
    args = parser.parse_args()
    django.setup()
    seed(args.scale)


if __name__ == "__main__":
    main()
