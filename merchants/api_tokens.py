"""The merchant's API tokens page (/merchant/api-tokens/): create (the key is shown once),
list and revoke. The API itself is in merchants/api and the apps' api packages."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import permissions, services
from .api.scopes import Scope
from .models import ApiToken

EXPIRY_CHOICES = [
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("365", gettext_lazy("1 year")),
    ("", gettext_lazy("Never")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What uses it, e.g. 我的ERP.")
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


class ApiTokenListView(LoginRequiredMixin, View):
    template_name = "merchants/api_token_list.html"

    def _render(self, request, form, raw_key=None, status=200):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
        context = {"form": form, "tokens": tokens, "raw_key": raw_key, "now": timezone.now()}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        _token, raw_key = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
        )
        # Shown in this response only: the portal keeps a digest, never the key.
        return self._render(request, ApiTokenForm(), raw_key=raw_key)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        token = ApiToken.objects.filter(public_id=public_id).first()
        if token is None or not permissions.user_can_manage_api_token(request.user, token):
            raise Http404
        services.api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("merchants:api-tokens")
