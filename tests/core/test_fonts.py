"""Pictures the portal draws show Chinese characters, not boxes, whatever fonts the machine has."""

import io

from PIL import Image, ImageChops

from core.fonts import CJK_FONT_PATH, cjk_font
from storefront.school.demo import _cover

NOT_IN_ANY_DEMO_TEXT = "龘"  # outside the subset: the font draws its empty box for it


def _glyph(character: str) -> bytes:
    mask = cjk_font(48).getmask(character)
    return bytes(mask)


def test_the_font_ships_with_the_code():
    assert CJK_FONT_PATH.is_file()
    assert (CJK_FONT_PATH.parent / "OFL.txt").is_file()


def test_different_characters_draw_different_glyphs_and_none_is_the_box():
    box = _glyph(NOT_IN_ANY_DEMO_TEXT)
    glyphs = {character: _glyph(character) for character in "直播源头好货翡翠"}

    assert len(set(glyphs.values())) == len(glyphs)
    assert box not in glyphs.values()


def _pixels(upload) -> Image.Image:
    return Image.open(io.BytesIO(upload.read())).convert("L")


def test_a_drawn_school_cover_shows_its_title():
    first = _pixels(_cover("直播开场三句话", "beginner"))
    second = _pixels(_cover("翡翠拍摄布光法", "beginner"))
    boxes = _pixels(_cover(NOT_IN_ANY_DEMO_TEXT * 7, "beginner"))

    title_band = (48, 190, 900, 280)
    assert ImageChops.difference(first.crop(title_band), second.crop(title_band)).getbbox() is not None
    assert ImageChops.difference(first.crop(title_band), boxes.crop(title_band)).getbbox() is not None
