"""The application's workflow: one table of transitions (from, to, who, guard).

Roles here are relations to the application at hand, computed by
``applications.services.application_roles``:

- ``applicant``: the person applying;
- ``sponsor_hr``: HR of the reviewing unit (employer, dispatching employer or
  original unit, R1.7/R1.8);
- ``acceptance``: an officer of the application's acceptance body (R1.4);
- ``bureau``: an officer of the HR bureau of the application's region (R6.1);
- ``secretary``: the secretary of the call's committee (review issue);
- ``system``: Celery beat (ends of publicity periods).

The target ``RETURNED_FROM`` sends a corrected application back to the stage
that returned it.
"""

from __future__ import annotations

from applications.models import ApplicationStatus as S
from portal.workflow import Transition, Workflow

APPLICANT, SPONSOR_HR, ACCEPTANCE, BUREAU, SECRETARY, SYSTEM = (
    "applicant", "sponsor_hr", "acceptance", "bureau", "secretary", "system")
#: A supervisor deciding an upheld fraud case (integrity app, R6.3).
SUPERVISOR_ON_CASE = "supervisor_on_case"
RETURNED_FROM = "__returned_from__"

#: Stages from which the applicant may still withdraw (before evaluation).
WITHDRAWABLE = (S.DRAFT, S.EMPLOYER_REVIEW, S.RETURNED, S.UNIT_PUBLICITY, S.ACCEPTANCE, S.QUALIFICATION_AUDIT,
                S.READY)

APPLICATION_WORKFLOW = Workflow("application", [
    # Applicant
    Transition("submit", (S.DRAFT,), S.EMPLOYER_REVIEW, frozenset({APPLICANT})),
    Transition("submit_direct", (S.DRAFT,), S.ACCEPTANCE, frozenset({APPLICANT})),  # freelancers, R1.4
    Transition("resubmit", (S.RETURNED,), RETURNED_FROM, frozenset({APPLICANT})),
    Transition("withdraw", WITHDRAWABLE, S.WITHDRAWN, frozenset({APPLICANT})),
    # Reviewing unit (employer)
    Transition("employer_approve", (S.EMPLOYER_REVIEW,), S.UNIT_PUBLICITY, frozenset({SPONSOR_HR})),
    Transition("employer_return", (S.EMPLOYER_REVIEW,), S.RETURNED, frozenset({SPONSOR_HR})),
    Transition("publicity_end", (S.UNIT_PUBLICITY,), S.ACCEPTANCE, frozenset({SPONSOR_HR, SYSTEM})),
    Transition("publicity_reject", (S.UNIT_PUBLICITY,), S.REJECTED, frozenset({SPONSOR_HR})),
    # Acceptance body
    Transition("accept", (S.ACCEPTANCE,), S.QUALIFICATION_AUDIT, frozenset({ACCEPTANCE})),
    Transition("acceptance_return", (S.ACCEPTANCE,), S.RETURNED, frozenset({ACCEPTANCE})),
    # Bureau: qualification audit (R6.1)
    Transition("audit_approve", (S.QUALIFICATION_AUDIT,), S.READY, frozenset({BUREAU})),
    Transition("audit_return", (S.QUALIFICATION_AUDIT,), S.RETURNED, frozenset({BUREAU})),
    Transition("audit_reject", (S.QUALIFICATION_AUDIT,), S.REJECTED, frozenset({BUREAU})),
    # Review (the review app drives these through applications.services)
    Transition("start_evaluation", (S.READY,), S.IN_EVALUATION, frozenset({SECRETARY, BUREAU})),
    Transition("pass", (S.IN_EVALUATION,), S.PASSED, frozenset({SECRETARY, BUREAU})),
    Transition("fail", (S.IN_EVALUATION,), S.FAILED, frozenset({SECRETARY, BUREAU})),
    Transition("publicise_result", (S.PASSED,), S.RESULT_PUBLICITY, frozenset({SECRETARY, BUREAU})),
    Transition("withdraw_result", (S.RESULT_PUBLICITY, S.PASSED), S.FAILED, frozenset({SECRETARY, BUREAU})),
    Transition("grant", (S.RESULT_PUBLICITY, S.PASSED), S.GRANTED, frozenset({BUREAU})),
    # An upheld reconsideration (复查) sends a failed application back into evaluation.
    Transition("reconsider", (S.FAILED,), S.IN_EVALUATION, frozenset({SECRETARY, BUREAU})),
    # R6.3: an upheld fraud case revokes the title (or stops the application wherever it is).
    Transition("revoke", tuple(s for s in S if s not in (S.DRAFT, S.WITHDRAWN, S.REJECTED, S.REVOKED)), S.REVOKED,
               frozenset({SUPERVISOR_ON_CASE})),
])

#: Which action returns an application, by the stage it is in.
RETURN_ACTIONS = {S.EMPLOYER_REVIEW: "employer_return", S.ACCEPTANCE: "acceptance_return",
                  S.QUALIFICATION_AUDIT: "audit_return"}
