"""Catalog endpoints: public reads (no token) and the merchant's own goods (scoped tokens).

Reads go through the catalog's selectors (the same filters, search and signed keyset
cursors as /catalog/); writes through the merchant editor's form and services, so the
API can never accept what the page would refuse.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import invalid_form
from core.api.pagination import (
    NewestFirstPagination,
    invalid_cursor,
    page_size_parameter,
    requested_page_size,
)
from core.api.schema import ALLOW_EMPTY_VALUE
from core.api.scopes import HasScope, Scope
from industrybelts.models import Belt, BeltStatus
from merchants.api.shop import NO_SHOP, shop_of
from merchants.models import SellerType
from storefront import catalog, imports, permissions, services, spreadsheets
from storefront.contract import EDITABLE_FIELDS
from storefront.forms import CatalogFilterForm, ImportFileForm, ProductByCodeForm, QuickListForm
from storefront.models import ImportJob, SourceKind
from storefront.school import selectors as school_selectors
from storefront.school.forms import SchoolFilterForm
from storefront.school.models import Level
from storefront.search import MAX_QUERY_LENGTH

from .serializers import (
    BeltSerializer,
    FeedEntrySerializer,
    FeedPageSerializer,
    ImportJobSerializer,
    ImportUploadSerializer,
    OwnProductSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    QuickListSerializer,
    SchoolItemCardSerializer,
    SchoolItemSerializer,
)

FEED_PAGE_SIZE = 100
# The image types a photo may be (checked by content, core.uploads).
PHOTO_MEDIA_TYPES = "image/jpeg, image/png, image/webp"
PRODUCT_NOT_EDITABLE = (
    "`invalid` on a field, or `domain_error`: the good is hidden by moderation and cannot be edited."
)


class FileFormatNegotiation(DefaultContentNegotiation):
    """`format` names the export file's format here, not one of DRF's renderers: answers that
    are not the file (errors) are JSON, in the one error shape."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _choice(name: str, choices, description: str = "") -> OpenApiParameter:
    """An optional query parameter taking one of `choices` (empty: the same as not given)."""
    return OpenApiParameter(name, str, enum=[*choices, ""], description=description)


# --- Public --------------------------------------------------------------------------


class BeltListView(generics.ListAPIView):
    """Open industry belts."""

    permission_classes = [AllowAny]
    serializer_class = BeltSerializer
    pagination_class = None
    queryset = (
        Belt.objects.filter(status=BeltStatus.OPEN).select_related("category").order_by("position", "pk")
    )


class ProductPage(serializers.Serializer):
    results = ProductSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ProductListView(APIView):
    """Published goods, with the catalog's filters, Chinese search and keyset pages."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="products_list",
        tags=["catalog"],
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                description=(
                    "Search words (one Chinese character and up). Goods whose title holds them "
                    "come first, then the other matches, each in the sort's order."
                ),
            ),
            _choice("source_kind", SourceKind.values),
            OpenApiParameter("belt", str, description="Slug of an open belt (another is a 400)."),
            OpenApiParameter(
                "province", str, description="GB/T 2260 code of a province, e.g. `330000` (another is a 400)."
            ),
            OpenApiParameter(
                "city", {"type": "string", "pattern": r"^(\d{6})?$"}, description="GB/T 2260 code of a city."
            ),
            OpenApiParameter("category", str, description="Category code (an unknown one is a 400)."),
            _choice("seller_type", SellerType.values),
            _choice("price", catalog.PRICE_BANDS, description="Wholesale price band (CNY)."),
            _choice("sort", catalog.SORTS, description="Default `new`."),
            OpenApiParameter(
                "cursor",
                str,
                description="`next_cursor` of the previous page (signed: an edited one is a 400).",
            ),
            page_size_parameter(catalog.PAGE_SIZE),
        ],
        responses=ProductPage,
    )
    def get(self, request):
        form = CatalogFilterForm(request.query_params)
        if not form.is_valid():
            raise invalid_form(form)
        sort_key = form.cleaned_data.get("sort") or "new"
        page_size = requested_page_size(request, catalog.PAGE_SIZE)
        filters = form.filters()
        queryset = catalog.filter_products(catalog.published_products(), filters)
        try:
            page = catalog.catalog_page(
                queryset=queryset,
                sort_key=sort_key,
                cursor=request.query_params.get("cursor"),
                page_size=page_size,
                ranking=catalog.title_ranking(catalog.published_products(), filters),
            )
        except catalog.InvalidCursor:
            raise invalid_cursor() from None
        return Response(
            {"results": ProductSerializer(page.products, many=True).data, "next_cursor": page.next_cursor}
        )


class ProductDetailView(generics.RetrieveAPIView):
    """One published good."""

    permission_classes = [AllowAny]
    serializer_class = ProductSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"

    def get_queryset(self):  # for the schema's path parameter
        return catalog.published_products()

    def get_object(self):
        rows = catalog.api_rows(
            catalog.published_products().filter(public_id=self.kwargs["public_id"]), limit=1
        )
        if not rows:
            raise NotFound
        return rows[0]


# --- The merchant's own goods -----------------------------------------------------------


def _as_form_data(product) -> dict:
    """The good's editable fields (and link) as the by-code form takes them: choices by code."""
    link = product.links.first()
    return {
        **{name: getattr(product, name) for name in EDITABLE_FIELDS},
        "category": product.category.code,
        "belt": product.belt.slug if product.belt_id else "",
        "origin_region": product.origin_region.code,
        "own_shop_price": product.own_shop_price if product.own_shop_price is not None else "",
        "link": link.url if link else "",
    }


