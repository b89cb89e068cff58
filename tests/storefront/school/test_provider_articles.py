"""Service providers write articles for their belts; who may do what (the permission matrix)."""

import pytest
from django.urls import reverse

from industrybelts.models import Belt, ProviderMember
from storefront.school import services
from storefront.school.exceptions import NotAllowed
from storefront.school.models import SchoolItem, SchoolStatus
from tests.factories import UserFactory
from tests.industrybelts.conftest import approved_merchant, approved_provider
from tests.storefront.school.conftest import editor

pytestmark = pytest.mark.django_db

NEW = "school:provider-article-create"


def _form(belt, **fields):
    return {
        "title": "翡翠直播一物一拍规范",
        "summary": "开播前必看",
        "belt": belt.pk,
        "level": "beginner",
        "audience": "",
        "body": "## 一物一拍\n\n每件货单独展示。",
        **fields,
    }


@pytest.fixture
def jade_provider():
    return approved_provider(Belt.objects.get(slug="jade"))


@pytest.fixture
def apparel_provider():
    return approved_provider(Belt.objects.get(slug="apparel"))


def _article(provider, owner, **fields):
    article = SchoolItem(title="已有文章", body="正文", belt=provider.assignments.first().belt, **fields)
    return services.provider_article_save(item=article, provider=provider, by=owner)


def test_a_provider_writes_saves_and_submits_an_article_for_its_belt(client, jade_provider):
    provider, owner = jade_provider
    client.force_login(owner)
    jade = Belt.objects.get(slug="jade")

    response = client.post(reverse(NEW), _form(jade, submit="1"))

    assert response.status_code == 302
    article = SchoolItem.objects.get()
    assert (article.kind, article.provider, article.author, article.belt) == (
        "article",
        provider,
        owner,
        jade,
    )
    assert article.status == SchoolStatus.SUBMITTED
    assert [event.to_status for event in article.events.all()] == ["draft", "submitted"]


def test_a_provider_cannot_write_for_a_belt_it_does_not_serve(client, jade_provider):
    _provider, owner = jade_provider
    client.force_login(owner)

    response = client.post(reverse(NEW), _form(Belt.objects.get(slug="apparel")))

    assert response.status_code == 400
    assert "belt" in response.context["form"].errors
    assert not SchoolItem.objects.exists()


def test_another_providers_article_is_404_and_unchanged(client, jade_provider, apparel_provider):
    jade, jade_owner = jade_provider
    apparel, apparel_owner = apparel_provider
    article = _article(jade, jade_owner)
    client.force_login(apparel_owner)

    for name in ("school:provider-article-edit", "school:provider-article-preview"):
        assert client.get(reverse(name, args=[article.slug])).status_code == 404
    assert (
        client.post(
            reverse("school:provider-article-edit", args=[article.slug]),
            _form(apparel.assignments.first().belt, title="改掉"),
        ).status_code
        == 404
    )
    assert client.post(reverse("school:provider-article-withdraw", args=[article.slug])).status_code == 404

    article.refresh_from_db()
    assert article.title == "已有文章"


def test_a_submitted_article_cannot_be_edited_until_changes_are_requested(client, jade_provider):
    provider, owner = jade_provider
    article = _article(provider, owner)
    services.provider_article_submit(item=article, by=owner)
    client.force_login(owner)
    url = reverse("school:provider-article-edit", args=[article.slug])

    assert client.get(url).status_code == 302
    client.post(url, _form(article.belt, title="偷偷改"))
    article.refresh_from_db()
    assert (article.title, article.status) == ("已有文章", SchoolStatus.SUBMITTED)

    services.school_item_request_changes(item=article, by=editor(), reason="补充鉴定证书的图片")
    response = client.get(url)
    assert response.status_code == 200
    assert "补充鉴定证书的图片" in response.content.decode()


