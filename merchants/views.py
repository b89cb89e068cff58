"""Merchant pages: the dashboard, the onboarding wizard and private document downloads.

Views stay thin: they parse with forms, call services and selectors, and turn domain
errors into messages beside the form. Object access goes through permissions.py.
"""

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import fragments
from core.exceptions import DomainError, InvalidTransition
from core.storage import private_file_response

from . import selectors, services
from .exceptions import ApplicationIncomplete, DuplicateIdentity
from .forms import CHANGE_REQUEST_FIELDS, ChannelsForm, DepositForm, DocumentsForm, EntityForm, SubmitForm
from .models import ApplicationStatus


def _joined(items) -> str:
    return pgettext("list separator", ", ").join(str(item) for item in items)


# A dashboard's body is current by its version; this bounds what changes without one
# (a belt's or course's name) and what an idle merchant's entry holds on to.
DASHBOARD_TTL = 10 * 60

STEP_KEYS = ["entity", "documents", "channels", "deposit", "review"]
# Which parts a changes-requested decision may name appear on which step.
STEP_FIELDS = {
    "entity": {"entity", "id_number", "uscc"},
    "documents": {"documents"},
    "channels": {"channels"},
}

NEXT_STEPS = {
    ApplicationStatus.DRAFT: gettext_lazy("Complete the steps of your application and submit it."),
    ApplicationStatus.SUBMITTED: gettext_lazy(
        "Your application is waiting for a reviewer; nothing to do for now."
    ),
    ApplicationStatus.IN_REVIEW: gettext_lazy(
        "A reviewer is looking at your application; nothing to do for now."
    ),
    ApplicationStatus.CHANGES_REQUESTED: gettext_lazy("Fix what the reviewer asks below, then submit again."),
    ApplicationStatus.APPROVED: gettext_lazy(
        "Your shop is approved: join an industry belt and list your goods."
    ),
    ApplicationStatus.REJECTED: gettext_lazy("Your application was not approved. You can start a new one."),
    ApplicationStatus.SUSPENDED: gettext_lazy(
        "Your shop is suspended. Contact support to resolve the reason below."
    ),
    ApplicationStatus.CLOSED: gettext_lazy(
        "Your shop is closed. Your deposit refund and history are on the compliance page."
    ),
}


def _change_request_context(application):
    event = selectors.latest_change_request(application)
    if event is None:
        return {"change_request": None, "flagged": set()}
    flagged = set(event.details.get("fields", []))
    labels = [str(label) for key, label in CHANGE_REQUEST_FIELDS if key in flagged]
    flagged_steps = [step for step, fields in STEP_FIELDS.items() if fields & flagged]
    return {
        "change_request": event,
        "flagged": flagged,
        "flagged_labels": labels,
        "flagged_steps": flagged_steps,
        # "Fix my application" opens the first step the reviewer flagged.
        "fix_step": flagged_steps[0] if flagged_steps else "entity",
        # Form fields to highlight: the flagged ones by name ("entity" and "documents" flag a whole step).
        "flagged_fields": flagged - set(STEP_FIELDS),
    }


