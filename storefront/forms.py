from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from industrybelts.models import Base, Belt, BeltStatus
from merchants.models import Category, Region, RegionLevel, SellerType

from .catalog import PRICE_BANDS, SORTS
from .contract import (
    BELT_REQUIRED_MESSAGE,
    EDITABLE_FIELDS,
    check_product_photo,
    needs_belt,
    validate_links,
    validate_prices,
)
from .models import MAX_PRICE, MIN_PRICE, SourceKind, StockStatus
from .search import MAX_QUERY_LENGTH


def _price_field(label, required=True):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=9,
        decimal_places=2,
        min_value=MIN_PRICE,
        max_value=MAX_PRICE,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False)
    source_kind = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any")), *SourceKind.choices], required=False
    )
    belt = forms.ModelChoiceField(
        label=_("Belt"),
        queryset=Belt.objects.filter(status=BeltStatus.OPEN),
        to_field_name="slug",
        required=False,
        empty_label=_("Any"),
    )
    province = forms.ModelChoiceField(
        label=_("Origin province"),
        to_field_name="code",
        required=False,
        queryset=Region.objects.filter(level=RegionLevel.PROVINCE),
        empty_label=_("Any"),
    )
    city = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label=_("Any"),
    )
    price = forms.ChoiceField(
        label=_("Wholesale price"),
        required=False,
        choices=[("", _("Any"))] + [(k, f"¥{k}") for k in PRICE_BANDS],
    )
    seller_type = forms.ChoiceField(
        label=_("Seller"), choices=[("", _("Any")), *SellerType.choices], required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("new", _("Newest")),
            ("price", _("Price: low to high")),
            ("price_desc", _("Price: high to low")),
            ("popular", _("Popular")),
        ],
    )

    def clean_province(self):
        province = self.cleaned_data["province"]
        return province.code if province else ""

    def clean_city(self):
        city = self.cleaned_data["city"]
        if city and not (city.isdigit() and len(city) == 6):
            raise ValidationError(_("Unknown city."))
        return city

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "new"

    def filters(self) -> dict:
        """The valid filters only: an invalid field is dropped (and shown), the rest still apply."""
        data = getattr(self, "cleaned_data", {})
        return {key: value for key, value in data.items() if value and key != "sort"}

    def choice_fields_cache_key(self) -> str | None:
        """What the rendered select fields show, for their fragment (storefront.views).

        None when a field shows an error: such a form is rendered afresh. The search box is
        outside the fragment (free text).
        """
        if self.is_bound and self.errors:
            return None
        picked = [(name, self.data.get(name, "")) for name in self.fields if name != "q"]
        return f"{get_language()}:{urlencode(picked)}"


class PhotoField(forms.FileField):
    """A product photo: decoded at thumbnail size on the request path (a cut or damaged
    file is this field's error, before the good goes live); decoded fully later by Celery."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            upload.checked = check_product_photo(upload)
        return upload


class QuickListForm(forms.Form):
    photo = PhotoField(label=_("Photo"))
    title = forms.CharField(label=_("Title"), max_length=60)
    price = _price_field(_("Price (CNY)"))
    intro = forms.CharField(label=_("One line of intro"), max_length=200, required=False)


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60)
    intro = forms.CharField(
        label=_("Intro"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    belt = forms.ModelChoiceField(label=_("Belt"), queryset=Belt.objects.none(), required=False)
    origin_region = forms.ModelChoiceField(
        label=_("Origin (district / county or city)"),
        queryset=Region.objects.filter(is_leaf=True).select_related("parent__parent"),
    )
    wholesale_price = _price_field(_("Wholesale price (CNY)"))
    retail_price = _price_field(_("Retail price (CNY)"))
    own_shop_price = _price_field(_("Price in my Kuaishou shop (CNY)"), required=False)
    min_order_quantity = forms.IntegerField(
        label=_("Minimum order quantity"), min_value=1, max_value=1_000_000, initial=1
    )
    stock_status = forms.ChoiceField(label=_("Stock"), choices=StockStatus.choices)
    link = forms.URLField(
        label=_("Link to this good in my other shop"), required=False, max_length=500, assume_scheme="https"
    )
    photo = PhotoField(label=_("Add a photo"), required=False)

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.fields["belt"].queryset = Belt.objects.filter(
            memberships__merchant=merchant, memberships__status="approved"
        )
        self.fields["origin_region"].label_from_instance = lambda region: region.full_name

    def clean(self):
        cleaned = super().clean()
        try:
            validate_prices(cleaned.get("wholesale_price"), cleaned.get("retail_price"))
        except ValidationError as error:
            self.add_error(None, error)
        if needs_belt(cleaned.get("source_kind"), cleaned.get("belt")) and "belt" not in self.errors:
            self.add_error("belt", BELT_REQUIRED_MESSAGE)
        if cleaned.get("link"):
            try:
                cleaned["links"] = validate_links(self.merchant, [cleaned["link"]])
            except ValidationError as error:
                self.add_error("link", error)
        return cleaned

    def product_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        data["base"] = None
        return data


class ProductByCodeForm(ProductForm):
    """The editor's form, its choices named by code and slug instead of database ids."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].to_field_name = "code"
        self.fields["belt"].to_field_name = "slug"
        self.fields["origin_region"].to_field_name = "code"


