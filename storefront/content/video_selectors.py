"""Reads of videos that the pages and the API share: one query each, whatever the count."""

from django.db.models import Prefetch

from storefront import catalog
from storefront.models import Product, ProductStatus

from .models import Video, VideoEvent, VideoStatus

PRODUCT_PAGE_VIDEOS = 3
SHOP_STRIP_VIDEOS = 6
# What a player or a poster strip reads of a video; nothing of its upload or counters.
PLAYER_FIELDS = ("pk", "public_id", "title", "file", "poster", "duration", "width", "height", "published_at")


def published_videos():
    return Video.objects.filter(status=VideoStatus.PUBLISHED)


def _newest_playable(size: int, **where) -> list[Video]:
    """The newest `size` published videos matching `where`, with what a player needs: one query."""
    return list(
        published_videos().filter(**where).only(*PLAYER_FIELDS).order_by("-published_at", "-id")[:size]
    )


def product_videos(product_id: int) -> list[Video]:
    """A good's published videos for its page, newest first: one query."""
    return _newest_playable(PRODUCT_PAGE_VIDEOS, products=product_id)


def shop_videos(merchant_id: int) -> list[Video]:
    """A shop's newest published videos for the strip on its page: one query."""
    return _newest_playable(SHOP_STRIP_VIDEOS, merchant_id=merchant_id)


def merchant_videos(queryset):
    """The merchant's videos as its list shows them: the goods' titles in one more query."""
    return queryset.prefetch_related(
        Prefetch("products", queryset=Product.objects.only("pk", "public_id", "title").order_by("pk"))
    ).order_by("-created_at", "-id")


def with_page_facts(videos):
    """Give each video what the merchant's pages show beside its status: the upload's percent
    and, when hidden, the reason staff gave (one query for all of them). Return `videos`."""
    videos = list(videos)
    reasons = latest_hide_reasons(videos)
    for video in videos:
        video.upload_percent = (
            min(100, video.received_bytes * 100 // video.expected_bytes) if video.expected_bytes else 0
        )
        video.hide_reason = reasons.get(video.pk, "")
    return videos


def latest_hide_reasons(videos) -> dict[int, str]:
    """The reason staff gave for hiding each hidden video of `videos`: one query."""
    hidden = [video.pk for video in videos if video.status == VideoStatus.HIDDEN]
    if not hidden:
        return {}
    reasons = {}
    events = (
        VideoEvent.objects.filter(video_id__in=hidden, to_status=VideoStatus.HIDDEN)
        .order_by("video_id", "created_at", "pk")
        .values_list("video_id", "reason")
    )
    for video_id, reason in events:
        reasons[video_id] = reason  # the last one wins: the current hiding
    return reasons


# --- The partner feed ------------------------------------------------------------------------
# The goods' feed mechanism (storefront.catalog): the same settle bound, signed cursor and
# keyset step over (updated_at, id), so a partner mirrors videos exactly as it mirrors goods.
VIDEO_ROW = 0


def video_feed_page(*, updated_since=None, cursor=None, page_size: int) -> catalog.FeedPage:
    """Every video that was ever published, by (updated_at, id): published ones, and
    tombstones for those hidden or deleted since. One index range scan
    (video_partner_feed_idx) and one query for the goods of the page's videos."""
    bound = catalog._settled_before()
    position = catalog._feed_position(cursor) if cursor else None
    videos = Video.objects.filter(published_at__isnull=False, updated_at__lte=bound)
    if position:
        videos = videos.filter(catalog._after("updated_at", VIDEO_ROW, position))
    elif updated_since is not None:
        videos = videos.filter(updated_at__gte=updated_since)
    rows = list(
        videos.select_related("merchant")
        .only(*PLAYER_FIELDS, "status", "updated_at", "merchant__public_id")
        # Only goods with a public page: a draft's id is not the public feed's to give.
        .prefetch_related(
            Prefetch(
                "products",
                queryset=Product.objects.filter(status=ProductStatus.PUBLISHED).only("pk", "public_id"),
            )
        )
        .order_by("updated_at", "id")[: page_size + 1]
    )
    entries = [
        catalog.FeedEntry(
            public_id=video.public_id,
            updated_at=video.updated_at,
            deleted=video.status != VideoStatus.PUBLISHED,
            product=video if video.status == VideoStatus.PUBLISHED else None,
            sort_key=(video.updated_at, VIDEO_ROW, video.pk),
        )
        for video in rows
    ]
    has_more = len(entries) > page_size
    entries = entries[:page_size]
    next_cursor = catalog._feed_cursor(entries[-1]) if entries else (cursor or None)
    return catalog.FeedPage(entries=entries, next_cursor=next_cursor, has_more=has_more)
