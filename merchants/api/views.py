"""The token owner's account, shop profile and onboarding application.

Writes go through merchants.services (the same as the onboarding wizard): a document is
checked by content by the wizard's own form, submit refuses an incomplete application
with `application_incomplete`, and a refused move is 409 `invalid_transition`.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.scopes import HasScope, Scope

from .. import selectors, services
from ..forms import ISSUED_ON, VALID_UNTIL, DocumentsForm
from .serializers import (
    ApplicationSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    MeSerializer,
    ProfileSerializer,
)
from .shop import NO_SHOP, shop_of

NO_APPLICATION = OpenApiResponse(
    description="`not_found`: this account has no shop, or its shop has not started an application."
)
# What a document may be: checked by content (core.uploads), PDF only where the slot says.
DOCUMENT_MEDIA_TYPES = "image/jpeg, image/png, image/webp, application/pdf"


class MeView(generics.RetrieveAPIView):
    """The account the presented token belongs to, and the token's scopes."""

    serializer_class = MeSerializer

    @extend_schema(operation_id="me_retrieve", tags=["account"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return self.request.user


def _application_of(user):
    application = selectors.current_application(user)
    if application is None:
        shop_of(user)  # says so when there is no shop at all
        raise NotFound(_("This shop has not started an onboarding application."))
    return application


@extend_schema(tags=["merchant"])
class ProfileView(APIView):
    """The token owner's shop profile."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": Scope.PROFILE_READ}

    @extend_schema(operation_id="merchant_profile_retrieve", responses={200: ProfileSerializer, 404: NO_SHOP})
    def get(self, request):
        return Response(ProfileSerializer(shop_of(request.user)).data)


class ApplicationEndpoint(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": Scope.APPLICATION_READ, "POST": Scope.APPLICATION_WRITE}


@extend_schema(tags=["merchant"])
class ApplicationView(ApplicationEndpoint):
    """The shop's onboarding application: the active one, else the latest rejected."""

    @extend_schema(
        operation_id="merchant_application_retrieve",
        responses={200: ApplicationSerializer, 404: NO_APPLICATION},
    )
    def get(self, request):
        return Response(ApplicationSerializer(_application_of(request.user)).data)


def _fresh(application):
    return Response(ApplicationSerializer(selectors.application_with_details().get(pk=application.pk)).data)


@extend_schema(tags=["merchant"])
class ApplicationSubmitView(ApplicationEndpoint):
    @extend_schema(
        operation_id="merchant_application_submit",
        request=None,
        responses={
            200: ApplicationSerializer,
            400: OpenApiResponse(description="`application_incomplete`: steps are missing (see `missing`)."),
            404: NO_APPLICATION,
            409: OpenApiResponse(
                description="`invalid_transition`: it was sent already; `duplicate_identity`: another "
                "application uses this identity."
            ),
        },
        description="Send the application to review. 400 `application_incomplete` while steps are "
        "missing; 409 `invalid_transition` once it was sent.",
    )
    def post(self, request):
        return _fresh(services.application_submit(application=_application_of(request.user), by=request.user))


@extend_schema(tags=["merchant"])
class ApplicationWithdrawView(ApplicationEndpoint):
    @extend_schema(
        operation_id="merchant_application_withdraw",
        request=None,
        responses={
            200: ApplicationSerializer,
            404: NO_APPLICATION,
            409: OpenApiResponse(description="`invalid_transition`: it is not (or no longer) submitted."),
        },
        description="Take a submitted application back to draft before a reviewer opens it "
        "(409 `invalid_transition` after).",
    )
    def post(self, request):
        application = services.application_withdraw(
            application=_application_of(request.user), by=request.user
        )
        return _fresh(application)


@extend_schema(tags=["merchant"])
class DocumentListView(ApplicationEndpoint):
    """The application's documents. Files are not served over the API; the portal shows them
    to the merchant and the reviewers."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="merchant_documents_list",
        responses={200: DocumentSerializer(many=True), 404: NO_APPLICATION},
    )
    def get(self, request):
        application = _application_of(request.user)
        return Response(DocumentSerializer(application.documents.all(), many=True).data)

    @extend_schema(
        operation_id="merchant_documents_upload",
        request={
            "multipart/form-data": OpenApiRequest(
                DocumentUploadSerializer, encoding={"file": {"contentType": DOCUMENT_MEDIA_TYPES}}
            )
        },
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(
                description="`invalid` on `slot` (not one of the application's), `file`, `issued_on` "
                "(in the future) or `valid_until` (passed, or not after `issued_on`)."
            ),
            404: NO_APPLICATION,
            409: OpenApiResponse(description="`not_editable`: the application was sent to review."),
        },
        description="Upload (or replace) the document of one slot while the application is editable.",
    )
    def post(self, request):
        shape = DocumentUploadSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        application = _application_of(request.user)
        slot_key = shape.validated_data["slot"]
        slots = selectors.document_slots(application)
        if slot_key not in {slot.key for slot in slots}:
            raise ValidationError({"slot": [_("This application has no document slot “%s”.") % slot_key]})
        dates = {
            slot_key + suffix: shape.validated_data[name].isoformat()
            for name, suffix in (("issued_on", ISSUED_ON), ("valid_until", VALID_UNTIL))
            if shape.validated_data.get(name)
        }
        form = DocumentsForm(dates, {slot_key: shape.validated_data["file"]}, slots=slots)
        if not form.is_valid():
            errors = {"file": [str(e) for e in form.errors.get(slot_key, [])]}
            for name, suffix in (("issued_on", ISSUED_ON), ("valid_until", VALID_UNTIL)):
                if slot_key + suffix in form.errors:
                    errors[name] = [str(e) for e in form.errors[slot_key + suffix]]
            raise ValidationError({k: v for k, v in errors.items() if v} or form.errors)
        (document,) = services.application_upload_documents(
            application=application, by=request.user, uploads=form.uploads()
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)