class MerchantDashboardView(LoginRequiredMixin, TemplateView):
    """The merchant's home. Its body is cached whole per merchant while it holds no form
    (an application under review, an approved, suspended or closed shop: the dashboard
    a seller opens every day), under `selectors.dashboard_version`: a visit reads the
    application and that version, and renders only the header around the stored body
    (docs/performance.md, change 32). A draft, a change request or a rejection shows a
    form, whose CSRF token is the request's own: drawn every time."""

    template_name = "merchants/dashboard.html"
    body_template = "merchants/partials/dashboard_body.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = selectors.current_application(self.request.user, details=False)
        context["dashboard_body"] = self.body(application)
        return context

    def body(self, application) -> str:
        def draw() -> str:
            return render_to_string(self.body_template, self.body_context(application), request=self.request)

        if application is None or application.is_editable or application.status == ApplicationStatus.REJECTED:
            return mark_safe(draw())  # noqa: S308 (our template)
        key = fragments.fragment_key(
            "merchant-dashboard",
            get_language(),
            timezone.get_current_timezone_name(),
            application.merchant_id,
        )
        version = selectors.dashboard_version(application)
        return mark_safe(fragments.cached(key, version, draw, timeout=DASHBOARD_TTL))  # noqa: S308 (our template)

    def body_context(self, application) -> dict:
        # The wizard's documents and categories are read only while the application is
        # editable (the steps checklist); an approved shop's dashboard never shows them.
        if application is not None and application.is_editable:
            selectors.load_application_details(application)
        merchant = application.merchant if application else selectors.merchant_profile_for(self.request.user)
        context = {"merchant": merchant, "application": application}
        context.update(
            selectors.dashboard_context(self.request.user, merchant=merchant, application=application)
        )
        if application is not None:
            context.update(
                steps=selectors.wizard_steps(application) if application.is_editable else [],
                history=selectors.application_history(application),
                next_step=NEXT_STEPS[application.status],
                can_start_new=application.status == ApplicationStatus.REJECTED,
                **_change_request_context(application),
            )
        return context


class ApplicationStartView(LoginRequiredMixin, View):
    """Open (or resume) the merchant's application and go to its first step."""

    def post(self, request):
        merchant = services.merchant_profile_ensure(user=request.user)
        services.application_start(merchant=merchant)
        return redirect("merchants:application-step", step="entity")


class ApplicationStepView(LoginRequiredMixin, View):
    template_name = "merchants/application_form.html"

    def dispatch(self, request, *args, step=None, **kwargs):
        if step not in STEP_KEYS:
            raise Http404
        self.step = step
        return super().dispatch(request, *args, step=step, **kwargs)

    def _application(self):
        return selectors.current_application(self.request.user)

    def get(self, request, step):
        application = self._application()
        if application is None:
            return redirect("merchants:dashboard")
        if not application.is_editable and step != "review":
            return redirect("merchants:application-step", step="review")
        return self._render(application, self._form(application))

    def post(self, request, step):
        application = self._application()
        if application is None:
            return redirect("merchants:dashboard")
        form = self._form(application, data=request.POST, files=request.FILES)
        if step == "entity" and "_refresh" in request.POST:
            form.errors.clear()
            return self._render(application, form)
        if not form.is_valid():
            return self._render(application, form, status=400)
        if step == "entity" and application.is_editable and self._refuse_numbers_in_use(application, form):
            return self._render(application, form, status=409)
        try:
            self._save(application, form)
        except InvalidTransition:
            messages.info(request, _("Your application was already submitted; here is where it stands."))
            return redirect("merchants:dashboard")
        except ApplicationIncomplete as error:
            fresh = self._application()
            form.add_error(
                None, _("Complete these steps first: %(steps)s.") % {"steps": _joined(error.missing)}
            )
            documents = selectors.missing_documents(fresh)
            if documents:
                form.add_error(None, _("Still missing: %(documents)s.") % {"documents": _joined(documents)})
            return self._render(fresh, form, status=400)
        except DomainError as error:
            form.add_error(None, str(error))
            return self._render(application, form, status=409)
        if step == "review":
            messages.success(request, _("Your application is submitted. We will e-mail you the decision."))
            return redirect("merchants:dashboard")
        messages.success(request, _("Saved."))
        if step == "documents":
            documents = selectors.missing_documents(self._application())
            if documents:
                messages.warning(
                    request, _("Still missing: %(documents)s.") % {"documents": _joined(documents)}
                )
        return redirect("merchants:application-step", step=STEP_KEYS[STEP_KEYS.index(step) + 1])

    def _refuse_numbers_in_use(self, application, form) -> bool:
        """Refuse on this step a number the submit would refuse, on the field that carries it."""
        data = form.entity_data()
        in_use = services.identity_numbers_in_use(
            merchant=application.merchant,
            entity_type=data["entity_type"],
            uscc=data["uscc"],
            id_number=data["id_number"],
        )
        for field in in_use:
            form.add_error(field, str(DuplicateIdentity()))
        return bool(in_use)

    def _form(self, application, data=None, files=None):
        region_url = reverse("merchants:region-options")
        if self.step == "entity":
            initial = EntityForm.initial_for(application)
            return EntityForm(data, initial=initial, region_url=region_url)
        if self.step == "documents":
            return DocumentsForm(data, files, slots=selectors.document_slots(application))
        if self.step == "channels":
            return ChannelsForm(data, initial=ChannelsForm.initial_for(application.merchant))
        if self.step == "deposit":
            return DepositForm(data, initial={"acknowledged": selectors.deposit_acknowledged(application)})
        return SubmitForm(data)

    def _save(self, application, form):
        user = self.request.user
        if self.step == "entity":
            services.application_update_entity(
                application=application,
                by=user,
                entity=form.entity_data(),
                profile=form.profile_data(),
                categories=form.cleaned_data["categories"],
            )
        elif self.step == "documents":
            services.application_upload_documents(application=application, by=user, uploads=form.uploads())
        elif self.step == "channels":
            services.application_set_channels(
                application=application, by=user, channels=form.cleaned_data["channels"]
            )
        elif self.step == "deposit":
            services.application_acknowledge_deposit(application=application, by=user)
        else:
            services.application_submit(application=application, by=user)

    def _render(self, application, form, status=200):
        deposit, deposit_categories = selectors.deposit_breakdown(application.merchant)
        change_request = _change_request_context(application)
        context = {
            "application": application,
            "form": form,
            "step": self.step,
            "steps": selectors.wizard_steps(application),
            "slots": selectors.document_slots(application),
            "deposit": deposit,
            "deposit_categories": deposit_categories,
            "missing": selectors.missing_for_submit(application),
            "missing_documents": selectors.missing_documents(application),
            "step_flagged": bool(change_request["flagged"] & STEP_FIELDS.get(self.step, set())),
            # The whole step was flagged ("documents", "channels", "entity"): highlight every field.
            "highlight_all": self.step in change_request["flagged"],
            **change_request,
        }
        return render(self.request, self.template_name, context, status=status)


