"""Staff screens after approval: renewed documents, category requests, bank transfers, the
deposit ledger, each merchant's standing, and the policy's figures.

Who sees what follows merchants.compliance.permissions: reviewers decide on renewed
documents, confirm validity dates and decide category requests; finance confirms or
refuses bank transfers, reads their receipts, records deductions and refunds and sets the
hold period, and never sees identity documents. Every decision is a button of the one
review panel (core.review) calling a service; the ledger is read-only, written only by
those services. merchants/admin.py imports this module, which registers the screens.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, DecimalField, Exists, F, OuterRef, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdminMixin, SingletonAdminMixin, TransitionEventInline
from core.exceptions import DomainError
from core.review import Decision, ReviewPanelAdmin, ReviewQueueFilter, with_note, with_reason
from core.storage import private_file_response

from ..models import (
    ApplicationDocument,
    Category,
    CategoryRequest,
    CategoryRequestEvent,
    CategoryRequestStatus,
    ComplianceEvent,
    CompliancePolicy,
    DepositEntry,
    DepositEntryKind,
    DepositTransfer,
    DepositTransferEvent,
    DepositTransferStatus,
    DocumentEvent,
    DocumentStatus,
    MerchantCompliance,
    MerchantProfile,
)
from ..models.compliance import HELD_SIGN, OWED_SIGN
from . import permissions, services
from .requirements import GROUPS, Requirements
from .workflows import CATEGORY_REQUEST_WORKFLOW, DEPOSIT_TRANSFER_WORKFLOW, DOCUMENT_WORKFLOW

PREVIEW_TEMPLATE = "admin/merchants/compliance/change_form.html"
LEDGER_FORM_TEMPLATE = "admin/merchants/compliance/ledger_form.html"
ZERO = Decimal("0.00")

GROUP_TITLES = {
    "past_due": _("Past due"),
    "currently_due": _("Currently due"),
    "eventually_due": _("Eventually due"),
    "pending_verification": _("Awaiting staff"),
    "errors": _("Refused"),
}


class InvalidInput(DomainError):
    """A service's ValidationError, turned into a message the panel shows (nothing recorded)."""

    code = "invalid_input"


def _refusing_invalid_input(decide):
    """Let a decision's ValidationError roll its transaction back like a domain error."""

    def decide_or_refuse(obj, **inputs):
        try:
            return decide(obj, **inputs)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages)) from error

    return decide_or_refuse


# --- Pieces every page here shows ---------------------------------------------------------


def validity_text(document) -> str:
    """A document's dates as a reviewer reads them, and whether a reviewer confirmed them."""
    issued = document.issued_on.isoformat() if document.issued_on else "—"
    until = document.valid_until.isoformat() if document.valid_until else str(_("long-term"))
    confirmed = (
        _("dates confirmed on %(date)s") % {"date": document.validity_confirmed_at.date().isoformat()}
        if document.validity_confirmed_at
        else _("dates not confirmed yet")
    )
    return str(
        _("issued %(issued)s · valid until %(until)s · %(confirmed)s")
        % {"issued": issued, "until": until, "confirmed": confirmed}
    )


def document_figure(document, *, caption=None) -> str:
    """The document as a thumbnail (or a PDF link) through the permission-checked views, with its dates."""
    url = reverse("merchants:document-file", args=[document.public_id])
    if document.is_pdf:
        inner = format_html('<span class="doc-pdf">PDF · {}</span>', filesizeformat(document.size))
    elif document.thumbnail:
        thumb = reverse("merchants:document-thumbnail", args=[document.public_id])
        inner = format_html('<img src="{}" alt="{}" class="doc-thumb" loading="lazy">', thumb, str(document))
    else:
        inner = format_html('<span class="doc-pending">{}</span>', _("thumbnail being made…"))
    return format_html(
        '<figure class="doc"><a href="{}" target="_blank" rel="noopener">{}</a>'
        "<figcaption>{}<br><small>{}</small></figcaption></figure>",
        url,
        inner,
        caption or str(document),
        validity_text(document),
    )


