"""The integrity app's status tables (from, to, who may). Services check
them on a row they hold locked; nothing else assigns ``status``.

Roles are relations computed by ``integrity.services``:

- ``supervisor``: a user holding the site-wide supervisor role (监督);
- ``bureau_of_region``: an officer of the HR bureau of the case's region,
  who reads cases but never decides them.
"""

from __future__ import annotations

from portal.workflow import Transition, Workflow

SUPERVISOR = "supervisor"
BUREAU_OF_REGION = "bureau_of_region"

#: ``FraudReport.status``: triage.
REPORT_WORKFLOW = Workflow("fraud_report", [
    Transition("take_into_case", ("received",), "in_case", frozenset({SUPERVISOR})),
    Transition("dismiss", ("received",), "dismissed", frozenset({SUPERVISOR})),
])

#: ``FraudCase.status`` (R6.3): a decision always carries recorded reasons.
CASE_WORKFLOW = Workflow("fraud_case", [
    Transition("investigate", ("open",), "investigating", frozenset({SUPERVISOR})),
    Transition("uphold", ("open", "investigating"), "upheld", frozenset({SUPERVISOR})),
    Transition("not_uphold", ("open", "investigating"), "not_upheld", frozenset({SUPERVISOR})),
    Transition("close", ("open", "investigating"), "closed", frozenset({SUPERVISOR})),
])

#: Decisions, by the action that takes them.
DECISIONS = ("uphold", "not_uphold", "close")
