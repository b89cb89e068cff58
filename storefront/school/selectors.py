"""Reads of the school that pages (and later the API) share, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Q

from core import fragments
from industrybelts.models import Belt, BeltMembership, MembershipStatus
from merchants.models import ApplicationStatus
from storefront.search import matching

from .models import LessonProgress, Level, SchoolItem, SchoolStatus, SchoolTag, Stage
from .permissions import published_items, readable_items

HOME_ITEMS_PER_LEVEL = 6
RELATED_LIMIT = 4
RECOMMENDATION_CANDIDATES = 60
CARD_FIELDS = (
    "slug", "kind", "title", "summary", "cover", "audience", "level", "stage", "reading_minutes",
    "published_at", "belt__slug", "belt__name", "belt__name_en", "parent_id",
)  # fmt: skip


def _cards(queryset):
    return queryset.select_related("belt").only(*CARD_FIELDS)


def top_level_items(*, audience: str = "", belt_slug: str = "", level: str = "", tag: str = ""):
    """Published courses, manuals and articles for the home page and its filters, newest first."""
    queryset = published_items().filter(parent__isnull=True)
    if audience:
        queryset = queryset.filter(Q(audience="") | Q(audience=audience))
    if belt_slug:
        queryset = queryset.filter(belt__slug=belt_slug)
    if level:
        queryset = queryset.filter(level=level)
    if tag:
        queryset = queryset.filter(tags__name=tag)
    return _cards(queryset).order_by("-published_at", "-id")


def home_sections(*, audience: str = "", belt_slug: str = "") -> list[tuple[Level, list[SchoolItem]]]:
    """The newest items of each level (one query per level: three in all)."""
    return [
        (
            level,
            list(top_level_items(audience=audience, belt_slug=belt_slug, level=level)[:HOME_ITEMS_PER_LEVEL]),
        )
        for level in Level
    ]


def search_items(query: str):
    """Published items whose title, summary or text contain `query` (the catalog's gram index)."""
    queryset = matching(published_items(), query, ("title", "summary", "body"))
    return (
        queryset.select_related("parent", "belt")
        .only(*CARD_FIELDS, "parent__slug", "parent__title")
        .order_by("-published_at", "-id")
    )


def item_for_page(user, slug: str) -> SchoolItem | None:
    return (
        readable_items(user)
        .select_related("parent", "belt", "provider")
        .prefetch_related("tags")
        .filter(slug=slug)
        .first()
    )


def part_for_page(user, container_slug: str, slug: str) -> SchoolItem | None:
    """The lesson (chapter) at /school/<container>/<slug>/, if the user may read it there."""
    item = item_for_page(user, slug)
    if item is None or not item.is_part or item.parent.slug != container_slug:
        return None
    return item


def parts_of(user, container: SchoolItem) -> list[SchoolItem]:
    """The lessons (chapters) of `container` the user may read, in reading order."""
    parts = readable_items(user).filter(parent=container)
    return list(
        parts.only("slug", "title", "position", "reading_minutes", "status", "parent_id").order_by(
            "position", "id"
        )
    )


def completed_lesson_ids(user, container_ids) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        LessonProgress.objects.filter(
            user=user, container_id__in=list(container_ids), completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )


def related_items(item: SchoolItem, *, limit: int = RELATED_LIMIT) -> list[SchoolItem]:
    """Other published content sharing a tag with `item` (a lesson: with its course), newest first."""
    source = item.parent if item.is_part else item
    tags = SchoolTag.objects.filter(items=source).values("pk")
    queryset = (
        published_items()
        .filter(Q(tags__in=tags) | Q(parent__tags__in=tags))
        .exclude(pk__in=[item.pk, source.pk])
        .exclude(parent=source)
        .distinct()
    )
    return list(
        queryset.select_related("parent", "belt")
        .only(*CARD_FIELDS, "parent__slug", "parent__title")
        .order_by("-published_at", "-id")[:limit]
    )


def neighbours(parts: list[SchoolItem], current: SchoolItem) -> tuple[SchoolItem | None, SchoolItem | None]:
    ids = [part.pk for part in parts]
    if current.pk not in ids:
        return None, None
    index = ids.index(current.pk)
    return (parts[index - 1] if index > 0 else None, parts[index + 1] if index + 1 < len(parts) else None)


# --- A reader's learning ----------------------------------------------------------------


@dataclass
class CourseProgress:
    container: SchoolItem
    total: int
    done: int
    next_part: SchoolItem | None
    last_read_at: object = None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class Learning:
    courses: list[CourseProgress] = field(default_factory=list)
    recommendations: list[SchoolItem] = field(default_factory=list)

    @property
    def resume(self) -> CourseProgress | None:
        """The course read most recently that is not finished: "continue where you left off"."""
        return next((course for course in self.courses if not course.finished), None)


def learning_of(user, *, limit: int = 5) -> list[CourseProgress]:
    """The courses `user` has opened, most recent first, with counts and the next lesson (4 queries)."""
    if not user.is_authenticated:
        return []
    recent = list(
        LessonProgress.objects.filter(user=user, container__status=SchoolStatus.PUBLISHED)
        .values("container_id")
        .annotate(last_read=Max("last_read_at"))
        .order_by("-last_read")[:limit]
    )
    container_ids = [row["container_id"] for row in recent]
    if not container_ids:
        return []
    containers = SchoolItem.objects.only("slug", "title", "kind", "level").in_bulk(container_ids)
    parts = (
        SchoolItem.objects.filter(parent_id__in=container_ids, status=SchoolStatus.PUBLISHED)
        .only("slug", "title", "position", "parent_id", "reading_minutes")
        .order_by("parent_id", "position", "id")
    )
    done_ids = completed_lesson_ids(user, container_ids)
    parts_by_container: dict[int, list[SchoolItem]] = {}
    for part in parts:
        part.parent = containers[part.parent_id]
        parts_by_container.setdefault(part.parent_id, []).append(part)
    courses = []
    for row in recent:
        container_parts = parts_by_container.get(row["container_id"], [])
        courses.append(
            CourseProgress(
                container=containers[row["container_id"]],
                total=len(container_parts),
                done=sum(1 for part in container_parts if part.pk in done_ids),
                next_part=next((part for part in container_parts if part.pk not in done_ids), None),
                last_read_at=row["last_read"],
            )
        )
    return courses


def interest_belt_ids(merchant) -> set[int]:
    """Belts the merchant belongs to or applied to, or whose category it sells in."""

    active = [MembershipStatus.APPLIED, MembershipStatus.PRE_APPROVED, MembershipStatus.APPROVED]
    # Two IN subqueries, not a join with an OR across it: at 1M goods the join's plan took
    # 8.5 ms of the dashboard's 38 (docs/performance.md, change 28).
    memberships = BeltMembership.objects.filter(merchant=merchant, status__in=active).values("belt_id")
    return set(
        Belt.objects.filter(
            Q(pk__in=memberships) | Q(category__in=merchant.categories.values("pk"))
        ).values_list("pk", flat=True)
    )


def recommendations_for(*, merchant, approved: bool, exclude_ids=(), limit: int = 4) -> list[SchoolItem]:
    """Content matched to the merchant: its belts first, then its seller type and onboarding stage.

    One query for the belts, one for at most RECOMMENDATION_CANDIDATES candidates; the
    scoring is done here so the rule is one readable function (`_score`).
    """
    belt_ids = interest_belt_ids(merchant) if merchant else set()
    seller_type = merchant.seller_type if merchant else ""
    stage = Stage.APPROVED if approved else Stage.ONBOARDING
    candidates = (
        published_items()
        .filter(parent__isnull=True)
        .filter(Q(audience="") | Q(audience=seller_type))
        .filter(Q(belt__isnull=True) | Q(belt__in=belt_ids))
        .filter(stage__in=[Stage.ANY, stage])
        .exclude(pk__in=list(exclude_ids))
    )
    candidates = list(_cards(candidates).order_by("-published_at", "-id")[:RECOMMENDATION_CANDIDATES])

    def _score(item):
        score = 0
        if item.belt_id and item.belt_id in belt_ids:
            score += 4
        if item.stage == stage:
            score += 3
        if seller_type and item.audience == seller_type:
            score += 2
        if not approved and item.level == Level.BEGINNER:
            score += 1
        return score

    return sorted(candidates, key=_score, reverse=True)[:limit]


def dashboard_learning(user, *, merchant, application) -> dict:
    """The merchant dashboard's learning section (registered in storefront/apps.py)."""
    approved = application is not None and application.status == ApplicationStatus.APPROVED
    return {"learning": learning_for_dashboard(user, merchant=merchant, approved=approved)}


def dashboard_learning_version() -> dict:
    """What the learning section shows changes with (merchants.selectors.dashboard_versions):
    the reader's progress (a row per lesson read, written again when read or done) and the
    whole school's state (its recommendations are chosen from all of it, as `school_version`
    says)."""
    progress = LessonProgress.objects.filter(user=OuterRef("user"))
    return {
        "lessons_read": fragments.count_of(progress),
        "progress_changed": fragments.newest(progress, "updated_at"),
        "school_items": fragments.count_of(SchoolItem.objects.all()),
        "school_changed": fragments.newest(SchoolItem.objects.all(), "updated_at"),
    }


def learning_for_dashboard(user, *, merchant, approved: bool) -> Learning:
    courses = learning_of(user)
    started = [course.container.pk for course in courses]
    return Learning(
        courses=courses,
        recommendations=recommendations_for(merchant=merchant, approved=approved, exclude_ids=started),
    )


def school_version() -> tuple:
    """The state of all the school's content, in one aggregate over its small table: any
    item written (published, edited, moved, retagged through its form) or deleted changes
    it. A visitor's lesson page shows other items too (the contents, the related ones), so
    it is cached under this."""
    figures = SchoolItem.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    return (figures["count"], str(figures["changed"]))
