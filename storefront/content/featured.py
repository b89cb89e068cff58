"""What a good's card shows of its videos: the newest published one (Product.featured_video).

Every write that publishes, hides, restores or deletes a video, or changes its title or the
goods it is attached to, calls `refresh_featured_videos` for the goods concerned in the same
transaction: a product whose featured video changes is saved with a new `updated_at`, its
cards' cache key, and the catalog's cached fragments are dropped either way (lists, and the
discovery strip, which draws a video's poster and title whether or not it is featured).
"""

from django.utils import timezone

from storefront.fragments import catalog_changed
from storefront.models import Product

from .models import Video, VideoStatus


def refresh_featured_videos(product_ids) -> int:
    """Point each good at its newest published video (or none); return how many changed."""
    product_ids = list(set(product_ids))
    if not product_ids:
        return 0
    newest: dict[int, tuple] = {}
    # The newest by publication, as the product page orders its players (a few rows per good).
    for product_id, video_id, published_at in Video.products.through.objects.filter(
        product_id__in=product_ids, video__status=VideoStatus.PUBLISHED
    ).values_list("product_id", "video_id", "video__published_at"):
        key = (published_at.timestamp() if published_at else 0.0, video_id)
        if product_id not in newest or key > newest[product_id]:
            newest[product_id] = key
    changed = 0
    now = timezone.now()
    for product_id, current in Product.objects.filter(pk__in=product_ids).values_list(
        "pk", "featured_video_id"
    ):
        wanted = newest[product_id][1] if product_id in newest else None
        if wanted != current:
            Product.objects.filter(pk=product_id).update(featured_video_id=wanted, updated_at=now)
            changed += 1
    catalog_changed()
    return changed
