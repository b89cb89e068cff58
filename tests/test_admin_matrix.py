"""Every admin screen × every staff group: what the group may do there, and nothing more.

For each registered admin model and each staff group the test opens the changelist, the
add page, an object's change and delete pages and runs each action; a refused cell must
answer 403 (or not offer the action) and leave the database as it was (a fingerprint of
the model's table and of every table that carries rights: users, groups, permissions,
e-mail addresses, API tokens, provider members). What a group may do comes from its
rights as data (`merchants.roles.GROUP_PERMISSIONS`) and what each admin allows at all
(`ADMIN_TABLE` below). Then the privileged cells: no group may touch superuser or staff
flags, groups, direct permissions, passwords, e-mail addresses, another user's tokens or
provider membership, whatever its model permissions say.

The test fails when admin gains a model or an action without a row here.
"""

import datetime
import hashlib
import uuid
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.claims import ReviewClaim
from core.review import ReviewPanelAdmin
from core.webhooks.models import WebhookDelivery, WebhookEndpoint
from industrybelts import services as belt_services
from industrybelts.exceptions import InvitationInvalid
from industrybelts.models import Belt, ProviderComplaint, ProviderMember
from merchants import services as merchant_services
from merchants.models import ApiToken, CompliancePolicy, DepositEntry, DepositTransfer, MerchantProfile, User
from merchants.roles import GROUP_PERMISSIONS, StaffGroup
from storefront.campaigns import services as campaign_services
from storefront.content import live
from storefront.discovery.models import DiscoverySettings, ExposureHealth, ProductExposure
from storefront.models import ImportJob
from storefront.school.models import SchoolTag
from tests.factories import StaffFactory, UserFactory, reviewer, submitted_application
from tests.industrybelts.conftest import approved_merchant, approved_provider, belt_ops, make_base
from tests.merchants.test_compliance_admin import category_request, transfer
from tests.storefront.campaigns.conftest import make_campaign
from tests.storefront.conftest import make_product
from tests.storefront.content.video_helpers import make_video
from tests.storefront.school.conftest import make_item

pytestmark = pytest.mark.django_db

