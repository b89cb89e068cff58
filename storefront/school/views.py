"""Pages of the school: public reading, progress for signed-in readers, provider authoring.

Thin, as everywhere: parse, ask the selectors and permissions, call a service, render.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError
from industrybelts import permissions as belt_permissions
from merchants.models import SellerType
from storefront import fragments

from . import permissions, selectors, services
from .forms import ProviderArticleForm, SchoolFilterForm
from .models import Level, SchoolItem, SchoolStatus
from .workflows import PROVIDER_EDITABLE

PAGE_SIZE = 24


class SchoolHomeView(TemplateView):
    """By level and audience: three shelves, or one paginated level when a level is chosen."""

    template_name = "storefront/school/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = SchoolFilterForm(self.request.GET).values()
        audience, level, tag = filters["audience"], filters["level"], filters["tag"]
        context.update(
            audience=audience,
            level=level,
            tag=tag,
            levels=Level.choices,
            audiences=SellerType.choices,
            resume=selectors.Learning(courses=selectors.learning_of(self.request.user)).resume,
        )
        if level or tag:
            items = selectors.top_level_items(audience=audience, level=level, tag=tag)
            context["page"] = Paginator(items, PAGE_SIZE).get_page(self.request.GET.get("page"))
        else:
            context["sections"] = selectors.home_sections(audience=audience)
        return context


class SchoolSearchView(TemplateView):
    template_name = "storefront/school/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(SchoolFilterForm(self.request.GET).values()["q"].split())
        page = None
        if query:
            page = Paginator(selectors.search_items(query), PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {**context, "query": query, "page": page}


class SchoolItemView(TemplateView):
    """A course or manual (intro and table of contents) or a method article."""

    template_name = "storefront/school/item_detail.html"

    def get(self, request, *args, **kwargs):
        self.item = selectors.item_for_page(request.user, kwargs["slug"])
        if self.item is None:
            raise Http404
        if self.item.is_part:
            return redirect(
                "school:part", container=self.item.parent.slug, slug=self.item.slug, permanent=True
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.item
        context["item"] = item
        if item.is_container:
            parts = selectors.parts_of(self.request.user, item)
            done = selectors.completed_lesson_ids(self.request.user, [item.pk])
            context.update(
                parts=parts,
                done_ids=done,
                done_count=sum(1 for part in parts if part.pk in done),
                first_unread=next((part for part in parts if part.pk not in done), None),
            )
        else:
            context["related"] = selectors.related_items(item)
        return context


# A visitor's lesson holds reference data too (belt names, choice labels): a renamed one
# shows within this many seconds. The school's own content is in its key.
LESSON_PAGE_TTL = 10 * 60


class SchoolPartView(TemplateView):
    """A lesson or chapter, with previous / next, progress and related content."""

    template_name = "storefront/school/part_detail.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated and settings.CATALOG_FRAGMENT_TTL:
            return self._visitor_page(request, kwargs["container"], kwargs["slug"])
        self.item = selectors.part_for_page(request.user, kwargs["container"], kwargs["slug"])
        if self.item is None:
            raise Http404
        if self.item.status == SchoolStatus.PUBLISHED:
            services.lesson_mark_read(user=request.user, lesson=self.item)
        return super().get(request, *args, **kwargs)

    def _visitor_page(self, request, container: str, slug: str):
        """A visitor's lesson: the same for every visitor (no progress, nothing to mark), so
        its body is cached under the state of the school's content (selectors.school_version):
        a hit is one aggregate query."""
        key = fragments.fragment_key("school-part", get_language(), container, slug)

        def build():
            item = selectors.part_for_page(request.user, container, slug)
            if item is None:
                return fragments.Uncacheable(None)  # made-up addresses take no entry
            self.item = item
            context = {**self.get_context_data(), "user": request.user}
            return {
                "title": context["title"],
                "body": render_to_string("storefront/school/partials/part_body.html", context),
            }

        page = fragments.cached(key, selectors.school_version(), build, timeout=LESSON_PAGE_TTL)
        if page is None:
            raise Http404
        return render(
            request,
            self.template_name,
            {"title": page["title"], "body": mark_safe(page["body"])},  # noqa: S308 (our template)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.item
        parts = selectors.parts_of(self.request.user, item.parent)
        done = selectors.completed_lesson_ids(self.request.user, [item.parent_id])
        previous, following = selectors.neighbours(parts, item)
        return {
            **context,
            "title": f"{item.title} · {item.parent.title}",
            "item": item,
            "container": item.parent,
            "parts": parts,
            "done_ids": done,
            "done_count": sum(1 for part in parts if part.pk in done),
            "previous": previous,
            "next": following,
            "related": selectors.related_items(item),
        }


class LessonDoneView(LoginRequiredMixin, View):
    """Mark a lesson done: sent by htmx when the reader reaches the end, or by the button."""

    def post(self, request, container, slug):
        item = selectors.part_for_page(request.user, container, slug)
        if item is None or item.status != SchoolStatus.PUBLISHED:
            raise Http404
        services.lesson_mark_read(user=request.user, lesson=item, done=True)
        if request.htmx:
            return render(
                request, "storefront/school/partials/lesson_done.html", {"item": item, "done": True}
            )
        parts = selectors.parts_of(request.user, item.parent)
        _previous, following = selectors.neighbours(parts, item)
        messages.success(request, _("Lesson marked as done."))
        if following is not None:
            return redirect("school:part", container=container, slug=following.slug)
        return redirect("school:item", slug=container)


# --- Provider articles (in the provider workspace) ---------------------------------------


class ProviderArticleMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # New articles are written for the provider the workspace acts for; a member of
        # several providers still edits each one's articles (articles_of_my_providers).
        self.role = belt_permissions.first_role(request.user)
        if self.role is None:
            raise Http404
        self.provider = self.role.provider
        return super().dispatch(request, *args, **kwargs)

    def article(self, slug) -> SchoolItem:
        """An article of any provider the user works for (404 for everyone else's)."""
        article = permissions.articles_of_my_providers(self.request.user).filter(slug=slug).first()
        if article is None:
            raise Http404
        return article


class ProviderArticleListView(ProviderArticleMixin, TemplateView):
    template_name = "storefront/school/provider_article_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = (
            permissions.articles_of_my_providers(self.request.user)
            .select_related("belt")
            .only("slug", "title", "status", "updated_at", "published_at", "belt__name", "belt__name_en")
            .order_by("-updated_at")
        )
        return {
            **context,
            "provider": self.provider,
            "page": Paginator(articles, PAGE_SIZE).get_page(self.request.GET.get("page")),
            "editable": PROVIDER_EDITABLE,
        }


