"""The merchant's pages after approval: requirements, renewals, categories, deposit, closing.

Thin: each view parses with a form, calls one service or selector of merchants.compliance,
and renders. A refused write (a ValidationError or a DomainError) is shown beside the
form with the merchant's input kept, and writes nothing: each service is one transaction.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError
from core.storage import private_file_response

from .. import selectors as merchant_selectors
from ..models import CompliancePolicy, DepositTransfer, DocumentKind
from . import permissions, selectors, services
from .forms import CategoryChooseForm, CategoryRequestForm, CloseForm, RenewForm, TransferForm


def add_errors(form, error) -> int:
    """Put a service's refusal beside the field it names, or above the form; return the
    status the page answers with (409 for a refusal of how things stand, else 400)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))
    return 409 if isinstance(error, DomainError) else 400


class MerchantOwnedMixin(LoginRequiredMixin):
    """Resolve the signed-in user's merchant profile; someone without one gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.merchant = merchant_selectors.merchant_profile_for(request.user)
            if self.merchant is None:
                raise Http404
            refused = self.check_merchant(request)
            if refused is not None:
                return refused
        return super().dispatch(request, *args, **kwargs)

    def check_merchant(self, request):
        """Return a response to send instead of the page, or None to go on."""
        return None


class ApprovedShopMixin(MerchantOwnedMixin):
    """Pages that write for an approved (or suspended) shop; others are sent to the overview."""

    def check_merchant(self, request):
        self.application = selectors.approved_application(self.merchant)
        if self.application is None:
            messages.info(request, str(services.NotApproved()))
            return redirect("merchants:compliance")
        return None

    def render_with_deposit(self, form, status, **context):
        """Render the page with its form beside the shop's deposit: held, and still owed."""
        held, owed = services.deposit_balance(self.merchant)
        context = {"form": form, "held": held, "owed": owed, **context}
        return render(self.request, self.template_name, context, status=status)


class ComplianceOverviewView(MerchantOwnedMixin, TemplateView):
    """What the shop owes now and later, its deposit ledger, and the ways to act on both."""

    template_name = "merchants/compliance/overview.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **selectors.overview(self.merchant)}


class DocumentRenewView(ApprovedShopMixin, View):
    """Upload a renewed, missing or refused document for one slot; a reviewer confirms it."""

    template_name = "merchants/compliance/document_renew.html"

    def _slot(self, slot_key):
        for slot in merchant_selectors.document_slots(self.application):
            if slot.key == slot_key:
                return slot
        raise Http404

    def get(self, request, slot_key):
        slot = self._slot(slot_key)
        return self._render(slot, RenewForm(allow_pdf=slot.allow_pdf))

    def post(self, request, slot_key):
        slot = self._slot(slot_key)
        form = RenewForm(request.POST, request.FILES, allow_pdf=slot.allow_pdf)
        if not form.is_valid():
            return self._render(slot, form, status=400)
        issued_on, valid_until = form.dates
        try:
            services.document_renew(
                merchant=self.merchant,
                by=request.user,
                kind=slot.kind,
                qualification=slot.qualification if slot.kind == DocumentKind.QUALIFICATION else None,
                upload=form.cleaned_data["upload"],
                checked=form.checked,
                issued_on=issued_on,
                valid_until=valid_until,
            )
        except (ValidationError, DomainError) as error:
            return self._render(slot, form, status=add_errors(form, error))
        messages.success(
            request,
            _("%(document)s is uploaded. A reviewer checks it, usually within one working day.")
            % {"document": slot.label},
        )
        return redirect("merchants:compliance")

    def _render(self, slot, form, status=200):
        context = {
            "slot": slot,
            "form": form,
            "current": slot.document,
            "pending": selectors.pending_document(self.application, slot.key),
            "today": timezone.localdate(),
        }
        return render(self.request, self.template_name, context, status=status)


