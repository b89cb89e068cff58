"""The renderer turns Markdown into HTML that cannot run script, whatever the author typed."""

import re

import pytest

from storefront.school.markdown import reading_minutes, render_markdown, sanitize_html

# From the OWASP XSS filter evasion cheat sheet and common Markdown-specific payloads.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](https://evil.example/track.gif)",
    "<details open ontoggle=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "`<script>alert(1)</script>`",
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<!--<script>alert(1)</script>-->",
    '[x](https://example.com "title" onmouseover=alert(1))',
]

EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
ACTIVE_TAG = re.compile(r"<\s*(script|iframe|object|embed|svg|math|style|form|body|details)\b", re.IGNORECASE)
ACTIVE_URL = re.compile(r"<[a-z][^>]*\s(href|src)\s*=\s*\"?\s*(javascript|vbscript|data):", re.IGNORECASE)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_known_xss_payloads_come_out_inert(payload):
    html = render_markdown(f"正文\n\n{payload}\n\n结尾")

    assert not EVENT_HANDLER.search(html), html
    assert not ACTIVE_TAG.search(html), html
    assert not ACTIVE_URL.search(html), html
    assert "正文" in html and "结尾" in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_sanitiser_alone_also_removes_them_from_raw_html(payload):
    """The second layer holds even if the renderer ever passed raw HTML through."""
    html = sanitize_html(payload)

    assert not EVENT_HANDLER.search(html), html
    assert not ACTIVE_TAG.search(html), html
    assert not ACTIVE_URL.search(html), html


def test_markdown_markup_survives():
    html = render_markdown("## 准备\n\n- **灯光**\n- *背景*\n\n> 小技巧\n\n| 价 | 量 |\n|---|---|\n| 1 | 2 |")

    assert "<h2>准备</h2>" in html
    assert "<strong>灯光</strong>" in html and "<em>背景</em>" in html
    assert "<blockquote>" in html and "<table>" in html and "<td>1</td>" in html


def test_links_are_nofollow_and_keep_their_target():
    html = render_markdown("[目录](/catalog/) [外站](https://example.com/a)")

    assert '<a href="/catalog/" rel="nofollow noopener noreferrer">目录</a>' in html
    assert 'href="https://example.com/a"' in html


def test_pictures_only_from_the_portal_media(settings):
    settings.MEDIA_URL = "/media/"
    html = render_markdown("![灯](/media/school/images/a.webp) ![外](https://evil.example/t.gif)")

    assert '<img src="/media/school/images/a.webp" alt="灯">' in html
    assert "evil.example" not in html


def test_typed_script_tags_are_shown_as_text_not_dropped():
    html = render_markdown("写 <script> 会原样显示")

    assert "&lt;script&gt;" in html


def test_reading_minutes_count_chinese_characters():
    assert reading_minutes("字" * 1200) == 3
    assert reading_minutes("") == 1


# A picture is fetched by every reader's browser with their cookies: any same-origin path
# other than the school's own pictures would be a request made in the reader's name.
HOSTILE_PICTURES = [
    "/media/../accounts/logout/",
    "/media/school/images/../../../accounts/logout/",
    "/media/school/images/%2e%2e/%2e%2e/%2e%2e/accounts/logout/",
    "/media/school/images/%2E%2E/%2E%2E/%2E%2E/accounts/logout/",
    "/media/school/images/%252e%252e/%252e%252e/accounts/logout/",
    "/media/school/images/./a.webp",
    "/media/school/images//a.webp",
    "/media/school/images/%2F%2Fevil.example/a.webp",
    "/media/school/images/..%2F..%2F..%2Faccounts%2Flogout%2F",
    "/media/school/images/..%5C..%5C..%5Caccounts%5Clogout",
    "/media/school/images/a.webp?next=/accounts/logout/",
    "/media/school/images/a.webp#x",
    "/media/school/images/%3F/../../../accounts/logout/",
    "/media/school/images/%ff.webp",
    "/media/school/images/",
    "/media/school/covers/a.webp",
    "/media/products/1/large.webp",
    "/media/",
    "//evil.example/media/school/images/a.webp",
    "https://evil.example/media/school/images/a.webp",
    "/accounts/logout/?/media/school/images/a.webp",
    "/mediaX/school/images/a.webp",
]


@pytest.mark.parametrize("src", HOSTILE_PICTURES)
def test_pictures_elsewhere_than_the_schools_own_are_dropped(settings, src):
    settings.MEDIA_URL = "/media/"

    html = render_markdown(f"正文\n\n![图]({src})\n\n结尾")

    assert '<img alt="图">' in html, html  # the picture without its address
    assert "src=" not in html and "logout" not in html
    assert "正文" in html and "结尾" in html


@pytest.mark.parametrize(
    "src",
    [
        *HOSTILE_PICTURES,
        "/media/&#46;&#46;/accounts/logout/",
        "/media/school/images/&#46;&#46;/&#46;&#46;/&#46;&#46;/accounts/logout/",
        "/media/school/images\\..\\..\\..\\accounts\\logout",
        "/media/school/images/..\\..\\..\\accounts/logout/",
    ],
)
def test_the_sanitiser_alone_drops_them_from_raw_html(settings, src):
    settings.MEDIA_URL = "/media/"

    assert sanitize_html(f'<p>x<img src="{src}" alt="x"></p>') == '<p>x<img alt="x"></p>'


@pytest.mark.parametrize(
    ("markdown", "src"),
    [
        ("![灯](/media/school/images/a.webp)", "/media/school/images/a.webp"),
        (
            "![灯](/media/school/images/直播灯光_3f2a.webp)",
            "/media/school/images/%E7%9B%B4%E6%92%AD%E7%81%AF%E5%85%89_3f2a.webp",
        ),
    ],
)
def test_the_schools_own_pictures_stay(settings, markdown, src):
    settings.MEDIA_URL = "/media/"

    assert f'<img src="{src}" alt="灯">' in render_markdown(markdown)


def test_a_school_images_markdown_is_kept(settings):
    from storefront.school.models import SchoolImage

    settings.MEDIA_URL = "/media/"
    image = SchoolImage(alt="补光灯")
    image.image.name = "school/images/light_ab12.webp"

    assert '<img src="/media/school/images/light_ab12.webp" alt="补光灯">' in render_markdown(image.markdown)


def test_a_checklist_shows_boxes_not_brackets():
    from storefront.school.markdown import render_markdown

    html = render_markdown("- [ ] 检查灯光\n- [x] 准备样品\n- 普通一项")

    assert "[ ]" not in html and "[x]" not in html
    assert "<li>☐ 检查灯光</li>" in html
    assert "<li>☑ 准备样品</li>" in html
    assert "<li>普通一项</li>" in html