# model label -> what its admin never allows (whatever the permission) and the permission
# each action needs. "never" lists ops refused to every staff group; superusers aside.
ADMIN_TABLE = {
    "auth.Group": {"never": set(), "actions": {}},
    "sites.Site": {"never": set(), "actions": {}},
    "account.EmailAddress": {"never": {"add", "change", "delete"}, "actions": {}},
    "merchants.User": {
        "never": {"add", "delete"},
        "actions": {"resend_verification": "merchants.change_user"},
    },
    "merchants.ApiToken": {"never": {"add"}, "actions": {"revoke_tokens": "merchants.change_apitoken"}},
    "merchants.OnboardingApplication": {
        "never": {"add", "delete"},
        "review": "merchants.review_onboardingapplication",
        "actions": dict.fromkeys(
            ("start_review", "approve", "request_changes", "reject", "suspend", "reinstate"),
            "merchants.review_onboardingapplication",
        ),
    },
    "merchants.Category": {"never": set(), "actions": {}},
    # After approval (merchants/compliance/admin.py): renewed documents and category
    # requests are the reviewers', transfers and the ledger finance's.
    "merchants.ApplicationDocument": {
        "never": {"add", "change", "delete"},
        "review": "merchants.review_onboardingapplication",
        "actions": dict.fromkeys(("approve", "refuse"), "merchants.review_onboardingapplication"),
    },
    "merchants.CategoryRequest": {
        "never": {"add", "change", "delete"},
        "review": "merchants.review_categoryrequest",
        "actions": dict.fromkeys(("approve", "reject"), "merchants.review_categoryrequest"),
    },
    "merchants.DepositTransfer": {
        "never": {"add", "change", "delete"},
        "review": "merchants.confirm_deposittransfer",
        "actions": dict.fromkeys(("confirm", "refuse"), "merchants.confirm_deposittransfer"),
    },
    "merchants.DepositEntry": {"never": {"add", "change", "delete"}, "actions": {}},
    "merchants.MerchantCompliance": {"never": {"add", "change", "delete"}, "actions": {}},
    "merchants.CompliancePolicy": {"never": {"add", "delete"}, "actions": {}},
    "merchants.QualificationType": {"never": set(), "actions": {}},
    "merchants.MerchantProfile": {"never": {"add"}, "actions": {}},
    "merchants.Region": {"never": {"add", "change", "delete"}, "actions": {}},
    "core.WebhookEndpoint": {
        "never": {"add", "change", "delete"},
        "actions": {
            "disable_endpoints": "core.change_webhookendpoint",
            "enable_endpoints": "core.change_webhookendpoint",
        },
    },
    "core.WebhookDelivery": {
        "never": {"add", "change", "delete"},
        "actions": {"redeliver": "core.change_webhookdelivery"},
    },
    "industrybelts.Belt": {"never": set(), "actions": {}},
    "industrybelts.ServiceProvider": {
        "never": {"add", "delete"},
        "review": "industrybelts.change_serviceprovider",
        "actions": dict.fromkeys(
            ("approve", "reject", "warn", "suspend", "reinstate", "remove"),
            "industrybelts.change_serviceprovider",
        ),
    },
    "industrybelts.BeltMembership": {
        "never": {"add", "delete"},
        "review": "industrybelts.decide_beltmembership",
        "actions": {
            "approve": "industrybelts.decide_beltmembership",
            "reject": "industrybelts.decide_beltmembership",
        },
    },
    "industrybelts.ProviderComplaint": {"never": set(), "actions": {}},
    "industrybelts.MerchantInvitation": {"never": {"add"}, "actions": {}},
    "storefront.Product": {
        "never": {"add", "delete"},
        "review": "storefront.moderate_product",
        "actions": {"hide": "storefront.moderate_product", "restore": "storefront.moderate_product"},
    },
    "storefront.LiveSession": {
        "never": {"add", "change", "delete"},
        "actions": {"cancel_with_reason": "storefront.moderate_live_session"},
    },
    "storefront.Video": {
        "never": {"add", "delete"},
        "review": "storefront.moderate_video",
        "actions": {"hide": "storefront.moderate_video", "restore": "storefront.moderate_video"},
    },
    "storefront.Campaign": {"never": set(), "actions": {}},
    "storefront.CampaignEntry": {"never": {"add", "change", "delete"}, "actions": {}},
    "storefront.DiscoverySettings": {"never": {"add", "delete"}, "actions": {}},
    "storefront.ExposureHealth": {"never": {"add", "change", "delete"}, "actions": {}},
    "storefront.ProductExposure": {"never": {"add", "change", "delete"}, "actions": {}},
    "storefront.ImportJob": {"never": {"add", "change", "delete"}, "actions": {}},
    "storefront.SchoolTag": {"never": set(), "actions": {}},
    "storefront.SchoolItem": {
        "never": set(),
        "review": "storefront.publish_schoolitem",
        "actions": dict.fromkeys(
            ("publish_now", "schedule", "unpublish", "back_to_draft", "request_changes", "reject"),
            "storefront.publish_schoolitem",
        ),
    },
}

# Data an intermediate action form may ask for, so a refused action cannot stop at its form.
ACTION_FORM_DATA = {"apply": "1", "reason": "matrix probe", "note": "matrix probe"}


def group_permissions(group: StaffGroup) -> set[str]:
    return {
        f"{app_label}.{action}_{model}"
        for app_label, by_model in GROUP_PERMISSIONS[group].items()
        for model, actions in by_model.items()
        for action in actions
    }


class _FormFields(HTMLParser):
    """The values a browser would submit for each <form> of a page, by the form's id."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("id") or "", {}))
            return
        if not self.forms:
            return
        data = self.forms[-1][1]
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea][0] += data


def form_data(html: str) -> dict[str, list[str]]:
    """The fields of the page's admin change form (`<form id="<model>_form">`)."""
    parser = _FormFields()
    parser.feed(html)
    for form_id, data in parser.forms:
        if form_id.endswith("_form"):
            return data
    return {}


