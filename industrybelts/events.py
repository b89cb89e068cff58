"""Append-only audit rows of the providers' and the belt memberships' status moves."""

from django.utils.translation import gettext_lazy as _

from core.transitions import TransitionEvent, event_subject


class ProviderEvent(TransitionEvent):
    """A status move of a provider, or a warning (from and to the same status)."""

    provider = event_subject("industrybelts.ServiceProvider", _("provider"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")


class MembershipEvent(TransitionEvent):
    membership = event_subject("industrybelts.BeltMembership", _("membership"))

    class Meta(TransitionEvent.Meta):
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