def test_editors_decisions_reach_the_author_by_email(
    jade_provider, outbox, django_capture_on_commit_callbacks
):
    provider, owner = jade_provider
    article = _article(provider, owner)
    services.provider_article_submit(item=article, by=owner)
    by = editor()
    already = len(outbox.messages())

    with django_capture_on_commit_callbacks(execute=True):
        services.school_item_request_changes(item=article, by=by, reason="标题再具体一些")
        services.provider_article_submit(item=article, by=owner)
        services.school_item_publish(item=article, by=by)

    messages = outbox.wait_for(already + 2)[already:]
    assert [message.to for message in messages] == [[owner.email], [owner.email]]
    assert "标题再具体一些" in messages[0].body
    assert "已有文章" in messages[1].subject


def test_a_team_member_may_edit_the_providers_article(client, jade_provider):
    provider, owner = jade_provider
    article = _article(provider, owner)
    colleague = UserFactory()
    ProviderMember.objects.create(provider=provider, user=colleague, role="agent")
    client.force_login(colleague)

    response = client.post(
        reverse("school:provider-article-edit", args=[article.slug]), _form(article.belt, title="同事改的")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "同事改的"


@pytest.mark.parametrize("who", ["merchant", "stranger", "editor"])
def test_people_outside_providers_get_404(client, jade_provider, who):
    provider, owner = jade_provider
    article = _article(provider, owner)
    user = {"merchant": lambda: approved_merchant().user, "stranger": UserFactory, "editor": editor}[who]()
    client.force_login(user)

    assert client.get(reverse("school:provider-articles")).status_code == 404
    assert client.post(reverse(NEW), _form(article.belt)).status_code == 404
    assert client.get(reverse("school:provider-article-edit", args=[article.slug])).status_code == 404
    assert SchoolItem.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("school:provider-articles"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_article_list_shows_only_the_providers_articles(client, jade_provider, apparel_provider):
    jade, jade_owner = jade_provider
    apparel, apparel_owner = apparel_provider
    _article(jade, jade_owner, summary="翡翠")
    mine = _article(apparel, apparel_owner)
    client.force_login(apparel_owner)

    response = client.get(reverse("school:provider-articles"))

    assert [article.pk for article in response.context["page"].object_list] == [mine.pk]


def test_a_provider_cannot_publish_its_own_article(jade_provider):
    provider, owner = jade_provider
    article = _article(provider, owner)

    with pytest.raises(NotAllowed):
        services.school_item_publish(item=article, by=owner)
    article.refresh_from_db()
    assert article.status == SchoolStatus.DRAFT


def test_editors_cannot_publish_or_schedule_a_providers_draft(jade_provider):
    import datetime

    from django.utils import timezone

    from core.exceptions import InvalidTransition

    provider, owner = jade_provider
    article = _article(provider, owner)
    by = editor()

    with pytest.raises(InvalidTransition):
        services.school_item_publish(item=article, by=by)
    with pytest.raises(InvalidTransition):
        services.school_item_schedule(
            item=article, by=by, publish_at=timezone.now() + datetime.timedelta(days=1)
        )

    article.refresh_from_db()
    assert (article.status, article.published_at) == (SchoolStatus.DRAFT, None)


def test_a_save_from_a_stale_copy_does_not_undo_a_publication(jade_provider):
    provider, owner = jade_provider
    article = _article(provider, owner)
    stale = SchoolItem.objects.get(pk=article.pk)
    services.provider_article_submit(item=article, by=owner)
    services.school_item_publish(item=article, by=editor())

    stale.title = "旧副本里的修改"
    with pytest.raises(NotAllowed):
        services.provider_article_save(item=stale, provider=provider, by=owner)
    services.school_item_save(item=stale, by=editor())  # an editor's edit of the text

    article.refresh_from_db()
    assert (article.status, article.title) == (SchoolStatus.PUBLISHED, "旧副本里的修改")
    assert article.published_at is not None


def test_a_member_of_two_providers_edits_each_providers_articles(client, jade_provider, apparel_provider):
    _jade, jade_owner = jade_provider
    apparel, apparel_owner = apparel_provider
    article = _article(apparel, apparel_owner)
    ProviderMember.objects.create(provider=apparel, user=jade_owner, role="agent")
    client.force_login(jade_owner)

    response = client.post(
        reverse("school:provider-article-edit", args=[article.slug]), _form(article.belt, title="两家都在做")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.provider) == ("两家都在做", apparel)