def _row_values(model):
    skip = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    skip.add("last_login")
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return list(model._default_manager.order_by("pk").values_list(*names))


RIGHTS_TABLES = (
    ReviewClaim,
    User,
    User.groups.through,
    User.user_permissions.through,
    Group,
    Group.permissions.through,
    EmailAddress,
    ApiToken,
    ProviderMember,
)


def fingerprint(model=None) -> str:
    """A digest of `model`'s rows and of every table that carries rights (timestamps aside)."""
    digest = hashlib.sha256()
    for table in (*RIGHTS_TABLES, *([model] if model is not None else [])):
        digest.update(repr(_row_values(table)).encode())
    digest.update(str(len(mail.outbox)).encode())
    return digest.hexdigest()


@pytest.fixture
def world():
    """At least one row of every admin model, in states the actions can act on."""
    apparel = Belt.objects.get(slug="apparel")
    make_base(apparel, name="杭州四季青服装市场", county="330102")
    seller = approved_merchant()
    product = make_product(seller)
    ProductExposure.objects.get_or_create(product=product, defaults={"merchant": seller})
    ImportJob.objects.create(merchant=seller, status="failed", file_name="货品.xlsx", file_format="xlsx")
    make_video(seller, [product])
    ExposureHealth.objects.get_or_create(day=timezone.localdate())
    DiscoverySettings.objects.get_or_create(pk=1)
    submitted_application()
    provider, owner = approved_provider(apparel)
    applicant = approved_merchant()
    belt_services.membership_apply(
        merchant=applicant, belt=apparel, base=apparel.bases.first(), by=applicant.user
    )
    belt_services.merchant_invitation_create(provider=provider, belt=apparel, by=owner)
    ProviderComplaint.objects.create(provider=provider, summary="回复慢")
    make_campaign(name="待定活动")  # no entries yet: the one belt operations may delete
    campaign = make_campaign(max_entries_per_merchant=5)
    campaign_services.campaign_sign_up(campaign=campaign, product=product, by=seller.user)
    live.live_session_schedule(
        merchant=seller,
        by=seller.user,
        title="翡翠专场",
        starts_at=timezone.now() + datetime.timedelta(hours=3),
        expected_minutes=60,
        products=[product],
    )
    make_item(title="闪电购三步走")
    SchoolTag.objects.get_or_create(name="直播")
    endpoint = WebhookEndpoint.objects.create(
        owner=seller.user,
        url="https://erp.example.com/hook",
        event_types=["product.published"],
        secret=WebhookEndpoint.generate_secret(),
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event_type="product.published", payload={}
    )
    merchant_services.api_token_create(user=seller.user, name="ERP", scopes=["products:read"])
    transfer(seller)
    category_request(seller)
    CompliancePolicy.current()
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    reviewer()
    belt_ops()
    mail.outbox.clear()
    return {"seller": seller, "provider": provider, "owner": owner, "superuser": superuser}


def _object_for(model):
    if model is User:
        return User.objects.filter(is_staff=False).order_by("pk").first()
    return model._default_manager.order_by("pk").first()


class Matrix:
    def __init__(self, client, user, group):
        self.client, self.user, self.group = client, user, group
        self.perms = group_permissions(group)
        self.failures: list[str] = []
        self.cells = 0

    def check(self, cell: str, ok: bool, detail: str = ""):
        self.cells += 1
        if not ok:
            self.failures.append(f"{self.group} · {cell} {detail}")

    def refused(self, cell: str, model, method: str, url: str, data=None, statuses=(403,)):
        """Send the request and check it is refused (one of `statuses`) and changes nothing."""
        before = fingerprint(model)
        response = getattr(self.client, method)(url, data or {})
        self.check(cell, response.status_code in statuses, f"→ {response.status_code}")
        self.check(f"{cell}: nothing changed", before == fingerprint(model))
        return response


def _allowed(matrix, label, model, op):
    if op in ADMIN_TABLE[label]["never"]:
        return False
    opts = model._meta
    return f"{opts.app_label}.{op}_{opts.model_name}" in matrix.perms


