"""Domain errors of the school (code + translatable message, see merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError, Forbidden


class ScheduleInPast(DomainError):
    code = "schedule_in_past"
    message = _("Choose a publishing time in the future.")


class NotAllowed(Forbidden):
    code = "not_allowed"
    message = _("You may not do this with this content.")


class ArticleIncomplete(DomainError):
    code = "article_incomplete"
    message = _("Write the text and choose a belt before submitting the article.")
