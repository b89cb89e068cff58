"""Public catalog pages, the merchant's products, quick listing and CSV import."""

import contextlib
import hashlib
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import HttpResponseClientRefresh

from core.api.middleware import api_error, is_api_request
from core.exceptions import DomainError
from industrybelts import selectors as belt_selectors
from merchants import selectors as merchant_selectors
from merchants.compliance.services import selling_refusal
from merchants.models import MerchantProfile

from . import catalog, counters, fragments, imports, permissions, services, spreadsheets
from .cards import render_cards
from .content.live import live_generation_with
from .content.live_selectors import live_sections_html
from .contract import EDITABLE_FIELDS
from .discovery.selectors import discovery_strip
from .discovery.services import SLATE_CACHE_KEY
from .forms import (
    BulkActionForm,
    CatalogFilterForm,
    ImportFileForm,
    ProductForm,
    QuickListForm,
)
from .models import ImportJob, ImportJobStatus, ProductStatus
from .selectors import home_figures, shop_row


class HomeView(TemplateView):
    template_name = "storefront/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = home_figures()
        context["live_sections"] = live_sections_html()
        return context


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return api_error("not_found", _("Not found."), 404)
    return render(request, "404.html", status=404)


def server_error(request):
    if is_api_request(request):
        return api_error("server_error", _("Something went wrong on our side; try again later."), 500)
    # No context processors beyond the request: the failure may lie in one of them.
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


# --- The public catalog ---------------------------------------------------------------


class CatalogView(TemplateView):
    """The catalog: its listing from the fragment cache when the catalog has not changed
    since it was rendered (storefront.fragments), and the discovery strip on first pages."""

    template_name = "storefront/product_list.html"

    def get_context_data(self, **kwargs):
        # One entry per language and query, holding the generation it was drawn for: after
        # a write one request redraws it while the others serve the previous one for at
        # most fragments.STALE_FOR seconds (stampede protection). Read with the generation,
        # as are the slate's sizes and the strip's own generation.
        listing_key = fragments.fragment_key("catalog-listing", get_language(), self._query_key())
        generation, cached = fragments.generation_with(
            SLATE_CACHE_KEY, listing_key, fragments.STRIP_GENERATION_KEY
        )
        context = {**super().get_context_data(**kwargs)}

        def build():
            listing, cacheable, rendered_from = self._render_listing()
            context.update(rendered_from)
            return listing if cacheable else fragments.Uncacheable(listing)

        listing = fragments.cached_at_generation(listing_key, generation, cached, build)
        discovery, discovery_html = [], ""
        if listing["first_page"]:
            discovery, discovery_html = discovery_strip(
                generation=generation and fragments.token_in(cached, fragments.STRIP_GENERATION_KEY),
                sizes=cached.get(SLATE_CACHE_KEY),
            )
        return {
            **context,
            "listing": {part: mark_safe(listing[part]) for part in ("head", "results")},  # noqa: S308
            "discovery": discovery,
            "discovery_html": discovery_html,
        }

    def _query(self) -> list[tuple[str, str]]:
        """The query as the listing reads it: the form's fields, nothing else. The cache key and
        the next page's link are both made from it, so a parameter that does not change the
        listing (a tracking tag, say) can neither split the cache nor ride along in the
        links of a page that others are served."""
        return [
            (name, value) for name in CatalogFilterForm.base_fields if (value := self.request.GET.get(name))
        ]

    def _query_key(self) -> str:
        query = urlencode([*self._query(), ("after", self.request.GET.get("after", ""))])
        return hashlib.sha256(query.encode()).hexdigest()[:32]

    def _render_listing(self):
        form = CatalogFilterForm(self.request.GET or None)
        # An invalid query is not cached: made-up values would otherwise each take an entry.
        cacheable = form.is_valid() or not form.is_bound
        filters = form.filters()
        sort_key = getattr(form, "cleaned_data", {}).get("sort") or "new"
        queryset = catalog.filter_products(catalog.published_products(), filters)
        # A search lists the goods whose title holds the query first.
        ranking = catalog.title_ranking(catalog.published_products(), filters)
        try:
            page = catalog.catalog_page(
                queryset=queryset,
                sort_key=sort_key,
                cursor=self.request.GET.get("after"),
                refs_only=True,
                ranking=ranking,
            )
        except catalog.InvalidCursor:
            messages.warning(self.request, _("That page link is not valid any more; here is the first page."))
            page = catalog.catalog_page(queryset=queryset, sort_key=sort_key, refs_only=True, ranking=ranking)
            cacheable = False  # the message belongs to this answer only
        context = {
            "form": form,
            "filter_fields": _filter_fields(form),
            "page": page,
            "cards": render_cards(page.products),
            "params": urlencode(self._query()),
            "searching": bool(filters),
            "paged": bool(self.request.GET.get("after")),
            # The folded filters' button tells how many of them are set (the words show anyway).
            "active_filters": sum(
                1 for name, value in self._query() if name != "q" and (name, value) != ("sort", "new")
            ),
        }
        listing = {
            "head": render_to_string("storefront/partials/catalog_head.html", context),
            "results": render_to_string("storefront/partials/catalog_results.html", context),
            "first_page": not filters and not self.request.GET.get("after"),
        }
        return listing, cacheable, context


