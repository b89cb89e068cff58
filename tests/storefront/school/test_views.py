import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from industrybelts.models import Belt
from storefront.school import services
from storefront.school.models import LessonProgress, SchoolKind, SchoolStatus
from tests.conftest import cache_keys
from tests.factories import UserFactory
from tests.industrybelts.conftest import approved_merchant, make_base
from tests.storefront.school.conftest import editor, make_course, make_item

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Public pages -----------------------------------------------------------------------


def test_home_shows_published_content_by_level_and_nothing_else(client):
    by = editor()
    make_item(by=by, title="入门直播课", level="beginner")
    make_item(by=by, title="进阶流量课", level="advanced")
    make_item(by=by, title="还在写的草稿", publish=False)

    response = client.get(reverse("school:home"))

    sections = {level.value: [item.title for item in items] for level, items in response.context["sections"]}
    assert sections == {"beginner": ["入门直播课"], "growing": [], "advanced": ["进阶流量课"]}
    assert "还在写的草稿" not in response.content.decode()


def test_audience_filter_keeps_content_for_every_seller(client):
    by = editor()
    make_item(by=by, title="工厂直播", audience="factory")
    make_item(by=by, title="档口拍摄", audience="stall")
    make_item(by=by, title="通用入门", audience="")

    response = client.get(reverse("school:home"), {"audience": "factory"})

    titles = {item.title for _level, items in response.context["sections"] for item in items}
    assert titles == {"工厂直播", "通用入门"}


def test_a_level_page_is_paginated(client):
    by = editor()
    for n in range(26):
        make_item(by=by, title=f"成长课{n}", level="growing")

    first = client.get(reverse("school:home"), {"level": "growing"})
    second = client.get(reverse("school:home"), {"level": "growing", "page": 2})

    assert len(first.context["page"].object_list) == 24
    assert len(second.context["page"].object_list) == 2
    assert 'data-testid="next-page"' in first.content.decode()


def test_course_page_lists_its_lessons_in_order_with_links(client):
    course, lessons = make_course(lessons=3, title="直播入门课")
    services.school_item_unpublish(item=lessons[1], by=editor())

    response = client.get(reverse("school:item", args=[course.slug]))

    assert [part.title for part in response.context["parts"]] == ["第1课 直播准备", "第3课 直播准备"]
    assert reverse("school:part", args=[course.slug, lessons[0].slug]) in response.content.decode()


def test_lesson_page_has_previous_and_next(client):
    course, (first, second, third) = make_course(lessons=3)

    response = client.get(reverse("school:part", args=[course.slug, second.slug]))

    assert response.context["previous"] == first
    assert response.context["next"] == third
    html = response.content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_lessons_of_an_unpublished_course_and_drafts_are_404(client):
    course, (lesson, *_rest) = make_course(lessons=2)
    draft = make_item(publish=False, kind=SchoolKind.ARTICLE)
    services.school_item_unpublish(item=course, by=editor())

    assert client.get(reverse("school:part", args=[course.slug, lesson.slug])).status_code == 404
    assert client.get(reverse("school:item", args=[course.slug])).status_code == 404
    assert client.get(reverse("school:item", args=[draft.slug])).status_code == 404


def test_a_lesson_under_another_course_address_is_404(client):
    _course, (lesson, *_rest) = make_course(lessons=1)
    other, _lessons = make_course(lessons=1)

    assert client.get(reverse("school:part", args=[other.slug, lesson.slug])).status_code == 404


def test_staff_who_edit_may_preview_a_draft(client):
    by = editor()
    draft = make_item(by=by, publish=False, title="待发布")
    client.force_login(by)

    response = client.get(reverse("school:item", args=[draft.slug]))

    assert response.status_code == 200
    assert 'data-testid="preview-notice"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "found"), [("直播", True), ("播", True), ("直播间布置", True), ("翡翠", False)]
)
def test_chinese_search_finds_lessons_from_one_character(client, query, found):
    _course, _lessons = make_course(lessons=2)

    response = client.get(reverse("school:search"), {"q": query})

    titles = [item.title for item in response.context["page"].object_list]
    assert ("第1课 直播准备" in titles) is found
    if not found:
        assert 'data-testid="no-results"' in response.content.decode()


