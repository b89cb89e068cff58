"""The live session form: parse and check each field; the schedule rules are the service's.

Times are entered with `<input type="datetime-local">`, which sends a wall-clock time with
no zone; it is read as Beijing time (settings.TIME_ZONE, Asia/Shanghai, the portal's only
time zone) whatever the browser's own zone, and the form says so.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.forms import PhotoField
from storefront.models import Product, ProductStatus

from .forms import GoodsField
from .live import MAX_GOODS, MAX_MINUTES, MIN_MINUTES
from .models import LiveSession

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CoverField(PhotoField):
    """A cover picture, checked by content as a product photo is; picked from the phone's
    pictures rather than taken with its camera."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/*"})


class LiveSessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60)
    starts_at = forms.DateTimeField(
        label=_("Starts at (Beijing time)"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Enter the time in Beijing time (UTC+8), whatever your phone's time zone."),
    )
    expected_minutes = forms.IntegerField(
        label=_("Expected length (minutes)"), min_value=MIN_MINUTES, max_value=MAX_MINUTES, initial=60
    )
    products = GoodsField(
        label=_("Goods you will show"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Your published goods; at most %(count)d.") % {"count": MAX_GOODS},
    )
    description = forms.CharField(
        label=_("What you will show"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    room_url = forms.URLField(
        label=_("Live-room link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Optional; an https:// link to your live room."),
    )
    cover = CoverField(label=_("Cover picture"), required=False)

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Every published good of the shop (a foreign or draft one is "not a valid choice").
        self.fields["products"].queryset = (
            Product.objects.filter(merchant=merchant, status=ProductStatus.PUBLISHED).order_by("-id")
            if merchant is not None
            else Product.objects.none()
        )

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        # Read as Beijing time even if a request's zone were ever activated otherwise.
        naive = timezone.make_naive(starts_at)
        return timezone.make_aware(naive, timezone.get_default_timezone()) if settings.USE_TZ else starts_at

    def clean_room_url(self):
        url = self.cleaned_data["room_url"]
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(
                _("The live-room link must start with https://."), code="room_not_https"
            )
        return url

    def session_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "expected_minutes": data["expected_minutes"],
            "products": list(data["products"]),
            "description": data["description"],
            "room_url": data["room_url"],
            "cover": data.get("cover") or None,
        }


def initial_for(session: LiveSession) -> dict:
    return {
        "title": session.title,
        "starts_at": timezone.localtime(session.starts_at),
        "expected_minutes": session.expected_minutes,
        "products": list(session.products.all()),
        "description": session.description,
        "room_url": session.room_url,
    }
