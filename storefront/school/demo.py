"""Demo school content for `seed_demo`: the starter course, manual and method articles.

The texts (storefront/school/demo_content.py) were written for this portal; here they
go through the same services an editor's work does (render, revision, publish), and get
a generated cover each. Idempotent: an item whose slug exists is left as it is.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core.fonts import cjk_font
from industrybelts.models import Belt
from merchants.models import User

from . import services
from .demo_content import ARTICLES, COURSES, MANUALS
from .forms import cover_as_webp
from .models import SchoolItem, SchoolKind, SchoolStatus, SchoolTag

EDITOR_EMAIL = "editor@demo.local"
COVER_COLOURS = {"beginner": (214, 92, 58), "growing": (64, 128, 96), "advanced": (70, 110, 170)}


def _cover(title: str, level: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (960, 540), COVER_COLOURS.get(level, (120, 120, 120)))
    draw = ImageDraw.Draw(image)
    draw.text((48, 200), title[:16], fill=(255, 255, 255), font=cjk_font(56))
    draw.text((48, 290), "E-商学院", fill=(255, 255, 255), font=cjk_font(32))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def _item(entry: dict, *, kind: str, editor, belts: dict, parent=None, position=0) -> SchoolItem:
    existing = SchoolItem.objects.filter(slug=entry["slug"]).first()
    if existing is not None:
        return existing
    item = SchoolItem(
        slug=entry["slug"],
        kind=kind,
        parent=parent,
        position=position,
        title=entry["title"],
        summary=entry.get("summary", ""),
        body=entry["body"].strip(),
        level=entry.get("level", parent.level if parent else "beginner"),
        audience=entry.get("audience", ""),
        belt=belts.get(entry.get("belt")),
        stage=entry.get("stage", "any"),
    )
    if parent is None:
        item.cover = cover_as_webp(_cover(item.title, item.level))
    services.school_item_save(item=item, by=editor)
    for name in entry.get("tags", []):
        item.tags.add(SchoolTag.objects.get_or_create(name=name)[0])
    if item.status != SchoolStatus.PUBLISHED:
        services.school_item_publish(item=item, by=editor)
    return item


def seed_school(stdout=None) -> list[tuple[str, str]]:
    editor = User.objects.get(email=EDITOR_EMAIL)
    belts = {belt.slug: belt for belt in Belt.objects.all()}
    for kind, part_kind, entries in (
        (SchoolKind.COURSE, SchoolKind.LESSON, COURSES),
        (SchoolKind.MANUAL, SchoolKind.CHAPTER, MANUALS),
        (SchoolKind.ARTICLE, None, ARTICLES),
    ):
        for entry in entries:
            container = _item(entry, kind=kind, editor=editor, belts=belts)
            for position, child in enumerate(entry.get("children", []), start=1):
                _item(child, kind=part_kind, editor=editor, belts=belts, parent=container, position=position)
    if stdout is not None:
        stdout.write(
            f"School: {SchoolItem.objects.filter(status=SchoolStatus.PUBLISHED).count()} items published."
        )
    return []
