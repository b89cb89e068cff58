"""Forms of the onboarding wizard and of the reviewers' decisions: parse and validate only."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_actions import DecisionForm
from core.uploads import check_upload

from .channels import validate_shop_url
from .compliance import services as compliance
from .models import (
    Category,
    EntityType,
    Region,
    RegionLevel,
    SalesPlatform,
    SellerType,
)
from .validators import normalize_mainland_mobile, validate_adult, validate_resident_id, validate_uscc


class RegionSelect(forms.Select):
    """A select in the province → city → county cascade; htmx refreshes the next one."""

    def __init__(self, *, next_level: str | None, url: str | None = None):
        attrs = {"class": "region-select"}
        if next_level and url:
            attrs.update(
                {
                    "hx-get": url,
                    "hx-target": f"#id_{next_level}",
                    "hx-trigger": "change",
                    "hx-swap": "innerHTML",
                }
            )
        super().__init__(attrs=attrs)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized_name


def _region_choice_field(label, *, required):
    return RegionChoiceField(
        label=label,
        queryset=Region.objects.none(),
        to_field_name="code",
        required=required,
        empty_label=_("— choose —"),
    )


class EntityForm(forms.Form):
    """Step 1: the legal entity and the shop, over the application and the profile."""

    entity_type = forms.ChoiceField(
        label=_("Entity type"), choices=EntityType.choices, widget=forms.RadioSelect
    )
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=100,
        help_text=_("Your name as on the ID card, or the name on the business licence."),
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("18 characters, printed on the business licence."),
    )
    legal_representative = forms.CharField(
        label=_("Legal representative / operator"),
        max_length=50,
        required=False,
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        help_text=_("Yours, or the legal representative's for a business."),
    )
    seller_type = forms.ChoiceField(label=_("Seller type"), choices=SellerType.choices)
    display_name = forms.CharField(label=_("Shop name"), max_length=60)
    contact_mobile = forms.CharField(label=_("Contact mobile"), max_length=30)
    province = _region_choice_field(_("Province"), required=True)
    city = _region_choice_field(_("City"), required=False)
    county = _region_choice_field(_("District / county"), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Main categories"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, region_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE)
        self.fields["province"].widget = RegionSelect(next_level="city", url=region_url)
        self.fields["city"].widget = RegionSelect(next_level="county", url=region_url)
        self.fields["county"].widget = RegionSelect(next_level=None)
        for level in ("province", "city", "county"):
            self.fields[level].widget.choices = self.fields[level].choices
        province = self._chosen("province")
        city = self._chosen("city")
        if province:
            self.fields["city"].queryset = Region.objects.filter(parent__code=province)
        if city:
            self.fields["county"].queryset = Region.objects.filter(parent__code=city)
        for level in ("city", "county"):
            self.fields[level].widget.choices = self.fields[level].choices

    def _chosen(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        value = self.initial.get(name)
        return getattr(value, "code", value) or None

    @classmethod
    def initial_for(cls, application) -> dict:
        merchant = application.merchant
        initial = {
            "entity_type": application.entity_type or None,
            "legal_name": application.legal_name,
            "uscc": application.uscc,
            "legal_representative": application.legal_representative,
            "id_number": application.id_number,
            "seller_type": merchant.seller_type or None,
            "display_name": merchant.display_name,
            "contact_mobile": merchant.contact_mobile,
            "categories": list(merchant.categories.all()),
        }
        region = merchant.region
        if region is not None:
            chain = []
            while region is not None:
                chain.append(region)
                region = region.parent
            for node in chain:
                initial[node.level] = node.code
        return initial

    def clean_id_number(self):
        number = validate_resident_id(self.cleaned_data["id_number"])
        validate_adult(number)
        return number

    def clean_contact_mobile(self):
        return normalize_mainland_mobile(self.cleaned_data["contact_mobile"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entity_type") in (EntityType.INDIVIDUAL_BUSINESS, EntityType.ENTERPRISE):
            if not cleaned.get("uscc"):
                self.add_error("uscc", _("A business needs its unified social credit code."))
            else:
                try:
                    cleaned["uscc"] = validate_uscc(cleaned["uscc"])
                except ValidationError as error:
                    self.add_error("uscc", error)
            if not cleaned.get("legal_representative"):
                self.add_error(
                    "legal_representative", _("A business needs its legal representative or operator.")
                )
        else:
            cleaned["uscc"] = ""
            cleaned["legal_representative"] = ""
        self._clean_region(cleaned)
        return cleaned

    def _clean_region(self, cleaned):
        province, city, county = cleaned.get("province"), cleaned.get("city"), cleaned.get("county")
        if province is None:
            return
        if city is None or city.parent_id != province.pk:
            self.add_error("city", _("Choose the city."))
            return
        if county is not None and county.parent_id == city.pk:
            cleaned["region"] = county
        elif city.is_leaf:
            cleaned["region"] = city
        else:
            self.add_error("county", _("Choose the district or county."))

    def entity_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("entity_type", "legal_name", "uscc", "legal_representative", "id_number")
        }

    def profile_data(self) -> dict:
        return {
            "seller_type": self.cleaned_data["seller_type"],
            "display_name": self.cleaned_data["display_name"],
            "contact_mobile": self.cleaned_data["contact_mobile"],
            "region": self.cleaned_data["region"],
        }


ISSUED_ON, VALID_UNTIL = "__issued_on", "__valid_until"


class DocumentsForm(forms.Form):
    """Step 2: one file field per document the application needs; each upload checked by content.

    Each document may carry the dates printed on it (issued on, valid until; no end date is
    a long-term 长期 document): optional here, the reviewer confirms or corrects them, and
    they tell the merchant when a renewal falls due after approval.
    """

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}
        for slot in slots:
            accept = "image/jpeg,image/png,image/webp" + (",application/pdf" if slot.allow_pdf else "")
            self.fields[slot.key] = forms.FileField(
                label=slot.label,
                help_text=slot.help_text,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
            )
            self.fields[slot.key + ISSUED_ON] = _date_field(_("Issued on (optional)"))
            self.fields[slot.key + VALID_UNTIL] = _date_field(
                _("Valid until (optional)"), help_text=_("Leave empty for a long-term (长期) document.")
            )
        self.checked = {}

    def slot_rows(self):
        """Each slot with its bound fields (file, issued on, valid until), for the template."""
        for key, slot in self.slots.items():
            yield slot, self[key], self[key + ISSUED_ON], self[key + VALID_UNTIL]

    def clean(self):
        cleaned = super().clean()
        for key, slot in self.slots.items():
            upload = cleaned.get(key)
            issued_on, valid_until = cleaned.get(key + ISSUED_ON), cleaned.get(key + VALID_UNTIL)
            if not upload:
                if issued_on or valid_until:
                    self.add_error(key, _("Choose the file these dates belong to."))
                continue
            try:
                self.checked[key] = check_upload(upload, allow_pdf=slot.allow_pdf)
            except ValidationError as error:
                self.add_error(key, error)
            try:
                compliance.validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=False)
            except ValidationError as error:
                self.checked.pop(key, None)
                for name, messages in error.message_dict.items():
                    self.add_error(key + (ISSUED_ON if name == "issued_on" else VALID_UNTIL), messages)
        return cleaned

    def uploads(self):
        """Yield (slot, upload, checked, issued_on, valid_until) for each field that carried a valid file."""
        for key, checked in self.checked.items():
            yield (
                self.slots[key],
                self.cleaned_data[key],
                checked,
                self.cleaned_data.get(key + ISSUED_ON),
                self.cleaned_data.get(key + VALID_UNTIL),
            )


def _date_field(label, *, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ChannelsForm(forms.Form):
    """Step 3: the shops the merchant sells through; at least one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for platform in SalesPlatform:
            self.fields[platform.value] = forms.CharField(
                label=platform.label,
                required=False,
                max_length=500,
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )

    @classmethod
    def initial_for(cls, merchant) -> dict:
        return {channel.platform: channel.url for channel in merchant.channels.all()}

    def clean(self):
        cleaned = super().clean()
        channels = []
        for platform in SalesPlatform:
            url = (cleaned.get(platform.value) or "").strip()
            if not url:
                continue
            try:
                channels.append((platform.value, validate_shop_url(platform.value, url)))
            except ValidationError as error:
                self.add_error(platform.value, error)
        if not channels and not self.errors:
            raise ValidationError(
                _("Declare at least one channel: your own Kuaishou shop or a shop on another platform."),
                code="no_channel",
            )
        cleaned["channels"] = channels
        return cleaned


class DepositForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read the deposit due and will pay it after approval."), required=True
    )


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(label=_("The information and documents are true and mine to provide."))


# Parts of the application a changes-requested decision can point at; the wizard shows
# the reviewer's reason beside each.
CHANGE_REQUEST_FIELDS = [
    ("entity", _("Entity and shop")),
    ("id_number", _("Resident ID number")),
    ("uscc", _("Unified social credit code")),
    ("documents", _("Documents")),
    ("channels", _("Sales channels")),
]


class ChangeRequestForm(DecisionForm):
    concerns = forms.MultipleChoiceField(
        label=_("What must change"),
        choices=CHANGE_REQUEST_FIELDS,
        widget=forms.CheckboxSelectMultiple,
    )
