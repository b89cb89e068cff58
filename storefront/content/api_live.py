"""Live sessions in the partner API: the merchant's own (read and write), a provider's belts'
schedule (read), and the public feed of sessions by change time.

Writes call the same services as the pages (storefront.content.live), so the API refuses
what the page refuses, with the rule's code in the one error shape (core.api.errors):
`start_in_past`, `start_too_far`, `length_out_of_range`, `not_your_goods`,
`too_many_goods`, `room_not_https` (400), `session_overlap`, `too_many_upcoming`,
`go_live_too_early`, `go_live_too_late`, `session_not_editable`, `invalid_transition`
(409), `not_allowed_to_sell` (403). Sessions show goods, so merchant tokens use the goods'
scopes (`products:read` / `products:write`); provider tokens `provider.merchants:read`.
A cover is uploaded on the page; the API reads its URL.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api.pagination import NewestFirstPagination
from core.api.schema import ALLOW_EMPTY_VALUE
from core.api.scopes import HasScope, Scope
from core.api.serializers import StrictSerializer
from industrybelts.api.views import ProviderTokenMixin
from merchants.api.shop import NO_SHOP, shop_of
from storefront import catalog
from storefront.models import Product

from . import live, live_selectors
from .models import LiveSession

MAX_LENGTH_NOTE = f"{live.MIN_MINUTES}–{live.MAX_MINUTES} minutes."
REFUSED = OpenApiResponse(description="A schedule rule's code (see the tag's description).")


class LiveGoodSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()


class LiveSessionSerializer(serializers.Serializer):
    """A session as partners read it; times in ISO 8601 with Beijing's offset (+08:00)."""

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    expected_minutes = serializers.IntegerField()
    expected_end_at = serializers.DateTimeField()
    went_live_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    room_url = serializers.CharField()
    cover = serializers.SerializerMethodField()
    merchant = serializers.UUIDField(source="merchant.public_id")
    goods = LiveGoodSerializer(source="shown_goods", many=True)
    updated_at = serializers.DateTimeField()

    def get_cover(self, session) -> str | None:
        return session.cover.url if session.cover else None


class OwnLiveSessionSerializer(LiveSessionSerializer):
    description = serializers.CharField()


class LiveSessionWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=60)
    starts_at = serializers.DateTimeField(
        help_text="ISO 8601; a time without an offset is read as Beijing time (+08:00)."
    )
    expected_minutes = serializers.IntegerField(
        min_value=live.MIN_MINUTES, max_value=live.MAX_MINUTES, help_text=MAX_LENGTH_NOTE
    )
    goods = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=live.MAX_GOODS,
        help_text="Ids of your own published goods.",
    )  # fmt: skip
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    room_url = serializers.URLField(max_length=500, required=False, allow_blank=True)


def _own_goods_by_id(ids) -> list[Product]:
    """The goods named by public id; an unknown id is the field's error (a foreign or draft
    good is the service's `not_your_goods`, as on the page)."""
    ids = list(dict.fromkeys(ids))
    found = list(Product.objects.filter(public_id__in=ids).only("id", "public_id", "merchant_id", "status"))
    if len(found) != len(ids):
        raise ValidationError({"goods": [_("Choose only your own published goods.")]})
    return found


def _sessions():
    return LiveSession.objects.select_related("merchant").prefetch_related(live_selectors.shown_goods())


