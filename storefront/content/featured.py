"""What a good's card shows of its videos: the newest published one (Product.featured_video).

Every write that publishes, hides, restores or deletes a video, or changes its title or the
goods it is attached to, calls `refresh_featured_videos` for the goods concerned in the same
transaction: a product whose featured video changes is saved with a new `updated_at`, its
cards' cache key, and the catalog's cached fragments are dropped either way (lists, and the
discovery strip, which draws a video's poster and title whether or not it is featured).
"""

from storefront.fragments import catalog_changed
from storefront.services import goods_point_at

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
    changed = goods_point_at(
        product_ids,
        field="featured_video_id",
        targets={product_id: video_id for product_id, (_published, video_id) in newest.items()},
    )
    catalog_changed()
    return changed
