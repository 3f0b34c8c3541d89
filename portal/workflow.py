"""Status workflows as explicit tables (from, to, who may, guard).

:class:`Workflow` is shared by every app with a status; each app's
``workflow.py`` declares its table with it. Views never assign ``status``:
services call :meth:`Workflow.check` on a row they hold locked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal.errors import NotAllowed, RuleViolation

Guard = Callable[..., None]


@dataclass(frozen=True)
class Transition:
    action: str
    source: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...] = field(default_factory=tuple)


class Workflow:
    def __init__(self, name: str, transitions: list[Transition]):
        self.name = name
        self.transitions = {t.action: t for t in transitions}

    def get(self, action: str) -> Transition:
        return self.transitions[action]

    def check(self, *, action: str, current: str, roles: set[str], **context) -> Transition:
        """Raise unless ``action`` is allowed from ``current`` for one of ``roles``."""
        transition = self.get(action)
        if not (transition.roles & roles):
            raise NotAllowed()
        if current not in transition.source:
            raise RuleViolation(
                _("This cannot be done while the record is in state “%(state)s”.") % {"state": current},
            )
        for guard in transition.guards:
            guard(**context)
        return transition

    def actions_from(self, current: str, roles: set[str]) -> list[str]:
        return [a for a, t in self.transitions.items() if current in t.source and t.roles & roles]


# --- The tables of this app ----------------------------------------------

#: Pseudo-roles for the organization at hand (computed by services).
BUREAU_OF_REGION = "bureau_of_region"
ENTERPRISE_HR_ADMIN = "enterprise_hr_admin"
REGISTRANT = "registrant"

ORGANIZATION_WORKFLOW = Workflow("organization", [
    Transition("approve", ("pending",), "active", frozenset({BUREAU_OF_REGION})),
    Transition("reject", ("pending",), "rejected", frozenset({BUREAU_OF_REGION})),
    Transition("resubmit", ("rejected",), "pending", frozenset({REGISTRANT})),
    Transition("suspend", ("active",), "suspended", frozenset({BUREAU_OF_REGION})),
    Transition("reinstate", ("suspended",), "active", frozenset({BUREAU_OF_REGION})),
])

EMPLOYMENT_WORKFLOW = Workflow("employment", [
    Transition("confirm", ("pending",), "confirmed", frozenset({ENTERPRISE_HR_ADMIN})),
    Transition("reject", ("pending",), "rejected", frozenset({ENTERPRISE_HR_ADMIN})),
    Transition("end", ("confirmed",), "ended", frozenset({ENTERPRISE_HR_ADMIN})),
])

#: The person an invitation was sent to (its mobile number, or the ID number HR gave).
INVITEE = "invitee"

INVITATION_WORKFLOW = Workflow("invitation", [
    Transition("accept", ("open",), "accepted", frozenset({INVITEE})),
    Transition("decline", ("open",), "declined", frozenset({INVITEE})),
    Transition("revoke", ("open",), "revoked", frozenset({ENTERPRISE_HR_ADMIN})),
])