def test_every_admin_model_and_action_has_a_row():
    registered = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(registered) == set(ADMIN_TABLE)
    for label, model_admin in registered.items():
        # Named or generated (a review admin's decisions): each resolves to (func, name, description).
        declared = {model_admin.get_action(action)[1] for action in model_admin.actions or ()}
        assert declared == set(ADMIN_TABLE[label]["actions"]), label


@pytest.mark.parametrize("group", list(StaffGroup))
def test_each_group_gets_exactly_its_rights_in_admin(client, world, group):
    user = StaffFactory(group=group)
    client.force_login(user)
    matrix = Matrix(client, user, group)

    for model, model_admin in admin.site._registry.items():
        label, opts = model._meta.label, model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        obj = _object_for(model)
        assert obj is not None, f"the world has no {label}: add one to the fixture"
        can_view = _allowed(matrix, label, model, "view") or _allowed(matrix, label, model, "change")

        changelist_url, add_url = reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")
        changelist = client.get(changelist_url)
        # A one-row admin (discovery settings) answers its changelist with its change page.
        matrix.check(f"{label} changelist", changelist.status_code in ((200, 302) if can_view else (403,)))

        if _allowed(matrix, label, model, "add"):
            matrix.check(f"{label} add", client.get(add_url).status_code == 200)
        else:
            matrix.refused(f"{label} add GET", model, "get", add_url)
            matrix.refused(f"{label} add POST", model, "post", add_url)

        change_url = reverse(f"{prefix}_change", args=[obj.pk])
        page = client.get(change_url)
        matrix.check(f"{label} change GET", page.status_code == (200 if can_view else 403))
        if not _allowed(matrix, label, model, "change"):
            data = form_data(page.content.decode()) if page.status_code == 200 else {}
            matrix.refused(f"{label} change POST", model, "post", change_url, data)

        delete_url = reverse(f"{prefix}_delete", args=[obj.pk])
        if _allowed(matrix, label, model, "delete"):
            matrix.check(f"{label} delete", client.get(delete_url).status_code == 200)
        else:
            matrix.refused(f"{label} delete POST", model, "post", delete_url, {"post": "yes"})

        offered = set(model_admin.get_actions(_request_for(user)))
        for action, permission in ADMIN_TABLE[label]["actions"].items():
            if permission in matrix.perms:
                matrix.check(f"{label} action {action} offered", action in offered)
                continue
            matrix.check(f"{label} action {action} hidden", action not in offered)
            data = {"action": action, ACTION_CHECKBOX_NAME: [str(obj.pk)], "index": "0", **ACTION_FORM_DATA}
            # An action the group lacks is not offered: the changelist answers "no action
            # selected" (200/302), or 403 without the view permission.
            matrix.refused(f"{label} action {action}", model, "post", changelist_url, data, (200, 302, 403))

        if isinstance(model_admin, ReviewPanelAdmin):
            allowed = ADMIN_TABLE[label]["review"] in matrix.perms
            for view in ("decide", "claim"):
                review_url = reverse(f"{prefix}_{view}", args=[obj.pk])
                if not allowed:
                    decision = {"decision": "approve", "expected_status": str(obj.status)}
                    matrix.refused(f"{label} review {view}", model, "post", review_url, decision)
            if not allowed:
                matrix.refused(f"{label} review claim-next", model, "post", reverse(f"{prefix}_claim_next"))

    _privileged_cells(matrix, world)
    print(f"\n{group}: {matrix.cells} cells checked")
    assert not matrix.failures, "\n".join(matrix.failures)


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _privileged_cells(matrix, world):
    client, user = matrix.client, matrix.user
    seller_user = world["seller"].user
    superuser = world["superuser"]
    every_group = [str(g.pk) for g in Group.objects.all()]
    every_permission = [str(p.pk) for p in Permission.objects.filter(codename__endswith="_user")]
    raise_rights = {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": every_group,
        "user_permissions": every_permission,
        "email": "taken-over@example.com",
    }

    def change_user(target):
        target_url = reverse("admin:merchants_user_change", args=[target.pk])
        page = client.get(target_url)
        data = form_data(page.content.decode()) if page.status_code == 200 else {}
        return client.post(target_url, {**data, **raise_rights})

    for target, name in ((user, "own account"), (seller_user, "a merchant"), (superuser, "a superuser")):
        before = fingerprint()
        change_user(target)
        matrix.check(f"privileged fields on {name}", before == fingerprint())

    new_password = {"password1": "Hijack-2026-pass", "password2": "Hijack-2026-pass"}
    for target, name in ((superuser, "a superuser"), (user, "own account"), (seller_user, "a merchant")):
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        matrix.refused(f"password page of {name} GET", None, "get", password_url)
        matrix.refused(f"password page of {name} POST", None, "post", password_url, new_password)

    address = EmailAddress.objects.get(user=superuser)
    email_url = reverse("admin:account_emailaddress_change", args=[address.pk])
    address_data = {"user": user.pk, "email": "taken-over@example.com", "verified": "on", "primary": "on"}
    matrix.refused("e-mail address of a superuser", EmailAddress, "post", email_url, address_data)
    add_address_url = reverse("admin:account_emailaddress_add")
    matrix.refused("e-mail address add", EmailAddress, "post", add_address_url, address_data)
    token_data = {"user": seller_user.pk, "name": "mine", "scopes": "products:read products:write"}
    token_url = reverse("admin:merchants_apitoken_add")
    matrix.refused("API token for another user", ApiToken, "post", token_url, token_data)

    provider = world["provider"]
    provider_url = reverse("admin:industrybelts_serviceprovider_change", args=[provider.pk])
    page = client.get(provider_url)
    data = form_data(page.content.decode()) if page.status_code == 200 else {}
    total = int((data.get("members-TOTAL_FORMS") or ["0"])[0])
    data.update(
        {
            "members-TOTAL_FORMS": [str(total + 1)],
            f"members-{total}-user": [str(user.pk)],
            f"members-{total}-role": ["owner"],
            f"members-{total}-provider": [str(provider.pk)],
        }
    )
    before = ProviderMember.objects.count()
    client.post(provider_url, data)
    matrix.check("provider member through the inline", ProviderMember.objects.count() == before)
    matrix.check("no membership of the staff user", not ProviderMember.objects.filter(user=user).exists())


