"""Forms of the school: the Markdown editor with live preview, scheduling, provider articles."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload, make_webp_sizes
from industrybelts.models import Belt
from merchants.models import SellerType

from .models import MAX_BODY_CHARACTERS, Level, SchoolItem

COVER_MAX_SIDE = 1200
MAX_COVER_BYTES = 8 * 1024 * 1024


class MarkdownPreviewWidget(forms.Textarea):
    """A Markdown textarea with a pane beside it that shows the sanitised result as one types."""

    template_name = "storefront/school/widgets/markdown_preview.html"

    def __init__(self, *, preview_url_name: str, attrs=None):
        self.preview_url_name = preview_url_name
        super().__init__(attrs={"rows": 24, "class": "markdown-source", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-preview-url"] = reverse(self.preview_url_name)
        context["widget"]["attrs"]["data-max-length"] = MAX_BODY_CHARACTERS
        return context

    class Media:
        js = ["js/markdown-preview.js"]
        css = {"all": ["css/markdown-preview.css"]}


def cover_as_webp(upload):
    """Check a cover upload and return it re-encoded as WebP without EXIF."""
    if not upload or not hasattr(upload, "content_type"):
        return upload  # unchanged (the current cover) or cleared
    check_upload(upload, allow_pdf=False, max_bytes=MAX_COVER_BYTES)
    (webp,) = make_webp_sizes(upload, sizes=(COVER_MAX_SIDE,))
    return SimpleUploadedFile("cover.webp", webp, content_type="image/webp")


class SchoolFilterForm(forms.Form):
    """The school home's and search's query parameters; anything invalid counts as not given."""

    q = forms.CharField(max_length=40, required=False, strip=True)
    level = forms.ChoiceField(choices=[("", ""), *Level.choices], required=False)
    audience = forms.ChoiceField(choices=[("", ""), *SellerType.choices], required=False)
    tag = forms.CharField(max_length=20, required=False, strip=True)

    def values(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class SchoolItemAdminForm(forms.ModelForm):
    class Meta:
        model = SchoolItem
        fields = [
            "kind", "parent", "position", "title", "slug", "summary", "body",
            "level", "audience", "belt", "stage", "tags", "cover",
        ]  # fmt: skip
        widgets = {"body": MarkdownPreviewWidget(preview_url_name="admin:storefront_schoolitem_preview")}

    def clean_cover(self):
        return cover_as_webp(self.cleaned_data.get("cover"))


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("China Standard Time."),
    )

    def clean_publish_at(self):
        publish_at = self.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise ValidationError(_("Choose a publishing time in the future."), code="schedule_in_past")
        return publish_at


class ProviderArticleForm(forms.ModelForm):
    """What a service provider writes; status, slug and audience rules stay with staff."""

    class Meta:
        model = SchoolItem
        fields = ["title", "summary", "belt", "level", "audience", "body", "cover"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "class": "markdown-source"})}

    def __init__(self, *args, belt_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["belt"].queryset = Belt.objects.filter(pk__in=belt_ids).order_by("position", "pk")
        self.fields["belt"].required = True
        self.fields["body"].required = True
        self.fields["body"].help_text = _("Markdown: ## headings, - lists, **bold**, [links](/catalog/).")

    def clean_cover(self):
        return cover_as_webp(self.cleaned_data.get("cover"))