# The filter's options are reference data, not tied to the catalog generation: a belt or
# category that staff add or rename shows in the filter within this many seconds.
FILTER_FIELDS_TTL = 60


def _filter_fields(form) -> str:
    """The filter's select fields: three queries and a hundred option renders, so cached by
    what they show."""
    shown = form.choice_fields_cache_key()
    key = (
        fragments.fragment_key("filter-fields", hashlib.sha256(shown.encode()).hexdigest()[:32])
        if shown
        else None
    )
    fields = fragments.read(key)
    if fields is None:
        fields = render_to_string("storefront/partials/catalog_filter_fields.html", {"form": form})
        fragments.write(key, fields, FILTER_FIELDS_TTL)
    return mark_safe(fields)  # noqa: S308


# A product page's body holds reference data too (region, belt and category names, choice
# labels): a renamed one shows within this many seconds. Everything else it shows is in
# its key (catalog.product_page_row).
PRODUCT_PAGE_TTL = 10 * 60


class ProductDetailView(TemplateView):
    """A good's page. A published good's body is the same for every viewer, so it is cached
    by what it shows (the good's, its shop's and the shop's memberships' change times) and
    a hit costs one query of a few columns; after a change one request redraws it while
    the others serve the previous body for at most fragments.STALE_FOR seconds."""

    template_name = "storefront/product_detail.html"

    def get_context_data(self, public_id, **kwargs):
        user = self.request.user
        row = catalog.product_page_row(public_id)
        if row is None:
            raise Http404
        if row["status"] != ProductStatus.PUBLISHED:
            # Only its owner sees it (and a notice saying so): never cached.
            product = catalog.product_for_page(public_id, user)
            if product is None:
                raise Http404
            page = _product_page(product)
        else:
            if not (user.is_authenticated and row["merchant__user_id"] == user.pk):
                counters.record("view", row["pk"])
            changes = [
                row["updated_at"],
                row["merchant__updated_at"],
                row["memberships_at"],
                row["videos_at"],
            ]
            key = (
                fragments.fragment_key("product-page", get_language(), row["pk"])
                if settings.CATALOG_FRAGMENT_TTL
                else None
            )
            page = fragments.cached(
                key,
                tuple(str(change) for change in changes),
                lambda: _product_page(catalog.product_for_page(public_id, user)),
                timeout=PRODUCT_PAGE_TTL,
                changed_at=max(change.timestamp() for change in changes if change is not None),
            )
        return {
            **super().get_context_data(**kwargs),
            "page": {
                "title": page["title"],
                "head": mark_safe(page["head"]),  # noqa: S308 (rendered by our templates)
                "body": mark_safe(page["body"]),  # noqa: S308
            },
        }


def _product_page(product) -> dict:
    """The head's meta and the body of a product page, as plain strings (cacheable)."""
    if product is None:  # taken off between the two queries
        raise Http404
    names = merchant_selectors.region_full_names([product.origin_region_id, product.merchant.region_id])
    context = {
        "product": product,
        "belt_names": belt_selectors.belt_badges(product.merchant.pk),
        "origin_name": names.get(product.origin_region_id, ""),
        "shop_region_name": names.get(product.merchant.region_id, ""),
    }
    return {
        "title": product.title,
        "head": render_to_string("storefront/partials/product_page_head.html", context),
        "body": render_to_string("storefront/partials/product_page.html", context),
    }