@extend_schema(tags=["merchant"])
class MerchantLiveSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The token owner's live sessions: list (newest first), read, schedule, change while
    scheduled, cancel, go live (from 30 minutes before the start), end."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {
        "GET": Scope.PRODUCTS_READ,
        "POST": Scope.PRODUCTS_WRITE,
        "PATCH": Scope.PRODUCTS_WRITE,
    }
    serializer_class = OwnLiveSessionSerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_queryset(self):
        return _sessions().filter(merchant__user_id=self.request.user.pk)

    def _answer(self, session, code=status.HTTP_200_OK):
        return Response(OwnLiveSessionSerializer(self.get_queryset().get(pk=session.pk)).data, status=code)

    @staticmethod
    def _data(validated: dict) -> dict:
        starts_at = validated["starts_at"]
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at, timezone.get_default_timezone())
        return {
            "title": validated["title"],
            "starts_at": starts_at,
            "expected_minutes": validated["expected_minutes"],
            "products": _own_goods_by_id(validated.get("goods", [])),
            "description": validated.get("description", ""),
            "room_url": validated.get("room_url", ""),
        }

    @extend_schema(
        request=LiveSessionWriteSerializer,
        responses={201: OwnLiveSessionSerializer, 400: REFUSED, 404: NO_SHOP, 409: REFUSED},
    )
    def create(self, request):
        """Schedule a session."""
        shape = LiveSessionWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        session = live.live_session_schedule(
            merchant=shop_of(self.request.user), by=request.user, **self._data(shape.validated_data)
        )
        return self._answer(session, status.HTTP_201_CREATED)

    @extend_schema(
        request=LiveSessionWriteSerializer(partial=True),
        responses={200: OwnLiveSessionSerializer, 400: REFUSED, 409: REFUSED},
    )
    def partial_update(self, request, public_id=None):
        """Change some fields of a scheduled session; the others keep their values."""
        session = self.get_object()
        shape = LiveSessionWriteSerializer(data=request.data, partial=True)
        shape.is_valid(raise_exception=True)
        current = {
            "title": session.title,
            "starts_at": session.starts_at,
            "expected_minutes": session.expected_minutes,
            "goods": [good.public_id for good in session.products.all()],
            "description": session.description,
            "room_url": session.room_url,
        }
        data = self._data({**current, **shape.validated_data})
        session = live.live_session_update(session=session, by=request.user, **data)
        return self._answer(session)

    @extend_schema(request=None, responses={200: OwnLiveSessionSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, public_id=None):
        """Cancel a scheduled session (409 `invalid_transition` from other states)."""
        return self._answer(live.live_session_cancel(session=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={200: OwnLiveSessionSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"], url_path="go-live")
    def go_live(self, request, public_id=None):
        """Mark a scheduled session live; partners hear `live_session.started`."""
        return self._answer(live.live_session_go_live(session=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={200: OwnLiveSessionSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def end(self, request, public_id=None):
        """End a live session (409 `invalid_transition` unless it is live)."""
        return self._answer(live.live_session_end(session=self.get_object(), by=request.user))


class StartOrder(NewestFirstPagination):
    ordering = ("starts_at", "id")


@extend_schema(tags=["provider"])
class ProviderLiveSessionListView(ProviderTokenMixin, generics.ListAPIView):
    """Upcoming and live sessions of the merchants active in the provider's belts, by start."""

    required_scopes = {"GET": Scope.PROVIDER_MERCHANTS_READ}
    serializer_class = LiveSessionSerializer
    pagination_class = StartOrder

    def get_queryset(self):
        return (
            live_selectors.upcoming_or_live(_sessions())
            .filter(live_selectors.in_belt(self.served_belts().values("pk")))
            .order_by()
        )


class ChangeOrder(NewestFirstPagination):
    """Oldest change first, for a consumer that mirrors the schedule (live_session_partner_feed_idx)."""

    ordering = ("updated_at", "id")
    page_size = 100


@extend_schema(
    tags=["feeds"],
    parameters=[
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description="Start here (ISO 8601) on the first call; without it, from the beginning.",
            extensions={ALLOW_EMPTY_VALUE: True},
        )
    ],
)
class LiveSessionFeedView(generics.ListAPIView):
    """Every change to any session (scheduled, live, ended, cancelled), oldest change first."""

    permission_classes = [AllowAny]
    serializer_class = LiveSessionSerializer
    pagination_class = ChangeOrder

    def get_queryset(self):
        # Rows changed this recently are held back, by the goods' feed's settle window: a
        # transaction that began earlier may still commit a row with an older updated_at.
        queryset = _sessions().filter(updated_at__lte=timezone.now() - catalog.FEED_SETTLE)
        raw = self.request.query_params.get("updated_since")
        if raw and not self.request.query_params.get("cursor"):
            try:
                since = serializers.DateTimeField().to_internal_value(raw)
            except serializers.ValidationError:
                raise ValidationError(
                    {
                        "updated_since": [
                            _("Give a date and time in ISO 8601, e.g. 2026-11-11T00:00:00+08:00.")
                        ]
                    }
                ) from None
            queryset = queryset.filter(updated_at__gte=since)
        return queryset.order_by()
