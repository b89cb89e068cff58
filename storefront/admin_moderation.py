"""What the goods' and the videos' admins share: staff moderation of a merchant's published work.

A moderator hides a published work with a reason (the merchant is told why) or restores a
hidden one after a confirmation, from its page (the decision panel, core.review) or in bulk.
Hidden works are the queue, oldest hidden first; the list opens on every work, not on the
hidden ones (moderators look works up), and counts no statuses: that would scan the whole
table on every page.
"""

from django.utils.translation import gettext_lazy as _

from core.admin_actions import NoAddOrDeleteAdminMixin
from core.review import Decision, ReviewPanelAdmin, with_note, with_reason


class ModerationAdmin(NoAddOrDeleteAdminMixin, ReviewPanelAdmin):
    """Set `review_queue_statuses` to the hidden status and the decisions to
    `hide_and_restore(...)`; the admin's `has_moderate_permission` says who moderates."""

    review_permission = "moderate"
    review_queue_order = ("updated_at", "pk")
    review_list_opens_on_queue = False
    review_queue_counts = False


def hide_and_restore(statuses, *, hide, restore) -> tuple[Decision, Decision]:
    """The two decisions on a work whose `statuses` have HIDDEN and PUBLISHED: hide with a
    reason, or restore with an optional note; `hide` and `restore` are the services."""
    return (
        Decision("hide", statuses.HIDDEN, _("Hide"), {statuses.PUBLISHED}, with_reason(hide),
                 reason_required=True, danger=True, bulk_label=_("Hide (with reason)")),
        Decision("restore", statuses.PUBLISHED, _("Restore"), {statuses.HIDDEN}, with_note(restore),
                 confirm=True),
    )  # fmt: skip
