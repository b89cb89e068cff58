"""Markdown to safe HTML, once per save: the only way school text becomes HTML.

Two layers, on purpose. markdown-it-py runs with raw HTML off, so `<script>` typed in
the text comes out as visible text and `javascript:` links are not made into links;
then nh3 (an allow-list sanitiser) cleans the result anyway, so a future renderer
option or plugin cannot reopen the hole: only the listed tags and attributes survive,
links get rel="nofollow noopener noreferrer", and pictures must be the school's own
uploads (the CSP would block others, outside pictures would track readers, and any
other same-origin path would be a request made with the reader's cookies).
"""

import posixpath
import re
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

from storefront.search import CJK_RUN

from .models import SchoolImage

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 200
# Where SchoolImage files live under MEDIA_URL, and the names a storage gives files there
# (Django's get_valid_name keeps letters, digits, `-`, `_` and `.`).
SCHOOL_IMAGE_FOLDER = SchoolImage._meta.get_field("image").upload_to
_FILE_NAMES = re.compile(r"(?:[\w-][\w.-]*/)*[\w-][\w.-]*")

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def is_school_picture(src: str) -> bool:
    """Tell whether `src` names a file under the school's picture folder, and nothing else.

    A reader's browser fetches each picture with their cookies, so a same-origin path
    such as `/media/../accounts/logout/` would be a request made in their name. The
    path is percent-decoded and must then be already normal (no `.` or `..` segment,
    no `//`, no backslash, which browsers read as `/`), carry no query or fragment,
    and be the folder's prefix followed by file names as storages write them.
    """
    if "?" in src or "#" in src or "\\" in src:
        return False
    prefix, url = urlsplit(settings.MEDIA_URL + SCHOOL_IMAGE_FOLDER), urlsplit(src)
    if (url.scheme, url.netloc) != (prefix.scheme, prefix.netloc):
        return False
    try:
        path = unquote(url.path, errors="strict")
    except UnicodeDecodeError:
        return False
    if not path.startswith(prefix.path) or posixpath.normpath(path) != path:
        return False
    return _FILE_NAMES.fullmatch(path[len(prefix.path) :]) is not None


def _only_own_pictures(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not is_school_picture(value):
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


# A checklist item ("- [ ] 检查灯光" / "- [x] …") shows a box, not its brackets.
_TASK_ITEM = re.compile(r"<li>(<p>)?\[( |x|X)\] ")


def _task_boxes(html: str) -> str:
    """Draw a checklist's boxes; after sanitising, so only these two characters are added."""
    return _TASK_ITEM.sub(lambda m: f"<li>{m.group(1) or ''}{'☑' if m.group(2) != ' ' else '☐'} ", html)


def render_markdown(text: str) -> str:
    """Return the sanitised HTML of Markdown `text`."""
    return _task_boxes(sanitize_html(_renderer.render(text or "")))


def reading_minutes(text: str) -> int:
    """Estimate minutes to read `text` (Chinese characters and Latin words)."""
    chinese = sum(len(run) for run in CJK_RUN.findall(text or ""))
    words = len(CJK_RUN.sub(" ", text or "").split())
    return max(1, round(chinese / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))
