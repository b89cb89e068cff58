"""The CJK font for pictures the portal draws (demo goods, school covers, sample documents).

The font ships in core/fonts/ (Noto Sans CJK SC, subset; see its README), so drawing does
not depend on what fonts the machine happens to have.
"""

import functools
from pathlib import Path

from PIL import ImageFont

CJK_FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Subset.otf"


@functools.lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """Return the shipped CJK font at `size` pixels."""
    return ImageFont.truetype(str(CJK_FONT_PATH), size)
