"""Accepting a call's applications into evaluation and drawing experts with
recusal (R6.6): a configurable number of experts per application, drawn at
random among the eligible experts of the specialty (R2.6), least-loaded
first; never the applicant, an expert who shares the applicant's employer
now or within ``recusal_employer_years``, or one who declared a conflict.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.application_services import application_advance
from applications.models import Application, ApplicationStatus, Call, Level
from portal.audit import audit_record
from portal.errors import Conflict, InvalidInput, NotFound, RuleViolation
from portal.models import Committee, CommitteeMember, Employment, PolicySettings, User
from portal.notifications import notification_send
from review import workflow as wf
from review.models import Assignment, CommentTemplate, ExpertProfile, ReviewSetup, Rubric, RubricCriterion, Verdict
from review.services._common import RECOGNITION_PATHWAYS, add_years, is_secretary, require_operational, today
from review.services.tallies import tally_drawn, tally_ended

S = ApplicationStatus

DEFAULT_RUBRIC_NAME = "民营企业职称评审通用评分标准"
#: Names the template rubric had before (found again, never duplicated).
FORMER_RUBRIC_NAMES = ("民营企业职称评审通用评分标准 (R3)",)
#: Criteria of the default rubric, per R3: ability, achievements, market recognition, contribution to
#: the enterprise (points = weight). A rubric is the committee's own text, in the committee's working
#: language: a plain name, and what to look for in the description — no code, no rule number.
DEFAULT_CRITERIA = (
    ("ability", "专业能力", "专业理论知识和解决实际问题的能力。", 30),
    ("achievements", "业绩成果", "专利、技术突破、标准制定和成果转化。", 30),
    ("market_recognition", "市场认可", "产品、服务或技术在市场上得到的认可。", 20),
    ("contribution", "对企业贡献", "为企业创造的经济效益和所起的作用。", 20),
)
DEFAULT_COMMENTS = {
    Verdict.RECOMMEND: "申报人专业能力突出，业绩成果显著，符合申报职称的评审条件，同意推荐。",
    Verdict.RESERVATIONS: "申报人基本符合评审条件，但在……方面有待加强，建议有保留地推荐。",
    Verdict.NOT_RECOMMEND: "申报人在……方面尚未达到申报职称的评审条件，不予推荐。",
}


def rubric_default() -> Rubric:
    """The template rubric every committee may use (created on first use)."""
    rubric = Rubric.objects.filter(name__in=(DEFAULT_RUBRIC_NAME, *FORMER_RUBRIC_NAMES),
                                   committee__isnull=True).first()
    if rubric is not None:
        return rubric
    with transaction.atomic():
        rubric = Rubric.objects.create(name=DEFAULT_RUBRIC_NAME)
        RubricCriterion.objects.bulk_create([
            RubricCriterion(rubric=rubric, code=code, name=name, description=description, weight=weight,
                            max_score=weight, order=n)
            for n, (code, name, description, weight) in enumerate(DEFAULT_CRITERIA)])
        CommentTemplate.objects.bulk_create([CommentTemplate(rubric=rubric, verdict=v, text=t)
                                             for v, t in DEFAULT_COMMENTS.items()])
    return rubric


def review_setup_for(call: Call) -> ReviewSetup:
    setup = ReviewSetup.objects.filter(call=call).select_related("rubric").first()
    if setup is None:
        setup, _created = ReviewSetup.objects.get_or_create(call=call, defaults={"rubric": rubric_default()})
    return setup


def _committee_call(actor: User, call_id: int) -> Call:
    call = Call.objects.select_related("committee", "committee__filed_by", "series").filter(pk=call_id).first()
    if call is None or call.committee is None or not is_secretary(actor, call.committee_id):
        raise NotFound()
    return call


def review_setup_configure(*, actor: User, call_id: int, rubric_id: int | None = None, blind: bool | None = None,
                           experts_per_application: int | None = None) -> ReviewSetup:
    """The secretary sets the call's rubric, blind mode and experts per
    application; the rubric cannot change once a score exists."""
    call = _committee_call(actor, call_id)
    require_operational(call.committee)
    with transaction.atomic():
        setup = review_setup_for(call)
        setup = ReviewSetup.objects.select_for_update().get(pk=setup.pk)
        before = {"rubric": setup.rubric_id, "blind": setup.blind, "n": setup.experts_per_application}
        if rubric_id is not None and rubric_id != setup.rubric_id:
            rubric = (Rubric.objects.filter(Q(committee__isnull=True) | Q(committee=call.committee), pk=rubric_id)
                      .first())
            if rubric is None or not rubric.criteria.exists():
                raise InvalidInput(_("Choose a rubric with criteria."), field="rubric")
            if Assignment.objects.filter(application__call=call, score__isnull=False).exists():
                raise RuleViolation(_("Scores exist already; the rubric can no longer change (R5.2)."), rule="R5.2")
            setup.rubric = rubric
        if blind is not None:
            setup.blind = bool(blind)
        if experts_per_application is not None:
            if not 1 <= int(experts_per_application) <= 15:
                raise InvalidInput(_("Between 1 and 15 experts per application."), field="experts_per_application")
            setup.experts_per_application = int(experts_per_application)
        setup.save()
        audit_record(actor=actor, action="review_setup.configure", obj=setup, before=before,
                     after={"rubric": setup.rubric_id, "blind": setup.blind, "n": setup.experts_per_application})
    return setup


def evaluation_start(*, actor: User, call_id: int, application_ids: list[int] | None = None) -> int:
    """受理: the committee takes the call's applications that passed the
    qualification audit into evaluation (R2.3: only while in force)."""
    call = _committee_call(actor, call_id)
    require_operational(call.committee)
    qs = Application.objects.filter(call=call, status=S.READY).exclude(pathway__in=RECOGNITION_PATHWAYS)
    if application_ids is not None:
        qs = qs.filter(pk__in=application_ids)
    started = 0
    for pk in qs.order_by("pk").values_list("pk", flat=True):
        application_advance(actor=actor, application_id=pk, action="start_evaluation", roles={wf.SECRETARY})
        started += 1
    return started


# --- The draw -------------------------------------------------------------------------

@dataclass
class DrawReport:
    drawn: int = 0
    applications: int = 0
    short: dict[int, int] = field(default_factory=dict)  # application id → experts still missing

    def as_dict(self) -> dict:
        return {"drawn": self.drawn, "applications": self.applications,
                "short": [{"application": k, "missing": v} for k, v in sorted(self.short.items())]}


@dataclass
class _Expert:
    pk: int
    user_id: int
    level_rank: int
    orgs: set[int]
    employer_name: str


def _norm(name: str) -> str:
    return "".join((name or "").split()).lower()


class _Pool:
    """The eligible experts of a committee on a day, with their load and
    employers, read in a handful of queries whatever the number of rows."""

    def __init__(self, committee: Committee, on: dt.date, policy: PolicySettings):
        self.cutoff = add_years(on, -policy.recusal_employer_years)
        profiles = list(ExpertProfile.objects.filter(committee=committee, is_active=True, user__is_active=True,
                                                     term_start__lte=on, term_end__gte=on)
                        .values_list("pk", "user_id", "level_rank", "employer_id", "employer_name"))
        user_ids = {p[1] for p in profiles}
        orgs = self.employers_of(User.objects.filter(pk__in=[p[1] for p in profiles]).values("pk"))
        self.experts = {}
        for pk, user_id, rank, employer_id, employer_name in profiles:
            own = set(orgs.get(user_id, set()))
            if employer_id:
                own.add(employer_id)
            self.experts[pk] = _Expert(pk, user_id, rank, own, _norm(employer_name))
        self.by_specialty: dict[int, list[_Expert]] = {}
        through = ExpertProfile.specialties.through
        for expert_id, specialty_id in through.objects.filter(expertprofile_id__in=list(self.experts)).values_list(
                "expertprofile_id", "specialty_id"):
            self.by_specialty.setdefault(specialty_id, []).append(self.experts[expert_id])
        self.load = dict(Assignment.objects.filter(expert__committee=committee, status=Assignment.Status.ACTIVE)
                         .values("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n"))
        self.user_ids = user_ids

    def employers_of(self, users) -> dict[int, set[int]]:
        """Employers (and original units, R1.7) of ``users`` now or since the cutoff (R6.6)."""
        result: dict[int, set[int]] = {}
        rows = (Employment.objects.filter(user__in=users).exclude(status=Employment.Status.REJECTED)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.cutoff))
                .values_list("user_id", "employer_id", "original_unit_id"))
        for user_id, employer_id, original_id in rows:
            bucket = result.setdefault(user_id, set())
            bucket.add(employer_id)
            if original_id:
                bucket.add(original_id)
        return result

    def candidates(self, *, applicant_id: int, specialty_id: int, level: str, orgs: set[int], org_names: set[str],
                   excluded: set[int]) -> list[_Expert]:
        rank = Level.rank(level)
        return [e for e in self.by_specialty.get(specialty_id, ())
                if e.level_rank >= rank and e.user_id != applicant_id and e.user_id not in excluded
                and not (e.orgs & orgs) and not (e.employer_name and e.employer_name in org_names)]

    def pick(self, candidates: list[_Expert], n: int, rng) -> list[_Expert]:
        """The ``n`` least-loaded candidates, ties broken at random."""
        chosen = heapq.nsmallest(n, candidates, key=lambda e: (self.load.get(e.pk, 0), rng.random()))
        for expert in chosen:
            self.load[expert.pk] = self.load.get(expert.pk, 0) + 1
        return chosen


def _rng(seed):
    return random.Random(seed) if seed is not None else secrets.SystemRandom()  # noqa: S311 - seeded for tests only


def _experts_needed(setup: ReviewSetup, policy: PolicySettings) -> int:
    return setup.experts_per_application or policy.experts_per_application


def _draw(*, call: Call, setup: ReviewSetup, actor: User | None, application_ids: list[int] | None,
          rng, reason: str = "") -> DrawReport:
    """Draw for the call's applications in evaluation; hold the setup lock."""
    policy = PolicySettings.load()
    on = today()
    pool = _Pool(call.committee, on, policy)
    apps_qs = (Application.objects.filter(call=call, status=S.IN_EVALUATION)
               .exclude(pathway__in=RECOGNITION_PATHWAYS))
    if application_ids is not None:
        apps_qs = apps_qs.filter(pk__in=application_ids)
    apps = list(apps_qs.order_by("pk").values_list("pk", "applicant_id", "specialty_id", "level", "employer_id",
                                                   "employer__name", "sponsor_id"))
    applicant_orgs = pool.employers_of(apps_qs.values("applicant_id"))
    existing: dict[int, set[int]] = {}
    active: dict[int, int] = {}
    for app_id, user_id, status in Assignment.objects.filter(application__in=apps_qs).values_list(
            "application_id", "expert_user_id", "status"):
        existing.setdefault(app_id, set()).add(user_id)
        if status == Assignment.Status.ACTIVE:
            active[app_id] = active.get(app_id, 0) + 1
    n = _experts_needed(setup, policy)
    now = timezone.now()
    report, rows, per_app = DrawReport(), [], {}
    for app_id, applicant_id, specialty_id, level, employer_id, employer_name, _sponsor in apps:
        needed = n - active.get(app_id, 0)
        if needed <= 0:
            continue
        report.applications += 1
        orgs = set(applicant_orgs.get(applicant_id, set()))
        if employer_id:
            orgs.add(employer_id)
        org_names = {_norm(employer_name)} if employer_name else set()
        chosen = pool.pick(pool.candidates(applicant_id=applicant_id, specialty_id=specialty_id, level=level,
                                           orgs=orgs, org_names=org_names, excluded=existing.get(app_id, set())),
                           needed, rng)
        if len(chosen) < needed:
            report.short[app_id] = needed - len(chosen)
        for expert in chosen:
            rows.append(Assignment(application_id=app_id, expert_id=expert.pk, expert_user_id=expert.user_id,
                                   drawn_by=actor, drawn_at=now))
        per_app[app_id] = [e.user_id for e in chosen]
        report.drawn += len(chosen)
    Assignment.objects.bulk_create(rows, batch_size=1000)
    tally_drawn(call_id=call.pk, rows=rows)
    drawn = {app_id: users for app_id, users in per_app.items() if users}
    if len(drawn) == 1:  # one application: the event is on the application
        (app_id, users), = drawn.items()
        audit_record(actor=actor, action="assignment.draw", object_type="applications.application",
                     object_id=str(app_id), after={"experts": users}, reason=reason)
    elif drawn:  # a batch: one event on the call with every application's experts
        audit_record(actor=actor, action="assignment.draw", obj=call,
                     after={"experts": {str(k): v for k, v in drawn.items()}}, reason=reason)
    if rows:
        recipients = User.objects.filter(pk__in={r.expert_user_id for r in rows})
        notification_send(recipients=list(recipients), subject=lambda: _("New applications to review"),
                          body=lambda: _("%(call)s: declare any conflict of interest before opening the material "
                                         "(R6.6), then score each application in the browser.")
                          % {"call": call.display_name},
                          url=reverse("review-expert-home"))
    if report.short:
        short = len(report.short)
        _tell_secretary(call, lambda: _("Not enough eligible experts for %(n)d application(s) (R2.6, R6.6)")
                        % {"n": short},
                        lambda: _("Add experts to the committee's pool or widen the specialties, then draw again."))
    return report


