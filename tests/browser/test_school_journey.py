"""An editor writes a lesson with the live preview and schedules it; beat publishes it; a
merchant reads it to the end and the dashboard shows the progress and the next lesson."""

import datetime

import pytest
from django.utils import timezone

from storefront.school import services
from storefront.school.models import LessonProgress, SchoolItem, SchoolStatus
from tests.browser.helpers import log_in
from tests.industrybelts.conftest import approved_merchant
from tests.storefront.school.conftest import editor, make_course

pytestmark = pytest.mark.django_db(transaction=True)

LESSON_BODY = "## 开播前的最后检查\n\n" + "\n\n".join(
    f"{n}. 检查第{n}项：灯光、网络、样品、话术，每一项都要在开播前十分钟确认一遍。" for n in range(1, 41)
)


def test_editor_schedules_a_lesson_and_a_merchant_reads_it_to_the_end(page, chromium, live_server):
    staff = editor()
    course, (first, second, _third) = make_course(lessons=3, by=staff, title="快速上架与直播卖货入门")
    merchant = approved_merchant()
    services.lesson_mark_read(user=merchant.user, lesson=first, done=True)

    # The editor writes the lesson in admin, checking the live preview.
    log_in(page, live_server, staff.email, next_path="/admin/storefront/schoolitem/add/")
    page.select_option("#id_kind", "lesson")
    page.select_option("#id_parent", str(course.pk))
    page.fill("#id_title", "第4课 开播前的最后检查")
    page.fill("#id_body", LESSON_BODY)
    preview = page.get_by_test_id("markdown-preview")
    preview.locator("h2", has_text="开播前的最后检查").wait_for()
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/storefront/schoolitem/")
    lesson = SchoolItem.objects.get(title="第4课 开播前的最后检查")
    assert (lesson.status, lesson.parent, lesson.position) == (SchoolStatus.DRAFT, course, 4)

    # ... and schedules it for later today.
    publish_at = (timezone.localtime() + datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    page.check(f"input[name=_selected_action][value='{lesson.pk}']")
    page.select_option("select[name=action]", "schedule")
    page.locator("button[name=index]").first.click()
    page.fill("#id_publish_at", publish_at.strftime("%Y-%m-%dT%H:%M"))
    page.locator("input[type=submit]").last.click()
    page.wait_for_url("**/admin/storefront/schoolitem/")
    lesson.refresh_from_db()
    assert (lesson.status, lesson.publish_at) == (SchoolStatus.SCHEDULED, publish_at)

    # Beat's task runs at the scheduled time.
    assert services.publish_due_items(now=publish_at + datetime.timedelta(seconds=5)) == 1

    # The merchant reads the new lesson; reaching the end marks it done.
    reader = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    reader.set_default_timeout(15_000)
    log_in(reader, live_server, merchant.user.email, next_path=f"/school/{course.slug}/{lesson.slug}/")
    reader.wait_for_url(f"**/school/{course.slug}/{lesson.slug}/")
    assert "开播前的最后检查" in reader.get_by_test_id("school-body").inner_text()
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()
    reader.get_by_test_id("lesson-end").scroll_into_view_if_needed()
    reader.get_by_test_id("lesson-done").get_by_text("已学完").wait_for()
    assert LessonProgress.objects.get(user=merchant.user, lesson=lesson).completed_at is not None

    reader.goto(f"{live_server.url}/merchant/")
    learning = reader.get_by_test_id(f"learning-{course.slug}")
    assert "已学完 2/4（50%）" in learning.inner_text()
    assert learning.get_by_test_id("learning-next").inner_text() == second.title
    assert reader.get_by_test_id("resume-link").inner_text() == second.title
    reader.context.close()
