"""The review app's status workflows, one explicit table each (from, to, who).

Roles are relations to the object at hand, computed by ``review.services``:

- ``bureau``: an officer of the HR bureau a committee is filed with (or of
  the regional bureau above it), or of the application's region for
  recognition and filing;
- ``secretary``: the secretary (评委会办公室) of the committee of the call;
- ``member``: a committee member present at the meeting;
- ``expert``: the expert of an assignment;
- ``applicant``: the person whose application it is;
- ``system``: Celery beat (lapsing filings, closing publicity periods).

Guards that need more than the status (validity dates, quorum, ceiling) live
in the services, which name the rule they enforce.
"""

from __future__ import annotations

from portal.workflow import Transition, Workflow

BUREAU, SECRETARY, MEMBER, EXPERT, APPLICANT, SYSTEM = (
    "bureau", "secretary", "member", "expert", "applicant", "system")

#: ``portal.Committee.status`` (R2.3, R6.8).
COMMITTEE_WORKFLOW = Workflow("committee", [
    Transition("suspend", ("active",), "suspended", frozenset({BUREAU})),
    Transition("reinstate", ("suspended",), "active", frozenset({BUREAU})),
    Transition("revoke", ("active", "suspended", "lapsed"), "revoked", frozenset({BUREAU})),
    Transition("lapse", ("active", "suspended"), "lapsed", frozenset({SYSTEM, BUREAU})),
    Transition("renew", ("active", "lapsed"), "active", frozenset({BUREAU})),
])

#: ``Assignment.status`` (R6.6).
ASSIGNMENT_WORKFLOW = Workflow("assignment", [
    Transition("declare_conflict", ("active",), "recused", frozenset({EXPERT})),
    Transition("withdraw", ("active",), "withdrawn", frozenset({SECRETARY})),
])

#: ``Score.status`` (R5.2): autosaves keep it a draft; submitting locks it.
SCORE_WORKFLOW = Workflow("score", [
    Transition("save", ("draft",), "draft", frozenset({EXPERT})),
    Transition("submit", ("draft",), "submitted", frozenset({EXPERT})),
])

#: ``Meeting.status`` (R6.5, R6.7). The ballot is secret until ``counted``:
#: nothing derived from the tally (passes, excess over the ceiling) is looked
#: at before ``close_ballot``.
MEETING_WORKFLOW = Workflow("meeting", [
    Transition("record_attendance", ("planned",), "planned", frozenset({SECRETARY})),
    Transition("notify_members", ("planned",), "planned", frozenset({SECRETARY})),
    Transition("open", ("planned",), "open", frozenset({SECRETARY})),
    Transition("vote", ("open",), "open", frozenset({MEMBER})),
    Transition("close_ballot", ("open",), "counted", frozenset({SECRETARY})),
    Transition("resolve_excess", ("counted",), "counted", frozenset({SECRETARY})),
    Transition("close", ("counted",), "closed", frozenset({SECRETARY})),
])

#: ``PublicityPeriod.status`` (R5.6).
PUBLICITY_WORKFLOW = Workflow("publicity", [
    Transition("close", ("open",), "closed", frozenset({SYSTEM, SECRETARY, BUREAU})),
])

#: ``Reconsideration.status``.
RECONSIDERATION_WORKFLOW = Workflow("reconsideration", [
    Transition("uphold", ("pending",), "upheld", frozenset({SECRETARY, BUREAU})),
    Transition("dismiss", ("pending",), "dismissed", frozenset({SECRETARY, BUREAU})),
])
