"""What a good is found by: its own text and its context words, as grams (storefront.search).

Kept apart from `search`, which the models import for their grams field: this module
reads the models' choices, so it sits above them.
"""

import functools

from django.utils import translation

from .models import SourceKind
from .search import INTRO_CHARACTERS_INDEXED, TITLE_MARK, index_grams


def context_words(*, category=None, belt=None, source_kind: str = "") -> list[str]:
    """The words a buyer may search a good by besides its own text: its category's and
    belt's names (Chinese and English) and its source kind's label in both languages.

    `category` and `belt` are objects with `name` / `name_en` (models, or rows of a data
    migration); they are the relations the caller already loaded, so no query is made.
    """
    words = []
    for related in (category, belt):
        if related is not None:
            words += [related.name, getattr(related, "name_en", "") or ""]
    words += source_kind_labels(source_kind)
    return [word for word in words if word]


@functools.cache
def source_kind_labels(source_kind: str) -> tuple[str, ...]:
    """A source kind's label in Chinese and in English ("产业带好货", "Industry-belt goods")."""
    if not source_kind:
        return ()
    try:
        label = SourceKind(source_kind).label
    except ValueError:
        return ()
    labels = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.append(str(label))
    return tuple(labels)


def product_grams(*, title: str, intro: str, category=None, belt=None, source_kind: str = "") -> list[str]:
    """A good's grams: its title, the start of its intro, and its context words; then the
    title's grams again, marked (`t:翡翠`), for the title-first ranking (catalog.title_ranking)."""
    grams = index_grams(
        title,
        (intro or "")[:INTRO_CHARACTERS_INDEXED],
        *context_words(category=category, belt=belt, source_kind=source_kind),
    )
    return sorted([*grams, *(TITLE_MARK + gram for gram in index_grams(title))])
