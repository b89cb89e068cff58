"""Public belt pages, joining a belt, invitation links, and the provider workspace (/provider/)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import fragments
from core.api.scopes import PROVIDER_SCOPES
from core.exceptions import DomainError
from merchants import selectors as merchant_selectors
from merchants.api_tokens import ApiTokenListView
from merchants.models import ApiToken

from . import permissions, selectors, services
from .forms import (
    MemberInviteForm,
    MembershipApplyForm,
    MerchantInvitationForm,
    PreReviewForm,
    ProviderApplicationForm,
)
from .models import MemberInvitation, MembershipStatus, MerchantInvitation
from .receivers import INVITATION_SESSION_KEY

MEMBERS_PER_PAGE = 24


class BeltListView(TemplateView):
    template_name = "industrybelts/belt_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "belts": selectors.public_belts()}


# A belt page's cached parts hold reference data too (region, category and shop names):
# a renamed one shows within this many seconds. What else they show is in their key.
BELT_PAGE_TTL = 10 * 60


class BeltDetailView(TemplateView):
    """A belt's public page; the goods above it add their sections (selectors.belt_page_sections).

    The meta line, the bases and providers and each page of members are the same for every
    visitor, so they are cached by what they show (selectors.belt_page_version): a hit
    is one query: the belt's row with the change times of what the parts show. The strip (it moves on every
    render), the apply button (per viewer) and the share link stay per request.
    """

    template_name = "industrybelts/belt_detail.html"

    def get_context_data(self, slug, **kwargs):
        belt = selectors.belt_for_cached_page(slug)
        if belt is None:
            raise Http404
        number = _page_number(self.request.GET.get("page"), belt.member_count)
        key = (
            fragments.fragment_key("belt-page", get_language(), belt.pk, number)
            if settings.CATALOG_FRAGMENT_TTL
            else None
        )
        body = fragments.cached(
            key, selectors.belt_page_version(belt), lambda: _belt_body(belt, number), timeout=BELT_PAGE_TTL
        )
        return {
            **super().get_context_data(**kwargs),
            "belt": belt,
            "body": {part: mark_safe(html) for part, html in body.items()},  # noqa: S308 (our templates)
            "share_url": self.request.build_absolute_uri(),
            # An invitation-only belt offers "apply" only to a seller holding its invitation.
            "can_apply": not belt.requires_invitation
            or (
                self.request.user.is_authenticated
                and selectors.open_invitation_for(self.request.user, belt) is not None
            ),
            **selectors.belt_page_context(belt),
        }


def _page_number(value, member_count: int) -> int:
    """The members' page a `?page=` asks for, as the paginator reads it (first for junk,
    last past the end), so that junk takes no cache entry of its own."""
    last = max(1, -(-member_count // MEMBERS_PER_PAGE))
    if value == "last":
        return last
    try:
        return min(max(int(value), 1), last)
    except (TypeError, ValueError):
        return 1


def _belt_body(belt, number: int) -> dict:
    members = Paginator(selectors.belt_members(belt), MEMBERS_PER_PAGE).get_page(number)
    context = {
        "belt": belt,
        "bases": selectors.belt_bases(belt),
        "providers": selectors.belt_providers(belt),
        "members": members,
    }
    return {
        part: render_to_string(f"industrybelts/partials/belt_{part}.html", context)
        for part in ("meta", "sections", "members")
    }


class MembershipApplyView(LoginRequiredMixin, View):
    template_name = "industrybelts/membership_form.html"

    def _context(self, request, slug):
        belt = selectors.belt_for_page(slug)
        if belt is None:
            raise Http404
        merchant = merchant_selectors.merchant_profile_for(request.user)
        invitation = selectors.open_invitation_for(request.user, belt) or selectors.open_invitation_for(
            request.user
        )
        reasons = (
            services.membership_eligibility(merchant=merchant, belt=belt, invitation=invitation)
            if merchant
            else [_("Your shop must be approved (and not suspended) first.")]
        )
        return belt, merchant, invitation, reasons

    def get(self, request, slug):
        belt, _merchant, invitation, reasons = self._context(request, slug)
        form = MembershipApplyForm(belt=belt)
        return render(
            request,
            self.template_name,
            {"belt": belt, "form": form, "reasons": reasons, "invitation": invitation},
        )

    def post(self, request, slug):
        belt, merchant, invitation, reasons = self._context(request, slug)
        form = MembershipApplyForm(request.POST, belt=belt)
        context = {"belt": belt, "form": form, "reasons": reasons, "invitation": invitation}
        if merchant is None or not form.is_valid():
            return render(request, self.template_name, context, status=400)
        try:
            services.membership_apply(
                merchant=merchant,
                belt=belt,
                base=form.cleaned_data["base"],
                by=request.user,
                invitation=invitation,
            )
        except DomainError as error:
            form.add_error(None, str(error))
            return render(request, self.template_name, context, status=409)
        messages.success(
            request, _("Your application to the belt is sent. Its service provider reviews it first.")
        )
        return redirect("merchants:dashboard")


class InvitationLandingView(View):
    """A provider's invitation link: shown to anyone, claimed by sign-up or by a signed-in seller."""

    template_name = "industrybelts/invitation.html"

    def _invitation(self, code):
        return (
            MerchantInvitation.objects.select_related("belt", "provider")
            .filter(code_digest=MerchantInvitation.digest(code))
            .first()
        )

    def get(self, request, code):
        invitation = self._invitation(code)
        problem = self._problem(invitation, request.user)
        if invitation is not None and problem is None and not request.user.is_authenticated:
            request.session[INVITATION_SESSION_KEY] = code
        return render(
            request,
            self.template_name,
            {"invitation": invitation, "problem": problem, "code": code},
            status=404 if invitation is None else 200,
        )

    def post(self, request, code):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_signup')}")
        try:
            invitation = services.merchant_invitation_claim(code=code, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("industrybelts:invitation", code=code)
        return redirect("industrybelts:belt-apply", slug=invitation.belt.slug)

    @staticmethod
    def _problem(invitation, user):
        if invitation is None:
            return _("This invitation link does not exist.")
        if invitation.accepted_by_id is not None and invitation.accepted_by_id != getattr(user, "pk", None):
            return _("This invitation link has already been used.")
        if not invitation.is_open and invitation.accepted_by_id is None:
            return _("This invitation link has expired. Ask for a new one.")
        return None


# --- The provider workspace -------------------------------------------------------------


class ProviderMixin(LoginRequiredMixin):
    """Resolve the provider the user works for (its first approved provider)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.role = permissions.first_role(request.user)
        return super().dispatch(request, *args, **kwargs)

    def served_belt(self, slug):
        if self.role is None:
            raise Http404
        workspace = {
            entry.belt.slug: entry.belt
            for entry in selectors.provider_workspace(self.request.user, self.role.provider)
        }
        if slug not in workspace:
            raise Http404
        return workspace[slug]


class ProviderDashboardView(ProviderMixin, TemplateView):
    template_name = "industrybelts/provider_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.role is None:
            pending = permissions.member_roles(self.request.user).exists()
            return {**context, "role": None, "pending": pending}
        provider = self.role.provider
        return {
            **context,
            "role": self.role,
            "provider": provider,
            "workspace": selectors.provider_workspace(self.request.user, provider),
            "members": provider.members.select_related("user"),
            "invite_form": MerchantInvitationForm(),
            "member_form": MemberInviteForm(),
            "can_manage_team": permissions.can_manage_team(self.request.user, provider),
        }


class ProviderApplyView(LoginRequiredMixin, View):
    template_name = "industrybelts/provider_application_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ProviderApplicationForm()})

    def post(self, request):
        form = ProviderApplicationForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            services.provider_apply(
                user=request.user,
                **{
                    k: form.cleaned_data[k]
                    for k in ("name", "uscc", "region", "team_size", "track_record", "belt")
                },
            )
        except DomainError as error:
            form.add_error("uscc", str(error))
            return render(request, self.template_name, {"form": form}, status=409)
        messages.success(request, _("Your application is sent. Belt operations staff will contact you."))
        return redirect("industrybelts:provider-dashboard")


class ProviderBeltView(ProviderMixin, TemplateView):
    template_name = "industrybelts/provider_belt.html"

    def get_context_data(self, slug, **kwargs):
        belt = self.served_belt(slug)
        status = self.request.GET.get("status") or ""
        if status not in MembershipStatus.values:
            status = ""
        memberships = selectors.provider_belt_memberships(self.request.user, belt, status=status or None)
        page = Paginator(memberships, 25).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "belt": belt,
            "page": page,
            "status": status,
            "statuses": MembershipStatus.choices,
            "review_form": PreReviewForm(),
            "figures": selectors.belt_figures(provider=self.role.provider, belt=belt),
        }


class MembershipPreReviewView(ProviderMixin, View):
    """One applicant, with what the provider decides on (shop, goods, documents), and the decision.

    The belt page's quick form posts here too; only this page's forms ask to land on the
    next applicant waiting (`then=next`), as staff land on the next in their queue.
    """

    template_name = "industrybelts/membership_pre_review.html"

    def _membership(self, request, public_id):
        membership = (
            selectors.membership_for_pre_review(request.user, public_id) if self.role is not None else None
        )
        if membership is None:
            raise Http404
        return membership

    def _render(self, request, membership, form, status=200):
        context = {
            "membership": membership,
            "form": form,
            "open_decision": form.data.get("decision") if form.is_bound else None,
            **selectors.applicant_context(request.user, membership),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, public_id):
        membership = self._membership(request, public_id)
        return self._render(request, membership, PreReviewForm())

    def post(self, request, public_id):
        membership = self._membership(request, public_id)
        form = PreReviewForm(request.POST)
        if not form.is_valid():
            return self._render(request, membership, form, status=400)
        reason = form.reason_for_merchant()
        try:
            if form.cleaned_data["decision"] == "approve":
                services.membership_pre_approve(membership=membership, by=request.user, reason=reason)
                messages.success(
                    request, _("Recommended to staff: %(merchant)s.") % {"merchant": membership.merchant}
                )
            else:
                services.membership_pre_reject(membership=membership, by=request.user, reason=reason)
                messages.success(request, _("Declined: %(merchant)s.") % {"merchant": membership.merchant})
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("industrybelts:membership-pre-review", public_id=membership.public_id)
        following = (
            selectors.next_applicant(request.user, membership) if request.POST.get("then") == "next" else None
        )
        if following is not None:
            return redirect("industrybelts:membership-pre-review", public_id=following.public_id)
        return redirect("industrybelts:provider-belt", slug=membership.belt.slug)


class MerchantInvitationCreateView(ProviderMixin, View):
    def post(self, request, slug):
        belt = self.served_belt(slug)
        form = MerchantInvitationForm(request.POST)
        if form.is_valid():
            _invitation, code = services.merchant_invitation_create(
                provider=self.role.provider, belt=belt, by=request.user, note=form.cleaned_data["note"]
            )
            link = request.build_absolute_uri(reverse("industrybelts:invitation", args=[code]))
            # Shown in this answer only (the portal keeps a digest of the code): merchants
            # pass it on in chat apps, as a link to copy or a code to scan.
            qr = segno.make(link, error="m").svg_inline(scale=4, title=str(_("Invitation link")))
            return render(
                request,
                "industrybelts/invitation_created.html",
                {"belt": belt, "link": link, "qr_svg": mark_safe(qr), "note": form.cleaned_data["note"]},  # noqa: S308 (segno's own SVG)
            )
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("industrybelts:provider-dashboard")


class MemberInviteView(ProviderMixin, View):
    def post(self, request):
        if self.role is None or not permissions.can_manage_team(request.user, self.role.provider):
            raise Http404
        form = MemberInviteForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            services.member_invite(provider=self.role.provider, by=request.user, **form.cleaned_data)
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
        return redirect("industrybelts:provider-dashboard")


class MemberJoinView(LoginRequiredMixin, View):
    template_name = "industrybelts/member_join.html"

    def get(self, request, code):
        invitation = (
            MemberInvitation.objects.select_related("provider")
            .filter(code_digest=MemberInvitation.digest(code))
            .first()
        )
        return render(
            request, self.template_name, {"invitation": invitation}, status=404 if invitation is None else 200
        )

    def post(self, request, code):
        try:
            services.member_invitation_accept(code=code, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("industrybelts:member-join", code=code)
        messages.success(request, _("You have joined the team."))
        return redirect("industrybelts:provider-dashboard")


class ProviderApiTokenListView(ApiTokenListView):
    scopes = PROVIDER_SCOPES

    def acting_for(self, request):
        role = permissions.first_role(request.user)
        if role is None or not permissions.can_manage_team(request.user, role.provider):
            raise Http404
        return role.provider

    def tokens(self, request, provider):
        return ApiToken.objects.filter(provider=provider)
