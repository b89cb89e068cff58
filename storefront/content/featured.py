"""What a good's card shows of its videos: the newest published one (Product.featured_video).

Every write that publishes, hides or deletes a video, or changes the goods it is attached
to, calls `refresh_featured_videos` for the goods concerned in the same transaction: a
product whose featured video changes is saved with a new `updated_at`, its cards' cache key,
and the catalog's cached fragments are dropped (a hidden video leaves lists and the strip).
"""

from django.db.models import Max
from django.utils import timezone

from storefront.fragments import catalog_changed
from storefront.models import Product

from .models import Video, VideoStatus


def refresh_featured_videos(product_ids) -> int:
    """Point each good at its newest published video (or none); return how many changed."""
    product_ids = list(set(product_ids))
    if not product_ids:
        return 0
    newest = dict(
        Video.products.through.objects.filter(product_id__in=product_ids, video__status=VideoStatus.PUBLISHED)
        .values("product_id")
        .annotate(newest=Max("video_id"))
        .values_list("product_id", "newest")
    )
    changed = 0
    now = timezone.now()
    for product_id, current in Product.objects.filter(pk__in=product_ids).values_list(
        "pk", "featured_video_id"
    ):
        wanted = newest.get(product_id)
        if wanted != current:
            Product.objects.filter(pk=product_id).update(featured_video_id=wanted, updated_at=now)
            changed += 1
    if changed:
        catalog_changed()  # lists and the strip hold these cards; their keys just moved
    return changed
