"""Staff screens: accounts, API tokens and the onboarding review queue.

Admin is staff's only. Status fields are read-only; every decision is an action
that calls a service, which checks the transition map and the reviewer permission.
"""

import datetime

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin  # noqa: F401 (registers)
from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_actions import NoAddOrDeleteAdminMixin, ReadOnlyAdminMixin, TransitionEventInline
from core.api.scopes import MERCHANT_SCOPES
from core.review import Decision, ReviewPanelAdmin, ReviewQueueFilter, with_note, with_reason, without_input

from . import permissions, selectors, services
from .forms import CHANGE_REQUEST_FIELDS, ChangeRequestForm
from .models import (
    AWAITING_REVIEW_STATUSES,
    ApiToken,
    ApplicationEvent,
    ApplicationStatus,
    Category,
    MerchantCompliance,
    MerchantProfile,
    OnboardingApplication,
    QualificationType,
    Region,
    RegionLevel,
    SalesChannel,
    User,
)
from .validators import resident_id_birth_date
from .workdays import working_days_between
from .workflows import APPLICATION_WORKFLOW


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_active", "groups", "language")
    search_fields = ("email", "name")
    ordering = ("-date_joined",)
    readonly_fields = ("date_joined", "last_login", "updated_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")
    actions = ["resend_verification"]

    # Rights and credentials are a superuser's (permissions.PRIVILEGED_USER_FIELDS): other
    # staff see them read-only, never see the password hash, and cannot open the password page.
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or permissions.can_grant_rights(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f != "password")})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *permissions.user_readonly_fields(request.user, obj))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_change_account(request.user, obj)

    def has_add_permission(self, request):
        return permissions.can_grant_rights(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_grant_rights(request.user) and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not permissions.can_grant_rights(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Resend the verification e-mail"), permissions=["change"])
    def resend_verification(self, request, queryset):
        sent = 0
        for address in EmailAddress.objects.filter(user__in=queryset, primary=True, verified=False):
            sent += bool(send_verification_email_to_address(request, address))
        self.message_user(request, _("%(count)d verification e-mails sent.") % {"count": sent})


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(admin.ModelAdmin):
    """Addresses lead to the account (a password reset goes there): staff look, superusers edit."""

    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email", "user__email", "user__name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return permissions.can_grant_rights(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_grant_rights(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_grant_rights(request.user)


class ApiTokenCreateForm(forms.ModelForm):
    scopes = forms.CharField(
        label=_("scopes"),
        required=False,
        help_text=_("Space-separated, e.g. products:read products:write."),
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "expires_at")

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"].split()
        unknown = sorted(set(scopes) - set(MERCHANT_SCOPES))
        if unknown:
            raise forms.ValidationError(
                _("Unknown scopes: %(scopes)s. Provider tokens are made by the provider's managers.")
                % {"scopes": ", ".join(unknown)}
            )
        return scopes


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name", "user", "provider", "key_prefix", "created_at", "expires_at", "last_used_at", "revoked_at",
    )  # fmt: skip
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "user__email", "key_prefix", "provider__name")
    list_select_related = ("user", "provider")
    autocomplete_fields = ("user",)
    readonly_fields = (
        "public_id", "provider", "key_prefix", "scopes", "created_at", "last_used_at", "revoked_at",
    )  # fmt: skip
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        # A token acts as its user: minting one for someone else is a superuser's, and a
        # merchant or provider makes its own on its pages.
        return permissions.can_grant_rights(request.user) and super().has_add_permission(request)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "scopes", "expires_at")
        return (
            "public_id",
            "user",
            "provider",
            "name",
            "key_prefix",
            "scopes",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not permissions.can_grant_rights(request.user):
            return self.get_fields(request, obj)  # support revokes; it never extends a token
        return (*self.readonly_fields, "user", "name")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, raw_key = services.api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data["expires_at"],
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("Copy the token now, it will not be shown again: %(key)s") % {"key": raw_key},
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(queryset)})


# --- Onboarding: the reviewers' queue ---------------------------------------------------


