"""Belt endpoints: public bases, the merchant's memberships, and the provider's side.

A provider token (created in /provider/) acts for one provider while its owner is still
a member of it and the provider is approved. Everything it reaches is scoped by
industrybelts.permissions — the same rules as the provider workspace's pages — and
anything outside that scope is a 404.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api.pagination import NewestFirstPagination
from core.api.scopes import HasScope, Scope, acting_provider
from merchants.models import ApplicationDocument, OnboardingApplication
from merchants.services import site_base_url

from .. import permissions, services
from ..models import Base, Belt, BeltMembership, BeltStatus, MerchantInvitation
from .serializers import (
    BaseSerializer,
    CreatedInvitationSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipFilterSerializer,
    MembershipSerializer,
    ProviderBeltSerializer,
    ProviderMerchantSerializer,
    ReasonSerializer,
    RecruitCreateSerializer,
    RejectionSerializer,
)

NOT_SERVED = OpenApiResponse(description="`invalid` on `belt`: the provider does not serve this belt.")
PRE_REVIEWED = OpenApiResponse(description="`invalid_transition`: the application is no longer `applied`.")
OTHER_PROVIDER = OpenApiResponse(
    description="`permission_denied`: another provider of this belt pre-reviews this application "
    "(or the token lacks the scope: `insufficient_scope`, `provider_access_ended`)."
)


def _membership_queryset(queryset):
    return queryset.select_related("merchant", "belt", "base")


# --- Public ----------------------------------------------------------------------------


@extend_schema(
    tags=["belts"],
    parameters=[OpenApiParameter("belt", str, description="Only the bases of this belt (slug).")],
)
class BaseListView(generics.ListAPIView):
    """Bases (factory clusters, markets, origins, live-stream bases) of the open belts."""

    permission_classes = [AllowAny]
    serializer_class = BaseSerializer
    pagination_class = None

    def get_queryset(self):
        queryset = Base.objects.filter(belt__status=BeltStatus.OPEN).select_related("belt", "region")
        belt = self.request.query_params.get("belt")
        if belt:
            queryset = queryset.filter(belt__slug=belt)
        return queryset.order_by("belt__position", "belt_id", "name")


# --- The merchant's memberships ----------------------------------------------------------


@extend_schema(tags=["merchant"])
class MerchantMembershipListView(generics.ListAPIView):
    """The token owner's belt memberships, newest first."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": Scope.MEMBERSHIPS_READ}
    serializer_class = MembershipSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema generator's fake request
            return BeltMembership.objects.none()
        return _membership_queryset(BeltMembership.objects.filter(merchant__user=self.request.user))


# --- The provider's side ------------------------------------------------------------------


class ProviderTokenMixin:
    """Resolve the provider the token acts for (`self.provider`) after authentication and scopes."""

    permission_classes = [IsAuthenticated, HasScope]
    provider = None  # set per request; None while the schema is generated

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.provider = acting_provider(request.user, request.auth)
        if self.provider is None:  # a merchant token that carries a provider scope cannot exist
            raise PermissionDenied()

    def served_belts(self):
        return Belt.objects.filter(
            pk__in=permissions.served_belt_ids(self.request.user, provider=self.provider)
        )

    def served_belt(self, slug):
        belt = self.served_belts().filter(slug=slug).first()
        if belt is None:
            raise ValidationError({"belt": [_("Your provider does not serve this belt.")]})
        return belt


@extend_schema(tags=["provider"])
class ProviderBeltListView(ProviderTokenMixin, generics.ListAPIView):
    """The belts the provider serves under an open contract."""

    required_scopes = {"GET": Scope.PROVIDER_MERCHANTS_READ}
    serializer_class = ProviderBeltSerializer
    pagination_class = None

    def get_queryset(self):
        return self.served_belts().select_related("category").order_by("position", "pk")


@extend_schema(tags=["provider"])
class ProviderMerchantViewSet(ProviderTokenMixin, viewsets.ReadOnlyModelViewSet):
    """Merchants of the provider's belts and those it recruited, with their applications."""

    required_scopes = {"GET": Scope.PROVIDER_MERCHANTS_READ}
    serializer_class = ProviderMerchantSerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_queryset(self):
        applications = OnboardingApplication.objects.order_by("-created_at").prefetch_related(
            Prefetch("documents", queryset=ApplicationDocument.objects.select_related("qualification"))
        )
        return (
            permissions.visible_merchants(self.request.user, provider=self.provider)
            .select_related("region")
            .prefetch_related(Prefetch("applications", queryset=applications))
        )


