"""Append-only audit rows of the school items' status moves (review, scheduling, publishing)."""

from django.utils.translation import gettext_lazy as _

from core.transitions import TransitionEvent, event_subject


class SchoolEvent(TransitionEvent):
    item = event_subject("storefront.SchoolItem", _("item"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("school item event")
        verbose_name_plural = _("school item events")