@extend_schema(tags=["merchant"])
class MerchantProductViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """The token owner's goods: list, read, create, change, publish and unpublish, quick-list."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {
        "GET": Scope.PRODUCTS_READ,
        "POST": Scope.PRODUCTS_WRITE,
        "PATCH": Scope.PRODUCTS_WRITE,
    }
    serializer_class = OwnProductSerializer
    pagination_class = NewestFirstPagination
    lookup_field = "public_id"

    def get_queryset(self):
        return (
            permissions.own_products(self.request.user)
            .select_related("merchant", "category", "belt", "origin_region")
            .prefetch_related("images")
        )

    def _save(self, data: dict, product=None):
        # An own good came with its shop (`get_queryset`): the profile is not read again.
        merchant = product.merchant if product is not None else shop_of(self.request.user)
        form = ProductByCodeForm(data, merchant=merchant)
        if not form.is_valid():
            raise invalid_form(form)
        saved = services.product_save(
            merchant=merchant,
            by=self.request.user,
            product=product,
            data=form.product_data(),
            links=form.cleaned_data.get("links", []),
        )
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=ProductWriteSerializer, responses={201: OwnProductSerializer, 404: NO_SHOP})
    def create(self, request):
        """Create a draft good (publish it with the `publish` action)."""
        shape = ProductWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        product = self._save(request.data)
        return Response(OwnProductSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProductWriteSerializer(partial=True),
        responses={200: OwnProductSerializer, 400: OpenApiResponse(description=PRODUCT_NOT_EDITABLE)},
    )
    def partial_update(self, request, public_id=None):
        """Change some fields of a good; the others keep their values."""
        product = self.get_object()
        shape = ProductWriteSerializer(data=request.data, partial=True)
        shape.is_valid(raise_exception=True)
        data = {**_as_form_data(product), **{key: request.data[key] for key in shape.validated_data}}
        return Response(OwnProductSerializer(self._save(data, product=product)).data)

    @extend_schema(request=None, responses={200: OwnProductSerializer, 409: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def publish(self, request, public_id=None):
        """Publish a draft or unpublished good (409 `invalid_transition` from other states)."""
        product = services.product_publish(product=self.get_object(), by=request.user)
        return Response(OwnProductSerializer(self.get_queryset().get(pk=product.pk)).data)

    @extend_schema(request=None, responses={200: OwnProductSerializer, 409: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, public_id=None):
        """Take a published good off the catalog (409 `invalid_transition` from other states)."""
        product = services.product_unpublish(product=self.get_object(), by=request.user)
        return Response(OwnProductSerializer(self.get_queryset().get(pk=product.pk)).data)

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                QuickListSerializer, encoding={"photo": {"contentType": PHOTO_MEDIA_TYPES}}
            )
        },
        responses={201: OwnProductSerializer, 404: NO_SHOP},
        description="Lightning listing: one photo, a title and a price make a published good.",
    )
    @action(detail=False, methods=["post"], url_path="quick-list", parser_classes=[MultiPartParser])
    def quick_list(self, request):
        shape = QuickListSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = QuickListForm(request.data, request.FILES)
        if not form.is_valid():
            raise invalid_form(form)
        product = services.product_quick_list(
            merchant=shop_of(self.request.user),
            by=request.user,
            photo=form.cleaned_data["photo"],
            title=form.cleaned_data["title"],
            price=form.cleaned_data["price"],
            intro=form.cleaned_data.get("intro", ""),
        )
        return Response(OwnProductSerializer(self.get_queryset().get(pk=product.pk)).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"], description="Default `xlsx`.")],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="UTF-8 with a BOM."),
            (200, spreadsheets.FILE_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            404: NO_SHOP,
        },
        description="The goods (all but deleted ones) in the import's columns, Chinese headers and "
        "labels: a file that imports back as the same goods. Cells a spreadsheet would run "
        "(starting = + - @) begin with an apostrophe, which the import takes off.",
    )
    @action(detail=False, methods=["get"], content_negotiation_class=FileFormatNegotiation)
    def export(self, request):
        file_format = request.query_params.get("format", "xlsx")
        if file_format not in spreadsheets.FILE_TYPES:
            raise ValidationError({"format": [_("Choose csv or xlsx.")]})
        return spreadsheets.download(file_format, "goods", imports.export_sheets(shop_of(self.request.user)))


# --- Spreadsheet imports ---------------------------------------------------------------------


@extend_schema(tags=["merchant"])
class MerchantImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Import goods from a spreadsheet: upload (checked at once, or in the background when
    large), read the job (status, progress, errors by row and column, the first rows as read),
    confirm (all goods written as drafts, or none)."""

    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": Scope.PRODUCTS_READ, "POST": Scope.PRODUCTS_WRITE}
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]  # the upload; `confirm` takes no body
    lookup_field = "public_id"

    def get_queryset(self):
        return ImportJob.objects.filter(merchant__user_id=self.request.user.pk)

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                ImportUploadSerializer,
                encoding={"file": {"contentType": "text/csv, " + spreadsheets.FILE_TYPES["xlsx"]}},
            )
        },
        responses={201: ImportJobSerializer, 404: NO_SHOP},
        description="Upload a file (at most 10 MB). Small files are checked before the answer "
        "(status `previewed` or `failed`); larger ones are `pending`: poll the job.",
    )
    def create(self, request):
        shape = ImportUploadSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = ImportFileForm(request.data, request.FILES)
        if not form.is_valid():
            raise invalid_form(form)
        merchant = shop_of(request.user)
        job = imports.import_job_create(merchant=merchant, by=request.user, upload=form.cleaned_data["file"])
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ImportJobSerializer, 202: ImportJobSerializer, 409: OpenApiResponse()},
        description="Write the previewed goods as drafts, all or none: 200 when done in the "
        "request, 202 when running in the background (poll the job). 409 `invalid_transition` "
        "unless the job is `previewed`.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, public_id=None):
        job = imports.import_job_confirm(job=self.get_object(), by=request.user)
        code = status.HTTP_202_ACCEPTED if job.is_working else status.HTTP_200_OK
        return Response(ImportJobSerializer(job).data, status=code)


