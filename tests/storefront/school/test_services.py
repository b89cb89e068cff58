import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import InvalidTransition, ReasonRequired
from storefront.school import services
from storefront.school.exceptions import NotAllowed, ScheduleInPast
from storefront.school.models import (
    MAX_BODY_CHARACTERS,
    LessonProgress,
    SchoolEvent,
    SchoolItem,
    SchoolKind,
    SchoolRevision,
    SchoolStatus,
)
from storefront.school.tasks import publish_scheduled_school_items_task
from tests.factories import StaffFactory, UserFactory
from tests.storefront.school.conftest import editor, make_course, make_item

pytestmark = pytest.mark.django_db


# --- Saving, revisions ------------------------------------------------------------------


def test_saving_renders_sanitised_html_grams_and_a_first_revision(content_editor):
    item = services.school_item_save(
        item=SchoolItem(kind=SchoolKind.ARTICLE, title="直播间布置", body="## 灯光\n\n<script>x</script>"),
        by=content_editor,
    )

    assert item.body_html.startswith("<h2>灯光</h2>")
    assert "<script>" not in item.body_html
    assert {"直播", "灯光"} <= set(item.search_grams)
    assert item.slug.startswith("article-")
    assert item.author == content_editor
    assert list(item.revisions.values_list("number", "body")) == [(1, "## 灯光\n\n<script>x</script>")]
    assert item.events.get().to_status == SchoolStatus.DRAFT


def test_a_save_without_text_changes_adds_no_revision_and_a_change_adds_one(content_editor):
    item = make_item(by=content_editor, publish=False, body="第一版")
    item.level = "advanced"
    services.school_item_save(item=item, by=content_editor)
    assert item.revisions.count() == 1

    item.body = "第二版"
    services.school_item_save(item=item, by=content_editor)

    assert list(item.revisions.values_list("number", "body")) == [(2, "第二版"), (1, "第一版")]


def test_restoring_a_revision_brings_the_text_back_as_a_new_revision(content_editor):
    item = make_item(by=content_editor, publish=False, body="第一版")
    item.body = "第二版"
    services.school_item_save(item=item, by=content_editor)

    services.school_revision_restore(revision=item.revisions.get(number=1), by=content_editor)

    item.refresh_from_db()
    assert item.body == "第一版" and item.body_html == "<p>第一版</p>\n"
    latest = item.revisions.first()
    assert (latest.number, latest.body, latest.note) == (3, "第一版", "已恢复第 1 版")


