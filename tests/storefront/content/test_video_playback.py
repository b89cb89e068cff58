"""Videos where buyers meet them: the good's page, the cards, the shop page, and the
player's signals (plays, plays to the end, purchase clicks)."""

import pytest
from django.test import Client
from django.urls import reverse

from storefront import counters
from storefront.content import video_services
from storefront.content.models import VideoStatus
from storefront.models import ProductLink
from tests.factories import StaffFactory
from tests.storefront.content.video_helpers import make_product, make_video

pytestmark = pytest.mark.django_db


def _product_page(client, product):
    return client.get(reverse("storefront:product-detail", kwargs={"public_id": product.public_id}))


def _signal(client, video, kind):
    return client.post(reverse("videos:video-signal", kwargs={"public_id": video.public_id, "kind": kind}))


def test_the_goods_page_plays_its_published_videos_newest_first_without_autoplay(client, seller):
    good = make_product(seller)
    older = make_video(seller, [good], title="旧视频")
    newer = make_video(seller, [good], title="新视频")

    html = _product_page(client, good).content.decode()

    assert html.count('data-testid="product-video"') == 2
    assert html.index("新视频") < html.index("旧视频")
    assert f'src="{newer.file.url}"' in html and f'poster="{older.poster.url}"' in html
    assert 'preload="metadata"' in html and "playsinline" in html and "controls" in html
    assert "autoplay" not in html
    assert "video-player.js" in html


def test_the_goods_page_shows_at_most_three_videos(client, seller):
    good = make_product(seller)
    for i in range(4):
        make_video(seller, [good], title=f"视频{i}")

    assert _product_page(client, good).content.decode().count('data-testid="product-video"') == 3


@pytest.mark.parametrize("status", [VideoStatus.UPLOADING, VideoStatus.PROCESSING, VideoStatus.FAILED])
def test_a_video_not_published_is_not_shown(client, seller, status):
    good = make_product(seller)
    make_video(seller, [good], status=status)

    html = _product_page(client, good).content.decode()

    assert 'data-testid="product-videos"' not in html
    assert "<video" not in html


def test_a_hidden_video_leaves_the_page_the_card_and_the_shop(client, seller):
    good = make_product(seller)
    video = make_video(seller, [good])
    assert "<video" in _product_page(client, good).content.decode()

    video_services.video_hide(video=video, by=StaffFactory(group="content-editor"), reason="侵权")

    assert "<video" not in _product_page(client, good).content.decode()
    assert 'data-testid="video-badge"' not in client.get(reverse("storefront:catalog")).content.decode()
    shop = client.get(reverse("storefront:shop-detail", kwargs={"public_id": seller.public_id}))
    assert 'data-testid="shop-videos"' not in shop.content.decode()


def test_a_cached_goods_page_with_videos_costs_one_query_and_follows_their_changes(
    client, seller, django_assert_num_queries
):
    good = make_product(seller, title="有视频")
    ProductLink.objects.create(product=good, platform="kuaishou", url="https://kwai.example/s/1")
    videos = [make_video(seller, [good], title=f"视频{i}") for i in range(3)]
    _product_page(client, good)  # the body's cache filled

    with django_assert_num_queries(1):
        response = _product_page(client, good)
    assert response.content.decode().count('data-testid="video-buy"') == 3

    video_services.video_update(video=videos[0], by=seller.user, title="改了标题", products=[good])
    assert "改了标题" in _product_page(client, good).content.decode()
    other = make_product(seller, title="另一件")
    video_services.video_update(video=videos[2], by=seller.user, title="移走了", products=[other])
    assert "移走了" not in _product_page(client, good).content.decode()
    assert "移走了" in _product_page(client, other).content.decode()


def test_cards_carry_a_video_badge_when_the_good_has_a_video(client, seller):
    filmed = make_product(seller, title="带视频玉镯")
    make_product(seller, title="普通玉镯")
    make_video(seller, [filmed])

    html = client.get(reverse("storefront:catalog")).content.decode()

    assert html.count('data-testid="video-badge"') == 1
    card = html[html.index("带视频玉镯") - 800 : html.index("带视频玉镯")]
    assert 'data-testid="video-badge"' in card


def test_the_shop_page_shows_a_strip_of_up_to_six_posters_that_load_nothing_before_a_tap(
    client, seller, django_assert_num_queries
):
    good = make_product(seller)
    for i in range(7):
        make_video(seller, [good], title=f"店铺视频{i}")
    shop = reverse("storefront:shop-detail", kwargs={"public_id": seller.public_id})
    client.get(shop)  # the header and its strip cached

    with django_assert_num_queries(2):  # the shop's row and the page's card references
        html = client.get(shop).content.decode()

    assert html.count('data-testid="shop-video"') == 6
    assert 'preload="none"' in html
    assert "店铺视频6" in html and "店铺视频0" not in html


def test_a_play_and_a_play_to_the_end_count_once_per_session(client, seller):
    video = make_video(seller, [make_product(seller)])
    client.get("/")  # a session, as a buyer reading pages has

    assert _signal(client, video, "play").status_code == 204
    assert _signal(client, video, "play").status_code == 204
    assert _signal(client, video, "completion").status_code == 204

    assert counters._drain("video-play") == {video.pk: 1}
    assert counters._drain("video-completion") == {video.pk: 1}
    other_buyer = Client()
    assert _signal(other_buyer, video, "play").status_code == 204
    assert counters._drain("video-play") == {video.pk: 1}


def test_signals_for_a_video_not_published_or_an_unknown_kind_are_refused(client, seller):
    good = make_product(seller)
    processing = make_video(seller, [good], status=VideoStatus.PROCESSING)
    published = make_video(seller, [good])

    assert _signal(client, processing, "play").status_code == 404
    assert _signal(client, published, "view").status_code == 404
    assert (
        client.get(
            reverse("videos:video-signal", kwargs={"public_id": published.public_id, "kind": "play"})
        ).status_code
        == 405
    )
    assert counters._drain("video-play") == {}


def test_signals_need_the_pages_csrf_token(seller):
    video = make_video(seller, [make_product(seller)])
    strict = Client(enforce_csrf_checks=True)

    assert _signal(strict, video, "play").status_code == 403
    assert counters._drain("video-play") == {}


def test_a_purchase_link_under_a_player_counts_for_the_video_and_the_good(client, seller):
    good = make_product(seller)
    ProductLink.objects.create(product=good, platform="kuaishou", url="https://kwai.example/s/1")
    video = make_video(seller, [good])
    buy = reverse(
        "videos:video-buy",
        kwargs={"public_id": video.public_id, "product_id": good.public_id, "platform": "kuaishou"},
    )

    response = client.get(buy, follow=True)

    assert response.redirect_chain[-1][0] == "https://kwai.example/s/1"
    assert counters._drain("video-click") == {video.pk: 1}
    assert counters._drain("click") == {good.pk: 1}


def test_a_visitor_without_a_session_is_counted_once_and_gets_no_session_row(seller):
    from django.contrib.sessions.models import Session

    video = make_video(seller, [make_product(seller)])
    visitor = Client()

    assert _signal(visitor, video, "play").status_code == 204
    assert _signal(visitor, video, "play").status_code == 204

    assert counters._drain("video-play") == {video.pk: 1}
    assert not Session.objects.exists()  # remembered in a signed cookie, not a database row
    visitor.cookies["video_signals"] = f"play:{video.pk}"  # forged, unsigned: not believed
    assert _signal(visitor, video, "play").status_code == 204
    assert counters._drain("video-play") == {video.pk: 1}