# --- The partner feed ------------------------------------------------------------------------


# Where a partner feed starts and resumes: the same for every feed (goods, videos).
FEED_PARAMETERS = [
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Start here (ISO 8601) on the first call; without it, from the beginning.",
        extensions={ALLOW_EMPTY_VALUE: True},
    ),
    OpenApiParameter(
        "cursor",
        str,
        description="`next_cursor` of the previous call (signed: an edited one is a 400).",
    ),
    page_size_parameter(FEED_PAGE_SIZE),
]


def feed_updated_since(params):
    """The feed's `updated_since` as an aware UTC time (None without one); a 400 if unreadable.

    Every partner feed (goods, videos) reads it here.
    """
    updated_since = None
    if params.get("updated_since"):
        try:
            updated_since = parse_datetime(params["updated_since"])
        except ValueError:
            updated_since = None
        if updated_since is None:
            raise ValidationError(
                {"updated_since": [_("Give a date and time in ISO 8601, e.g. 2026-11-11T00:00:00+08:00.")]}
            )
        if timezone.is_naive(updated_since):
            updated_since = timezone.make_aware(updated_since)
        try:
            updated_since = updated_since.astimezone(datetime.UTC)
        except OverflowError:
            # Beyond what UTC can write (a year-1 or year-9999 time with an offset): the
            # earliest or the latest time there is, which is what such a start means.
            edge = datetime.datetime.min if updated_since.year == 1 else datetime.datetime.max
            updated_since = edge.replace(tzinfo=datetime.UTC)
    return updated_since


