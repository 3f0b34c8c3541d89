"""The supervision app's status workflow (from, to, who)."""

from __future__ import annotations

from portal.workflow import Transition, Workflow

#: Pseudo-roles computed by ``supervision.services``: a supervisor, or an
#: officer of the bureau the alert's committee is filed with (or above it).
SUPERVISOR, BUREAU = "supervisor", "bureau"

#: ``OversightAlert.status``.
ALERT_WORKFLOW = Workflow("oversight_alert", [
    Transition("acknowledge", ("open",), "acknowledged", frozenset({SUPERVISOR, BUREAU})),
])