def requirements_block(state: MerchantCompliance | None) -> str:
    """The stored requirements of a merchant, grouped as the merchant reads them."""
    if state is None:
        return str(_("Not computed yet."))
    requirements = Requirements.from_dict(state.requirements)
    if requirements.is_empty:
        return format_html(
            '<p class="requirements-none">{}</p>',
            _("Nothing is due (computed on %(date)s).")
            % {"date": state.computed_on.isoformat() if state.computed_on else "—"},
        )
    sections = []
    for group in GROUPS:
        items = getattr(requirements, group)
        if not items:
            continue
        rows = format_html_join("", "<li><strong>{}</strong>: {}</li>", ((i.label, i.text) for i in items))
        sections.append(
            format_html(
                '<section class="requirements-{}"><h4>{}</h4><ul>{}</ul></section>',
                group,
                GROUP_TITLES[group],
                rows,
            )
        )
    if requirements.current_deadline:
        sections.append(
            format_html("<p>{}</p>", _("Next deadline: %(date)s") % {"date": requirements.current_deadline})
        )
    return format_html(
        '<div class="requirements">{}</div>', format_html_join("", "{}", ((s,) for s in sections))
    )


def restriction_text(state: MerchantCompliance) -> str:
    if state.restricted_shop:
        return str(_("The whole shop"))
    if state.restricted_category_ids:
        names = Category.objects.filter(pk__in=state.restricted_category_ids).order_by("position")
        return str(_("Goods of: %(names)s") % {"names": "、".join(c.localized_name for c in names)})
    return "—"


def _money(value) -> str:
    return f"¥{value:.2f}" if value is not None else "—"


# --- Documents uploaded after approval, and validity dates -------------------------------


