"""Domain errors: a stable machine code, an HTTP status and a translatable message.

Every app's errors derive from `DomainError`, through `Conflict` (409) or `Forbidden` (403)
where they are one of those. Views turn them into a message beside the form; the API into
a 4xx (409 for a refused state change) whose `code` is the error's code (core.api.errors).

An error that is only a code and a message is declared in one line with `define`
(`NotEligible = Conflict.define("NotEligible", "not_eligible", _("…"))`): a subclass like
any other, caught by `except` and told apart by `isinstance`. One that carries more (fields
of its own, an `__init__`) is written as a class.
"""

import sys

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    message = _("This action is not possible.")
    http_status = 400

    def __init__(self, message=None, **params):
        self.params = params
        if message is not None:
            self.message = message
        super().__init__(str(self))

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)

    @classmethod
    def define(cls, name: str, code: str, message, **attributes) -> type["DomainError"]:
        """Return the subclass `name` of this error with `code`, `message` and any other class
        attributes (`http_status`, `__doc__`), belonging to the calling module."""
        module = sys._getframe(1).f_globals.get("__name__", __name__)
        namespace = {"code": code, "message": message, "__module__": module, "__qualname__": name}
        return type(name, (cls,), {**namespace, **attributes})


class Conflict(DomainError):
    """Refused because of how things stand now (a status, a cap, an earlier use): HTTP 409."""

    http_status = 409


class Forbidden(DomainError):
    """Refused to this person whatever the state, though the object is theirs to see: HTTP 403."""

    http_status = 403


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = _("This cannot be done while the status is “%(current)s”.")

    def __init__(self, *, current, target, current_label=None, target_label=None):
        self.current, self.target = current, target
        super().__init__(current=current_label or current, target=target_label or target)


class ReasonRequired(DomainError):
    code = "reason_required"
    message = _("Give a reason for this decision.")

    def __init__(self, *, target):
        self.target = target
        super().__init__()