# The compliance screens' own pages beside the model admin's: the receipt finance reads and
# the two ledger forms finance posts. Each group may or may not open them; a refused POST
# writes nothing.
LEDGER_PAGES = ("deduct", "refund")


@pytest.mark.parametrize("group", list(StaffGroup))
def test_each_group_gets_exactly_its_rights_on_the_deposit_pages(client, world, group):
    user = StaffFactory(group=group)
    client.force_login(user)
    matrix = Matrix(client, user, group)
    finance = "merchants.confirm_deposittransfer" in matrix.perms
    seller = world["seller"]
    transfer_row = DepositTransfer.objects.get(merchant=seller)

    receipt = client.get(reverse("admin:merchants_deposittransfer_receipt", args=[transfer_row.pk]))
    matrix.check("receipt", receipt.status_code == (200 if finance else 403), f"→ {receipt.status_code}")
    for page in LEDGER_PAGES:
        page_url = reverse(f"admin:merchants_depositentry_{page}", args=[seller.pk])
        response = client.get(page_url)
        matrix.check(f"ledger {page} GET", response.status_code == (200 if finance else 403))
        if not finance:
            data = {"amount": "1.00", "violation": "matrix", "reason": "matrix", "bank_reference": "M"}
            matrix.refused(f"ledger {page} POST", DepositEntry, "post", page_url, data)

    print(f"\n{group}: {matrix.cells} cells checked")
    assert not matrix.failures, "\n".join(matrix.failures)


def test_a_staff_member_made_a_provider_member_by_hand_still_cannot_read_documents(client, world):
    """Even a membership row written outside admin gives staff no provider's view."""
    staff = StaffFactory(group=StaffGroup.BELT_OPERATIONS)
    provider = world["provider"]
    ProviderMember.objects.create(provider=provider, user=staff, role="owner")
    jade_applicant = MerchantProfile.objects.filter(memberships__provider=provider).first()
    assert jade_applicant is not None
    document = jade_applicant.applications.first().documents.first()
    client.force_login(staff)

    response = client.get(reverse("merchants:document-file", args=[document.public_id]))

    assert response.status_code == 404


