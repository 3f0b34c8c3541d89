"""One exception family for every service (HackSoft "Approach 2").

Services raise these with a translatable message; ``portal.api`` and
``portal.views_helpers`` turn them into a 4xx in the user's language. A rule
violation names the ``domain.md`` rule it broke.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class PortalError(Exception):
    """Base of every error a user can cause; never a 500."""

    status_code = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, rule: str | None = None, field: str | None = None,
                 errors: dict[str, str] | None = None):
        self.message = message if message is not None else self.default_message
        self.rule = rule
        self.field = field
        #: Every field's error at once (field → message), when the service found several.
        self.errors = errors or {}
        super().__init__(str(self.message))

    def as_text(self) -> str:
        """The message as a page shows it: the words, then the rule they come from, once. Most
        messages already end with their rule number (``… (R1.1).``), which the translations keep;
        the others get it appended in the reader's punctuation."""
        text = str(self.message)
        if not self.rule or self.rule in text:
            return text
        return _("%(message)s (%(rule)s)") % {"message": text, "rule": self.rule}

    def as_dict(self) -> dict:
        data = {"detail": str(self.message), "code": self.code}
        if self.rule:
            data["rule"] = self.rule
        if self.field:
            data["field"] = self.field
        if self.errors:
            data["errors"] = {field: str(message) for field, message in self.errors.items()}
        return data

    @property
    def code(self) -> str:
        return type(self).__name__


class NotAllowed(PortalError):
    status_code = 403
    default_message = _("You are not allowed to do this.")


class NotFound(PortalError):
    status_code = 404
    default_message = _("Not found.")


class RuleViolation(PortalError):
    """A rule of domain.md forbids this; ``rule`` carries its id."""

    status_code = 400


class InvalidInput(PortalError):
    status_code = 400


class Conflict(PortalError):
    """The object changed state meanwhile (e.g. approved twice)."""

    status_code = 409
    default_message = _("This has already been done or the record changed meanwhile.")


def request_refusal(exc: BaseException) -> InvalidInput:
    """The caller's mistake Django refuses before (or while) a view reads the request: too many
    fields or files, a body too large (``DATA_UPLOAD_MAX_*``), a malformed multipart body, a Host
    not served, any other ``SuspiciousOperation`` or ``BadRequest``. One translatable message per
    kind, never the exception's own English text (it may quote what was sent)."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return InvalidInput(_("The request has too many fields or files, or is too large."))
    return InvalidInput(_("The request could not be understood. Check what you typed and try again."))