class CsvRowForm(ProductByCodeForm):
    """One row of a spreadsheet import: the editor's form, so every cell meets the field's own
    rules, the prices' rule and the purchase link's rule (the product contract) as on the
    page and in the API; choices by code and slug, as in the API (the import turns the
    labels a merchant writes into them first), and the base of a belt good by its name.

    `tables` (a dict shared by the rows of one file) holds each choice field's queryset read
    once, by code: the same choices as the field's own lookup, without a query per row.
    """

    base = forms.CharField(required=False, max_length=100)

    def __init__(self, *args, tables=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["photo"]
        unknown = {
            "category": _("Unknown category: %(value)s"),
            "source_kind": _("Unknown source: %(value)s"),
            "belt": _("Belt goods need a belt you are a member of."),
            "origin_region": _(
                "Unknown origin (a district, county or city, by full name or GB/T 2260 code): %(value)s"
            ),
            "stock_status": _("Unknown stock status: %(value)s"),
        }
        for name, message in unknown.items():
            self.fields[name].error_messages["invalid_choice"] = message
        if tables is not None:
            for name in ("category", "belt", "origin_region"):
                field = self.fields[name]
                if name not in tables:
                    tables[name] = {str(getattr(obj, field.to_field_name)): obj for obj in field.queryset}
                field.to_python = _from_table(field, tables[name])

    def clean(self):
        cleaned = super().clean()
        name, belt = cleaned.get("base"), cleaned.get("belt")
        cleaned["base"] = None
        if name and belt and cleaned.get("source_kind") == SourceKind.BELT:
            cleaned["base"] = Base.objects.filter(belt=belt, name=name).first()
            if cleaned["base"] is None:
                self.add_error("base", _("Unknown base of this belt: %(name)s") % {"name": name})
        return cleaned

    def product_data(self) -> dict:
        return {**super().product_data(), "base": self.cleaned_data["base"]}

    def rebind(self, data) -> "CsvRowForm":
        """This form, bound to another row: an import checks all its rows with one form, as
        building a form (deep copies of its fields and their querysets) took most of a
        row's time."""
        self.data, self.is_bound, self._errors, self.cleaned_data = data, True, None, {}
        return self


def _from_table(field, table):
    def to_python(value):
        if value in field.empty_values:
            return None
        try:
            return table[str(value)]
        except KeyError:
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None

    return to_python


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or CSV)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,.txt,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PRODUCT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(size)d MB; split it into several files.")
                % {"size": limit // (1024 * 1024)}
            )
        return upload


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("unpublish", _("Unpublish")), ("delete", _("Delete"))]
    )
    products = forms.TypedMultipleChoiceField(required=False, coerce=str)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(str(c), str(c)) for c in choices]
