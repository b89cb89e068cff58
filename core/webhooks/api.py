"""The webhooks API: endpoints (register, change, rotate the secret, ping, remove) and
their deliveries (the log, redelivery), under the `webhooks:read` / `webhooks:write` scopes.

Views only parse and call core.webhooks.services; the target rules, event types
and retry logic live there, so admin and API cannot disagree.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.pagination import NewestFirstPagination
from core.api.scopes import HasScope, Scope
from core.api.serializers import StrictSerializer

from . import permissions, services
from .models import SUBSCRIBABLE_EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from .targets import UnsafeTarget

# --- Serializers --------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.UUIDField(source="provider.public_id", read_only=True, allow_null=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_TYPES))
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="After a rotation, requests are signed with the replaced secret too until then; "
        "null when only the current secret signs.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "event_types", "is_active", "disabled_at", "disabled_reason",
            "consecutive_failures", "previous_secret_expires_at", "provider", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """An endpoint with its signing secret: only in the answer to creation and rotation."""

    secret = serializers.CharField(read_only=True, help_text="Shown this once; sign checks need it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, help_text="A public https URL.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_TYPES), allow_empty=False, max_length=20
    )


class WebhookEndpointUpdateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_TYPES),
        allow_empty=False,
        max_length=20,
        required=False,
    )
    is_active = serializers.BooleanField(
        required=False, help_text="false pauses the endpoint; true resumes it and clears its failure count."
    )


class WebhookAttemptSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="The receiver's HTTP status, if any.")
    error = serializers.CharField()
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    log = WebhookAttemptSerializer(source="attempt_log", many=True, read_only=True)
    payload = serializers.JSONField(read_only=True, help_text="The body sent: {id, type, created_at, data}.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "next_attempt_at", "last_status_code",
            "last_error", "delivered_at", "created_at", "payload", "log",
        ]  # fmt: skip
        read_only_fields = fields


# --- Views -----------------------------------------------------------------------------------


def _url_errors(error: UnsafeTarget) -> ValidationError:
    return ValidationError({"url": [serializers.ErrorDetail(str(error), code=error.code)]})


class _WebhookScopes:
    permission_classes = [IsAuthenticated, HasScope]
    parser_classes = [JSONParser]
    required_scopes = {
        "GET": Scope.WEBHOOKS_READ,
        "POST": Scope.WEBHOOKS_WRITE,
        "PATCH": Scope.WEBHOOKS_WRITE,
        "DELETE": Scope.WEBHOOKS_WRITE,
    }

    def acting_provider(self):
        return permissions.acting_provider(self.request.user, self.request.auth)

    def endpoints(self):
        return permissions.visible_endpoints(self.request.user, self.acting_provider()).select_related(
            "provider"
        )


ENDPOINT_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The endpoint's id."
)
DELIVERY_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The delivery's id."
)
REFUSED_TARGET = OpenApiResponse(
    description="`invalid`: unknown fields or event types; `unsafe_target` / `unresolvable_target` on `url`."
)
DISABLED = OpenApiResponse(description="`endpoint_disabled`: enable the endpoint first.")
# What an action that sends a delivery answers: the delivery, queued, unless the endpoint is off.
DELIVERY_QUEUED = {202: WebhookDeliverySerializer, 409: DISABLED}


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(summary="The token's webhook endpoints"),
    retrieve=extend_schema(parameters=[ENDPOINT_ID]),
    destroy=extend_schema(parameters=[ENDPOINT_ID], summary="Remove an endpoint with its deliveries"),
)
class WebhookEndpointViewSet(
    _WebhookScopes,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook endpoints of the token's merchant account, or of its provider for a provider token."""

    queryset = WebhookEndpoint.objects.none()  # for the schema; get_queryset scopes to the token
    serializer_class = WebhookEndpointSerializer
    lookup_field = "public_id"
    pagination_class = None

    def get_queryset(self):
        return self.endpoints()

    @extend_schema(
        request=WebhookEndpointCreateSerializer,
        responses={
            201: WebhookEndpointSecretSerializer,
            400: REFUSED_TARGET,
            409: OpenApiResponse(description="`too_many_endpoints`: remove one first."),
        },
        summary="Register an endpoint (the answer shows its secret, once)",
    )
    def create(self, request):
        shape = WebhookEndpointCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        try:
            endpoint, _secret = services.webhook_endpoint_create(
                owner=request.user, provider=self.acting_provider(), **shape.validated_data
            )
        except UnsafeTarget as error:
            raise _url_errors(error) from None
        return Response(
            WebhookEndpointSecretSerializer(self.get_queryset().get(pk=endpoint.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[ENDPOINT_ID],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, 400: REFUSED_TARGET},
        summary="Change the URL or events, pause or resume",
    )
    def partial_update(self, request, public_id=None):
        endpoint = self.get_object()
        shape = WebhookEndpointUpdateSerializer(data=request.data, partial=True)
        shape.is_valid(raise_exception=True)
        try:
            services.webhook_endpoint_update(endpoint=endpoint, **shape.validated_data)
        except UnsafeTarget as error:
            raise _url_errors(error) from None
        return Response(WebhookEndpointSerializer(self.get_queryset().get(pk=endpoint.pk)).data)

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(
        parameters=[ENDPOINT_ID],
        request=None,
        responses=WebhookEndpointSecretSerializer,
        summary="Issue a new signing secret (shown once); the old one also signs until "
        "`previous_secret_expires_at`",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, public_id=None):
        endpoint, _secret = services.webhook_endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointSecretSerializer(self.get_queryset().get(pk=endpoint.pk)).data)

    @extend_schema(
        parameters=[ENDPOINT_ID],
        request=None,
        responses=DELIVERY_QUEUED,
        summary="Send a `ping` event to this endpoint",
    )
    @action(detail=True, methods=["post"])
    def ping(self, request, public_id=None):
        delivery = services.webhook_endpoint_ping(endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


DELIVERY_PARAMETERS = [
    OpenApiParameter(
        "endpoint_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The endpoint's id."
    ),
]


@extend_schema(tags=["webhooks"], parameters=DELIVERY_PARAMETERS)
@extend_schema_view(
    list=extend_schema(summary="An endpoint's deliveries, newest first, with each attempt's response code"),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="The delivery's id.")
        ]
    ),
)
class WebhookDeliveryViewSet(
    _WebhookScopes, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """The delivery log of one endpoint, and redelivery."""

    serializer_class = WebhookDeliverySerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_endpoint(self):
        return get_object_or_404(self.endpoints(), public_id=self.kwargs["endpoint_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return permissions.visible_deliveries(self.get_endpoint()).prefetch_related("attempt_log")

    @extend_schema(
        parameters=[
            OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="The delivery's id.")
        ],
        request=None,
        responses=DELIVERY_QUEUED,
        summary="Send this delivery again now (same event id and payload)",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, endpoint_id=None, public_id=None):
        delivery = services.webhook_delivery_redeliver(delivery=self.get_object())
        return Response(
            WebhookDeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )
