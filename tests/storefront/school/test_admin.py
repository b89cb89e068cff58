import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from industrybelts.models import Belt
from storefront.school import services
from storefront.school.models import MAX_BODY_CHARACTERS, SchoolImage, SchoolItem, SchoolStatus
from tests.factories import StaffFactory, image_upload
from tests.industrybelts.conftest import approved_provider
from tests.storefront.school.conftest import editor, make_course, make_item
from tests.storefront.school.test_markdown import ACTIVE_URL, EVENT_HANDLER

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:storefront_schoolitem_changelist"


def _add_form(**fields):
    data = {
        "kind": "article",
        "title": "直播间灯光怎么打",
        "slug": "",
        "summary": "三盏灯搞定",
        "body": "## 主光\n\n<img src=x onerror=alert(1)> [坏链接](javascript:alert(1))",
        "level": "beginner",
        "audience": "",
        "stage": "any",
        "position": "0",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_an_editor_writes_a_draft_that_is_stored_sanitised_with_a_revision(client):
    by = editor()
    client.force_login(by)

    response = client.post(reverse("admin:storefront_schoolitem_add"), _add_form())

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    item = SchoolItem.objects.get()
    assert item.status == SchoolStatus.DRAFT and item.author == by
    assert item.body_html.startswith("<h2>主光</h2>")
    assert not EVENT_HANDLER.search(item.body_html) and not ACTIVE_URL.search(item.body_html)
    assert "<img" not in item.body_html and "<a " not in item.body_html
    assert item.revisions.get().number == 1


def test_the_add_form_has_the_live_preview(client):
    client.force_login(editor())

    html = client.get(reverse("admin:storefront_schoolitem_add")).content.decode()

    assert 'data-preview-url="/admin/storefront/schoolitem/preview/"' in html
    assert "js/markdown-preview.js" in html


def test_preview_returns_what_readers_will_see(client):
    client.force_login(editor())
    url = reverse("admin:storefront_schoolitem_preview")

    response = client.post(url, {"body": "## 标题\n\n<script>alert(1)</script>"})

    assert response.status_code == 200
    assert response.json()["html"] == "<h2>标题</h2>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_preview_refuses_an_over_long_text_with_a_message(client):
    client.force_login(editor())

    response = client.post(
        reverse("admin:storefront_schoolitem_preview"), {"body": "字" * (MAX_BODY_CHARACTERS + 1)}
    )

    assert response.status_code == 400
    assert str(MAX_BODY_CHARACTERS) in response.json()["error"]


def test_preview_is_for_staff_who_edit(client):
    url = reverse("admin:storefront_schoolitem_preview")
    assert client.post(url, {"body": "x"}).status_code == 302  # to the admin log-in

    client.force_login(StaffFactory(group="reviewer"))
    assert client.post(url, {"body": "x"}).status_code == 403


def test_a_five_megabyte_text_is_refused_beside_the_field(client):
    client.force_login(editor())

    response = client.post(
        reverse("admin:storefront_schoolitem_add"), _add_form(body="字" * (5 * 1024 * 1024 // 3))
    )

    assert response.status_code == 200
    assert str(MAX_BODY_CHARACTERS) in str(response.context["adminform"].form.errors["body"])
    assert not SchoolItem.objects.exists()


def test_a_body_over_the_request_limit_is_a_400_not_a_500(client, settings):
    client.force_login(editor())

    response = client.post(
        reverse("admin:storefront_schoolitem_add"),
        _add_form(body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)),
    )

    assert response.status_code == 400
    assert not SchoolItem.objects.exists()


def test_scheduling_from_admin_refuses_the_past_and_accepts_the_future(client):
    by = editor()
    client.force_login(by)
    item = make_item(by=by, publish=False)
    url = reverse(CHANGELIST)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    future = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)

    refused = client.post(
        url, {"action": "schedule", "_selected_action": [item.pk], "apply": "1", "publish_at": past}
    )

    assert refused.status_code == 200
    assert "请选择未来的发布时间" in refused.content.decode()
    item.refresh_from_db()
    assert item.status == SchoolStatus.DRAFT

    client.post(
        url,
        {
            "action": "schedule",
            "_selected_action": [item.pk],
            "apply": "1",
            "publish_at": future.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    item.refresh_from_db()
    assert (item.status, item.publish_at) == (SchoolStatus.SCHEDULED, future)


def test_publish_action_is_only_offered_to_editors(client):
    make_item(publish=False)
    client.force_login(StaffFactory(group="reviewer"))

    assert client.get(reverse(CHANGELIST)).status_code == 403

    client.force_login(editor())
    actions = client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices
    assert {"publish_now", "schedule", "unpublish", "request_changes", "reject"} <= {
        name for name, _label in actions
    }


def test_revision_page_shows_the_difference_and_restores(client):
    by = editor()
    client.force_login(by)
    item = make_item(by=by, publish=False, body="原来的第一段")
    item.body = "改过的第一段"
    services.school_item_save(item=item, by=by)
    url = reverse("admin:storefront_schoolitem_revision", args=[item.pk, 1])

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "原来的第一段" in html and "改过的第一段" in html and 'data-testid="revision-diff"' in html
    against = client.get(url, {"against": 2})
    assert against.context["against"].number == 2

    client.post(url)

    item.refresh_from_db()
    assert item.body == "原来的第一段"
    assert item.revisions.count() == 3


def test_a_revision_of_another_item_is_404(client):
    by = editor()
    client.force_login(by)
    first = make_item(by=by, publish=False)
    second = make_item(by=by, publish=False)

    assert client.get(reverse("admin:storefront_schoolitem_revision", args=[second.pk, 7])).status_code == 404
    assert (
        client.get(
            reverse("admin:storefront_schoolitem_revision", args=[first.pk, 1]), {"against": "x"}
        ).status_code
        == 404
    )


def test_pictures_uploaded_beside_the_text_become_webp_with_markdown_to_paste(client):
    by = editor()
    client.force_login(by)
    item = make_item(by=by, publish=False)
    data = _add_form(
        title=item.title,
        slug=item.slug,
        body=item.body,
        **{"images-TOTAL_FORMS": "1", "images-0-alt": "三灯布光图", "images-0-item": str(item.pk)},
    )
    data["images-0-image"] = image_upload("light.jpg")

    response = client.post(reverse("admin:storefront_schoolitem_change", args=[item.pk]), data)

    assert response.status_code == 302
    image = SchoolImage.objects.get()
    assert image.image.name.endswith(".webp")
    assert image.markdown == f"![三灯布光图]({image.image.url})"


def test_a_course_shows_its_lessons_in_order(client):
    by = editor()
    client.force_login(by)
    course, lessons = make_course(by=by, lessons=3)

    html = client.get(reverse("admin:storefront_schoolitem_change", args=[course.pk])).content.decode()

    positions = [html.index(lesson.title) for lesson in lessons]
    assert positions == sorted(positions)


def test_kind_cannot_change_once_saved(client):
    by = editor()
    client.force_login(by)
    article = make_item(by=by, publish=False)

    client.post(
        reverse("admin:storefront_schoolitem_change", args=[article.pk]),
        _add_form(kind="course", title=article.title, slug=article.slug, body=article.body),
    )

    article.refresh_from_db()
    assert article.kind == "article"


# --- The decision panel on an item's page (core.review), and bulk decisions -------------


def _decide(item):
    return reverse("admin:storefront_schoolitem_decide", args=[item.pk])


def _offered(client, item):
    page = client.get(reverse("admin:storefront_schoolitem_change", args=[item.pk]))
    return [entry["decision"].key for entry in page.context["review_panel"]["decisions"]]


@pytest.fixture
def submitted_article():
    """A provider's article submitted for review."""
    provider, owner = approved_provider(Belt.objects.get(slug="jade"))
    article = SchoolItem(
        title="翡翠直播一物一拍规范", body="每件货单独展示。", belt=provider.assignments.first().belt
    )
    article = services.provider_article_save(item=article, provider=provider, by=owner)
    return services.provider_article_submit(item=article, by=owner)


def test_the_panel_offers_what_each_status_allows(client, submitted_article):
    by = editor()
    client.force_login(by)
    draft = make_item(by=by, publish=False)
    published = make_item(by=by)

    assert _offered(client, draft) == ["publish_now", "schedule"]
    assert _offered(client, published) == ["unpublish"]
    assert _offered(client, submitted_article) == ["publish_now", "schedule", "request_changes", "reject"]
    services.provider_article_withdraw(item=submitted_article, by=submitted_article.author)
    assert _offered(client, submitted_article) == []  # a provider's draft is the provider's


def test_schedule_from_the_page_needs_a_future_time(client):
    by = editor()
    client.force_login(by)
    item = make_item(by=by, publish=False)
    events = item.events.count()
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    future = (timezone.localtime() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    assert (
        'name="schedule-publish_at"'
        in client.get(reverse("admin:storefront_schoolitem_change", args=[item.pk])).content.decode()
    )

    refused = client.post(
        _decide(item),
        {"decision": "schedule", "expected_status": "draft", "schedule-publish_at": past},
        follow=True,
    )

    item.refresh_from_db()
    assert (item.status, item.events.count()) == (SchoolStatus.DRAFT, events)
    assert "请选择未来的发布时间" in refused.content.decode()

    client.post(
        _decide(item),
        {
            "decision": "schedule",
            "expected_status": "draft",
            "schedule-publish_at": future.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    item.refresh_from_db()
    assert (item.status, item.publish_at) == (SchoolStatus.SCHEDULED, future)


def test_request_changes_from_the_page_records_the_reason(client, submitted_article):
    client.force_login(editor())

    client.post(
        _decide(submitted_article),
        {"decision": "request_changes", "expected_status": "submitted", "reason": "请补充直播间实拍图"},
    )

    submitted_article.refresh_from_db()
    assert submitted_article.status == SchoolStatus.CHANGES_REQUESTED
    assert submitted_article.events.order_by("-pk").first().reason == "请补充直播间实拍图"


def test_reject_without_a_reason_records_nothing(client, submitted_article):
    client.force_login(editor())
    events = submitted_article.events.count()

    response = client.post(
        _decide(submitted_article), {"decision": "reject", "expected_status": "submitted"}, follow=True
    )

    submitted_article.refresh_from_db()
    assert submitted_article.status == SchoolStatus.SUBMITTED
    assert submitted_article.events.count() == events
    assert "理由" in response.content.decode()


def test_a_decision_on_an_item_another_editor_published_is_refused(client, submitted_article):
    client.force_login(editor())
    services.school_item_publish(item=submitted_article, by=editor())
    events = submitted_article.events.count()

    response = client.post(
        _decide(submitted_article),
        {"decision": "reject", "expected_status": "submitted", "reason": "内容重复"},
        follow=True,
    )

    submitted_article.refresh_from_db()
    assert submitted_article.status == SchoolStatus.PUBLISHED
    assert submitted_article.events.count() == events
    assert "已被他人处理" in response.content.decode()


def test_the_list_opens_on_every_item_with_the_review_queue_counted(client, submitted_article):
    by = editor()
    client.force_login(by)
    draft = make_item(by=by, publish=False)

    everything = client.get(reverse(CHANGELIST))
    queue = client.get(reverse(CHANGELIST), {"queue": "awaiting"})

    assert set(everything.context["cl"].result_list) == {draft, submitted_article}
    assert list(queue.context["cl"].result_list) == [submitted_article]
    tabs = {str(tab["label"]): tab["count"] for tab in everything.context["queue_tabs"]}
    assert (tabs["待审核"], tabs["全部"]) == (1, 2)


def test_bulk_publish_changes_nothing_until_confirmed(client):
    by = editor()
    client.force_login(by)
    drafts = [make_item(by=by, publish=False, title=f"草稿{n}") for n in range(2)]
    selected = {"action": "publish_now", "_selected_action": [item.pk for item in drafts]}

    page = client.post(reverse(CHANGELIST), selected)

    assert [(row["status_label"], row["after_label"]) for row in page.context["rows"]] == [
        ("草稿", "已发布")
    ] * 2
    assert set(SchoolItem.objects.values_list("status", flat=True)) == {SchoolStatus.DRAFT}

    client.post(reverse(CHANGELIST), {**selected, "apply": "1"})

    assert set(SchoolItem.objects.values_list("status", flat=True)) == {SchoolStatus.PUBLISHED}
