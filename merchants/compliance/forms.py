"""Forms of the merchant's compliance pages: parse and check each field, nothing more.

The services check the same rules again (a form is one way in of several); the forms
check them first so each error lands beside its field and the rest of the input stays.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload

from ..models.compliance import CENT
from . import services

IMAGE_TYPES = "image/jpeg,image/png,image/webp"
IMAGE_OR_PDF = IMAGE_TYPES + ",application/pdf"


def date_field(label, *, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def file_field(label, *, allow_pdf: bool, help_text=""):
    return forms.FileField(
        label=label,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_OR_PDF if allow_pdf else IMAGE_TYPES}),
    )


class ValidityMixin:
    """A document's dates: issued on, valid until, or long-term (长期: no end date).

    Subclasses name the fields' prefix (`""` for a form with one document); one of an
    end date or the long-term box is required, and the dates are checked as the service
    checks them (`validate_validity`, a renewal: it must still be valid tomorrow).
    """

    @staticmethod
    def validity_fields(prefix: str = "") -> dict:
        return {
            f"{prefix}issued_on": date_field(_("Issued on")),
            f"{prefix}valid_until": date_field(_("Valid until")),
            f"{prefix}long_term": forms.BooleanField(
                label=_("Long-term (长期), no expiry date"), required=False
            ),
        }

    def clean_validity(self, prefix: str = ""):
        """Return (issued_on, valid_until) or add the errors to the fields and return None."""
        cleaned = self.cleaned_data
        issued_on = cleaned.get(f"{prefix}issued_on")
        valid_until = cleaned.get(f"{prefix}valid_until")
        if any(f"{prefix}{name}" in self.errors for name in ("issued_on", "valid_until")):
            return None
        if cleaned.get(f"{prefix}long_term"):
            valid_until = None
        elif valid_until is None:
            self.add_error(
                f"{prefix}valid_until",
                _("Give the date the document is valid until, or tick long-term if it has none."),
            )
            return None
        try:
            services.validate_validity(issued_on=issued_on, valid_until=valid_until, renewal=True)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(f"{prefix}{field}", messages)
            return None
        return issued_on, valid_until


class RenewForm(ValidityMixin, forms.Form):
    """A renewed (or missing) document: the file, checked by content, and its dates."""

    def __init__(self, *args, allow_pdf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_pdf = allow_pdf
        self.fields["upload"] = file_field(
            _("The new document"),
            allow_pdf=allow_pdf,
            help_text=_("A photo (JPEG, PNG or WebP), or a PDF, up to 10 MB.")
            if allow_pdf
            else _("A photo (JPEG, PNG or WebP), up to 10 MB."),
        )
        self.fields.update(self.validity_fields())
        self.checked = None
        self.dates = None

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        self.checked = check_upload(upload, allow_pdf=self.allow_pdf)
        return upload

    def clean(self):
        cleaned = super().clean()
        self.dates = self.clean_validity()
        return cleaned


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (deposit ¥%(amount)s)") % {
            "name": obj.localized_name,
            "amount": obj.deposit_amount,
        }


class CategoryChooseForm(forms.Form):
    """Step 1 of adding categories: which ones (only those the shop does not sell in yet)."""

    categories = CategoryChoiceField(
        label=_("Categories to add"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one category."),
            "invalid_choice": _("Choose categories from the list."),
            "invalid_pk_value": _("Choose categories from the list."),
        },
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = services.addable_categories(merchant).order_by("position", "pk")


class CategoryRequestForm(ValidityMixin, CategoryChooseForm):
    """Step 2: the chosen categories (hidden) and one upload with its dates per qualification
    the shop does not hold yet."""

    def __init__(self, *args, qualifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].widget = forms.MultipleHiddenInput()
        self.qualifications = list(qualifications)
        for qualification in self.qualifications:
            prefix = f"q{qualification.pk}_"
            self.fields[f"{prefix}upload"] = file_field(
                qualification.localized_name, allow_pdf=True, help_text=qualification.description
            )
            self.fields.update(self.validity_fields(prefix))
        self.uploads = {}

    def qualification_rows(self):
        """Each qualification with its bound fields, for the template."""
        for qualification in self.qualifications:
            prefix = f"q{qualification.pk}_"
            yield {
                "qualification": qualification,
                "upload": self[f"{prefix}upload"],
                "issued_on": self[f"{prefix}issued_on"],
                "valid_until": self[f"{prefix}valid_until"],
                "long_term": self[f"{prefix}long_term"],
            }

    def clean(self):
        cleaned = super().clean()
        for qualification in self.qualifications:
            prefix = f"q{qualification.pk}_"
            upload = cleaned.get(f"{prefix}upload")
            checked = None
            if upload:
                try:
                    checked = check_upload(upload, allow_pdf=True)
                except ValidationError as error:
                    self.add_error(f"{prefix}upload", error)
            dates = self.clean_validity(prefix)
            if checked is not None and dates is not None:
                self.uploads[qualification.pk] = (upload, checked, *dates)
        return cleaned


class TransferForm(forms.Form):
    """A bank transfer of the deposit, reported with its receipt."""

    amount = forms.DecimalField(
        label=_("Amount transferred (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=CENT,
        error_messages={"min_value": _("The amount must be more than ¥0.00.")},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    payer_name = forms.CharField(
        label=_("Paying account name"),
        max_length=100,
        help_text=_("The name on the account the money came from, as on the receipt."),
    )
    bank_reference = forms.CharField(
        label=_("Bank reference number"),
        max_length=64,
        help_text=_("The transaction number (流水号) printed on the receipt."),
    )
    receipt = file_field(
        _("Receipt"),
        allow_pdf=True,
        help_text=_("A photo or screenshot (JPEG, PNG or WebP), or the bank's PDF, up to 10 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = None

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= Decimal("0"):
            raise ValidationError(_("The amount must be more than ¥0.00."))
        return amount

    def clean_payer_name(self):
        return self.cleaned_data["payer_name"].strip()

    def clean_bank_reference(self):
        return self.cleaned_data["bank_reference"].strip()

    def clean_receipt(self):
        receipt = self.cleaned_data["receipt"]
        self.checked = check_upload(receipt, allow_pdf=True)
        return receipt


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you closing the shop?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell us why you are closing the shop.")},
    )
    confirm = forms.BooleanField(
        label=_("I have read what closing the shop does, and I want to close it."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Tell us why you are closing the shop."))
        return reason