def _tell_secretary(call: Call, subject, body="") -> None:
    """Subject and body: text or callables, rendered in each secretary's language."""
    recipients = [m.user for m in CommitteeMember.objects.filter(
        committee_id=call.committee_id, role=CommitteeMember.Role.SECRETARY, is_active=True).select_related("user")]
    notification_send(recipients=recipients, subject=subject, body=body,
                      url=reverse("review-call-dashboard", args=[call.pk]))


def _lock_setup(call: Call) -> ReviewSetup:
    setup = review_setup_for(call)
    return ReviewSetup.objects.select_for_update().get(pk=setup.pk)


def assignment_draw(*, actor: User, call_id: int, application_ids: list[int] | None = None,
                    seed: int | None = None) -> DrawReport:
    """Draw experts for every application of the call in evaluation that
    lacks them (or for ``application_ids``). Idempotent: an application with
    its experts is left alone."""
    call = _committee_call(actor, call_id)
    require_operational(call.committee)
    if application_ids is not None and not isinstance(application_ids, list | tuple | set):
        raise InvalidInput(_("List the applications."), field="application_ids")
    with transaction.atomic():
        setup = _lock_setup(call)
        return _draw(call=call, setup=setup, actor=actor, application_ids=application_ids, rng=_rng(seed))


