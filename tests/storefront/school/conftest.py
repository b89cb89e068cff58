import pytest

from storefront.school import services
from storefront.school.models import SchoolItem, SchoolKind, SchoolTag
from tests.factories import StaffFactory


def editor():
    return StaffFactory(group="content-editor")


def make_item(*, by=None, kind=SchoolKind.ARTICLE, publish=True, tags=(), **fields):
    """Save an item through the service (rendered, revised) and publish it unless told not to."""
    by = by or editor()
    fields.setdefault("title", f"{kind} 标题")
    fields.setdefault("body", "## 小标题\n\n正文内容。")
    item = services.school_item_save(item=SchoolItem(kind=kind, **fields), by=by)
    for name in tags:
        item.tags.add(SchoolTag.objects.get_or_create(name=name)[0])
    if publish:
        item = services.school_item_publish(item=item, by=by)
    return item


def make_course(*, lessons=3, by=None, publish=True, **fields):
    """A course with `lessons` published lessons; return (course, [lessons])."""
    by = by or editor()
    course = make_item(by=by, kind=SchoolKind.COURSE, publish=publish, **fields)
    parts = [
        make_item(
            by=by,
            kind=SchoolKind.LESSON,
            parent=course,
            title=f"第{n}课 直播准备",
            body=f"第{n}课的内容：直播间布置。",
        )
        for n in range(1, lessons + 1)
    ]
    return course, parts


@pytest.fixture
def content_editor():
    return editor()
