"""Scoring in the browser (R5.2): autosaved drafts under the rubric frozen
with the score, range-checked values, submission that locks the score."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from portal.audit import audit_record
from portal.errors import Conflict, InvalidInput, NotFound, RuleViolation
from portal.models import User
from review import workflow as wf
from review.models import Assignment, Score, Verdict
from review.services._common import require_operational
from review.services.assignment import review_setup_for
from review.services.tallies import tally_scored

MAX_COMMENT = 5000
TWO_PLACES = Decimal("0.01")


def _lock_own(actor: User, assignment_id: int) -> Assignment:
    """The actor's own active assignment, locked; anything else is refused
    as if it did not exist (R6.6: a recused or unassigned expert)."""
    assignment = (Assignment.objects.select_for_update(of=("self",))
                  .select_related("application", "application__call", "application__call__committee")
                  .filter(pk=assignment_id).first())
    if assignment is None or assignment.expert_user_id != getattr(actor, "pk", None) \
            or assignment.status != Assignment.Status.ACTIVE:
        raise NotFound(_("No such assignment of yours (R6.6)."), rule="R6.6")
    return assignment


def rubric_in_force(call) -> list[dict] | None:
    """The criteria a call is reviewed with, frozen with each application at
    submission (issue 3); None when the call has no review set-up yet."""
    from review.models import ReviewSetup

    setup = ReviewSetup.objects.select_related("rubric").filter(call=call).first()
    return freeze_rubric(setup.rubric) if setup else None


def freeze_rubric(rubric) -> list[dict]:
    return [{"code": c.code, "name": c.name, "weight": c.weight, "max_score": c.max_score}
            for c in rubric.criteria.order_by("order", "pk")]


def _number(code: str, raw, maximum: int, name: str = "") -> Decimal:
    label = name or code
    if isinstance(raw, bool):
        raise InvalidInput(_("Enter a number for “%(code)s”.") % {"code": label}, rule="R5.2", field=code)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter a number for “%(code)s”.") % {"code": label}, rule="R5.2", field=code)
    if not value.is_finite() or value < 0 or value > maximum:
        raise InvalidInput(_("“%(code)s” is scored from 0 to %(max)d (R5.2).") % {"code": label, "max": maximum},
                           rule="R5.2", field=code)
    if value != value.quantize(TWO_PLACES):
        raise InvalidInput(_("Use at most two decimal places."), rule="R5.2", field=code)
    return value


def weighted_total(frozen: list[dict], values: dict) -> Decimal | None:
    """Σ score/max × weight over the criteria, on 0–100; None until complete."""
    if any(c["code"] not in values for c in frozen):
        return None
    weights = sum(c["weight"] for c in frozen) or 1
    total = sum(Decimal(str(values[c["code"]])) / c["max_score"] * c["weight"] for c in frozen)
    return (total * 100 / weights).quantize(TWO_PLACES)


def _apply(score: Score, values: dict | None, verdict: str | None, comment: str | None) -> None:
    limits = {c["code"]: c["max_score"] for c in score.rubric_frozen}
    names = {c["code"]: c["name"] for c in score.rubric_frozen}
    if values is not None:
        if not isinstance(values, dict):
            raise InvalidInput(_("Scores are given per criterion."), rule="R5.2", field="values")
        merged = dict(score.values)
        for code, raw in values.items():
            if code not in limits:
                raise InvalidInput(_("“%(code)s” is not a criterion of the rubric (R5.2).") % {"code": str(code)[:40]},
                                   rule="R5.2", field="values")
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                merged.pop(code, None)
                continue
            merged[code] = str(_number(code, raw, limits[code], names[code]))
        score.values = merged
    if verdict is not None:
        if verdict and verdict not in Verdict.values:
            raise InvalidInput(_("Choose a verdict."), field="verdict")
        score.verdict = verdict
    if comment is not None:
        score.comment = str(comment)[:MAX_COMMENT]
    score.total = weighted_total(score.rubric_frozen, score.values)


def _editable(actor: User, assignment_id: int) -> tuple[Assignment, Score]:
    assignment = _lock_own(actor, assignment_id)
    application = assignment.application
    require_operational(application.call.committee)
    if application.status != ApplicationStatus.IN_EVALUATION:
        raise RuleViolation(_("This application is no longer being scored."), rule="R5.2")
    score = Score.objects.filter(assignment=assignment).first()
    if score is None:
        setup = review_setup_for(application.call)
        score = Score(assignment=assignment, rubric_frozen=freeze_rubric(setup.rubric), saved_at=timezone.now(),
                      version=0)
    elif score.status == Score.Status.SUBMITTED:
        raise RuleViolation(_("The score is submitted and locked (R5.2)."), rule="R5.2")
    return assignment, score


def score_save(*, actor: User, assignment_id: int, values: dict | None = None, verdict: str | None = None,
               comment: str | None = None, version: int | None = None) -> Score:
    """Autosave a draft. ``version`` is the version the browser last saw:
    a stale one (another tab saved meanwhile) is refused."""
    with transaction.atomic():
        assignment, score = _editable(actor, assignment_id)
        wf.SCORE_WORKFLOW.check(action="save", current=score.status, roles={wf.EXPERT})
        if version is not None and score.pk and int(version) != score.version:
            raise Conflict(_("The score was saved from another window; reload to continue."))
        created = score.pk is None
        _apply(score, values, verdict, comment)
        score.version += 1
        score.saved_at = timezone.now()
        score.save()
        if created:
            tally_scored(assignment=assignment, before=None, after=score.status)
        if created:
            audit_record(actor=actor, action="score.start", obj=assignment.application,
                         after={"assignment": assignment.pk, "rubric": score.rubric_frozen})
    return score


def score_submit(*, actor: User, assignment_id: int, values: dict | None = None, verdict: str | None = None,
                 comment: str | None = None, version: int | None = None) -> Score:
    """Submit: every criterion scored, a verdict and a comment; then locked."""
    with transaction.atomic():
        assignment, score = _editable(actor, assignment_id)
        transition = wf.SCORE_WORKFLOW.check(action="submit", current=score.status, roles={wf.EXPERT})
        if version is not None and score.pk and int(version) != score.version:
            raise Conflict(_("The score was saved from another window; reload to continue."))
        _apply(score, values, verdict, comment)
        missing = [c["name"] for c in score.rubric_frozen if c["code"] not in score.values]
        if missing:
            raise InvalidInput(_("Score every criterion: %(list)s.") % {"list": "、".join(missing)}, rule="R5.2",
                               field="values")
        if not score.verdict:
            raise InvalidInput(_("Choose a verdict."), field="verdict")
        if not score.comment.strip():
            raise InvalidInput(_("Write the comment (start from the template and edit it)."), field="comment")
        before = score.status if score.pk else None
        score.status = transition.target
        tally_scored(assignment=assignment, before=before, after=score.status)
        score.version += 1
        score.saved_at = score.submitted_at = timezone.now()
        score.save()
        assignment.scored = True  # the expert's dashboard's sort key (pending first), same transaction
        assignment.save(update_fields=["scored"])
        audit_record(actor=actor, action="score.submit", obj=assignment.application,
                     after={"assignment": assignment.pk, "values": score.values, "total": str(score.total),
                            "verdict": score.verdict, "rubric": score.rubric_frozen})
    return score


def scoring_halted_reason(*, committee) -> str:
    """Why the committee's experts may not score now (suspended, revoked, lapsed: R2.3, R6.8), in words,
    or "" when they may: the scoring page says it before the expert fills in a form it would refuse."""
    try:
        require_operational(committee)
    except RuleViolation as error:
        return str(error.message)
    return ""


__all__ = ["freeze_rubric", "score_save", "score_submit", "scoring_halted_reason", "weighted_total"]
