"""Domain errors of onboarding (on core.exceptions.DomainError: a code, a status, a message)."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, DomainError, Forbidden

NotEditable = Conflict.define(
    "NotEditable",
    "not_editable",
    _("The application can be edited only while it is a draft or changes are requested."),
)


class ApplicationIncomplete(DomainError):
    code = "application_incomplete"
    message = _("The application is not complete yet.")

    def __init__(self, *, missing):
        self.missing = list(missing)
        super().__init__()


DuplicateIdentity = Conflict.define(
    "DuplicateIdentity",
    "duplicate_identity",
    _("This number cannot be used for a new application. If it is yours, contact support."),
)
SelfReview = Forbidden.define("SelfReview", "self_review", _("You cannot decide on your own application."))