@extend_schema(tags=["provider"])
@extend_schema_view(list=extend_schema(parameters=[MembershipFilterSerializer]))
class ProviderMembershipViewSet(ProviderTokenMixin, viewsets.ReadOnlyModelViewSet):
    """Belt applications and memberships in the provider's belts; pre-review as actions."""

    required_scopes = {"GET": Scope.PROVIDER_MERCHANTS_READ, "POST": Scope.PROVIDER_MEMBERSHIPS_WRITE}
    serializer_class = MembershipSerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_queryset(self):
        queryset = BeltMembership.objects.filter(belt__in=self.served_belts())
        if self.action == "list":
            filters = MembershipFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if filters.validated_data.get("belt"):
                # A belt it does not serve is a 400 (as for invitations), not an empty page.
                queryset = queryset.filter(belt=self.served_belt(filters.validated_data["belt"]))
            if filters.validated_data.get("status"):
                queryset = queryset.filter(status=filters.validated_data["status"])
        return _membership_queryset(queryset)

    def _decide(self, request, decide, shape_class=ReasonSerializer):
        shape = shape_class(data=request.data)
        shape.is_valid(raise_exception=True)
        membership = self.get_object()
        # The token acts for one provider: a membership another provider answers for is
        # not its to decide, whatever other teams the token's owner belongs to.
        acting_for_it = membership.provider_id in (None, self.provider.pk)
        if not acting_for_it or not permissions.can_pre_review(request.user, membership):
            raise PermissionDenied(_("Another provider of this belt pre-reviews this application."))
        decide(membership=membership, by=request.user, reason=shape.validated_data.get("reason", ""))
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: MembershipSerializer, 403: OTHER_PROVIDER, 409: PRE_REVIEWED},
    )
    @action(detail=True, methods=["post"], url_path="pre-approve")
    def pre_approve(self, request, public_id=None):
        """Recommend the application to the platform (409 `invalid_transition` unless applied)."""
        return self._decide(request, services.membership_pre_approve)

    @extend_schema(
        request=RejectionSerializer,
        responses={200: MembershipSerializer, 403: OTHER_PROVIDER, 409: PRE_REVIEWED},
    )
    @action(detail=True, methods=["post"], url_path="pre-reject")
    def pre_reject(self, request, public_id=None):
        """Turn the application down with a reason the merchant reads (409 unless applied)."""
        return self._decide(request, services.membership_pre_reject, RejectionSerializer)


@extend_schema(tags=["provider"])
class ProviderInvitationViewSet(ProviderTokenMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The provider's merchant invitation links; a link is shown only in the response that makes it."""

    required_scopes = {"GET": Scope.PROVIDER_INVITATIONS_READ, "POST": Scope.PROVIDER_INVITATIONS_WRITE}
    serializer_class = InvitationSerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_queryset(self):
        return MerchantInvitation.objects.filter(provider=self.provider).select_related(
            "belt", "accepted_by__merchant"
        )

    def _validated(self, request, shape_class):
        """Check the body; return it and the arguments every invitation takes from it."""
        shape = shape_class(data=request.data)
        shape.is_valid(raise_exception=True)
        return shape, {
            "provider": self.provider,
            "belt": self.served_belt(shape.validated_data["belt"]),
            "by": request.user,
            "note": shape.validated_data.get("note", ""),
        }

    def _created(self, invitation, code):
        invitation.link = site_base_url(self.request) + reverse("industrybelts:invitation", args=[code])
        return Response(CreatedInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=InvitationCreateSerializer, responses={201: CreatedInvitationSerializer, 400: NOT_SERVED}
    )
    def create(self, request):
        """A single-use sign-up link for one seller, valid for 14 days."""
        _shape, invitation_args = self._validated(request, InvitationCreateSerializer)
        return self._created(*services.merchant_invitation_create(**invitation_args))

    @extend_schema(
        request=RecruitCreateSerializer, responses={201: CreatedInvitationSerializer, 400: NOT_SERVED}
    )
    @action(detail=False, methods=["post"])
    def recruit(self, request):
        """Prepare a seller's application: the link's sign-up starts a draft with these values,
        which the seller completes and submits in the browser."""
        shape, invitation_args = self._validated(request, RecruitCreateSerializer)
        return self._created(
            *services.merchant_recruit(
                **invitation_args, prefill=shape.prefill(), email=shape.validated_data.get("email", "")
            )
        )
