"""Belt pages, the provider workspace and invitation links, as people use them (Django client)."""

import pytest
from django.urls import reverse

from industrybelts import services
from industrybelts.models import BeltMembership, MembershipStatus, MerchantInvitation
from tests.conftest import cache_keys, uses_worker
from tests.factories import TEST_PASSWORD, UserFactory
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, invited, make_base

pytestmark = pytest.mark.django_db


def _member_of(belt, provider_owner, merchant, *, approve=True):
    membership = services.membership_apply(
        merchant=merchant, belt=belt, base=belt.bases.first(), by=merchant.user
    )
    if approve:
        services.membership_pre_approve(membership=membership, by=provider_owner)
        services.membership_approve(membership=membership, by=belt_ops())
    return membership


def test_belt_list_shows_both_launch_belts_with_counts(client, apparel, jade):
    _provider, owner = approved_provider(apparel)
    _member_of(apparel, owner, approved_merchant())

    response = client.get(reverse("industrybelts:belt-list"))

    belts = {b.slug: b for b in response.context["belts"]}
    assert set(belts) == {"apparel", "jade"}
    assert (belts["apparel"].member_count, belts["apparel"].base_count) == (1, 1)
    assert "服装产业带" in response.content.decode()


def test_belt_page_shows_bases_providers_and_members_for_sharing(client, apparel):
    provider, owner = approved_provider(apparel)
    member = approved_merchant()
    _member_of(apparel, owner, member)
    pending = approved_merchant()
    _member_of(apparel, owner, pending, approve=False)

    response = client.get(reverse("industrybelts:belt-detail", args=["apparel"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "杭州四季青服装市场" in html and provider.name in html
    assert [m.merchant for m in response.context["members"]] == [member]
    assert 'property="og:title"' in html


def test_an_invitation_only_belt_offers_apply_only_to_a_seller_holding_its_invitation(client, jade):
    provider, _owner = approved_provider(jade)
    merchant = approved_merchant()
    url = reverse("industrybelts:belt-detail", args=["jade"])

    anonymous = client.get(url).content.decode()
    client.force_login(merchant.user)
    without_invitation = client.get(url).content.decode()
    invited(provider, jade, merchant)
    with_invitation = client.get(url).content.decode()

    assert "仅限邀请" in anonymous or "邀请链接" in anonymous
    assert 'data-testid="apply-to-belt"' not in anonymous
    assert 'data-testid="apply-to-belt"' not in without_invitation
    assert 'data-testid="apply-to-belt"' in with_invitation


def test_an_open_belt_offers_apply_to_everyone(client, apparel):
    html = client.get(reverse("industrybelts:belt-detail", args=["apparel"])).content.decode()

    assert 'data-testid="apply-to-belt"' in html


def test_belt_page_query_count_does_not_grow_with_members(client, apparel, django_assert_max_num_queries):
    _provider, owner = approved_provider(apparel)
    _member_of(apparel, owner, approved_merchant())
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("industrybelts:belt-detail", args=["apparel"]))
    for _ in range(5):
        _member_of(apparel, owner, approved_merchant())

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("industrybelts:belt-detail", args=["apparel"]))

    assert len(response.context["members"]) == 6


def test_unknown_belt_is_404(client):
    assert client.get(reverse("industrybelts:belt-detail", args=["no-such-belt"])).status_code == 404


def test_invitation_sign_up_is_attributed_to_the_provider(client, jade, django_capture_on_commit_callbacks):
    provider, owner = approved_provider(jade)
    invitation, code = services.merchant_invitation_create(provider=provider, belt=jade, by=owner)

    landing = client.get(reverse("industrybelts:invitation", args=[code]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"), {"email": "new.seller@example.com", "password1": TEST_PASSWORD}
        )

    assert landing.status_code == 200
    assert provider.name in landing.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_by.email == "new.seller@example.com"


@pytest.mark.parametrize("problem", ["reused", "expired", "unknown"])
def test_bad_invitation_links_get_a_clear_page(client, jade, problem):
    import datetime

    from django.utils import timezone

    provider, owner = approved_provider(jade)
    invitation, code = services.merchant_invitation_create(provider=provider, belt=jade, by=owner)
    if problem == "reused":
        services.merchant_invitation_claim(code=code, user=UserFactory())
    elif problem == "expired":
        MerchantInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(1)
        )
    else:
        code = "not-a-real-code"
    client.force_login(UserFactory())

    page = client.get(reverse("industrybelts:invitation", args=[code]))
    claim = client.post(reverse("industrybelts:invitation", args=[code]), follow=True)

    assert page.status_code in (200, 404)
    assert 'data-testid="invitation-problem"' in page.content.decode()
    assert claim.status_code in (200, 404)
    assert MerchantInvitation.objects.filter(accepted_by__isnull=False).count() == (
        1 if problem == "reused" else 0
    )


def test_apply_page_explains_why_a_merchant_cannot_join_jade(client, jade):
    approved_provider(jade)
    merchant = approved_merchant(categories=("apparel",))
    client.force_login(merchant.user)

    response = client.get(reverse("industrybelts:belt-apply", args=["jade"]))

    assert 'data-testid="not-eligible"' in response.content.decode()
    post = client.post(reverse("industrybelts:belt-apply", args=["jade"]), {"base": jade.bases.first().pk})
    assert post.status_code == 409
    assert not BeltMembership.objects.exists()


def test_invited_merchant_applies_and_provider_pre_reviews_from_the_workspace(client, jade):
    provider, owner = approved_provider(jade)
    merchant = approved_merchant(categories=("jade-jewellery",))
    invited(provider, jade, merchant)
    client.force_login(merchant.user)

    applied = client.post(reverse("industrybelts:belt-apply", args=["jade"]), {"base": jade.bases.first().pk})
    membership = BeltMembership.objects.get()
    client.force_login(owner)
    workspace = client.get(reverse("industrybelts:provider-belt", args=["jade"]))
    reviewed = client.post(
        reverse("industrybelts:membership-pre-review", args=[membership.public_id]), {"decision": "approve"}
    )

    assert applied.status_code == 302
    assert membership.provider == provider
    assert membership in workspace.context["page"].object_list
    assert reviewed.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PRE_APPROVED


def test_declining_without_a_reason_changes_nothing(client, apparel):
    _provider, owner = approved_provider(apparel)
    membership = _member_of(apparel, owner, approved_merchant(), approve=False)
    client.force_login(owner)

    client.post(
        reverse("industrybelts:membership-pre-review", args=[membership.public_id]), {"decision": "reject"}
    )

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_workspace_figures_count_invited_signed_up_approved_active(client, jade):
    provider, owner = approved_provider(jade)
    services.merchant_invitation_create(provider=provider, belt=jade, by=owner)  # sent, never used
    merchant = approved_merchant(categories=("jade-jewellery",))
    invitation = invited(provider, jade, merchant)
    membership = services.membership_apply(
        merchant=merchant, belt=jade, base=jade.bases.first(), by=merchant.user, invitation=invitation
    )
    services.membership_pre_approve(membership=membership, by=owner)
    services.membership_approve(membership=membership, by=belt_ops())
    client.force_login(owner)

    response = client.get(reverse("industrybelts:provider-dashboard"))

    [entry] = response.context["workspace"]
    figures = entry.figures
    assert (figures["invited"], figures["signed_up"], figures["approved"], figures["active"]) == (2, 1, 1, 1)
    assert figures["review_time"] is not None


def test_workspace_query_count_is_constant(client, jade, django_assert_max_num_queries):
    provider, owner = approved_provider(jade)
    client.force_login(owner)

    def add_applicant():
        merchant = approved_merchant(categories=("jade-jewellery",))
        invitation = invited(provider, jade, merchant)
        services.membership_apply(
            merchant=merchant, belt=jade, base=jade.bases.first(), by=merchant.user, invitation=invitation
        )

    add_applicant()
    with django_assert_max_num_queries(30) as first:
        client.get(reverse("industrybelts:provider-belt", args=["jade"]))
    for _ in range(4):
        add_applicant()

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("industrybelts:provider-belt", args=["jade"]))
    with django_assert_max_num_queries(len(first.captured_queries) + 2):
        client.get(reverse("industrybelts:provider-dashboard"))

    assert len(response.context["page"].object_list) == 5