def test_staff_cannot_accept_a_provider_team_invitation(world, outbox, django_capture_on_commit_callbacks):
    staff = StaffFactory(group=StaffGroup.SUPPORT)
    provider, owner = world["provider"], world["owner"]
    outbox = type(outbox)()  # only what this test sends
    with django_capture_on_commit_callbacks(execute=True):
        belt_services.member_invite(provider=provider, by=owner, email=staff.email, role="manager")
    body = outbox.wait_for(1)[-1].body
    code = body.split("/provider/join/")[1].split("/")[0]

    with pytest.raises(InvitationInvalid):
        belt_services.member_invitation_accept(code=code, user=staff)

    assert not ProviderMember.objects.filter(user=staff).exists()


def test_superuser_still_manages_rights(client, world):
    """The control cell: the boundary is for groups, not for the superuser who grants rights."""
    client.force_login(world["superuser"])
    target = StaffFactory(group=StaffGroup.SUPPORT)
    target_url = reverse("admin:merchants_user_change", args=[target.pk])
    data = form_data(client.get(target_url).content.decode())
    data["groups"] = [str(Group.objects.get(name=str(StaffGroup.REVIEWER)).pk)]

    response = client.post(target_url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(target.groups.values_list("name", flat=True)) == {str(StaffGroup.REVIEWER)}
    assert client.get(reverse("admin:auth_user_password_change", args=[target.pk])).status_code == 200


def test_support_deactivates_a_merchant_but_not_a_colleague(client, world):
    support = StaffFactory(group=StaffGroup.SUPPORT)
    client.force_login(support)
    merchant = world["seller"].user
    merchant_url = reverse("admin:merchants_user_change", args=[merchant.pk])
    data = form_data(client.get(merchant_url).content.decode())
    data.pop("is_active", None)

    response = client.post(merchant_url, data)

    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.is_active is False
    colleague = StaffFactory(group=StaffGroup.REVIEWER)
    colleague_url = reverse("admin:merchants_user_change", args=[colleague.pk])
    assert client.post(colleague_url, {"name": "x"}).status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active is True


def test_support_resends_verification(client, world, outbox, django_capture_on_commit_callbacks):
    support = StaffFactory(group=StaffGroup.SUPPORT)
    pending = UserFactory(verified=False)
    EmailAddress.objects.create(user=pending, email=pending.email, verified=False, primary=True)
    client.force_login(support)
    outbox = type(outbox)()  # only what this test sends

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:merchants_user_changelist"),
            {"action": "resend_verification", ACTION_CHECKBOX_NAME: [str(pending.pk)], "index": "0"},
        )

    assert response.status_code == 302
    assert [m.to for m in outbox.wait_for(1)] == [[pending.email]]


def test_group_rights_are_exactly_the_table(db):
    """A right removed from GROUP_PERMISSIONS leaves every deployment at the next migrate."""
    from django.apps import apps as global_apps

    from merchants.roles import sync_staff_groups

    support = Group.objects.get(name=str(StaffGroup.SUPPORT))
    support.permissions.add(Permission.objects.get(codename="add_apitoken"))
    sync_staff_groups(global_apps)
    assert not support.permissions.filter(codename="add_apitoken").exists()
    for group in StaffGroup:
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=str(group)).permissions.select_related("content_type")
        }
        assert granted == group_permissions(group)


def test_no_group_holds_a_right_raising_permission():
    raising = {
        "merchants.add_user",
        "merchants.delete_user",
        "auth.add_group",
        "auth.change_group",
        "auth.add_permission",
        "auth.change_permission",
        "account.change_emailaddress",
        "account.add_emailaddress",
        "merchants.add_apitoken",
        "industrybelts.add_providermember",
        "industrybelts.change_providermember",
    }
    for group in StaffGroup:
        assert not (group_permissions(group) & raising), group