class ProvinceFilter(admin.SimpleListFilter):
    title = _("origin province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return [(r.code, r.localized_name) for r in Region.objects.filter(level=RegionLevel.PROVINCE)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(merchant__region__code__startswith=self.value()[:2])
        return queryset


def _application_concerns(application):
    return CHANGE_REQUEST_FIELDS


def _request_changes(application, *, by, reason, concerns, **_inputs):
    """Send the application back with the reason and the fields it is about."""
    return services.application_request_changes(
        application=application, by=by, reason=reason, fields=concerns
    )


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("over 2 working days (flagged)")),
            ("today", _("submitted in the last 24 hours")),
            ("week", _("submitted over 7 days ago")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(overdue_flagged_at__isnull=False, status__in=AWAITING_REVIEW_STATUSES)
        if self.value() == "today":
            return queryset.filter(submitted_at__gte=now - datetime.timedelta(days=1))
        if self.value() == "week":
            return queryset.filter(submitted_at__lt=now - datetime.timedelta(days=7))
        return queryset


class ApplicationEventInline(TransitionEventInline):
    model = ApplicationEvent


S = ApplicationStatus


@admin.register(OnboardingApplication)
class OnboardingApplicationAdmin(NoAddOrDeleteAdminMixin, ReviewPanelAdmin, admin.ModelAdmin):
    review_workflow = APPLICATION_WORKFLOW
    review_queue_statuses = AWAITING_REVIEW_STATUSES
    review_decisions = (
        Decision("start_review", S.IN_REVIEW, _("Start review"), {S.SUBMITTED},
                 without_input(services.application_start_review)),
        Decision("approve", S.APPROVED, _("Approve"), {S.SUBMITTED, S.IN_REVIEW},
                 with_note(services.application_approve), confirm=True),
        Decision("request_changes", S.CHANGES_REQUESTED, _("Request changes"), {S.SUBMITTED, S.IN_REVIEW},
                 _request_changes, reason_required=True, concerns=_application_concerns,
                 bulk_label=_("Request changes (with reason)"), bulk_form_class=ChangeRequestForm),
        Decision("reject", S.REJECTED, _("Reject"), {S.SUBMITTED, S.IN_REVIEW},
                 with_reason(services.application_reject), reason_required=True, danger=True,
                 bulk_label=_("Reject (with reason)")),
        Decision("suspend", S.SUSPENDED, _("Suspend"), {S.APPROVED},
                 with_reason(services.application_suspend), reason_required=True, danger=True,
                 bulk_label=_("Suspend (with reason)")),
        # Reinstating records no reason: the note the panel offers is not passed on.
        Decision("reinstate", S.APPROVED, _("Reinstate"), {S.SUSPENDED},
                 without_input(services.application_reinstate), confirm=True),
    )  # fmt: skip
    list_display = (
        "legal_name_or_id",
        "shop_name",
        "entity_type",
        "seller_type",
        "status_badge",
        "submitted_at",
        "waiting",
        "reviewer",
    )
    list_filter = (
        ReviewQueueFilter,
        "entity_type",
        "merchant__seller_type",
        "merchant__categories",
        ProvinceFilter,
        WaitingFilter,
    )
    search_fields = (
        "legal_name",
        "uscc",
        "merchant__display_name",
        "merchant__contact_mobile",
        "merchant__user__email",
    )
    list_select_related = ("merchant__user",)
    list_per_page = 50
    ordering = ("submitted_at", "created_at")
    date_hierarchy = "submitted_at"
    inlines = [ApplicationEventInline]
    fieldsets = (
        (
            _("Status"),
            {"fields": ("status", "submitted_at", "decided_at", "overdue_flagged_at", "deposit_amount")},
        ),
        (
            _("Entity"),
            {
                "fields": (
                    "entity_type",
                    "legal_name",
                    "uscc",
                    "legal_representative",
                    "id_number",
                    "id_holder_age",
                )
            },
        ),
        (_("Documents"), {"fields": ("documents_preview",)}),
        (_("After approval"), {"fields": ("requirements_now",)}),
        (
            _("Shop"),
            {
                "fields": (
                    "merchant_link",
                    "seller_type",
                    "contact_mobile",
                    "origin",
                    "categories",
                    "channels",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("merchant__user", "merchant__region__parent__parent")
        )

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_review_permission(self, request):
        return permissions.can_review_applications(request.user)

    def get_object(self, request, object_id, from_field=None):
        queryset = selectors.application_with_details(self.get_queryset(request))
        return queryset.filter(pk=object_id).first() if str(object_id).isdigit() else None

    @admin.display(description=_("applicant"), ordering="legal_name")
    def legal_name_or_id(self, application):
        merchant = application.merchant
        return application.legal_name or merchant.display_name or merchant.user.name or merchant.user.email

    @admin.display(description=_("shop name"), ordering="merchant__display_name")
    def shop_name(self, application):
        return application.merchant.display_name

    @admin.display(description=_("seller type"), ordering="merchant__seller_type")
    def seller_type(self, application):
        return application.merchant.get_seller_type_display()

    @admin.display(description=_("working days waiting"))
    def waiting(self, application):
        if application.status not in AWAITING_REVIEW_STATUSES or not application.submitted_at:
            return "—"
        days = working_days_between(application.submitted_at, timezone.now())
        text = f"{days:.1f}"
        return (
            format_html('<strong class="overdue">{} ⚠</strong>', text)
            if application.overdue_flagged_at
            else text
        )

    @admin.display(description=_("ID holder's age"))
    def id_holder_age(self, application):
        if not application.id_number:
            return "—"
        born = resident_id_birth_date(application.id_number)
        today = timezone.localdate()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @admin.display(description=_("documents"))
    def documents_preview(self, application):
        slots = selectors.document_slots(application)
        parts = []
        for slot in slots:
            if slot.document:
                # The dates beside each document; a reviewer confirms them on the document's page.
                confirm_url = reverse("admin:merchants_applicationdocument_change", args=[slot.document.pk])
                caption = format_html(
                    '{} · <a href="{}">{}</a>', slot.document, confirm_url, _("confirm or correct the dates")
                )
                parts.append(compliance_admin.document_figure(slot.document, caption=caption))
            else:
                parts.append(
                    format_html(
                        '<figure class="doc doc-missing"><figcaption>{} ✗</figcaption></figure>', slot.label
                    )
                )
        return format_html(
            '<div class="doc-grid">{}</div>', format_html_join("", "{}", ((p,) for p in parts))
        )

    @admin.display(description=_("requirements"))
    def requirements_now(self, application):
        state = MerchantCompliance.objects.filter(merchant_id=application.merchant_id).first()
        return compliance_admin.requirements_block(state)

    @admin.display(description=_("merchant"))
    def merchant_link(self, application):
        return f"{application.merchant.display_name} <{application.merchant.user.email}>"

    @admin.display(description=_("contact mobile"))
    def contact_mobile(self, application):
        return application.merchant.contact_mobile

    @admin.display(description=_("origin"))
    def origin(self, application):
        region = application.merchant.region
        return region.full_name if region else "—"

    @admin.display(description=_("main categories"))
    def categories(self, application):
        return "、".join(c.localized_name for c in application.merchant.categories.all()) or "—"

    @admin.display(description=_("sales channels"))
    def channels(self, application):
        links = [
            format_html(
                '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
                c.url,
                c.get_platform_display(),
            )
            for c in application.merchant.channels.all()
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links)) or "—"

    class Media:
        css = {"all": ["css/admin-review.css"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "deposit_amount", "is_active", "position")
    list_editable = ("deposit_amount", "is_active", "position")
    search_fields = ("name", "name_en", "code")
    filter_horizontal = ("required_qualifications",)


@admin.register(QualificationType)
class QualificationTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code")
    search_fields = ("name", "name_en", "code")


class SalesChannelInline(admin.TabularInline):
    model = SalesChannel
    extra = 0
    fields = ("platform", "url")
    # Shop links are https; a link typed without a scheme gets it (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MerchantProfile)
class MerchantProfileAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "user",
        "seller_type",
        "follower_count",
        "contact_mobile",
        "region",
        "created_at",
    )
    list_filter = ("seller_type", "categories")
    search_fields = ("display_name", "user__email", "contact_mobile")
    list_select_related = ("user", "region__parent__parent")
    readonly_fields = ("user", "created_at", "updated_at")
    autocomplete_fields = ("region",)
    inlines = [SalesChannelInline]

    def has_add_permission(self, request):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent__parent",)

    def get_queryset(self, request):
        # A region's label is its full name (its parent chain); the autocomplete
        # fields of merchants and bases list regions through here.
        return super().get_queryset(request).select_related("parent__parent")


from core.webhooks import admin as webhooks_admin  # noqa: E402, F401 (registers the webhook screens)

from .compliance import admin as compliance_admin  # noqa: E402 (registers the screens after approval)
