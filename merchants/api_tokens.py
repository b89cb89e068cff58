"""The API tokens pages: create (the key is shown once), list and revoke.

/merchant/api-tokens/ makes tokens that act for the user's own shop; /provider/api-tokens/
(owners and managers of a provider; industrybelts.views builds it on these) makes tokens
that act for the provider, with the provider's scopes, listed for all its managers. The API
itself is in the apps' api packages.
"""

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

from core.api.scopes import MERCHANT_SCOPES

from . import permissions, services
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
        label=gettext_lazy("What it may do"), widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope.value, scope.label) for scope in scopes]

    def expires_at(self):
        days = self.cleaned_data.get("expires_in_days")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


class ApiTokenListView(LoginRequiredMixin, View):
    template_name = "merchants/api_token_list.html"
    scopes = MERCHANT_SCOPES

    def acting_for(self, request):
        """The provider the page's tokens act for (None: the user's own shop)."""
        return None

    def tokens(self, request, provider):
        return ApiToken.objects.filter(user=request.user, provider__isnull=True)

    def _render(self, request, form, raw_key=None, status=200):
        provider = self.acting_for(request)
        context = {
            "form": form,
            "tokens": self.tokens(request, provider).select_related("user").order_by("-created_at"),
            "raw_key": raw_key,
            "now": timezone.now(),
            "provider": provider,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request, ApiTokenForm(scopes=self.scopes))

    def post(self, request):
        form = ApiTokenForm(request.POST, scopes=self.scopes)
        if not form.is_valid():
            return self._render(request, form, status=400)
        _token, raw_key = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
            provider=self.acting_for(request),
        )
        # Shown in this response only: the portal keeps a digest, never the key.
        return self._render(request, ApiTokenForm(scopes=self.scopes), raw_key=raw_key)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        token = ApiToken.objects.filter(public_id=public_id).first()
        if token is None or not permissions.user_can_manage_api_token(request.user, token):
            raise Http404
        services.api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("industrybelts:provider-api-tokens" if token.provider_id else "merchants:api-tokens")