class ValidityForm(forms.Form):
    """The dates of a document: prefilled from what the merchant entered, confirmed or corrected."""

    renewal = True

    issued_on = forms.DateField(
        label=_("issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label=_("valid until"),
        required=False,
        help_text=_("Leave empty for a long-term (长期) document."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        try:
            services.validate_validity(
                issued_on=data.get("issued_on"), valid_until=data.get("valid_until"), renewal=self.renewal
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        return data


class ApprovalValidityForm(ValidityForm):
    """A renewal's dates: it must be valid beyond today."""


class ConfirmValidityForm(ValidityForm):
    """A document in force: its dates as they are, even if they have passed."""

    renewal = False


class BulkApprovalForm(forms.Form):
    """A bulk approval keeps each document's dates as its merchant entered them."""


def _approve_document(document, *, by, note, data, **_inputs):
    return services.document_approve(
        document=document,
        by=by,
        reason=note,
        # The panel's form always has both dates (prefilled, so emptied means long-term);
        # a bulk approval has none and keeps what each merchant entered.
        issued_on=data.get("issued_on", services.KEEP),
        valid_until=data.get("valid_until", services.KEEP),
    )


def _confirm_validity(document, *, by, data, **_inputs):
    return services.document_confirm_validity(
        document=document, by=by, issued_on=data.get("issued_on"), valid_until=data.get("valid_until")
    )


def _not_for_a_category_request(document) -> bool:
    # A category addition's upload is decided with its request, on the request's page.
    return document.category_request_id is None


class DocumentEventInline(TransitionEventInline):
    model = DocumentEvent


class MerchantDepositColumn:
    """The merchant's deposit as it stands, beside a request or a transfer being decided."""

    @admin.display(description=_("deposit held / owed now"))
    def deposit_now(self, obj):
        held, owed = services.deposit_balance(obj.merchant)
        return f"{_money(held)} / {_money(owed)}"


class CompliancePageMixin:
    """A change page that shows `page_preview(obj)` above the decision panel."""

    change_form_template = PREVIEW_TEMPLATE

    def page_preview(self, obj) -> str:
        return ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        preview = self.page_preview(obj) if obj is not None and self.has_view_permission(request, obj) else ""
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "compliance_preview": preview}
        )

    class Media:
        css = {"all": ["css/admin-review.css"]}


D = DocumentStatus


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(CompliancePageMixin, ReadOnlyAdminMixin, ReviewPanelAdmin, admin.ModelAdmin):
    """Renewed documents awaiting review (the queue), and every document's validity dates."""

    review_workflow = DOCUMENT_WORKFLOW
    review_queue_statuses = frozenset({D.PENDING})
    review_queue_order = ("created_at", "pk")
    # Documents are the largest table of the app: no count per status.
    review_queue_counts = False
    review_decisions = (
        Decision("approve", D.CURRENT, _("Approve"), {D.PENDING}, _refusing_invalid_input(_approve_document),
                 confirm=True, form_class=ApprovalValidityForm, offered_when=_not_for_a_category_request,
                 bulk_label=_("Approve (with the dates the merchants entered)"),
                 bulk_form_class=BulkApprovalForm),
        Decision("refuse", D.REFUSED, _("Refuse"), {D.PENDING}, with_reason(services.document_refuse),
                 reason_required=True, danger=True, offered_when=_not_for_a_category_request,
                 bulk_label=_("Refuse (with reason)")),
        # The dates of a document in force (an onboarding upload): the status stays.
        Decision("confirm_validity", None, _("Confirm or correct the validity dates"), {D.CURRENT},
                 _refusing_invalid_input(_confirm_validity), form_class=ConfirmValidityForm, note=False),
    )  # fmt: skip
    list_display = (
        "document_name",
        "merchant_name",
        "status_badge",
        "issued_on",
        "valid_until",
        "created_at",
        "for_category_request",
        "reviewer",
    )
    list_filter = (ReviewQueueFilter, "kind")
    search_fields = (
        "application__merchant__display_name",
        "application__merchant__user__email",
        "application__legal_name",
    )
    list_select_related = ("application__merchant__user", "qualification")
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = [DocumentEventInline]
    fields = (
        "merchant_name",
        "application_link",
        "kind",
        "qualification",
        "status",
        "issued_on",
        "valid_until",
        "validity_confirmed_at",
        "validity_confirmed_by",
        "refusal_reason",
        "category_request",
        "original_name",
        "created_at",
    )
    readonly_fields = fields

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # Validity dates are each document's own: confirmed one by one, never in bulk.
        self.actions = tuple(a for a in self.actions if getattr(a, "__name__", a) != "confirm_validity")

    def has_review_permission(self, request):
        return permissions.can_review_documents(request.user)

    def has_view_permission(self, request, obj=None):
        # Identity documents are the reviewers' (finance holds no view of them).
        return super().has_view_permission(request, obj) and permissions.can_review_documents(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("application__merchant__user", "qualification", "validity_confirmed_by")
        )

    def in_queue(self, queryset):
        return super().in_queue(queryset).filter(category_request__isnull=True)

    def panel_context(self, request, obj):
        context = super().panel_context(request, obj)
        if context is None:
            return None
        initial = {"issued_on": obj.issued_on, "valid_until": obj.valid_until}
        for item in context["decisions"]:
            decision = item["decision"]
            if decision.form_class is not None:
                item["form"] = decision.form_class(prefix=decision.key, initial=initial)
        return context

    def page_preview(self, document):
        current = (
            ApplicationDocument.objects.filter(
                application_id=document.application_id,
                kind=document.kind,
                qualification_id=document.qualification_id,
                status=D.CURRENT,
            )
            .exclude(pk=document.pk)
            .select_related("qualification")
            .first()
        )
        figures = [document_figure(document, caption=_("This upload: %(name)s") % {"name": document})]
        if current is not None:
            figures.append(document_figure(current, caption=_("In force now: %(name)s") % {"name": current}))
        elif document.status == D.PENDING:
            figures.append(
                format_html('<figure class="doc doc-missing"><figcaption>{}</figcaption></figure>',
                            _("No document of this kind is in force."))
            )  # fmt: skip
        return format_html(
            '<div class="doc-grid compliance-preview">{}</div>',
            format_html_join("", "{}", ((figure,) for figure in figures)),
        )

    @admin.display(description=_("document"), ordering="kind")
    def document_name(self, document):
        return str(document)

    @admin.display(description=_("merchant"), ordering="application__merchant__display_name")
    def merchant_name(self, document):
        merchant = document.application.merchant
        return merchant.display_name or merchant.user.email

    @admin.display(description=_("application"))
    def application_link(self, document):
        url = reverse("admin:merchants_onboardingapplication_change", args=[document.application_id])
        return format_html('<a href="{}">{}</a>', url, document.application)

    @admin.display(description=_("with a category request"), boolean=True)
    def for_category_request(self, document):
        return document.category_request_id is not None


# --- Category requests --------------------------------------------------------------------


class CategoryRequestEventInline(TransitionEventInline):
    model = CategoryRequestEvent


C = CategoryRequestStatus


@admin.register(CategoryRequest)
class CategoryRequestAdmin(
    MerchantDepositColumn, CompliancePageMixin, ReadOnlyAdminMixin, ReviewPanelAdmin, admin.ModelAdmin
):
    review_workflow = CATEGORY_REQUEST_WORKFLOW
    review_queue_statuses = frozenset({C.SUBMITTED})
    review_queue_order = ("created_at", "pk")
    review_decisions = (
        Decision("approve", C.APPROVED, _("Approve"), {C.SUBMITTED},
                 with_note(services.category_request_approve), confirm=True),
        Decision("reject", C.REJECTED, _("Reject"), {C.SUBMITTED},
                 with_reason(services.category_request_reject), reason_required=True, danger=True,
                 bulk_label=_("Reject (with reason)")),
    )  # fmt: skip
    list_display = (
        "merchant_name",
        "categories_list",
        "deposit_before",
        "deposit_after",
        "difference",
        "status_badge",
        "created_at",
        "reviewer",
    )
    list_filter = (ReviewQueueFilter,)
    search_fields = ("merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user",)
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = [CategoryRequestEventInline]
    fields = (
        "merchant_name",
        "status",
        "categories_list",
        "current_categories",
        "deposit_before",
        "deposit_after",
        "difference",
        "deposit_now",
        "created_at",
        "decided_at",
    )
    readonly_fields = fields

    def has_review_permission(self, request):
        return permissions.can_review_category_requests(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("merchant__user").prefetch_related("categories")

    def page_preview(self, request_obj):
        documents = list(
            ApplicationDocument.objects.filter(category_request=request_obj)
            .select_related("qualification")
            .order_by("created_at")
        )
        if not documents:
            return format_html(
                '<p class="help">{}</p>', _("No qualification was needed for these categories.")
            )
        return format_html(
            '<div class="doc-grid compliance-preview">{}</div>',
            format_html_join(
                "",
                "{}",
                ((document_figure(d, caption=f"{d} · {d.get_status_display()}"),) for d in documents),
            ),
        )

    @admin.display(description=_("merchant"), ordering="merchant__display_name")
    def merchant_name(self, obj):
        return obj.merchant.display_name or obj.merchant.user.email

    @admin.display(description=_("categories to add"))
    def categories_list(self, obj):
        return "、".join(c.localized_name for c in obj.categories.all()) or "—"

    @admin.display(description=_("categories held now"))
    def current_categories(self, obj):
        return "、".join(c.localized_name for c in obj.merchant.categories.all()) or "—"

    @admin.display(description=_("top-up due on approval (CNY)"))
    def difference(self, obj):
        return _money(obj.deposit_difference)


# --- Bank transfers: finance ---------------------------------------------------------------


class AmountReceivedForm(forms.Form):
    amount_received = forms.DecimalField(
        label=_("amount received (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("As it appears on the bank statement."),
    )


def _confirm_transfer(transfer, *, by, note, data, **_inputs):
    return services.deposit_transfer_confirm(
        transfer=transfer, by=by, amount_received=data["amount_received"], reason=note
    )


class DepositTransferEventInline(TransitionEventInline):
    model = DepositTransferEvent


T = DepositTransferStatus


@admin.register(DepositTransfer)
class DepositTransferAdmin(
    MerchantDepositColumn, CompliancePageMixin, ReadOnlyAdminMixin, ReviewPanelAdmin, admin.ModelAdmin
):
    review_workflow = DEPOSIT_TRANSFER_WORKFLOW
    review_permission = "confirm"
    review_queue_statuses = frozenset({T.SUBMITTED})
    review_queue_order = ("created_at", "pk")
    review_decisions = (
        Decision("confirm", T.CONFIRMED, _("Confirm the amount received"), {T.SUBMITTED},
                 _confirm_transfer, confirm=True, form_class=AmountReceivedForm),
        Decision("refuse", T.REFUSED, _("Refuse"), {T.SUBMITTED},
                 with_reason(services.deposit_transfer_refuse), reason_required=True, danger=True,
                 bulk_label=_("Refuse (with reason)")),
    )  # fmt: skip
    list_display = (
        "merchant_name",
        "amount",
        "payer_name",
        "bank_reference",
        "status_badge",
        "confirmed_amount",
        "created_at",
        "reviewer",
    )
    list_filter = (ReviewQueueFilter,)
    search_fields = ("bank_reference", "payer_name", "merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user",)
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = [DepositTransferEventInline]
    fields = (
        "merchant_name",
        "status",
        "amount",
        "payer_name",
        "bank_reference",
        "receipt_link",
        "deposit_now",
        "confirmed_amount",
        "created_at",
        "decided_at",
    )
    readonly_fields = fields

    def has_confirm_permission(self, request):
        return permissions.can_handle_deposits(request.user)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="merchants_deposittransfer_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request, object_id):
        """Stream the private receipt to those merchants.compliance.permissions allows."""
        transfer = get_object_or_404(DepositTransfer.objects.select_related("merchant"), pk=object_id)
        if not permissions.can_view_receipt(request.user, transfer):
            raise PermissionDenied
        if not transfer.receipt:
            raise Http404
        return private_file_response(transfer.receipt, content_type=transfer.content_type)

    def page_preview(self, transfer):
        url = reverse("admin:merchants_deposittransfer_receipt", args=[transfer.pk])
        if transfer.is_pdf:
            inner = format_html('<span class="doc-pdf">PDF · {}</span>', filesizeformat(transfer.size))
        else:
            inner = format_html('<img src="{}" alt="{}" class="doc-thumb receipt">', url, _("receipt"))
        return format_html(
            '<div class="doc-grid compliance-preview"><figure class="doc">'
            '<a href="{}" target="_blank" rel="noopener">{}</a><figcaption>{}</figcaption></figure></div>',
            url,
            inner,
            _("Receipt: ¥%(amount)s from %(payer)s, reference %(reference)s")
            % {"amount": transfer.amount, "payer": transfer.payer_name, "reference": transfer.bank_reference},
        )

    @admin.display(description=_("merchant"), ordering="merchant__display_name")
    def merchant_name(self, obj):
        return obj.merchant.display_name or obj.merchant.user.email

    @admin.display(description=_("receipt"))
    def receipt_link(self, obj):
        url = reverse("admin:merchants_deposittransfer_receipt", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.original_name or url
        )


# --- The deposit ledger: read-only, written by finance's two forms -----------------------


class DeductionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("amount to deduct (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    violation = forms.CharField(label=_("violation"), max_length=200)
    reason = forms.CharField(
        label=_("Reason (the merchant reads it)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefundForm(forms.Form):
    bank_reference = forms.CharField(label=_("bank reference number of the refund"), max_length=64)


@admin.register(DepositEntry)
class DepositEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "merchant_name", "kind", "amount", "violation", "reason", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("merchant__display_name", "merchant__user__email", "violation")
    list_select_related = ("merchant__user", "recorded_by")
    list_per_page = 100
    ordering = ("-created_at", "-pk")
    fields = ("merchant", "kind", "amount", "violation", "reason", "transfer", "recorded_by", "created_at")
    readonly_fields = fields

    def has_record_permission(self, request):
        return permissions.can_handle_deposits(request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("deduct/<int:merchant_id>/", wrap(self.deduct_view), name="merchants_depositentry_deduct"),
            path("refund/<int:merchant_id>/", wrap(self.refund_view), name="merchants_depositentry_refund"),
            *super().get_urls(),
        ]

    @admin.display(description=_("merchant"), ordering="merchant__display_name")
    def merchant_name(self, entry):
        return entry.merchant.display_name or entry.merchant.user.email

    def _ledger_page(self, request, merchant_id, *, form_class, title, record):
        """Show `form_class` for a merchant; once valid, `record(merchant, cleaned_data)` (a service)."""
        if not self.has_record_permission(request):
            raise PermissionDenied
        merchant = get_object_or_404(MerchantProfile.objects.select_related("user"), pk=merchant_id)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                entry = record(merchant, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("%(merchant)s: %(entry)s recorded.") % {
                    "merchant": merchant, "entry": entry})  # fmt: skip
                return HttpResponseRedirect(
                    reverse("admin:merchants_merchantcompliance_change", args=[merchant.pk])
                )
        held, owed = services.deposit_balance(merchant)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "merchant": merchant,
            "form": form,
            "held": held,
            "owed": owed,
            "entries": DepositEntry.objects.filter(merchant=merchant)
            .select_related("recorded_by")
            .order_by("-created_at", "-pk")[:20],
        }
        return TemplateResponse(request, LEDGER_FORM_TEMPLATE, context)

    def deduct_view(self, request, merchant_id):
        return self._ledger_page(
            request,
            merchant_id,
            form_class=DeductionForm,
            title=_("Record a deduction"),
            record=lambda merchant, data: services.deposit_deduct(merchant=merchant, by=request.user, **data),
        )

    def refund_view(self, request, merchant_id):
        return self._ledger_page(
            request,
            merchant_id,
            form_class=RefundForm,
            title=_("Record the refund"),
            record=lambda merchant, data: services.deposit_refund_record(
                merchant=merchant, by=request.user, **data
            ),
        )


# --- Each merchant's standing, and the policy -------------------------------------------


def _signed_sum(signs: dict):
    """The ledger's figure `signs` derives (HELD_SIGN, OWED_SIGN) as one aggregate over a merchant."""
    amount = F("merchant__deposit_entries__amount")
    return Coalesce(
        Sum(
            Case(
                *(
                    When(merchant__deposit_entries__kind=kind, then=amount * sign)
                    for kind, sign in signs.items()
                ),
                default=Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


class RefundAskedFilter(admin.SimpleListFilter):
    title = _("deposit refund")
    parameter_name = "refund"

    def lookups(self, request, model_admin):
        return [("asked", _("asked for, not yet paid"))]

    def queryset(self, request, queryset):
        if self.value() != "asked":
            return queryset
        asked = DepositEntry.objects.filter(
            merchant=OuterRef("merchant"), kind=DepositEntryKind.REFUND_REQUESTED
        )
        paid_after = DepositEntry.objects.filter(
            merchant=OuterRef("merchant"),
            kind=DepositEntryKind.REFUNDED,
            created_at__gte=OuterRef("asked_at"),
        )
        return (
            queryset.annotate(asked_at=asked.order_by("-created_at").values("created_at")[:1])
            .filter(Exists(asked))
            .exclude(Exists(paid_after))
        )


class ComplianceEventInline(TransitionEventInline):
    model = ComplianceEvent


@admin.register(MerchantCompliance)
class MerchantComplianceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = PREVIEW_TEMPLATE
    list_display = (
        "merchant_name",
        "standing",
        "restricted_shop",
        "held_display",
        "owed_display",
        "computed_on",
        "refund_due_on",
    )
    list_filter = ("status", "restricted_shop", RefundAskedFilter)
    search_fields = ("merchant__display_name", "merchant__user__email")
    list_select_related = ("merchant__user",)
    list_per_page = 50
    ordering = ("-updated_at",)
    inlines = [ComplianceEventInline]
    fields = (
        "merchant_name",
        "standing",
        "computed_on",
        "requirements_display",
        "restriction",
        "restriction_reason",
        "deposit_figures",
        "closed_at",
        "refund_due_on",
        "refund_state",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("merchant__user")
            .annotate(held=_signed_sum(HELD_SIGN), owed=_signed_sum(OWED_SIGN))
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "compliance_preview": ""}
        state = self.get_object(request, object_id)
        if state is not None and permissions.can_handle_deposits(request.user):
            extra_context["compliance_preview"] = self._ledger_links(state)
        return super().change_view(request, object_id, form_url, extra_context)

    def _ledger_links(self, state) -> str:
        links = [
            (
                reverse("admin:merchants_depositentry_deduct", args=[state.merchant_id]),
                _("Record a deduction"),
            ),
            (
                reverse("admin:merchants_depositentry_refund", args=[state.merchant_id]),
                _("Record the refund"),
            ),
            (
                reverse("admin:merchants_depositentry_changelist")
                + f"?merchant__id__exact={state.merchant_id}",
                _("Ledger"),
            ),
        ]
        return format_html(
            '<ul class="object-tools compliance-tools">{}</ul>',
            format_html_join("", '<li><a href="{}" class="button">{}</a></li>', links),
        )

    @admin.display(description=_("merchant"), ordering="merchant__display_name")
    def merchant_name(self, state):
        return state.merchant.display_name or state.merchant.user.email

    @admin.display(description=_("standing"), ordering="status")
    def standing(self, state):
        return format_html('<span class="badge badge-{}">{}</span>', state.status, state.get_status_display())

    @admin.display(description=_("deposit held (CNY)"), ordering="held")
    def held_display(self, state):
        return _money(state.held)

    @admin.display(description=_("owed (CNY)"), ordering="owed")
    def owed_display(self, state):
        return _money(max(state.owed, ZERO))

    @admin.display(description=_("requirements"))
    def requirements_display(self, state):
        return requirements_block(state)

    @admin.display(description=_("restricted"))
    def restriction(self, state):
        return restriction_text(state)

    @admin.display(description=_("deposit held / owed"))
    def deposit_figures(self, state):
        held, owed = services.deposit_balance(state.merchant)
        return f"{_money(held)} / {_money(owed)}"

    @admin.display(description=_("deposit refund"))
    def refund_state(self, state):
        return services.refund_obstacle(state.merchant, state=state) or _("may be asked for")


@admin.register(CompliancePolicy)
class CompliancePolicyAdmin(SingletonAdminMixin, admin.ModelAdmin):
    """One row: finance sets the hold period and the days to pay."""

    fields = ("refund_hold_days", "deposit_payment_days", "updated_at")
    readonly_fields = ("updated_at",)