class RegionOptionsView(LoginRequiredMixin, View):
    """Return the <option>s of the next select in the region cascade (htmx)."""

    def get(self, request):
        parent = request.GET.get("city") or request.GET.get("province") or ""
        if not (parent.isdigit() and len(parent) == 6):
            parent = ""
        regions = selectors.region_children(parent) if parent else []
        return render(
            request,
            "merchants/partials/region_options.html",
            {"regions": regions, "clear_county": "province" in request.GET and "city" not in request.GET},
        )


class DocumentFileView(View):
    """Serve a private document (or its thumbnail) to those permissions.py allows; 404 to anyone else.

    Anonymous visitors get the same 404 as everyone else not allowed, not a log-in
    redirect: a document's address says nothing about whether it exists.
    """

    thumbnail = False

    def get(self, request, public_id):
        document = selectors.document_for_viewer(viewer=request.user, public_id=public_id)
        if document is None:
            raise Http404
        field = document.thumbnail if self.thumbnail else document.file
        if not field:
            raise Http404
        content_type = "image/webp" if self.thumbnail else document.content_type
        return private_file_response(field, content_type=content_type)


class AccountLoginView(allauth_views.LoginView):
    """allauth's log-in, answering 429 (not 200) while the attempts are blocked.

    The page still shows the form with the reason and the way to lift an account's
    lock at once (a password reset by e-mail, see receivers.py).
    """

    def form_invalid(self, form):
        response = super().form_invalid(form)
        errors = form.errors.as_data().get(NON_FIELD_ERRORS, [])
        if any(error.code == "too_many_login_attempts" for error in errors):
            response.status_code = 429
        return response
