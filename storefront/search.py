"""Chinese search from one character up: n-grams stored per product, matched by an index.

Why (measured facts, see docs/search.md): pg_trgm needs 3 characters and a UTF-8
LC_CTYPE; Django's SearchVector does not split Chinese; SQLite's FTS5 trigram
tokenizer finds nothing under 3 characters. So the portal indexes grams itself:

- every CJK character of the title and the start of the intro (unigrams), and every
  pair of neighbouring CJK characters (bigrams);
- every ASCII word, lower-cased (so "iPhone 15" matches "iphone" and "15").

A query becomes the grams it must contain: its single character (1 character), or
its bigrams (2 or more characters: "翡翠手镯" → 翡翠, 翠手, 手镯); ASCII words whole.
All of them must be present, then the exact phrase is rechecked on that small set.

On PostgreSQL the grams are a `text[]` column with a partial GIN index on published
products: `search_grams @> ARRAY[...]` is answered from the index for 1, 2 and 4+
character queries alike. On SQLite the same column is a `|gram|gram|` string and
the lookup is a LIKE per gram: correct, and a scan (fine for the embedded portal).
"""

import re
import unicodedata
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Lookup, Q

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ASCII_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY_LENGTH = 40
# Prefix of a good's title grams, stored a second time beside its other grams so that
# "the title holds the query" is an `@>` on the same GIN index. A gram never holds
# ':' (CJK characters and [a-z0-9] words only), so no text gram can look like a mark.
TITLE_MARK = "t:"
MAX_WORD_LENGTH = 32
INTRO_CHARACTERS_INDEXED = 300


def normalize(text: str) -> str:
    """Fold full-width forms and case, so "ＩＰＨＯＮＥ" and "iphone" are the same."""
    return unicodedata.normalize("NFKC", text or "").lower()


def index_grams(*texts: str) -> list[str]:
    """Return the sorted grams a product is found by."""
    grams: set[str] = set()
    for text in texts:
        text = normalize(text)
        for run in CJK_RUN.findall(text):
            grams.update(run)
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
        grams.update(word[:MAX_WORD_LENGTH] for word in ASCII_WORD.findall(text))
    return sorted(grams)


def query_grams(query: str) -> list[str]:
    """Return the grams a product must have to match `query` (empty when nothing is searchable)."""
    text = normalize(query)[:MAX_QUERY_LENGTH]
    grams: set[str] = set()
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            grams.add(run)
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(word[:MAX_WORD_LENGTH] for word in ASCII_WORD.findall(text))
    return sorted(grams)


def title_query_grams(query: str) -> list[str]:
    """The marked grams a good's title must hold to rank first for `query` (see TITLE_MARK)."""
    return [TITLE_MARK + gram for gram in query_grams(query)]


def searchable_phrase(query: str) -> str:
    """The trimmed query used for the exact recheck (wildcards are escaped by Django's icontains)."""
    return " ".join(normalize(query)[:MAX_QUERY_LENGTH].split())


def is_one_cjk_gram(phrase: str) -> bool:
    """True when the phrase is one or two CJK characters: exactly one gram, nothing else."""
    return len(phrase) <= 2 and CJK_RUN.fullmatch(phrase) is not None


def matching(
    queryset,
    query: str,
    fields: tuple[str, ...],
    *,
    grams_cover_fields: bool = False,
    context=None,
    mark: str = "",
):
    """Rows of `queryset` (with a `search_grams` column) whose `fields` contain `query`.

    The grams narrow the rows through the index; the phrase recheck on that small
    set drops rows that have every gram but not the words in order.

    `grams_cover_fields`: the caller's grams are made from (a prefix of) `fields` only.
    Then a one- or two-character CJK query is its own single gram, its presence already
    means the phrase is there, and the recheck is left out. That is not only less work:
    PostgreSQL cannot estimate a `LIKE '%…%'` on top of the gram test, guesses a few
    dozen rows for a common word such as 翡翠 (40 000 of 1M goods) and then fetches
    every match to sort them, instead of walking the newest-first index for 25 of them
    (180 ms of SQL instead of 3 ms at 1M goods, docs/performance.md).

    `context`: a function of the phrase returning a Q for rows whose context words
    (not in `fields`: the category's name...) hold it, ORed into the recheck.

    `mark`: look for the query's grams as stored with this prefix (TITLE_MARK: in the
    title). The marked grams are a subset of the row's grams, so the rows found are
    matches too; the plain grams are not asked for as well, as PostgreSQL would take
    the two conditions as independent and expect a few hundred rows where there are
    thousands (then fetch and sort them all instead of walking the sort's index).
    """
    grams = [mark + gram for gram in query_grams(query)]
    phrase = searchable_phrase(query)
    if not phrase:
        return queryset
    if grams:
        queryset = queryset.filter(search_grams__has_all=grams)
        if grams_cover_fields and grams == [mark + phrase] and is_one_cjk_gram(phrase):
            return queryset
    contains_phrase = reduce(or_, (Q(**{f"{field}__icontains": phrase}) for field in fields))
    if context is not None:
        contains_phrase |= context(phrase)
    return queryset.filter(contains_phrase)


class GramsField(models.Field):
    """`text[]` on PostgreSQL (GIN-indexable), a `|gram|gram|` string elsewhere."""

    description = "Search grams"

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        grams = list(value or [])
        if connection.vendor == "postgresql":
            return grams
        return "|" + "|".join(grams) + "|" if grams else ""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return [gram for gram in value.split("|") if gram]

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return self.from_db_value(value, None, None)


@GramsField.register_lookup
class HasAllGrams(Lookup):
    """`search_grams__has_all=[...]`: the row has every gram."""

    lookup_name = "has_all"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        grams = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} @> %s::text[]", [*lhs_params, grams]
        if not grams:
            return "1 = 1", list(lhs_params)
        clauses = " AND ".join(f"{lhs} LIKE %s ESCAPE '\\'" for _ in grams)
        params = []
        for gram in grams:
            escaped = gram.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("|", "")
            params.extend([*lhs_params, f"%|{escaped}|%"])
        return clauses, params