class ProductBuyView(View):
    """Count a purchase-link click, then send the buyer to the merchant's shop."""

    def get(self, request, public_id, platform):
        product = catalog.published_products().filter(public_id=public_id).first()
        link = product.links.filter(platform=platform).first() if product else None
        if link is None:
            raise Http404
        counters.record("click", product.pk)
        return HttpResponseRedirect(link.url)


class ShopView(TemplateView):
    """A shop's page: its header (name, kind, region, belts) cached by what it shows (the
    shop's and its memberships' change times, read with the shop's id), its live
    sessions when it announces any (the row says so), then its goods as cached cards.

    The first page, which most visitors read, is also kept whole, under the header's
    version, the live sessions' generation and the page's goods (their ids and change
    times, the query the page makes anyway): a hit is two queries and two cache round
    trips, where the parts took four (docs/performance.md, change 33)."""

    template_name = "storefront/shop_detail.html"

    def get_context_data(self, public_id, **kwargs):
        row = shop_row(public_id)
        if row is None:
            raise Http404
        cursor = self.request.GET.get("after")
        page = None
        if cursor:
            queryset = catalog.published_products().filter(merchant_id=row["pk"])
            with contextlib.suppress(catalog.InvalidCursor):  # a stale link: the first page
                page = catalog.catalog_page(queryset=queryset, cursor=cursor, refs_only=True)
        body = self._first_page(row) if page is None else self._body(row, page)
        # Safe: drawn by the autoescaping templates of `_body`.
        return {**super().get_context_data(**kwargs), "title": body["title"], "body": mark_safe(body["body"])}  # noqa: S308

    def _first_page(self, row) -> dict:
        page = catalog.shop_first_page(row["pk"])
        key = fragments.fragment_key("shop-page", get_language(), row["pk"])
        generation, found = live_generation_with(key)
        if not generation:  # fragments off, or the cache down
            return self._body(row, page)
        changes = self._changes(row)
        goods = tuple((ref.pk, str(ref.updated_at)) for ref in page.products)
        # Whether the shop announces a session is part of the version too: the row is read
        # before the generation, so a session scheduled in between moves the generation
        # this page is kept at without the row having seen it; the next row does.
        return fragments.cached(
            key,
            (*map(str, changes), row["announces_live"], generation, goods),
            lambda: self._body(row, page),
            timeout=PRODUCT_PAGE_TTL,
            changed_at=_latest(*changes, *(ref.updated_at for ref in page.products)),
            entry=found.get(key),
        )

    def _body(self, row, page) -> dict:
        key = (
            fragments.fragment_key("shop-hero", get_language(), row["pk"])
            if settings.CATALOG_FRAGMENT_TTL
            else None
        )
        changes = self._changes(row)
        hero = fragments.cached(
            key,
            tuple(map(str, changes)),
            lambda: _shop_hero(row["pk"], has_videos=row["videos_at"] is not None),
            timeout=PRODUCT_PAGE_TTL,
            changed_at=_latest(*changes),
        )
        context = {
            "hero": hero,
            "live_sections": live_sections_html(merchant_id=row["pk"]) if row["announces_live"] else "",
            "page": page,
            "cards": render_cards(page.products),
        }
        return {"title": hero["title"], "body": render_to_string(SHOP_BODY_TEMPLATE, context)}

    @staticmethod
    def _changes(row) -> tuple:
        return (row["updated_at"], row["memberships_at"], row["videos_at"])


SHOP_BODY_TEMPLATE = "storefront/partials/shop_body.html"


def _latest(*times) -> float:
    """When the newest of these change times was (epoch seconds), for `fragments.cached`."""
    return max(moment.timestamp() for moment in times if moment is not None)


# The columns a shop's header shows (templates/storefront/partials/shop_hero.html): a
# shop's row holds dozens (its documents, contacts, compliance state).
SHOP_HERO_FIELDS = ("pk", "display_name", "seller_type", "region_id")


