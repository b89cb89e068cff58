"""Append-only audit rows of the goods' status moves."""

from django.utils.translation import gettext_lazy as _

from core.transitions import TransitionEvent, event_subject


class ProductEvent(TransitionEvent):
    product = event_subject("storefront.Product", _("product"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product event")
        verbose_name_plural = _("product events")