def test_a_five_megabyte_body_is_refused_with_a_clear_message(content_editor):
    item = SchoolItem(kind=SchoolKind.ARTICLE, title="太长", body="字" * (5 * 1024 * 1024 // 3))

    with pytest.raises(ValidationError) as error:
        services.school_item_save(item=item, by=content_editor)

    assert "body" in error.value.message_dict
    assert str(MAX_BODY_CHARACTERS) in error.value.message_dict["body"][0].replace(",", "")
    assert not SchoolItem.objects.exists()


@pytest.mark.parametrize(
    ("kind", "parent_kind", "message"),
    [
        (SchoolKind.LESSON, None, "选择它所属的课程或手册"),
        (SchoolKind.LESSON, SchoolKind.MANUAL, "课时属于课程"),
        (SchoolKind.ARTICLE, SchoolKind.COURSE, "只有课时和章节"),
    ],
)
def test_parts_belong_to_the_right_container(content_editor, kind, parent_kind, message):
    parent = make_item(by=content_editor, kind=parent_kind) if parent_kind else None

    with pytest.raises(ValidationError) as error:
        services.school_item_save(
            item=SchoolItem(kind=kind, parent=parent, title="x", body="y"), by=content_editor
        )

    assert message in str(error.value)


def test_new_lessons_are_appended_to_their_course(content_editor):
    _course, lessons = make_course(lessons=2, by=content_editor)

    assert [lesson.position for lesson in lessons] == [1, 2]


# --- Publishing, scheduling -------------------------------------------------------------


def test_only_content_editors_publish():
    item = make_item(publish=False)
    for outsider in (UserFactory(), StaffFactory(group="reviewer")):
        with pytest.raises(NotAllowed):
            services.school_item_publish(item=item, by=outsider)

    item.refresh_from_db()
    assert item.status == SchoolStatus.DRAFT and item.published_at is None


def test_scheduling_in_the_past_is_refused_and_nothing_changes(content_editor):
    item = make_item(by=content_editor, publish=False)

    with pytest.raises(ScheduleInPast):
        services.school_item_schedule(
            item=item, by=content_editor, publish_at=timezone.now() - datetime.timedelta(minutes=1)
        )

    item.refresh_from_db()
    assert (item.status, item.publish_at) == (SchoolStatus.DRAFT, None)
    assert item.events.count() == 1


def test_the_beat_task_publishes_what_is_due_and_only_that(
    content_editor, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = make_item(by=content_editor, publish=False, title="到点发布")
    later = make_item(by=content_editor, publish=False, title="明天发布")
    services.school_item_schedule(
        item=due, by=content_editor, publish_at=now + datetime.timedelta(seconds=30)
    )
    services.school_item_schedule(item=later, by=content_editor, publish_at=now + datetime.timedelta(days=1))

    assert publish_scheduled_school_items_task() == 0  # nothing is due yet
    SchoolItem.objects.filter(pk=due.pk).update(publish_at=now - datetime.timedelta(seconds=1))  # time passes

    assert publish_scheduled_school_items_task() == 1
    assert publish_scheduled_school_items_task() == 0  # running again changes nothing

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.publish_at) == (SchoolStatus.PUBLISHED, None)
    assert due.published_at is not None
    assert later.status == SchoolStatus.SCHEDULED
    event = due.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("scheduled", "published", None)


def test_the_beat_schedule_runs_the_task_every_minute(settings):
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-school-items"]
    assert entry["schedule"] == 60
    assert entry["task"] in app.tasks


def test_an_unscheduled_item_is_not_published_by_a_late_task(content_editor):
    item = make_item(by=content_editor, publish=False)
    services.school_item_schedule(
        item=item, by=content_editor, publish_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    services.school_item_to_draft(item=item, by=content_editor)

    assert services.publish_due_items(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    item.refresh_from_db()
    assert (item.status, item.publish_at) == (SchoolStatus.DRAFT, None)


def test_refused_moves_raise_with_the_transition_code(content_editor):
    item = make_item(by=content_editor)

    with pytest.raises(InvalidTransition) as error:
        services.school_item_schedule(
            item=item, by=content_editor, publish_at=timezone.now() + datetime.timedelta(days=1)
        )

    assert error.value.code == "invalid_transition"
    assert SchoolEvent.objects.filter(item=item).count() == 2


def test_requesting_changes_needs_a_reason(content_editor):
    item = make_item(by=content_editor, publish=False)
    item.status = SchoolStatus.SUBMITTED
    item.save(update_fields=["status"])

    with pytest.raises(ReasonRequired):
        services.school_item_request_changes(item=item, by=content_editor, reason=" ")

    item.refresh_from_db()
    assert item.status == SchoolStatus.SUBMITTED


# --- Progress ---------------------------------------------------------------------------


def test_reading_and_finishing_a_lesson_is_idempotent_and_keeps_the_first_completion():
    reader = UserFactory()
    course, (first, second, _third) = make_course()

    services.lesson_mark_read(user=reader, lesson=first)
    services.lesson_mark_read(user=reader, lesson=first, done=True)
    finished_at = LessonProgress.objects.get(lesson=first).completed_at
    services.lesson_mark_read(user=reader, lesson=first, done=True)
    services.lesson_mark_read(user=reader, lesson=second)

    rows = {row.lesson_id: row for row in LessonProgress.objects.filter(user=reader)}
    assert set(rows) == {first.pk, second.pk}
    assert rows[first.pk].completed_at == finished_at
    assert rows[first.pk].container_id == course.pk
    assert rows[second.pk].completed_at is None


def test_articles_and_anonymous_readers_leave_no_progress():
    from django.contrib.auth.models import AnonymousUser

    article = make_item()
    _course, (lesson, *_rest) = make_course()

    services.lesson_mark_read(user=UserFactory(), lesson=article, done=True)
    services.lesson_mark_read(user=AnonymousUser(), lesson=lesson, done=True)

    assert not LessonProgress.objects.exists()


def test_revisions_are_numbered_per_item():
    first = make_item(publish=False)
    second = make_item(publish=False)

    assert SchoolRevision.objects.filter(item=first).get().number == 1
    assert SchoolRevision.objects.filter(item=second).get().number == 1


def test_editor_helper_is_in_the_content_editor_group():
    assert editor().has_perm("storefront.publish_schoolitem")


@pytest.mark.postgres
def test_published_items_have_a_gram_index_on_postgresql():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'school_search_grams_gin'")
        [(definition,)] = cursor.fetchall()

    assert "USING gin (search_grams)" in definition
    assert "WHERE ((status)::text = 'published'::text)" in definition


def test_the_search_page_address_cannot_be_taken(content_editor):
    with pytest.raises(ValidationError) as error:
        services.school_item_save(
            item=SchoolItem(kind=SchoolKind.ARTICLE, slug="search", title="x"), by=content_editor
        )

    assert "slug" in error.value.message_dict
