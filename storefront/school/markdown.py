"""Markdown to safe HTML, once per save: the only way school text becomes HTML.

Two layers, on purpose. markdown-it-py runs with raw HTML off, so `<script>` typed in
the text comes out as visible text and `javascript:` links are not made into links;
then nh3 (an allow-list sanitiser) cleans the result anyway, so a future renderer
option or plugin cannot reopen the hole: only the listed tags and attributes survive,
links get rel="nofollow noopener noreferrer", and pictures must come from the portal's
own media (the CSP would block others, and outside pictures would track readers).
"""

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

from storefront.search import CJK_RUN

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 200

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _only_own_pictures(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not value.startswith(settings.MEDIA_URL):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed markup of `html`."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        attribute_filter=_only_own_pictures,
    )


def render_markdown(text: str) -> str:
    """Return the sanitised HTML of Markdown `text`."""
    return sanitize_html(_renderer.render(text or ""))


def reading_minutes(text: str) -> int:
    """Estimate minutes to read `text` (Chinese characters and Latin words)."""
    chinese = sum(len(run) for run in CJK_RUN.findall(text or ""))
    words = len(CJK_RUN.sub(" ", text or "").split())
    return max(1, round(chinese / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))
