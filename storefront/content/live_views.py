"""Live session pages: the merchant's "我的直播" (list, schedule, edit, cancel, go live, end)
and the provider's schedule of its belts (/provider/live/).

The provider page lives here, not in industrybelts, because it reads sessions (storefront
is above industrybelts, docs/layout.md); the provider workspace links to it by URL name.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError
from industrybelts import permissions as belt_permissions
from storefront.views import MerchantMixin

from . import live, live_selectors
from .live_forms import LiveSessionForm, initial_for
from .models import LiveSession, LiveStatus

PAGE_SIZE = 20


class LiveSessionListView(MerchantMixin, View):
    """我的直播: live and upcoming sessions first, then the past ones, paginated."""

    template_name = "storefront/content/live_list.html"

    def get(self, request):
        if self.merchant is None:
            current, past = [], Paginator([], PAGE_SIZE).get_page(1)
        else:
            current = list(live_selectors.own_sessions(self.merchant, which="current"))
            past = Paginator(live_selectors.own_sessions(self.merchant, which="past"), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
        context = {"current": current, "past": past, "can_sell": self.can_sell}
        return render(request, self.template_name, context)


class LiveSessionMixin(MerchantMixin):
    def session(self, public_id) -> LiveSession:
        session = (
            LiveSession.objects.select_related("merchant")
            .filter(public_id=public_id, merchant__user=self.request.user)
            .first()
        )
        if session is None:
            raise Http404
        return session


def _refusal_to_form(form, error: DomainError) -> None:
    """Put a refused rule beside the field it concerns (the start, the goods, …)."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


class LiveSessionEditView(LiveSessionMixin, View):
    """Schedule a session (no id) or change a scheduled one."""

    template_name = "storefront/content/live_form.html"

    def _context(self, form, session):
        return {"form": form, "session": session, "can_sell": self.can_sell}

    def get(self, request, public_id=None):
        session = self.session(public_id) if public_id else None
        if session is not None and session.status != LiveStatus.SCHEDULED:
            messages.error(request, str(live.NotEditable()))
            return redirect("live:merchant-sessions")
        form = LiveSessionForm(initial=initial_for(session) if session else None, merchant=self.merchant)
        return render(request, self.template_name, self._context(form, session))

    def post(self, request, public_id=None):
        session = self.session(public_id) if public_id else None
        form = LiveSessionForm(request.POST, request.FILES, merchant=self.merchant)
        if not form.is_valid():
            return render(request, self.template_name, self._context(form, session), status=400)
        try:
            if session is None:
                if self.merchant is None:
                    raise live.NotAllowedToSell()
                saved = live.live_session_schedule(
                    merchant=self.merchant, by=request.user, **form.session_data()
                )
            else:
                saved = live.live_session_update(session=session, by=request.user, **form.session_data())
        except PermissionDenied:
            raise Http404 from None
        except DomainError as error:
            _refusal_to_form(form, error)
            return render(request, self.template_name, self._context(form, session), status=error.http_status)
        messages.success(
            request,
            _("“%(title)s” is scheduled for %(start)s (Beijing time).")
            % {"title": saved.title, "start": live.beijing(saved.starts_at)},
        )
        return redirect("live:merchant-sessions")


class LiveSessionActionView(LiveSessionMixin, View):
    """Cancel, go live or end: a confirmation page (GET), then the move (POST)."""

    template_name = "storefront/content/live_confirm.html"
    action = ""

    def _texts(self):
        return {
            "cancel": (
                _("Cancel this live session?"),
                _("Cancel the session"),
                _("The session is cancelled."),
            ),
            "go-live": (_("Start the live session now?"), _("Go live"), _("You are live. Good luck!")),
            "end": (_("End the live session now?"), _("End the live session"), _("The session has ended.")),
        }[self.action]

    def get(self, request, public_id):
        session = self.session(public_id)
        question, button, _done = self._texts()
        context = {"session": session, "question": question, "button": button, "action": self.action}
        return render(request, self.template_name, context)

    def post(self, request, public_id):
        session = self.session(public_id)
        _question, _button, done = self._texts()
        try:
            if self.action == "cancel":
                live.live_session_cancel(session=session, by=request.user)
            elif self.action == "go-live":
                live.live_session_go_live(session=session, by=request.user)
            else:
                live.live_session_end(session=session, by=request.user)
        except PermissionDenied:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return redirect("live:merchant-sessions")


class ProviderLiveScheduleView(LoginRequiredMixin, TemplateView):
    """The schedule of the provider's belts: upcoming and live sessions of their merchants."""

    template_name = "storefront/content/live_provider_schedule.html"

    def get_context_data(self, **kwargs):
        role = belt_permissions.first_role(self.request.user)
        if role is None:
            raise Http404
        sessions = live_selectors.provider_schedule(self.request.user, provider=role.provider)
        page = Paginator(sessions, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "provider": role.provider, "page": page}
