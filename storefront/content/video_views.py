"""The merchant's videos (list, upload, change, delete) and the buyer's player signals.

The upload page's script (static/js/video-upload.js) announces the file to
`VideoUploadView` (JSON answer: where to send the pieces), sends it in pieces to
`VideoChunkView` and calls `VideoCompleteView`. The chunk view reads the request body as
a stream and does nothing but the locked append (video_services.video_chunk_append): no
merchant profile, no selling check (the upload's start did those), so a piece costs the
session, the user, the locked read and the update.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRefresh

from core.exceptions import DomainError
from storefront import counters
from storefront.catalog import published_products
from storefront.views import MerchantMixin

from . import video_permissions as permissions
from . import video_selectors as selectors
from . import video_services as services
from .models import Video, VideoStatus
from .video_forms import VideoDetailsForm, VideoUploadForm

LIST_PAGE_SIZE = 20
SIGNAL_KINDS = {"play": "video-play", "completion": "video-completion"}
# What a visitor's browser has counted, in a signed cookie (no session row per visitor):
# a reload or a replay does not count again for a day.
SIGNALS_COOKIE = "video_signals"
SIGNALS_COOKIE_SALT = "storefront.content.video-signals"
SIGNALS_REMEMBERED = 100
SIGNALS_REMEMBER_SECONDS = 24 * 60 * 60


def _errors(error: ValidationError | DomainError) -> dict:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return {field: [str(m) for m in messages_] for field, messages_ in error.message_dict.items()}
        return {"__all__": [str(m) for m in error.messages]}
    return {"__all__": [str(error)]}


class MerchantVideoMixin(MerchantMixin):
    def own_video(self, public_id) -> Video:
        video = permissions.own_videos(self.request.user).filter(public_id=public_id).first()
        if video is None:
            raise Http404
        return video


class VideoListView(MerchantVideoMixin, View):
    """我的视频: every video but deleted ones, with where it stands and why if it failed."""

    template_name = "storefront/content/video_list.html"

    def get(self, request):
        videos = selectors.merchant_videos(permissions.own_videos(request.user))
        page = Paginator(videos, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = selectors.with_page_facts(page.object_list)
        return render(request, self.template_name, {"page": page, "can_sell": self.can_sell})


class VideoUploadView(MerchantVideoMixin, View):
    """The upload form; its POST (from video-upload.js) creates the video and answers where
    to send the file."""

    template_name = "storefront/content/video_upload.html"

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "can_sell": self.can_sell, "chunk_bytes": services.CHUNK_BYTES},
            status=status,
        )

    def get(self, request):
        initial = {}
        if request.GET.get("product"):
            initial["products"] = [request.GET["product"]]
        return self._render(VideoUploadForm(initial=initial, merchant=self.merchant))

    def post(self, request):
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        form = VideoUploadForm(request.POST, merchant=self.merchant)
        if form.is_valid():
            try:
                video = services.video_upload_start(
                    merchant=self.merchant,
                    by=request.user,
                    **form.announcement(),
                )
            except (ValidationError, DomainError) as error:
                status = getattr(error, "http_status", 400)
                if wants_json:
                    return JsonResponse({"errors": _errors(error)}, status=status)
                form.add_error(None, error if isinstance(error, ValidationError) else str(error))
                return self._render(form, status=status)
            if wants_json:
                return JsonResponse(_upload_links(video), status=201)
            return redirect("videos:video-detail", public_id=video.public_id)
        if wants_json:
            return JsonResponse({"errors": _form_errors(form)}, status=400)
        return self._render(form, status=400)


def _form_errors(form) -> dict:
    return {field: [str(error) for error in errors] for field, errors in form.errors.items()}


def _upload_links(video) -> dict:
    return {
        "id": str(video.public_id),
        "upload_url": reverse("videos:video-chunk", kwargs={"public_id": video.public_id}),
        "complete_url": reverse("videos:video-complete", kwargs={"public_id": video.public_id}),
        "page_url": reverse("videos:video-detail", kwargs={"public_id": video.public_id}),
        "received_bytes": video.received_bytes,
        "chunk_bytes": services.CHUNK_BYTES,
    }


class VideoChunkView(LoginRequiredMixin, View):
    """One piece of the file (`Content-Range: bytes start-end/total`), appended if it starts
    where the upload stands; else 409 with the offset to resume from."""

    http_method_names = ["put", "post", "get"]

    def get(self, request, public_id):
        """Where the upload stands: a client that lost its answer asks before resuming."""
        row = (
            permissions.own_videos(request.user)
            .filter(public_id=public_id)
            .values("status", "received_bytes", "expected_bytes")
            .first()
        )
        if row is None:
            raise Http404
        return JsonResponse(row)

    def put(self, request, public_id):
        try:
            chunk = services.parse_content_range(request.headers.get("Content-Range"))
            # The body is read from the request as a stream (not `request.body`, which
            # DATA_UPLOAD_MAX_MEMORY_SIZE would bound and hold in memory whole).
            video = services.video_chunk_append(
                public_id=public_id, by=request.user, chunk=chunk, stream=request
            )
        except Video.DoesNotExist:
            raise Http404 from None
        except services.UploadOffsetMismatch as error:
            return JsonResponse({"errors": _errors(error), "received_bytes": error.received}, status=409)
        except (ValidationError, DomainError) as error:
            return JsonResponse({"errors": _errors(error)}, status=getattr(error, "http_status", 400))
        return JsonResponse({"received_bytes": video.received_bytes, "expected_bytes": video.expected_bytes})

    post = put


class VideoCompleteView(MerchantVideoMixin, View):
    def post(self, request, public_id):
        video = self.own_video(public_id)
        try:
            video = services.video_upload_complete(video=video, by=request.user)
        except DomainError as error:
            return JsonResponse({"errors": _errors(error)}, status=error.http_status)
        return JsonResponse(
            {
                "status": video.status,
                "failure": video.get_failure_display() if video.failure else "",
                "page_url": reverse("videos:video-detail", kwargs={"public_id": video.public_id}),
            }
        )


class VideoDetailView(MerchantVideoMixin, View):
    """One video: where it stands, its player once published, its title and goods to change."""

    template_name = "storefront/content/video_detail.html"

    def _render(self, video, form, status=200):
        selectors.with_page_facts([video])
        return render(
            self.request,
            self.template_name,
            {
                "video": video,
                "form": form,
                "editable": video.status not in (VideoStatus.HIDDEN, VideoStatus.DELETED),
            },
            status=status,
        )

    def get(self, request, public_id):
        video = self.own_video(public_id)
        initial = {"title": video.title, "products": [p.public_id for p in video.products.all()]}
        return self._render(video, VideoDetailsForm(initial=initial, merchant=self.merchant))

    def post(self, request, public_id):
        video = self.own_video(public_id)
        form = VideoDetailsForm(request.POST, merchant=self.merchant)
        if not form.is_valid():
            return self._render(video, form, status=400)
        try:
            services.video_update(
                video=video,
                by=request.user,
                **form.details(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(video, form, status=400)
        except DomainError as error:
            form.add_error(None, str(error))
            return self._render(video, form, status=error.http_status)
        messages.success(request, _("Saved."))
        return redirect("videos:video-detail", public_id=video.public_id)


class VideoDeleteView(MerchantVideoMixin, View):
    def post(self, request, public_id):
        video = self.own_video(public_id)
        try:
            services.video_delete(video=video, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("videos:video-detail", public_id=video.public_id)
        messages.success(request, _("The video was deleted."))
        return redirect("videos:video-list")


class VideoStatusView(MerchantVideoMixin, View):
    """The status badge of a working video (htmx polls it); once it stops working the page
    reloads to show the player or the reason."""

    def get(self, request, public_id):
        video = self.own_video(public_id)
        if not video.is_working:
            return HttpResponseClientRefresh()
        selectors.with_page_facts([video])
        return render(
            request, "storefront/content/partials/video_status.html", {"video": video, "poll": True}
        )


# --- The buyer's side: the player's signals and purchase clicks ------------------------------


class VideoSignalView(View):
    """Count a play started or a play to the end, once per kind per video per browser a day.

    POST with the page's CSRF token (video-player.js). A video that is not published is a
    404. The count goes to the counters' buffer (no row written per request); a signed
    cookie remembers what it counted, so a reload or a replay does not count again.
    """

    http_method_names = ["post"]

    def post(self, request, public_id, kind):
        counter = SIGNAL_KINDS.get(kind)
        if counter is None:
            raise Http404
        video_id = (
            selectors.published_videos().filter(public_id=public_id).values_list("pk", flat=True).first()
        )
        if video_id is None:
            raise Http404
        response = HttpResponse(status=204)
        if _first_time(request, response, f"{kind}:{video_id}"):
            counters.record(counter, video_id)
        return response


class VideoBuyView(View):
    """A purchase link under a video's player: count a purchase click for the video, then
    go on through the good's own buy link (which counts the good's click and redirects)."""

    def get(self, request, public_id, product_id, platform):
        video_id = (
            selectors.published_videos()
            .filter(public_id=public_id, products__public_id=product_id)
            .values_list("pk", flat=True)
            .first()
        )
        if video_id is None or not published_products().filter(public_id=product_id).exists():
            raise Http404
        response = HttpResponseRedirect(
            reverse("storefront:product-buy", kwargs={"public_id": product_id, "platform": platform})
        )
        if _first_time(request, response, f"click:{video_id}"):
            counters.record("video-click", video_id)
        return response


def _first_time(request, response, signal: str) -> bool:
    """Whether this browser sends `signal` for the first time today; remember it if so."""
    counted = request.get_signed_cookie(
        SIGNALS_COOKIE, default="", salt=SIGNALS_COOKIE_SALT, max_age=SIGNALS_REMEMBER_SECONDS
    ).split()
    if signal in counted:
        return False
    response.set_signed_cookie(
        SIGNALS_COOKIE,
        " ".join([*counted, signal][-SIGNALS_REMEMBERED:]),
        salt=SIGNALS_COOKIE_SALT,
        max_age=SIGNALS_REMEMBER_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return True
