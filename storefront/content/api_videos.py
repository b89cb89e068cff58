"""Partner API of videos: the merchant's own (goods scopes) and the public partner feed.

An upload is the page's three steps (video_services): POST the metadata (the answer holds
`upload_url`), PUT the file there in pieces with `Content-Range` and
`Content-Type: application/octet-stream` (409 `upload_offset_mismatch` carries
`received_bytes`: resume from there), POST `complete`. The goods scopes are reused: a
video is part of a good's listing, and a token that may change the goods may show them.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import invalid_form
from core.api.pagination import NewestFirstPagination
from core.api.scopes import HasScope, Scope
from core.api.serializers import StrictSerializer
from merchants.api.shop import NO_SHOP, shop_of
from storefront.api.views import FEED_PARAMETERS, feed_response, read_feed_page

from . import video_permissions as permissions
from . import video_selectors as selectors
from . import video_services as services
from .models import MAX_VIDEO_BYTES, Video, VideoFailure, VideoStatus
from .video_forms import VideoDetailsForm, VideoUploadForm

# A URL, or null while there is none (not published yet, or not uploading any more).
url_or_null = extend_schema_field({"type": "string", "format": "uri", "nullable": True})


class VideoSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    failure = serializers.ChoiceField(
        choices=VideoFailure.choices, allow_blank=True, read_only=True, help_text="Empty unless `failed`."
    )
    products = serializers.SerializerMethodField(help_text="Public ids of the goods it shows.")
    failure_message = serializers.SerializerMethodField(help_text="Why it could not be used, in words.")
    file = serializers.SerializerMethodField(help_text="The MP4 (H.264/AAC), once published.")
    poster = serializers.SerializerMethodField(help_text="The poster frame (WebP), once published.")
    upload_url = serializers.SerializerMethodField(help_text="Where to PUT the pieces while uploading.")

    class Meta:
        model = Video
        fields = [
            "id", "status", "failure", "failure_message", "title", "products", "duration", "width",
            "height", "file", "poster", "expected_bytes", "received_bytes", "upload_url", "published_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_products(self, video) -> list[str]:
        return [str(product.public_id) for product in video.products.all()]

    def get_failure_message(self, video) -> str:
        return video.get_failure_display() if video.failure else ""

    def _public_url(self, field) -> str | None:
        if not field:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(field.url) if request else field.url

    @url_or_null
    def get_file(self, video):
        return self._public_url(video.file) if video.status == VideoStatus.PUBLISHED else None

    @url_or_null
    def get_poster(self, video):
        return self._public_url(video.poster) if video.status == VideoStatus.PUBLISHED else None

    @url_or_null
    def get_upload_url(self, video):
        if video.status != VideoStatus.UPLOADING:
            return None
        request = self.context.get("request")
        path = reverse("api:merchant-video-upload", kwargs={"public_id": video.public_id})
        return request.build_absolute_uri(path) if request else path


class VideoWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=60)
    products = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=10)


class VideoUploadStartSerializer(VideoWriteSerializer):
    file_name = serializers.CharField(max_length=200, help_text="Ends in .mp4, .mov or .m4v.")
    size = serializers.IntegerField(min_value=1, max_value=MAX_VIDEO_BYTES, help_text="Bytes.")
    content_type = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="video/mp4 or video/quicktime."
    )


class OctetStreamParser(BaseParser):
    """Declares the pieces' media type; the view reads the body itself, as a stream."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


def _as_form_data(data: dict) -> dict:
    return {**data, "products": [str(public_id) for public_id in data.get("products", [])]}