def test_search_never_shows_drafts(client):
    make_item(publish=False, title="直播草稿")

    response = client.get(reverse("school:search"), {"q": "直播"})

    assert list(response.context["page"].object_list) == []


def test_related_content_shares_a_tag(client):
    by = editor()
    article = make_item(by=by, title="直播话术", tags=["直播"])
    make_item(by=by, title="直播灯光", tags=["直播"])
    make_item(by=by, title="翡翠鉴定", tags=["翡翠"])

    response = client.get(reverse("school:item", args=[article.slug]))

    assert [item.title for item in response.context["related"]] == ["直播灯光"]


# --- Progress ---------------------------------------------------------------------------


def test_opening_a_lesson_remembers_it_and_the_button_marks_it_done(client):
    reader = UserFactory()
    client.force_login(reader)
    course, (first, second, _third) = make_course(lessons=3)

    client.get(reverse("school:part", args=[course.slug, first.slug]))
    response = client.post(reverse("school:part-done", args=[course.slug, first.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("school:part", args=[course.slug, second.slug])
    progress = LessonProgress.objects.get(user=reader)
    assert progress.lesson == first and progress.completed_at is not None


def test_reaching_the_end_marks_done_through_htmx(client):
    reader = UserFactory()
    client.force_login(reader)
    course, (first, *_rest) = make_course(lessons=2)

    response = client.post(
        reverse("school:part-done", args=[course.slug, first.slug]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert 'data-testid="lesson-done"' in response.content.decode()
    assert LessonProgress.objects.get(user=reader).completed_at is not None


def test_marking_done_needs_a_login_and_a_published_lesson(client):
    course, (lesson, *_rest) = make_course(lessons=2)
    url = reverse("school:part-done", args=[course.slug, lesson.slug])

    assert client.post(url).status_code == 302  # to the log-in page
    client.force_login(UserFactory())
    services.school_item_unpublish(item=lesson, by=editor())
    assert client.post(url).status_code == 404
    assert not LessonProgress.objects.exists()


def test_dashboard_shows_progress_the_next_lesson_and_continue(client):
    merchant = approved_merchant()
    client.force_login(merchant.user)
    course, (first, second, _third) = make_course(lessons=3, title="快速上架与直播")
    services.lesson_mark_read(user=merchant.user, lesson=first, done=True)

    response = client.get(reverse("merchants:dashboard"))

    [progress] = response.context["learning"].courses
    assert (progress.done, progress.total, progress.percent, progress.next_part) == (1, 3, 33, second)
    html = response.content.decode()
    assert "已学完 1/3（33%）" in html
    assert reverse("school:part", args=[course.slug, second.slug]) in html
    assert 'data-testid="school-resume"' in html


def test_a_new_jade_seller_sees_the_jade_qualification_guide_first(client):
    by = editor()
    jade = Belt.objects.get(slug="jade")
    make_item(by=by, title="直播通识", stage="any")
    make_item(by=by, title="档口短视频", audience="stall", stage="approved")
    make_item(by=by, title="翡翠类目资质准备指南", belt=jade, stage="onboarding")
    make_item(by=by, title="服装带进阶", belt=Belt.objects.get(slug="apparel"), stage="any")
    make_base(jade)
    seller = UserFactory()
    from merchants.models import Category, MerchantProfile

    profile = MerchantProfile.objects.create(user=seller, seller_type="factory")
    profile.categories.add(Category.objects.get(code="jade-jewellery"))
    client.force_login(seller)

    response = client.get(reverse("merchants:dashboard"))

    titles = [item.title for item in response.context["learning"].recommendations]
    assert titles[0] == "翡翠类目资质准备指南"
    assert "服装带进阶" not in titles and "档口短视频" not in titles


def test_an_approved_apparel_member_is_not_offered_onboarding_guides(client):
    by = editor()
    apparel = Belt.objects.get(slug="apparel")
    make_item(by=by, title="入驻资料怎么准备", stage="onboarding")
    make_item(by=by, title="服装带爆款打法", belt=apparel, stage="approved")
    merchant = approved_merchant(categories=("apparel",))
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    client.force_login(merchant.user)

    titles = [
        item.title for item in client.get(reverse("merchants:dashboard")).context["learning"].recommendations
    ]

    assert titles == ["服装带爆款打法"]


# --- Queries stay constant --------------------------------------------------------------


def test_home_queries_do_not_grow_with_content(client):
    by = editor()
    for n in range(3):
        make_item(by=by, title=f"课{n}", tags=["直播"])
    few = _queries(client, reverse("school:home"))
    for n in range(15):
        make_item(by=by, title=f"更多{n}", level=["beginner", "growing", "advanced"][n % 3], tags=["直播"])

    assert _queries(client, reverse("school:home")) == few


def test_course_and_lesson_pages_queries_do_not_grow_with_lessons(client):
    client.force_login(UserFactory())
    small, small_lessons = make_course(lessons=2, tags=["直播"])
    large, large_lessons = make_course(lessons=12, tags=["直播"])
    for n in range(6):
        make_item(title=f"相关{n}", tags=["直播"])

    assert _queries(client, reverse("school:item", args=[small.slug])) == _queries(
        client, reverse("school:item", args=[large.slug])
    )
    assert _queries(client, reverse("school:part", args=[small.slug, small_lessons[1].slug])) == _queries(
        client, reverse("school:part", args=[large.slug, large_lessons[6].slug])
    )


def test_dashboard_learning_queries_do_not_grow_with_courses(client):
    merchant = approved_merchant()
    client.force_login(merchant.user)
    _course, (lesson, *_rest) = make_course(lessons=2)
    services.lesson_mark_read(user=merchant.user, lesson=lesson, done=True)
    # Each visit measured draws the body afresh: a cached one reads none of the section.
    cache.clear()
    one = _queries(client, reverse("merchants:dashboard"))
    for _n in range(3):
        _other, (first, *_rest) = make_course(lessons=4)
        services.lesson_mark_read(user=merchant.user, lesson=first)
    cache.clear()

    assert _queries(client, reverse("merchants:dashboard")) == one


def test_status_choices_are_complete():
    assert {choice.value for choice in SchoolStatus} >= {"draft", "scheduled", "published"}


@pytest.mark.parametrize("params", [{"level": "x" * 500}, {"page": "-1"}, {"tag": "no-such-tag"}])
def test_odd_parameters_are_ignored_not_errors(client, params):
    make_item(title="直播")

    assert client.get(reverse("school:home"), params).status_code == 200
    assert client.get(reverse("school:search"), params).status_code == 200


@pytest.mark.parametrize("params", [{"tag": "a\x00b"}, {"q": "直\x00播"}])
def test_unstorable_characters_are_the_input_boundarys_400(client, params):
    make_item(title="直播")

    assert client.get(reverse("school:home"), params).status_code == 400
    assert client.get(reverse("school:search"), params).status_code == 400


def test_progress_follows_a_lesson_moved_to_another_course():
    reader = UserFactory()
    _first_course, (lesson, *_rest) = make_course(lessons=2)
    second_course, _lessons = make_course(lessons=1)
    services.lesson_mark_read(user=reader, lesson=lesson, done=True)

    lesson.parent = second_course
    services.school_item_save(item=lesson, by=editor())

    assert LessonProgress.objects.get(user=reader).container == second_course


@pytest.mark.parametrize("lessons", [2, 6])
def test_a_visitors_lesson_is_cached_one_query_however_long_the_course(
    client, lessons, django_assert_num_queries
):
    course, parts = make_course(lessons=lessons, tags=["直播"])
    make_item(title="相关的直播文章", tags=["直播"])
    url = reverse("school:part", args=[course.slug, parts[0].slug])
    assert client.get(url).status_code == 200

    with django_assert_num_queries(1):  # the school's version
        html = client.get(url).content.decode()
    assert parts[-1].title in html and "相关的直播文章" in html


def test_a_visitor_sees_a_change_to_the_school_at_once(client):
    course, [first, second] = make_course(lessons=2)
    url = reverse("school:part", args=[course.slug, first.slug])
    assert client.get(url).status_code == 200

    second.title = "改名后的第二课"
    services.school_item_save(item=second, by=editor())
    assert "改名后的第二课" in client.get(url).content.decode()

    services.school_item_unpublish(item=course, by=editor())
    assert client.get(url).status_code == 404


def test_a_made_up_lesson_address_takes_no_cache_entry(client):
    course, _parts = make_course(lessons=1)
    for n in range(3):
        assert client.get(reverse("school:part", args=[course.slug, f"made-up-{n}"])).status_code == 404
    assert not cache_keys("school-part")