def test_invitation_link_is_shown_once_to_the_provider(client, jade):
    _provider, owner = approved_provider(jade)
    client.force_login(owner)

    response = client.post(
        reverse("industrybelts:merchant-invitation-create", args=["jade"]), {"note": "平洲阿强"}
    )

    html = response.content.decode()
    link = response.context["link"]
    code = link.split("/belts/invite/")[1].split("/")[0]
    assert MerchantInvitation.objects.get().code_digest == MerchantInvitation.digest(code)
    assert f'value="{link}"' in html  # to copy
    assert 'data-copy-target="invitation-link"' in html
    assert "<svg" in html and 'class="segno"' in html  # to scan
    assert "<script>" not in html  # the copy button is a file, as the CSP wants
    again = client.get(reverse("industrybelts:provider-dashboard")).content.decode()
    assert code not in again  # shown that once


def test_provider_application_form_validates_the_uscc(client, jade):
    from merchants.models import Region

    client.force_login(UserFactory())
    data = {
        "name": "新服务商",
        "uscc": "91330100799655058C",
        "region": Region.objects.get(code="440600").pk,
        "belt": jade.pk,
        "team_size": 5,
        "track_record": "直播基地运营两年",
    }

    refused = client.post(reverse("industrybelts:provider-apply"), data)
    data["uscc"] = "91330100799655058B"
    accepted = client.post(reverse("industrybelts:provider-apply"), data)

    assert refused.status_code == 400
    assert accepted.status_code == 302