@extend_schema(tags=["merchant"])
class MerchantVideoViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """The token owner's short videos: list, read, upload in pieces, change, delete."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {
        "GET": Scope.PRODUCTS_READ,
        "POST": Scope.PRODUCTS_WRITE,
        "PATCH": Scope.PRODUCTS_WRITE,
        "PUT": Scope.PRODUCTS_WRITE,
        "DELETE": Scope.PRODUCTS_WRITE,
    }
    serializer_class = VideoSerializer
    pagination_class = NewestFirstPagination
    parser_classes = [JSONParser]
    lookup_field = "public_id"

    def get_queryset(self):
        return selectors.merchant_videos(permissions.own_videos(self.request.user))

    def _read(self, video):
        return VideoSerializer(self.get_queryset().get(pk=video.pk), context={"request": self.request}).data

    @extend_schema(request=VideoUploadStartSerializer, responses={201: VideoSerializer, 404: NO_SHOP})
    def create(self, request):
        """Announce an upload (title, goods, file name, size, type); then PUT the file to
        `upload_url` in pieces and POST `complete`."""
        shape = VideoUploadStartSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        merchant = shop_of(self.request.user)
        form = VideoUploadForm(_as_form_data(shape.validated_data), merchant=merchant)
        if not form.is_valid():
            raise invalid_form(form)
        video = services.video_upload_start(
            merchant=merchant,
            by=request.user,
            **form.announcement(),
        )
        return Response(self._read(video), status=status.HTTP_201_CREATED)

    @extend_schema(request=VideoWriteSerializer(partial=True), responses={200: VideoSerializer})
    def partial_update(self, request, public_id=None):
        """Change the title or the goods (409 `video_not_editable` when hidden by staff)."""
        video = self.get_object()
        shape = VideoWriteSerializer(data=request.data, partial=True)
        shape.is_valid(raise_exception=True)
        data = {
            "title": video.title,
            "products": [product.public_id for product in video.products.all()],
            **shape.validated_data,
        }
        form = VideoDetailsForm(_as_form_data(data), merchant=shop_of(self.request.user))
        if not form.is_valid():
            raise invalid_form(form)
        services.video_update(
            video=video,
            by=request.user,
            **form.details(),
        )
        return Response(self._read(video))

    @extend_schema(responses={204: None})
    def destroy(self, request, public_id=None):
        """Delete the video: it leaves the goods' and the shop's pages at once."""
        services.video_delete(video=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"application/octet-stream": {"type": "string", "format": "binary"}},
        parameters=[
            OpenApiParameter(
                "Content-Range",
                {"type": "string", "pattern": r"^bytes \d+-\d+/\d+$"},
                location=OpenApiParameter.HEADER,
                required=True,
                description="`bytes start-end/total`; `start` is where the upload stands, a piece is at "
                "most 4 MB, `total` the size announced.",
            )
        ],
        responses={
            200: inline_serializer(
                "VideoUploadProgress",
                {"received_bytes": serializers.IntegerField(), "expected_bytes": serializers.IntegerField()},
            ),
            409: OpenApiResponse(
                inline_serializer(
                    "VideoUploadOffset",
                    {
                        "error": inline_serializer(
                            "VideoUploadOffsetError",
                            {"code": serializers.CharField(), "message": serializers.CharField()},
                        ),
                        "received_bytes": serializers.IntegerField(),
                    },
                ),
                description="`upload_offset_mismatch` (resume from `received_bytes`) or "
                "`video_not_uploading`.",
            ),
        },
    )
    @action(detail=True, methods=["put"], parser_classes=[OctetStreamParser])
    def upload(self, request, public_id=None):
        """Append one piece of the file, if it starts where the upload stands."""
        try:
            chunk = services.parse_content_range(request.headers.get("Content-Range"))
        except DjangoValidationError as error:
            self.get_object()  # someone else's video is a 404 whatever its header says
            raise ValidationError({"Content-Range": error.messages}) from None
        try:
            video = services.video_chunk_append(
                public_id=public_id, by=request.user, chunk=chunk, stream=request._request
            )
        except Video.DoesNotExist:
            raise NotFound() from None
        except DjangoValidationError as error:
            raise ValidationError({"Content-Range": error.messages}) from None
        except services.UploadOffsetMismatch as error:
            return Response(
                {"error": {"code": error.code, "message": str(error)}, "received_bytes": error.received},
                status=status.HTTP_409_CONFLICT,
            )
        return Response({"received_bytes": video.received_bytes, "expected_bytes": video.expected_bytes})

    @extend_schema(
        request=None,
        responses={200: VideoSerializer, 409: OpenApiResponse(description="`upload_incomplete` or "
                                                                          "`video_not_uploading`.")},
        description="Hand the received file to processing: `processing`, or `failed` at once with "
        "`not_a_video` when it does not start like an MP4/MOV.",
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def complete(self, request, public_id=None):
        video = services.video_upload_complete(video=self.get_object(), by=request.user)
        return Response(self._read(video))


# --- The partner feed ------------------------------------------------------------------------


class PublicVideoSerializer(serializers.Serializer):
    """A published video as the partner feed shows it."""

    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    merchant = serializers.UUIDField(source="merchant.public_id")
    products = serializers.SerializerMethodField(help_text="Public ids of the goods it shows.")
    duration = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    file = serializers.SerializerMethodField()
    poster = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()

    def get_products(self, video) -> list[str]:
        return [str(product.public_id) for product in video.products.all()]

    def _url(self, field):
        request = self.context.get("request")
        return (request.build_absolute_uri(field.url) if request else field.url) if field else None

    @url_or_null
    def get_file(self, video):
        return self._url(video.file)

    @url_or_null
    def get_poster(self, video):
        return self._url(video.poster)


class VideoFeedEntrySerializer(serializers.Serializer):
    """One change in the video feed: a published video, or a tombstone for one taken off."""

    id = serializers.UUIDField(source="public_id")
    deleted = serializers.BooleanField(help_text="True: the video is no longer public; drop it.")
    updated_at = serializers.DateTimeField()
    video = PublicVideoSerializer(source="product", allow_null=True)


class VideoFeedPageSerializer(serializers.Serializer):
    results = VideoFeedEntrySerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Resume here next time, even when `has_more` is false."
    )
    has_more = serializers.BooleanField()


class VideoFeedView(APIView):
    """Every change to public videos since a point in time, for partners who mirror them."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="feeds_videos",
        tags=["feeds"],
        parameters=[
            *FEED_PARAMETERS,
        ],
        responses=VideoFeedPageSerializer,
    )
    def get(self, request):
        page = read_feed_page(request, selectors.video_feed_page)
        return feed_response(
            page, VideoFeedEntrySerializer(page.entries, many=True, context={"request": request}).data
        )