class ProviderArticleEditView(ProviderArticleMixin, View):
    template_name = "storefront/school/provider_article_form.html"

    def _context(self, form, article):
        return {
            "form": form,
            "article": article,
            "provider": self.provider,
            "history": article.events.select_related("actor") if article else [],
        }

    def _editable(self, request, slug):
        """Return (article or None, refusal response or None) for the article at `slug`."""
        article = self.article(slug) if slug else None
        if article is not None and not permissions.can_edit_provider_article(request.user, article):
            messages.info(
                request,
                _("This article is with the editors; it can be edited again if they ask for changes."),
            )
            return article, redirect("school:provider-articles")
        return article, None

    def _provider(self, article):
        """The provider the article is written for: its own, or the writer's for a new one."""
        return article.provider if article else self.provider

    def _form(self, request, article, *data):
        belt_ids = permissions.article_belt_ids(request.user, self._provider(article))
        return ProviderArticleForm(*data, instance=article, belt_ids=belt_ids)

    def get(self, request, slug=None):
        article, refusal = self._editable(request, slug)
        if refusal:
            return refusal
        form = self._form(request, article)
        return render(request, self.template_name, self._context(form, article))

    def post(self, request, slug=None):
        article, refusal = self._editable(request, slug)
        if refusal:
            return refusal
        form = self._form(request, article, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = services.provider_article_save(
                    item=form.instance, provider=self._provider(article), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            except DomainError as error:
                messages.error(request, str(error))
                return redirect("school:provider-articles")
            else:
                if "submit" in request.POST:
                    return self._submit(request, saved)
                messages.success(request, _("Draft saved."))
                return redirect("school:provider-article-edit", slug=saved.slug)
        return render(request, self.template_name, self._context(form, article), status=400)

    def _submit(self, request, article):
        try:
            services.provider_article_submit(item=article, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("school:provider-article-edit", slug=article.slug)
        messages.success(request, _("Article submitted: the editors will review it."))
        return redirect("school:provider-articles")


class ProviderArticleWithdrawView(ProviderArticleMixin, View):
    def post(self, request, slug):
        article = self.article(slug)
        try:
            services.provider_article_withdraw(item=article, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Article withdrawn: it is a draft again."))
        return redirect("school:provider-articles")


class ProviderArticlePreviewView(ProviderArticleMixin, View):
    """The article as readers will see it (any status): for the provider's own check."""

    def get(self, request, slug):
        article = self.article(slug)
        return render(
            request, "storefront/school/item_detail.html", {"item": article, "related": [], "preview": True}
        )