# --- Pre-review: the provider decides from what it reads ---------------------------------


def _applicant(belt, *, goods=0, unpublished=0):
    """An approved merchant with `goods` published goods and `unpublished` withdrawn ones
    (photos processed when on-commit callbacks run), its document thumbnails made, applied
    to `belt`; return the membership."""
    from merchants.tasks import make_document_thumbnail_task
    from storefront import services as storefront_services
    from tests.factories import image_upload

    merchant = approved_merchant()
    for document in merchant.applications.get().documents.all():
        make_document_thumbnail_task.apply(args=[document.pk])
    for n in range(goods + unpublished):
        product = storefront_services.product_quick_list(
            merchant=merchant, by=merchant.user, photo=image_upload(), title=f"档口连衣裙{n}", price="59.00"
        )
        if n >= goods:
            storefront_services.product_unpublish(product=product, by=merchant.user)
    return services.membership_apply(merchant=merchant, belt=belt, base=belt.bases.first(), by=merchant.user)


def _pre_review_url(membership):
    return reverse("industrybelts:membership-pre-review", args=[membership.public_id])


def test_provider_sees_the_shop_goods_and_documents_of_its_belts_applicant(
    client, apparel, django_capture_on_commit_callbacks
):
    _provider, owner = approved_provider(apparel)
    with django_capture_on_commit_callbacks(execute=True):
        membership = _applicant(apparel, goods=2, unpublished=1)
    merchant = membership.merchant
    merchant.follower_count = 12345
    merchant.save(update_fields=["follower_count"])
    documents = list(merchant.applications.get().documents.all())
    client.force_login(owner)

    response = client.get(reverse("industrybelts:provider-belt", args=["apparel"]))
    assert _pre_review_url(membership) in response.content.decode()
    page = client.get(_pre_review_url(membership), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = page.content.decode()
    assert page.status_code == 200
    assert "小丽女装档口" in html and "档口" in html
    assert "浙江省" in html and "杭州市" in html and "上城区" in html
    assert "服装鞋包" in html
    assert "https://shop123.taobao.com/" in html
    assert 'data-testid="applicant-followers">12345<' in html
    assert [good["title"] for good in page.context["recent_goods"]] == ["档口连衣裙1", "档口连衣裙0"]
    if not uses_worker():  # with a worker the thumbnails are made after the page is read
        assert all(
            good["thumbnail_url"] and good["thumbnail_url"] in html for good in page.context["recent_goods"]
        )
    assert "档口连衣裙2" not in html
    for document in documents:
        assert reverse("merchants:document-file", args=[document.public_id]) in html
        if not document.is_pdf:
            assert reverse("merchants:document-thumbnail", args=[document.public_id]) in html
    image = next(d for d in documents if not d.is_pdf)
    assert client.get(reverse("merchants:document-thumbnail", args=[image.public_id])).status_code == 200
    assert 'name="concerns"' in html and 'value="reject"' in html


def test_another_provider_and_merchants_get_404_on_the_pre_review_page(client, apparel, jade):
    approved_provider(apparel)
    _jade_provider, jade_owner = approved_provider(jade)
    membership = _applicant(apparel)
    outsiders = [jade_owner, membership.merchant.user, approved_merchant().user, belt_ops()]

    answers = []
    for user in outsiders:
        client.force_login(user)
        answers.append(client.get(_pre_review_url(membership)).status_code)
        answers.append(client.post(_pre_review_url(membership), {"decision": "approve"}).status_code)

    assert answers == [404] * 8
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_pre_review_page_query_count_does_not_grow_with_the_goods(
    client, apparel, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    _provider, owner = approved_provider(apparel)
    with django_capture_on_commit_callbacks(execute=True):
        few = _applicant(apparel, goods=1)
        many = _applicant(apparel, goods=6)
    client.force_login(owner)

    with django_assert_max_num_queries(30) as first:
        client.get(_pre_review_url(few))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_pre_review_url(many))

    assert len(response.context["recent_goods"]) == 6


def test_declining_from_the_page_records_what_it_concerns_and_opens_the_next_applicant(client, apparel):
    _provider, owner = approved_provider(apparel)
    first, second = _applicant(apparel), _applicant(apparel)
    client.force_login(owner)

    response = client.post(
        _pre_review_url(first),
        {
            "decision": "reject",
            "reason": "商品图片不清晰",
            "concerns": ["goods", "documents"],
            "then": "next",
        },
    )

    first.refresh_from_db()
    assert first.status == MembershipStatus.REJECTED
    assert first.events.order_by("-pk").first().reason == "商品图片不清晰\n涉及：商品、证件材料"
    assert response.status_code == 302 and response.url == _pre_review_url(second)


def test_declining_without_a_reason_keeps_the_form_open_with_its_choices(client, apparel):
    _provider, owner = approved_provider(apparel)
    membership = _applicant(apparel)
    client.force_login(owner)

    response = client.post(
        _pre_review_url(membership),
        {"decision": "reject", "reason": " ", "concerns": ["base"], "then": "next"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="pre-review-errors"' in html
    assert '<details class="decision decision-danger" open>' in html
    assert 'value="base" id="id_concerns_3" checked' in html
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


def test_a_cached_belt_page_is_one_query_however_many_members(
    client, apparel, django_assert_num_queries, cache_round_trips
):
    _provider, owner = approved_provider(apparel)
    for _ in range(3):
        _member_of(apparel, owner, approved_merchant())
    url = reverse("industrybelts:belt-detail", args=["apparel"])
    assert client.get(url).status_code == 200

    cache_round_trips.clear()
    with django_assert_num_queries(1):  # the belt with its kept count and the change times of what it shows
        html = client.get(url).content.decode()
    assert "杭州四季青服装市场" in html and html.count("<li><strong>") == 3
    assert cache_round_trips == ["get", "get_many", "get_many"]


def test_what_a_belt_page_shows_changes_at_once(client, apparel):
    _provider, owner = approved_provider(apparel)
    url = reverse("industrybelts:belt-detail", args=["apparel"])
    first = approved_merchant()
    _member_of(apparel, owner, first)
    assert first.display_name in client.get(url).content.decode()

    second = approved_merchant()
    _member_of(apparel, owner, second)
    assert second.display_name in client.get(url).content.decode()

    make_base(apparel, name="新签约的直播基地")
    assert "新签约的直播基地" in client.get(url).content.decode()

    other_provider, _owner = approved_provider(apparel)
    assert other_provider.name in client.get(url).content.decode()


def test_made_up_member_pages_share_the_first_pages_entry(client, apparel):
    url = reverse("industrybelts:belt-detail", args=["apparel"])
    for page in ("", "x", "-3", "0", "99"):
        assert client.get(url, {"page": page} if page else {}).status_code == 200
    assert len(cache_keys(":belt-page:")) == 1
