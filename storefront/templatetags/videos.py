"""The videos on a good's page and a shop's page, drawn with their cached parts.

A good's page body and a shop's header are cached by, among others, the latest change to
the good's or the shop's videos (catalog.product_page_row, selectors.shop_row), so the
players are read only when that part is drawn again (one query).
"""

from django import template

from storefront.content import video_selectors

register = template.Library()


@register.inclusion_tag("storefront/content/partials/product_videos.html")
def product_videos(product):
    """The published videos of a published good (`product`, a storefront.catalog.ProductPage:
    where to buy comes with it)."""
    videos = video_selectors.product_videos(product.pk)
    return {"videos": videos, "platforms": product.link_platforms if videos else (), "product": product}


@register.inclusion_tag("storefront/content/partials/shop_videos.html")
def shop_videos(merchant_id):
    return {"videos": video_selectors.shop_videos(merchant_id)}
