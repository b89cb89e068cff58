from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, User


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
        return self.cleaned_data["scopes"].split()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "user__email", "key_prefix")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("public_id", "key_prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke_tokens"]

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