def _lock_assignment(assignment_id: int) -> Assignment:
    assignment = (Assignment.objects.select_for_update(of=("self",)).select_related("application", "application__call",
                                                                        "application__call__committee")
                  .filter(pk=assignment_id).first())
    if assignment is None:
        raise NotFound()
    return assignment


def _end(assignment: Assignment, *, action: str, roles: set[str], reason: str) -> None:
    before = assignment.status
    assignment.status = wf.ASSIGNMENT_WORKFLOW.check(action=action, current=assignment.status, roles=roles).target
    tally_ended(assignment=assignment, before=before)
    assignment.ended_at = timezone.now()
    assignment.end_reason = reason


def assignment_redraw(*, actor: User, assignment_id: int, reason: str, seed: int | None = None) -> DrawReport:
    """The secretary withdraws one expert with a reason (audited) and a
    replacement is drawn; the withdrawn expert is never drawn again for it."""
    reason = (reason or "").strip()
    probe = Assignment.objects.select_related("application__call__committee").filter(pk=assignment_id).first()
    if probe is None or not is_secretary(actor, probe.application.call.committee_id):
        raise NotFound()
    if not reason:
        raise InvalidInput(_("Give the reason for the redraw (R6.6)."), field="reason")
    call = probe.application.call
    require_operational(call.committee)
    with transaction.atomic():
        setup = _lock_setup(call)
        assignment = _lock_assignment(assignment_id)
        if hasattr(assignment, "score") and assignment.score.status == "submitted":
            raise RuleViolation(_("This expert has submitted the score; it cannot be withdrawn (R5.2)."), rule="R5.2")
        _end(assignment, action="withdraw", roles={wf.SECRETARY}, reason=reason)
        assignment.save()
        audit_record(actor=actor, action="assignment.withdraw", obj=assignment.application,
                     before={"expert": assignment.expert_user_id, "status": "active"},
                     after={"expert": assignment.expert_user_id, "status": assignment.status}, reason=reason)
        return _draw(call=call, setup=setup, actor=actor, application_ids=[assignment.application_id],
                     rng=_rng(seed), reason=reason)


