from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from merchants.forms import RegionChoiceField
from merchants.models import Region, RegionLevel
from merchants.validators import validate_uscc

from .models import Belt, BeltStatus, MemberRole


class ProviderApplicationForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=100)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30)
    region = RegionChoiceField(
        label=_("City"),
        queryset=Region.objects.filter(level=RegionLevel.CITY).select_related("parent"),
        empty_label=_("— choose —"),
    )
    belt = forms.ModelChoiceField(
        label=_("Belt you want to serve"),
        queryset=Belt.objects.exclude(status=BeltStatus.CLOSED),
        empty_label=_("— choose —"),
    )
    team_size = forms.IntegerField(label=_("Team size"), min_value=1, max_value=100000)
    track_record = forms.CharField(
        label=_("Track record"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Merchants you have brought online, live-stream bases you run, results you can show."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label_from_instance = lambda region: region.full_name

    def clean_uscc(self):
        return validate_uscc(self.cleaned_data["uscc"])


class MembershipApplyForm(forms.Form):
    base = forms.ModelChoiceField(label=_("Base"), queryset=None, empty_label=_("— choose —"))

    def __init__(self, *args, belt, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = belt.bases.select_related("region").order_by("name")


class MerchantInvitationForm(forms.Form):
    note = forms.CharField(
        label=_("Who it is for"),
        max_length=100,
        required=False,
        help_text=_("For your records, e.g. the shop's name. The link works once."),
    )


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(MemberRole.MANAGER, MemberRole.MANAGER.label), (MemberRole.AGENT, MemberRole.AGENT.label)],
    )


# What a provider's decline can point at; the merchant reads them with the reason.
PRE_REVIEW_CONCERNS = [
    ("shop", _("Shop details")),
    ("goods", _("Goods")),
    ("documents", _("Documents")),
    ("base", _("Chosen base")),
]


class PreReviewForm(forms.Form):
    """Recommend (with an optional note) or decline (with a reason and what it concerns),
    as staff decide in admin's decision panel."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Recommend")), ("reject", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    concerns = forms.MultipleChoiceField(
        label=_("What must change"),
        choices=PRE_REVIEW_CONCERNS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            raise ValidationError(_("Give the merchant a reason when you decline."), code="reason_required")
        return cleaned

    def reason_for_merchant(self) -> str:
        """The reason as recorded and shown to the merchant, naming what it concerns.

        The pre-review services record a reason only, so what a decline concerns is
        written into it, in the merchant's reading order: the reason, then the parts.
        """
        reason = self.cleaned_data["reason"].strip()
        chosen = set(self.cleaned_data.get("concerns") or ())
        labels = [str(label) for key, label in PRE_REVIEW_CONCERNS if key in chosen]
        if self.cleaned_data["decision"] != "reject" or not labels:
            return reason
        about = _("About: %(parts)s") % {"parts": "、".join(labels)}
        return f"{reason}\n{about}"