def _shop_hero(merchant_id, *, has_videos=False) -> dict:
    merchant = MerchantProfile.objects.only(*SHOP_HERO_FIELDS).get(pk=merchant_id)
    region_name = merchant_selectors.region_full_names([merchant.region_id]).get(merchant.region_id, "")
    context = {
        "merchant": merchant,
        "belt_names": belt_selectors.belt_badges(merchant_id),
        "has_videos": has_videos,
        "region_name": region_name,
    }
    return {
        "title": merchant.display_name,
        "html": render_to_string("storefront/partials/shop_hero.html", context),
    }


# --- The merchant's products -------------------------------------------------------------


class MerchantMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.merchant = merchant_selectors.merchant_profile_for(request.user)
            self.can_sell = permissions.merchant_can_sell(self.merchant)
        return super().dispatch(request, *args, **kwargs)


class MerchantProductListView(MerchantMixin, View):
    template_name = "storefront/merchant_product_list.html"

    def _products(self):
        return (
            permissions.own_products(self.request.user)
            .select_related("category", "exposure")
            .prefetch_related("images")
            .order_by("-created_at", "-pk")
        )

    def get(self, request):

        page = Paginator(self._products(), 50).get_page(request.GET.get("page"))
        # A restricted shop reads why (past-due requirements) instead of the generic notice.
        restriction = selling_refusal(self.merchant) if self.merchant and not self.can_sell else None
        context = {"page": page, "can_sell": self.can_sell, "restriction": restriction}
        return render(request, self.template_name, context)

    def post(self, request):
        ids = request.POST.getlist("products")
        form = BulkActionForm(request.POST, choices=ids)
        if not form.is_valid() or not self.merchant:
            messages.error(request, _("Choose an action and at least one product."))
            return redirect("storefront:merchant-products")
        valid_ids = [i for i in form.cleaned_data["products"] if _is_uuid(i)]
        done, refused = services.products_bulk(
            merchant=self.merchant, by=request.user, public_ids=valid_ids, action=form.cleaned_data["action"]
        )
        if done:
            messages.success(request, _("%(count)d products updated.") % {"count": done})
        for line in refused:
            messages.warning(request, line)
        return redirect("storefront:merchant-products")


