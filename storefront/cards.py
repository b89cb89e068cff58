"""Product cards, rendered once and kept in the cache.

A card is the same HTML for every viewer, so it is rendered once per (product,
updated_at, language) and cached. Whatever a card shows moves the product's
`updated_at` when it changes: editor saves and status moves save it (auto_now, and
`Workflow.move` adds it to `update_fields`), and a processed photo touches it
(`tasks.process_product_image`). A new `updated_at` is a new key, so a changed card is
never served stale; the old entry is never asked for again and expires. Region names
and choice labels are reference data, and the language is part of the key.

A list page therefore asks the database only for ids, `updated_at` and the sort key (no
joins, no image prefetch), asks the cache for all its cards in one round trip, and loads
card data and renders only the cards it lacks (docs/performance.md). The cache is an
accelerator, never a dependency: if it cannot be read, every card is rendered.
"""

from django.conf import settings
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import fragments
from .catalog import CardRef, cards_of
from .models import Product, ProductStatus

CARD_TEMPLATE = "storefront/partials/product_card.html"
CARD_TTL = 6 * 60 * 60
# Bump when the card template or what it reads changes, so a deploy never serves old cards.
CARD_VERSION = 6
WARM_BATCH = 500


def card_key(product, language: str) -> str:
    return f"card:{CARD_VERSION}:{language}:{product.pk}:{product.updated_at.timestamp():.6f}"


def render_cards(products) -> list[SafeString]:
    """The cards of `products` (each needs only pk and updated_at), in their order, from one
    cache round trip and at most one load of card data.

    A product deleted between the page's query and this one is left out.
    """
    if not products:
        return []
    language = get_language()
    keys = {product.pk: card_key(product, language) for product in products}
    cached = fragments.read_many(list(keys.values()))
    cards = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in cards]
    if missing:
        template = get_template(CARD_TEMPLATE)
        fresh = {}
        for card in cards_of(missing):
            html = template.render({"card": card})
            cards[card.pk] = html
            # Keyed by the row just read: if it changed since the page's query, this is the
            # newer card, and the page's own key is simply missed again next time.
            fresh[card_key(card, language)] = html
        fragments.write_many(fresh, CARD_TTL)
    # Safe: every card was rendered by the autoescaping template above.
    return [mark_safe(cards[product.pk]) for product in products if product.pk in cards]  # noqa: S308


def warm_cards(product_ids) -> int:
    """Render, in every language, the cards of these goods that the cache lacks; return how
    many goods were looked at.

    The discovery cycle calls it for a new slate (in Celery): the strip shows a window of
    the slate on every catalog and belt page, so its cards would otherwise be rendered on
    those requests, one strip window after another, after each new slate.
    """
    product_ids = list(dict.fromkeys(product_ids))
    for start in range(0, len(product_ids), WARM_BATCH):
        batch = product_ids[start : start + WARM_BATCH]
        refs = [
            CardRef(pk, updated_at)
            for pk, updated_at in Product.objects.filter(
                pk__in=batch, status=ProductStatus.PUBLISHED
            ).values_list("pk", "updated_at")
        ]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                render_cards(refs)
    return len(product_ids)
