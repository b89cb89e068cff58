"""The merchant's video forms: what an upload announces, and a video's title and goods."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import GoodsField
from .models import MAX_VIDEO_BYTES
from .video_permissions import attachable_products


class VideoGoodsField(GoodsField):
    """The merchant's own goods, picked by public id (a page's checkboxes, the API's list)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=kwargs.pop("queryset"),
            to_field_name="public_id",
            label=_("Goods shown in the video"),
            error_messages={
                "required": _("Choose at least one of your goods for the video."),
                "invalid_choice": _("Choose only your own goods that are not hidden or deleted."),
                "invalid_pk_value": _("Choose only your own goods that are not hidden or deleted."),
            },
            **kwargs,
        )


class VideoDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=60,
        help_text=_("What a buyer sees under the video, e.g. “和田玉手镯 自然光下360度”."),
    )

    def __init__(self, *args, merchant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"] = VideoGoodsField(
            queryset=attachable_products(merchant).only("pk", "public_id", "title").order_by("-created_at")
        )

    def details(self) -> dict:
        """The title and goods, as video_update (and video_upload_start) take them."""
        return {"title": self.cleaned_data["title"], "products": self.cleaned_data["products"]}


class VideoUploadForm(VideoDetailsForm):
    """What the browser announces before it sends the file in pieces (video-upload.js)."""

    file_name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    size = forms.IntegerField(min_value=1, max_value=MAX_VIDEO_BYTES, widget=forms.HiddenInput)
    content_type = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file_name"].error_messages["required"] = _(
            "Choose the video file. Uploading needs JavaScript in your browser."
        )
        self.fields["size"].error_messages.update(
            {
                "max_value": _("The file is larger than 200 MB."),
                "min_value": _("The file is empty or broken."),
                "required": _("Choose the video file. Uploading needs JavaScript in your browser."),
            }
        )

    def announcement(self) -> dict:
        """The details and the file's name, size and type, as video_upload_start takes them."""
        data = self.cleaned_data
        return {
            **self.details(),
            "file_name": data["file_name"],
            "size": data["size"],
            "content_type": data["content_type"],
        }