def _is_uuid(value: str) -> bool:

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class QuickListView(MerchantMixin, View):
    """Lightning listing (闪电购): one photo, a title, a price, a line of intro."""

    template_name = "storefront/quick_list_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": QuickListForm(), "can_sell": self.can_sell})

    def post(self, request):
        form = QuickListForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "can_sell": self.can_sell}, status=400)
        try:
            product = services.product_quick_list(
                merchant=self.merchant,
                by=request.user,
                photo=form.cleaned_data["photo"],
                title=form.cleaned_data["title"],
                price=form.cleaned_data["price"],
                intro=form.cleaned_data["intro"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return render(request, self.template_name, {"form": form, "can_sell": self.can_sell}, status=403)
        messages.success(
            request, _("Your good is live. The photo is being prepared and appears in a moment.")
        )
        return redirect("storefront:product-detail", public_id=product.public_id)


class ProductEditView(MerchantMixin, View):
    template_name = "storefront/product_form.html"

    def _product(self, public_id):
        if public_id is None:
            return None
        product = permissions.own_products(self.request.user).filter(public_id=public_id).first()
        if product is None:
            raise Http404
        return product

    def get(self, request, public_id=None):
        product = self._product(public_id)
        initial = {}
        if product is not None:
            initial = {name: getattr(product, name) for name in EDITABLE_FIELDS}
            link = product.links.first()
            initial["link"] = link.url if link else ""
        elif self.merchant is not None:
            initial = {"origin_region": self.merchant.region, "category": self.merchant.categories.first()}
        form = ProductForm(initial=initial, merchant=self.merchant)
        return render(
            request, self.template_name, {"form": form, "product": product, "can_sell": self.can_sell}
        )

    def post(self, request, public_id=None):
        product = self._product(public_id)
        form = ProductForm(request.POST, request.FILES, merchant=self.merchant)
        context = {"form": form, "product": product, "can_sell": self.can_sell}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        photo = form.cleaned_data.get("photo")
        try:
            saved = services.product_save(
                merchant=self.merchant,
                by=request.user,
                product=product,
                data=form.product_data(),
                photos=[(photo, photo.checked)] if photo else [],
                links=form.cleaned_data.get("links", []),
            )
            if "publish" in request.POST and saved.status != ProductStatus.PUBLISHED:
                services.product_publish(product=saved, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, self.template_name, context, status=400)
        except DomainError as error:
            form.add_error(None, str(error))
            return render(request, self.template_name, context, status=409)
        messages.success(request, _("Saved."))
        return redirect("storefront:merchant-products")


class ProductImportView(MerchantMixin, View):
    """Upload a spreadsheet of goods: checked at once (or in Celery when large), then shown
    as a preview on its job's page; nothing is written before the merchant confirms."""

    template_name = "storefront/product_import.html"

    def _context(self, form, **extra):
        jobs = (
            ImportJob.objects.filter(merchant=self.merchant).order_by("-created_at", "-id")[:5]
            if self.merchant
            else []
        )
        return {
            "form": form,
            "columns": imports.COLUMNS,
            "can_sell": self.can_sell,
            "jobs": jobs,
            "max_rows": imports.max_rows(),
            "max_megabytes": imports.max_bytes() // (1024 * 1024),
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self._context(ImportFileForm()))

    def post(self, request):
        form = ImportFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self._context(form), status=400)
        if self.merchant is None:
            form.add_error(None, str(services.NotAllowedToSell()))
            return render(request, self.template_name, self._context(form), status=403)
        try:
            job = imports.import_job_create(
                merchant=self.merchant, by=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return render(request, self.template_name, self._context(form), status=403)
        if job.status == ImportJobStatus.FAILED:
            return render(
                request, self.template_name, self._context(form, job=job, row_errors=job.errors), status=400
            )
        return redirect("storefront:import-job", public_id=job.public_id)


class ImportJobMixin(MerchantMixin):
    def job(self, public_id) -> ImportJob:
        job = ImportJob.objects.filter(public_id=public_id, merchant__user=self.request.user).first()
        if job is None:
            raise Http404
        return job


class ImportJobView(ImportJobMixin, View):
    """A job's page: what was found (format, encoding, rows), the first rows as read, every
    error by row and column; the confirm button; a progress bar while Celery works."""

    template_name = "storefront/import_job.html"

    def get(self, request, public_id):
        job = self.job(public_id)
        return render(request, self.template_name, {"job": job, "done": imports.job_progress(job)})


class ImportJobProgressView(ImportJobMixin, View):
    """The progress bar (htmx polls it); once the job stops working the page reloads."""

    def get(self, request, public_id):
        job = self.job(public_id)
        if not job.is_working:
            return HttpResponseClientRefresh()
        return render(
            request,
            "storefront/partials/import_progress.html",
            {"job": job, "done": imports.job_progress(job)},
        )


class ImportJobConfirmView(ImportJobMixin, View):
    def post(self, request, public_id):
        job = self.job(public_id)
        try:
            job = imports.import_job_confirm(job=job, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("storefront:import-job", public_id=job.public_id)
        if job.status == ImportJobStatus.DONE:
            messages.success(
                request, _("%(count)d products imported as drafts.") % {"count": job.created_count}
            )
            return redirect("storefront:merchant-products")
        return redirect("storefront:import-job", public_id=job.public_id)


class ImportTemplateView(MerchantMixin, View):
    """The import's template: the columns, one example row (and, in the .xlsx, the notes)."""

    def get(self, request, file_format):
        if file_format not in spreadsheets.FILE_TYPES:
            raise Http404
        english = (get_language() or "").startswith("en")
        return spreadsheets.download(file_format, _("goods-template"), imports.template_sheets(english))


class ProductExportView(MerchantMixin, View):
    """The merchant's goods as .xlsx or CSV, in the import's columns (a file can go round)."""

    def get(self, request):
        file_format = request.GET.get("format", "xlsx")
        if file_format not in spreadsheets.FILE_TYPES or self.merchant is None:
            raise Http404
        return spreadsheets.download(
            file_format, f"{_('goods')}-{timezone.localdate()}", imports.export_sheets(self.merchant)
        )