def conflict_declare(*, actor: User, assignment_id: int, reason: str) -> Assignment:
    """R6.6: the expert declares an interest (same employer, relative, …);
    the assignment ends, the expert never sees the application, and a
    replacement is drawn."""
    reason = (reason or "").strip()
    probe = Assignment.objects.select_related("application__call__committee").filter(
        pk=assignment_id, expert_user=actor, status=Assignment.Status.ACTIVE).first()
    if probe is None:
        raise NotFound(_("No such assignment of yours (R6.6)."), rule="R6.6")
    if not reason:
        raise InvalidInput(_("Say what the conflict of interest is."), field="reason")
    call = probe.application.call
    with transaction.atomic():
        setup = _lock_setup(call)
        assignment = _lock_assignment(assignment_id)
        if assignment.expert_user_id != actor.pk or assignment.status != Assignment.Status.ACTIVE:
            raise Conflict()
        if hasattr(assignment, "score") and assignment.score.status == "submitted":
            raise RuleViolation(_("The score is submitted; tell the secretary instead."), rule="R5.2")
        seen = assignment.seen_at is not None
        _end(assignment, action="declare_conflict", roles={wf.EXPERT}, reason=reason)
        assignment.save()
        audit_record(actor=actor, action="assignment.declare_conflict", obj=assignment.application,
                     before={"expert": actor.pk, "status": "active"},
                     after={"expert": actor.pk, "status": assignment.status, "after_viewing": seen}, reason=reason)
        if call.committee.is_operational(today()) and assignment.application.status == S.IN_EVALUATION:
            _draw(call=call, setup=setup, actor=None, application_ids=[assignment.application_id], rng=_rng(None),
                  reason="conflict declared")
        if seen:
            _tell_secretary(call, lambda: _("An expert declared a conflict after opening the material (R6.6)"),
                            reason)
    return assignment


def assignment_mark_seen(*, assignment: Assignment) -> None:
    """The expert opened the material for the first time."""
    if assignment.seen_at is None:
        Assignment.objects.filter(pk=assignment.pk, seen_at__isnull=True).update(seen_at=timezone.now())


__all__ = ["DrawReport", "assignment_draw", "assignment_mark_seen", "assignment_redraw", "conflict_declare",
           "evaluation_start", "review_setup_configure", "review_setup_for", "rubric_default"]
