"""The videos on a good's page and a shop's page, outside their cached bodies.

A page's cached body is keyed by the good's (or shop's) change times, which a video's own
changes (a second video published, one hidden, a title changed) do not all move; the
videos are therefore read on each request, in one query (none more when there are none
to show but the purchase links under a player).
"""

from django import template

from storefront.content import video_selectors

register = template.Library()


@register.inclusion_tag("storefront/content/partials/product_videos.html")
def product_videos(product_public_id):
    videos = video_selectors.product_videos(product_public_id)
    links = video_selectors.purchase_links(product_public_id) if videos else []
    return {"videos": videos, "links": links, "product_public_id": product_public_id}


@register.inclusion_tag("storefront/content/partials/shop_videos.html")
def shop_videos(merchant_public_id):
    return {"videos": video_selectors.shop_videos(merchant_public_id)}