def read_feed_page(request, fetch, **filters):
    """Return the page `fetch` (a feed's page function) gives for the request's updated_since,
    cursor and page size, and `filters`; an unreadable time or an edited cursor is a 400.

    Every partner feed (goods, videos) reads its page here.
    """
    params = request.query_params
    try:
        return fetch(
            **filters,
            updated_since=feed_updated_since(params),
            cursor=params.get("cursor"),
            page_size=requested_page_size(request, FEED_PAGE_SIZE),
        )
    except catalog.InvalidCursor:
        raise ValidationError({"cursor": [_("This cursor is not valid; start again from a date.")]}) from None


def feed_response(page, results) -> Response:
    """A feed page's answer: its serialized `results`, and where the next call resumes."""
    return Response({"results": results, "next_cursor": page.next_cursor, "has_more": page.has_more})


class ProductFeedView(APIView):
    """Every change to public goods since a point in time, for partners who mirror the catalog."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="feeds_products",
        tags=["feeds"],
        parameters=[
            OpenApiParameter(
                "belt",
                str,
                description="Only the goods of this belt (slug; a belt that does not exist is a 400).",
            ),
            *FEED_PARAMETERS,
        ],
        responses=FeedPageSerializer,
    )
    def get(self, request):
        params = request.query_params
        belt = None
        if params.get("belt"):
            belt = Belt.objects.filter(slug=params["belt"]).first()
            if belt is None:
                raise ValidationError({"belt": [_("There is no belt with this address name.")]})
        page = read_feed_page(request, catalog.partner_feed_page, belt=belt)
        return feed_response(page, FeedEntrySerializer(page.entries, many=True).data)


# --- E-business school ------------------------------------------------------------------------


class SchoolPagination(NewestFirstPagination):
    ordering = ("-published_at", "-id")
    page_size = 20


@extend_schema(
    tags=["school"],
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "maxLength": 40},
            description="Search titles and texts (one Chinese character and up); the other filters "
            "then do not apply.",
        ),
        _choice("audience", SellerType.values, description="Items for this kind of seller (and for all)."),
        OpenApiParameter("belt", str, description="Belt slug."),
        _choice("level", Level.values),
        OpenApiParameter("tag", {"type": "string", "maxLength": 20}),
    ],
)
class SchoolItemListView(generics.ListAPIView):
    """Published courses, manuals and articles (with `q`: lessons and chapters too), newest first."""

    permission_classes = [AllowAny]
    serializer_class = SchoolItemCardSerializer
    pagination_class = SchoolPagination

    def get_queryset(self):
        # The school's own filter form (the pages drop an invalid filter; the API refuses it).
        form = SchoolFilterForm(self.request.query_params)
        if not form.is_valid():
            raise invalid_form(form)
        filters = form.cleaned_data
        if filters["q"]:
            return school_selectors.search_items(filters["q"])
        return school_selectors.top_level_items(
            audience=filters["audience"],
            belt_slug=self.request.query_params.get("belt", ""),
            level=filters["level"],
            tag=filters["tag"],
        )


class SchoolItemDetailView(APIView):
    """One published item, its Markdown and sanitised HTML, and its parts for a course or manual."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="school_items_retrieve", tags=["school"], responses=SchoolItemSerializer)
    def get(self, request, slug):
        item = school_selectors.item_for_page(AnonymousUser(), slug)
        if item is None:
            raise NotFound()
        parts = school_selectors.parts_of(AnonymousUser(), item) if item.is_container else []
        return Response(SchoolItemSerializer(item, context={"parts": parts}).data)