class CategoryRequestView(ApprovedShopMixin, View):
    """Ask to sell in more categories: choose them, see the deposit, upload what they need."""

    template_name = "merchants/compliance/categories.html"

    def get(self, request):
        if "categories" not in request.GET:
            return self._choose(CategoryChooseForm(merchant=self.merchant))
        choose = CategoryChooseForm(request.GET, merchant=self.merchant)
        if not choose.is_valid():
            return self._choose(choose)
        categories = list(choose.cleaned_data["categories"])
        form = CategoryRequestForm(
            initial={"categories": categories},
            merchant=self.merchant,
            qualifications=services.qualifications_needed(self.merchant, categories),
        )
        return self._details(form, categories)

    def post(self, request):
        choose = CategoryChooseForm(request.POST, merchant=self.merchant)
        if not choose.is_valid():
            return self._choose(choose, status=400)
        categories = list(choose.cleaned_data["categories"])
        form = CategoryRequestForm(
            request.POST,
            request.FILES,
            merchant=self.merchant,
            qualifications=services.qualifications_needed(self.merchant, categories),
        )
        if not form.is_valid():
            return self._details(form, categories, status=400)
        try:
            services.category_request_submit(
                merchant=self.merchant, by=request.user, categories=categories, uploads=form.uploads
            )
        except (ValidationError, DomainError) as error:
            return self._details(form, categories, status=add_errors(form, error))
        messages.success(
            request, _("Your request is sent. A reviewer decides on it, usually within two working days.")
        )
        return redirect("merchants:compliance")

    def _context(self, **extra):
        return {
            "requests": selectors.category_requests(self.merchant),
            "current_categories": list(self.merchant.categories.all()),
            **extra,
        }

    def _choose(self, form, status=200):
        context = self._context(step=1, form=form)
        context["open_request"] = next((r for r in context["requests"] if r.status == "submitted"), None)
        return render(self.request, self.template_name, context, status=status)

    def _details(self, form, categories, status=200):
        before, after = services.deposit_after_adding(self.merchant, categories)
        context = self._context(
            step=2,
            form=form,
            chosen=categories,
            deposit_before=before,
            deposit_after=after,
            deposit_difference=max(after - before, 0),
        )
        return render(self.request, self.template_name, context, status=status)


class CategoryRequestWithdrawView(MerchantOwnedMixin, View):
    def post(self, request, public_id):
        category_request = self.merchant.category_requests.filter(public_id=public_id).first()
        if category_request is None:
            raise Http404
        try:
            services.category_request_withdraw(request=category_request, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your request to add categories is withdrawn."))
        return redirect("merchants:compliance-categories")


class DepositTransferView(ApprovedShopMixin, View):
    """Report a bank transfer of the deposit, with the platform's account to pay into."""

    template_name = "merchants/compliance/deposit_transfer.html"

    def get(self, request):
        _held, owed = services.deposit_balance(self.merchant)
        form = TransferForm(initial={"amount": owed} if owed > 0 else None)
        return self._render(form)

    def post(self, request):
        form = TransferForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.deposit_transfer_submit(
                merchant=self.merchant,
                by=request.user,
                amount=form.cleaned_data["amount"],
                payer_name=form.cleaned_data["payer_name"],
                bank_reference=form.cleaned_data["bank_reference"],
                upload=form.cleaned_data["receipt"],
                checked=form.checked,
            )
        except (ValidationError, DomainError) as error:
            return self._render(form, status=add_errors(form, error))
        messages.success(request, _("Your transfer is reported. Finance confirms it once the money arrives."))
        return redirect("merchants:compliance")

    def _render(self, form, status=200):
        return self.render_with_deposit(
            form,
            status,
            bank_account=settings.DEPOSIT_BANK_ACCOUNT,
            transfers=selectors.transfers(self.merchant),
        )


class ReceiptFileView(View):
    """A transfer's receipt, to its merchant and finance; the same 404 to anyone else."""

    def get(self, request, public_id):
        transfer = DepositTransfer.objects.select_related("merchant").filter(public_id=public_id).first()
        if (
            transfer is None
            or not permissions.can_view_receipt(request.user, transfer)
            or not transfer.receipt
        ):
            raise Http404
        return private_file_response(transfer.receipt, content_type=transfer.content_type)


class RefundRequestView(MerchantOwnedMixin, View):
    def post(self, request):
        try:
            services.deposit_refund_request(merchant=self.merchant, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Your refund request is sent. Finance transfers the deposit back to you.")
            )
        return redirect("merchants:compliance")


class ShopCloseView(ApprovedShopMixin, View):
    """Close the shop (退店), after a page saying what that does."""

    template_name = "merchants/compliance/close.html"

    def get(self, request):
        return self._render(CloseForm())

    def post(self, request):
        form = CloseForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.shop_close(merchant=self.merchant, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, DomainError) as error:
            return self._render(form, status=add_errors(form, error))
        messages.success(request, _("Your shop is closed. Your goods are offline."))
        return redirect("merchants:compliance")

    def _render(self, form, status=200):
        return self.render_with_deposit(
            form, status, refund_hold_days=CompliancePolicy.current().refund_hold_days
        )
