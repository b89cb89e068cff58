"""Domain errors of the school (code + translatable message, see merchants.exceptions)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError, Forbidden

ScheduleInPast = DomainError.define(
    "ScheduleInPast", "schedule_in_past", _("Choose a publishing time in the future.")
)
NotAllowed = Forbidden.define("NotAllowed", "not_allowed", _("You may not do this with this content."))
ArticleIncomplete = DomainError.define(
    "ArticleIncomplete",
    "article_incomplete",
    _("Write the text and choose a belt before submitting the article."),
)
