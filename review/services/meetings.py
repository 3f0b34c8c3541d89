"""Review meetings and secret ballots (R6.5) with the pass-rate ceiling (R6.7).

- Before a meeting, :func:`vote_readiness` says for each application of the
  call in evaluation whether it can be put to the vote, and if not what it
  lacks (experts drawn, scores submitted, a defence held, an objection
  answered, another meeting over), with the page where that is done.
- A meeting opens only with at least 2/3 of the committee's voting members
  present: ``present * 3 >= members * 2`` in integers (exactly 2/3 opens);
  :func:`quorum_needed` is the number that is shown.
- Each present member votes once per candidate, for themselves only (no
  proxies). The choice goes into the candidate's tally; that the member has
  voted goes into :class:`VoteMarker`, with no choice and no time, so no
  one can link a member to a choice. The audit trail records that a member
  voted, never how.
- While the ballot is open nothing derived from the tally is shown or
  answered, to anyone: only how many votes were cast (R6.5). The secretary
  closes the ballot (``counted``); only then are the tallies, who passes
  and any excess over the ceiling known.
- A candidate passes with ``yes * 3 >= present * 2`` (exactly 2/3 passes).
- R6.7 applies to the call across its meetings: at most
  ``ceiling × the call's candidates`` pass, rounded half up
  (:func:`allowed_passes`; 60 % of 1 allows 1). Only when the passes of the
  call truly exceed that does the meeting need a recorded decision naming
  who is not passed before it closes.
- Closing drives ``application_advance(... "pass" / "fail")``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.application_services import application_advance
from applications.models import Application, ApplicationStatus, Call, UnitObjection
from portal.audit import audit_record
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import CommitteeMember, Topic, User
from portal.notifications import notification_send
from review import workflow as wf
from review.models import (
    Assignment,
    CeilingDecision,
    DefenceSlot,
    Meeting,
    MeetingAttendance,
    MeetingCandidate,
    Objection,
    ResultRecord,
    Score,
    VoteMarker,
    generated_meeting_title,
)
from review.services._common import (
    RECOGNITION_PATHWAYS,
    VOTING_ROLES,
    is_secretary,
    require_operational,
    today,
    voting_member_ids,
)
from review.signals import meeting_closed

CHOICES = ("yes", "no", "abstain")
TALLY_FIELD = {"yes": "yes_votes", "no": "no_votes", "abstain": "abstentions"}


#: Meetings whose candidates are still before them (the ballot not yet decided).
UNDECIDED = (Meeting.Status.PLANNED, Meeting.Status.OPEN, Meeting.Status.COUNTED)


def quorum_met(*, present: int, members: int) -> bool:
    """R6.5: at least 2/3 of the members present (exact integer arithmetic)."""
    return members > 0 and present * 3 >= members * 2


def quorum_needed(members: int) -> int:
    """R6.5: how many members must be present: two thirds, rounded up (6 of 9, 5 of 7, 4 of 6)."""
    return (members * 2 + 2) // 3


def candidate_passes(*, yes: int, present: int) -> bool:
    """R6.5: yes votes of at least 2/3 of the members present."""
    return present > 0 and yes * 3 >= present * 2


def allowed_passes(*, candidates: int, ceiling) -> int:
    """R6.7: ceiling × candidates, rounded half up, in exact decimals (never a float):
    60 % of 1 allows 1, of 2 allows 1, of 3 allows 2, of 10 allows 6; 50 % of 1 allows 1."""
    return int((Decimal(str(ceiling)) * candidates).to_integral_value(rounding=ROUND_HALF_UP))


def ceiling_allows(*, passes: int, candidates: int, ceiling) -> bool:
    """R6.7: ``passes`` are within the ceiling over ``candidates``."""
    return passes <= allowed_passes(candidates=candidates, ceiling=ceiling)


@dataclass(frozen=True)
class CallCeiling:
    """R6.7 for one call, across its meetings, as shown before and after a vote."""

    ceiling: Decimal
    candidates: int          # distinct applications put to the call's meetings (this one included)
    allowed: int             # allowed_passes(candidates, ceiling)
    passed_elsewhere: int    # passed in the call's other closed meetings
    here: int = 0            # candidates of this meeting

    @property
    def left(self) -> int:
        """How many of this meeting's candidates may still pass."""
        return max(0, self.allowed - self.passed_elsewhere)

    @property
    def percent(self) -> Decimal:
        return (self.ceiling * 100).normalize()

    def as_dict(self) -> dict:
        return {"ceiling": str(self.ceiling), "call_candidates": self.candidates, "allowed": self.allowed,
                "passed_in_other_meetings": self.passed_elsewhere, "candidates_here": self.here,
                "may_pass_here": self.left}


def call_ceiling(*, call: Call, meeting: Meeting | None = None, extra_candidates: int = 0) -> CallCeiling:
    """The call's ceiling over every candidate of its meetings (one query).

    ``meeting``: what this meeting may pass, after the passes of the call's
    other closed meetings. ``extra_candidates``: applications about to be put
    to a new meeting (the preview on the planning page).
    """
    passed = Q(meeting__status=Meeting.Status.CLOSED, outcome=MeetingCandidate.Outcome.PASSED,
               excluded_by_ceiling=False)
    figures = {"candidates": Count("application", distinct=True)}
    if meeting is not None:
        passed &= ~Q(meeting=meeting) & ~Q(application__in=MeetingCandidate.objects.filter(meeting=meeting)
                                             .values("application"))
        figures["here"] = Count("pk", filter=Q(meeting=meeting))
    figures = MeetingCandidate.objects.filter(meeting__call=call).aggregate(
        passed=Count("application", distinct=True, filter=passed), **figures)
    ceiling = Decimal(str(call.pass_rate_ceiling))
    candidates = figures["candidates"] + extra_candidates
    return CallCeiling(ceiling=ceiling, candidates=candidates,
                       allowed=allowed_passes(candidates=candidates, ceiling=ceiling),
                       passed_elsewhere=figures["passed"], here=figures.get("here", extra_candidates))


def needs_defence(application: Application, call: Call) -> bool:
    """The green channel goes to a committee with a defence (R4.3); so does
    every application of a call whose methods name a defence (R4.1)."""
    return application.pathway == "green_channel" or "defence" in (call.methods or [])


def _call_for_secretary(actor: User, call_id: int) -> Call:
    call = Call.objects.select_related("committee").filter(pk=call_id).first()
    if call is None or call.committee is None or not is_secretary(actor, call.committee_id):
        raise NotFound()
    return call


# --- Who can be put to the vote, and what the others lack ----------------------------------

@dataclass(frozen=True)
class Lack:
    """One thing an application lacks before a vote, and where it is done."""

    code: str       # experts, scores, defence, defence_result, defence_absent, objection, meeting
    text: str
    url: str
    link: str
    rule: str = ""


@dataclass
class Readiness:
    application: Application
    lacks: list[Lack] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.lacks


def _in_evaluation(call: Call) -> QuerySet[Application]:
    """The call's applications in evaluation that a committee decides (not R4.4–R4.7)."""
    return (Application.objects.filter(call=call, status=ApplicationStatus.IN_EVALUATION)
            .exclude(pathway__in=RECOGNITION_PATHWAYS))


def _readiness_queryset(call: Call) -> QuerySet[Application]:
    """One query: every figure readiness needs, per application."""
    active = Assignment.objects.filter(application=OuterRef("pk"), status=Assignment.Status.ACTIVE)
    slots = DefenceSlot.objects.filter(application=OuterRef("pk"))
    undecided = MeetingCandidate.objects.filter(application=OuterRef("pk"), meeting__status__in=UNDECIDED)

    def count(qs):
        return Subquery(qs.order_by().values("application").annotate(n=Count("pk")).values("n")[:1])

    return (_in_evaluation(call).select_related("applicant", "specialty")
            .annotate(n_experts=count(active),
                      n_submitted=count(active.filter(score__status=Score.Status.SUBMITTED)),
                      defended=Exists(slots.filter(attendance=DefenceSlot.Attendance.PRESENT)),
                      defence_pending_at=Subquery(slots.filter(attendance=DefenceSlot.Attendance.PENDING)
                                                  .order_by().values("application")
                                                  .annotate(m=Min("starts_at")).values("m")[:1]),
                      defence_absent=Exists(slots.filter(attendance=DefenceSlot.Attendance.ABSENT)),
                      open_unit_objection=Exists(UnitObjection.objects.filter(application=OuterRef("pk"),
                                                                              answered_at__isnull=True)),
                      open_objection_period=Subquery(Objection.objects.filter(
                          entry__application=OuterRef("pk"), answered_at__isnull=True)
                          .values("entry__period_id")[:1]),
                      before_meeting=Subquery(undecided.values("meeting_id")[:1]),
                      before_meeting_title=Subquery(undecided.values("meeting__title")[:1]),
                      before_meeting_title_generated=Subquery(undecided.values("meeting__title_generated")[:1]))
            .order_by("pk"))


def _lacks(app: Application, call: Call) -> list[Lack]:
    lacks = []
    dashboard = reverse("review-call-dashboard", args=[call.pk])
    page = reverse("review-call-application", args=[call.pk, app.pk])
    defences = reverse("review-defences", args=[call.pk])
    if app.before_meeting:
        lacks.append(Lack("meeting", _("already a candidate of the meeting “%(title)s”, not yet closed")
                          % {"title": generated_meeting_title(call.display_name)
                             if app.before_meeting_title_generated else app.before_meeting_title},
                          reverse("review-meeting-console", args=[app.before_meeting]), _("Go to that meeting")))
    n_experts, n_submitted = app.n_experts or 0, app.n_submitted or 0
    if not n_experts:
        lacks.append(Lack("experts", _("no expert drawn yet, so no scores"), dashboard, _("Draw experts"),
                          rule="R6.6"))
    elif n_submitted < n_experts:
        lacks.append(Lack("scores", _("scores missing: %(submitted)d of %(experts)d experts have submitted")
                          % {"submitted": n_submitted, "experts": n_experts}, page,
                          _("See who has not scored"), rule="R5.2"))
    if needs_defence(app, call) and not app.defended:
        if app.defence_pending_at:
            text = _("defence not held yet: scheduled for %(when)s, attendance not recorded") % {
                # In first-strong isolates (U+2068 … U+2069): the date and time keep their order inside
                # right-to-left (Uyghur) text, here and wherever the text is joined into a message.
                "when": "\u2068" + timezone.localtime(app.defence_pending_at).strftime("%Y-%m-%d %H:%M") + "\u2069"}
            # A slot still ahead cannot be recorded yet (defence_result_record): the link then only shows it.
            lacks.append(Lack("defence_result", text, defences,
                              _("Record the defence") if app.defence_pending_at <= timezone.now()
                              else _("See the defence schedule"), rule="R4.3"))
        elif app.defence_absent:
            lacks.append(Lack("defence_absent", _("defence not held: absent from the slot; give another slot"),
                              defences, _("Schedule a defence"), rule="R4.3"))
        else:
            lacks.append(Lack("defence", _("defence not held: no slot scheduled yet"), defences,
                              _("Schedule a defence"), rule="R4.3"))
    if app.open_objection_period:
        lacks.append(Lack("objection", _("an objection to the result is not answered yet"),
                          reverse("review-publicity-manage", args=[app.open_objection_period]),
                          _("Answer the objection"), rule="R6.10"))
    elif app.open_unit_objection:
        lacks.append(Lack("objection", _("an objection raised in unit publicity is not answered yet (the employer "
                                         "answers it)"), page, _("Open the application"), rule="R5.5"))
    return lacks


def vote_readiness(*, call: Call) -> list[Readiness]:
    """Every application of the call in evaluation, ready for a vote or not,
    each with what it lacks and where that is done (one query)."""
    return [Readiness(application=app, lacks=_lacks(app, call)) for app in _readiness_queryset(call)]


def _describe(rows: list[Readiness], limit: int = 10) -> str:
    parts = [_("#%(id)d %(name)s: %(lacks)s") % {"id": r.application.pk, "name": r.application.applicant.real_name,
                                                  "lacks": _("; ").join(lack.text for lack in r.lacks)}
             for r in rows[:limit]]
    if len(rows) > limit:
        parts.append(_("and %(n)d more") % {"n": len(rows) - limit})
    return _(". ").join(parts)


def _eligible_candidates(call: Call, application_ids: list[int] | None) -> tuple[list[Application], list[Readiness]]:
    rows = vote_readiness(call=call)
    if application_ids is not None:
        wanted = set(application_ids)
        rows = [r for r in rows if r.application.pk in wanted]
        unknown = wanted - {r.application.pk for r in rows}
        if unknown:
            raise InvalidInput(_("Applications %(ids)s are not in evaluation in this call.")
                               % {"ids": ", ".join(str(i) for i in sorted(unknown))}, field="application_ids")
        lacking = [r for r in rows if not r.ready]
        if lacking:
            message = _("Not ready to be put to the vote: %(list)s.") % {"list": _describe(lacking)}
            if any(lack.rule == "R4.3" for r in lacking for lack in r.lacks):
                raise RuleViolation(message, rule="R4.3", field="application_ids")
            raise InvalidInput(message, field="application_ids")
    return [r.application for r in rows if r.ready], [r for r in rows if not r.ready]


def meeting_create(*, actor: User, call_id: int, title: str, scheduled_at: dt.datetime, location: str = "",
                   application_ids: list[int] | None = None) -> Meeting:
    """Plan a meeting of the call's committee with its candidates: those
    named, or by default every application of the call that is ready for a
    vote (:func:`vote_readiness`: scored by its experts, defended where a
    defence is needed, no objection open, not before another meeting)."""
    call = _call_for_secretary(actor, call_id)
    require_operational(call.committee)
    if not isinstance(scheduled_at, dt.datetime):
        raise InvalidInput(_("Enter when the meeting takes place."), field="scheduled_at")
    with transaction.atomic():
        # One planning at a time per call, so no application becomes a candidate of two meetings.
        Call.objects.select_for_update().filter(pk=call.pk).first()
        ready, lacking = _eligible_candidates(call, application_ids)
        if not ready:
            if lacking:
                raise InvalidInput(_("No application can be put to the vote yet: %(list)s.")
                                   % {"list": _describe(lacking)}, field="application_ids")
            raise InvalidInput(_("No application of this call is in evaluation."), field="application_ids")
        # The vote follows the candidates' defences: a meeting dated before the last defence held is a
        # wrong date (a typo of year or month), refused at the field with that defence's time.
        last_defence = (DefenceSlot.objects.filter(application__in=ready,
                                                   attendance=DefenceSlot.Attendance.PRESENT)
                        .aggregate(last=Max("starts_at"))["last"])
        if last_defence is not None and scheduled_at < last_defence:
            raise InvalidInput(_("The meeting votes after its candidates' defences: the last one began at %(when)s "
                                 "(Beijing time). Choose a later time.")
                               % {"when": timezone.localtime(last_defence).strftime("%Y-%m-%d %H:%M")},
                               field="scheduled_at")
        typed = (title or "").strip()[:128]
        # Left empty, or left as the form gave it (the call's name in any of its languages): named
        # after the call, shown in each reader's language; the record keeps the Chinese name.
        generated = not typed or typed in {generated_meeting_title(n) for n in (call.name, call.name_en,
                                                                                  call.name_ug) if n}
        meeting = Meeting.objects.create(committee=call.committee, call=call,
                                         title=generated_meeting_title(call.name) if generated else typed,
                                         title_generated=generated, scheduled_at=scheduled_at,
                                         location=(location or "").strip()[:300],
                                         created_by=actor)
        MeetingCandidate.objects.bulk_create([MeetingCandidate(meeting=meeting, application=a) for a in ready])
        audit_record(actor=actor, action="meeting.create", obj=meeting,
                     after={"call": call.pk, "candidates": [a.pk for a in ready]})
    return meeting


def _lock_meeting(actor: User, meeting_id: int) -> Meeting:
    meeting = (Meeting.objects.select_for_update(of=("self",)).select_related("committee", "call")
               .filter(pk=meeting_id).first())
    if meeting is None or not is_secretary(actor, meeting.committee_id):
        raise NotFound()
    return meeting


def meeting_attendance_record(*, actor: User, meeting_id: int, member_ids: list[int]) -> Meeting:
    """The members present, recorded by the secretary before the meeting opens."""
    if not isinstance(member_ids, list | tuple | set):
        raise InvalidInput(_("List the members present."), field="member_ids")
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        wf.MEETING_WORKFLOW.check(action="record_attendance", current=meeting.status, roles={wf.SECRETARY})
        members = voting_member_ids(meeting.committee_id)
        try:
            wanted = {int(i) for i in member_ids}
        except (TypeError, ValueError):
            raise InvalidInput(_("List the members present."), field="member_ids")
        strangers = wanted - members
        if strangers:
            raise RuleViolation(_("Only members of the committee can be recorded present; no proxies (R6.5)."),
                                rule="R6.5", field="member_ids")
        before = sorted(meeting.attendance.values_list("member_id", flat=True))
        meeting.attendance.exclude(member_id__in=wanted).delete()
        known = set(meeting.attendance.values_list("member_id", flat=True))
        MeetingAttendance.objects.bulk_create([MeetingAttendance(meeting=meeting, member_id=m, recorded_by=actor)
                                               for m in sorted(wanted - known)])
        audit_record(actor=actor, action="meeting.attendance", obj=meeting, before={"present": before},
                     after={"present": sorted(wanted), "members": len(members)})
    return meeting


def meeting_open(*, actor: User, meeting_id: int) -> Meeting:
    """Open the meeting: only with at least 2/3 of the members present (R6.5)."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        transition = wf.MEETING_WORKFLOW.check(action="open", current=meeting.status, roles={wf.SECRETARY})
        members = voting_member_ids(meeting.committee_id)
        present = set(meeting.attendance.values_list("member_id", flat=True)) & members
        if not quorum_met(present=len(present), members=len(members)):
            raise RuleViolation(_("%(present)d of %(members)d members are present; a meeting needs at least two "
                                  "thirds (R6.5).") % {"present": len(present), "members": len(members)},
                                rule="R6.5")
        if not meeting.candidates.exists():
            raise InvalidInput(_("The meeting has no candidates."))
        meeting.status = transition.target
        meeting.members_total, meeting.present_total = len(members), len(present)
        meeting.opened_at = timezone.now()
        meeting.save()
        audit_record(actor=actor, action="meeting.open", obj=meeting, before={"status": "planned"},
                     after={"status": meeting.status, "members": len(members), "present": len(present)})
        notification_send(recipients=list(User.objects.filter(pk__in=present)),
                          subject=lambda: _("The meeting is open: %(title)s") % {"title": meeting.title_display},
                          body=lambda: _("Cast your secret vote on each candidate on the meeting's page (R6.5)."),
                          url=reverse("review-meeting-vote", args=[meeting.pk]))
    return meeting


def ballot_cast(*, actor: User, meeting_id: int, candidate_id: int, choice: str,
                member_id: int | None = None) -> MeetingCandidate:
    """One secret vote of a present member on a candidate (R6.5)."""
    if member_id not in (None, "") and str(member_id) != str(getattr(actor, "pk", "")):
        raise NotAllowed(_("Members vote only for themselves; there are no proxy votes (R6.5)."), rule="R6.5")
    meeting = Meeting.objects.select_related("committee").filter(pk=meeting_id).first()
    if meeting is None or not CommitteeMember.objects.filter(committee_id=meeting.committee_id, user=actor,
                                                             is_active=True).exists():
        raise NotFound()
    if choice not in CHOICES:
        raise InvalidInput(_("Vote yes, no or abstain."), field="choice")
    require_operational(meeting.committee)
    if meeting.status != Meeting.Status.OPEN:
        raise RuleViolation(_("Votes are cast only while the ballot is open (R6.5)."), rule="R6.5")
    present = MeetingAttendance.objects.filter(meeting=meeting, member=actor).exists()
    if not present or not CommitteeMember.objects.filter(committee_id=meeting.committee_id, user=actor,
                                                         is_active=True, role__in=VOTING_ROLES).exists():
        raise NotAllowed(_("Only members recorded present vote, each for themselves (R6.5)."), rule="R6.5")
    with transaction.atomic():
        candidate = MeetingCandidate.objects.select_for_update().filter(pk=candidate_id, meeting=meeting).first()
        if candidate is None:
            raise NotFound()
        if candidate.outcome != MeetingCandidate.Outcome.PENDING:
            raise RuleViolation(_("Voting on this candidate is over (R6.5)."), rule="R6.5")
        try:
            with transaction.atomic():
                VoteMarker.objects.create(candidate=candidate, member=actor)
        except IntegrityError:
            raise Conflict(_("You have already voted on this candidate (R6.5)."), rule="R6.5")
        field = TALLY_FIELD[choice]
        MeetingCandidate.objects.filter(pk=candidate.pk).update(**{field: F(field) + 1})
        audit_record(actor=actor, action="ballot.cast", obj=meeting, after={"candidate": candidate.pk})
    return candidate


def _passing(meeting: Meeting) -> list[MeetingCandidate]:
    """Candidates whose tally passes and who are not named in a pass-rate
    decision. Only ever called once the ballot is closed (R6.5)."""
    return [c for c in meeting.candidates.all()
            if not c.excluded_by_ceiling and candidate_passes(yes=c.yes_votes, present=meeting.present_total or 0)]


def _tally(candidates) -> list[dict]:
    return [{"candidate": c.pk, "application": c.application_id, "yes": c.yes_votes, "no": c.no_votes,
             "abstain": c.abstentions} for c in candidates]


def _ballot_still_open() -> RuleViolation:
    """The one answer to anything tally-derived while the ballot is open,
    whatever the candidates named (R6.5): no signal of how a vote went."""
    return RuleViolation(_("The ballot is still open: tallies, passes and the pass-rate ceiling are looked at only "
                           "once the ballot is closed (R6.5)."), rule="R6.5")


@dataclass(frozen=True)
class Excess:
    """R6.7 once the ballot is closed: how many of this meeting pass, and how
    many must be named in a recorded decision (0: none is asked for)."""

    ceiling: CallCeiling
    passing: list[MeetingCandidate]

    @property
    def passes(self) -> int:
        return len(self.passing)

    @property
    def to_name(self) -> int:
        return max(0, self.ceiling.passed_elsewhere + self.passes - self.ceiling.allowed)


def meeting_excess(meeting: Meeting) -> Excess:
    """R6.7 for a meeting whose ballot is closed (counted); refuses while open (R6.5)."""
    if meeting.status not in (Meeting.Status.COUNTED, Meeting.Status.CLOSED):
        raise _ballot_still_open()
    return Excess(ceiling=call_ceiling(call=meeting.call, meeting=meeting), passing=_passing(meeting))


def _ballot_close(actor: User, meeting: Meeting) -> Meeting:
    """open → counted, on a locked meeting: no vote after this; the tally is fixed and audited."""
    transition = wf.MEETING_WORKFLOW.check(action="close_ballot", current=meeting.status, roles={wf.SECRETARY})
    meeting.status = transition.target
    meeting.ballot_closed_at = timezone.now()
    meeting.save(update_fields=["status", "ballot_closed_at"])
    candidates = list(meeting.candidates.order_by("pk"))
    audit_record(actor=actor, action="meeting.close_ballot", obj=meeting, before={"status": "open"},
                 after={"status": meeting.status, "present": meeting.present_total, "tally": _tally(candidates)})
    return meeting


def meeting_ballot_close(*, actor: User, meeting_id: int) -> Meeting:
    """Close the secret ballot (R6.5): no more votes; the tallies are counted
    and shown to the secretary, with any excess over the call's ceiling (R6.7)."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        return _ballot_close(actor, meeting)


def meeting_resolve_excess(*, actor: User, meeting_id: int, candidate_ids: list[int], reason: str) -> CeilingDecision:
    """R6.7: once the ballot is closed, a recorded decision naming exactly as
    many passing candidates as the call's passes exceed its ceiling.

    While the ballot is open the answer is the same whoever is named (R6.5):
    nothing tells whether a candidate currently passes.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Record the reason for the decision (R6.7)."), field="reason")
    if not isinstance(candidate_ids, list | tuple | set) or not candidate_ids:
        raise InvalidInput(_("Name the candidates not passed."), field="candidate_ids")
    try:
        chosen = {int(i) for i in candidate_ids}
    except (TypeError, ValueError):
        raise InvalidInput(_("Name the candidates not passed."), field="candidate_ids")
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        if meeting.status == Meeting.Status.OPEN:
            raise _ballot_still_open()
        wf.MEETING_WORKFLOW.check(action="resolve_excess", current=meeting.status, roles={wf.SECRETARY})
        excess = meeting_excess(meeting)
        if not excess.to_name:
            raise RuleViolation(_("Passes are within the call's pass-rate ceiling (at most %(allowed)d of its "
                                  "%(candidates)d candidates); no decision is needed (R6.7).")
                                % {"allowed": excess.ceiling.allowed, "candidates": excess.ceiling.candidates},
                                rule="R6.7")
        passing = {c.pk for c in excess.passing}
        if not chosen <= passing:
            raise InvalidInput(_("Only candidates who passed the vote can be named."), field="candidate_ids")
        if len(chosen) != excess.to_name:
            raise RuleViolation(_("Name exactly %(n)d candidate(s): %(passes)d of the call pass, and the ceiling of "
                                  "%(rate)s%% of its %(candidates)d candidates allows %(allowed)d (R6.7).")
                                % {"n": excess.to_name, "passes": excess.ceiling.passed_elsewhere + excess.passes,
                                   "rate": excess.ceiling.percent, "candidates": excess.ceiling.candidates,
                                   "allowed": excess.ceiling.allowed}, rule="R6.7", field="candidate_ids")
        MeetingCandidate.objects.filter(pk__in=chosen).update(excluded_by_ceiling=True)
        decision = CeilingDecision.objects.create(meeting=meeting, reason=reason, decided_by=actor)
        decision.excluded.set(chosen)
        audit_record(actor=actor, action="meeting.resolve_excess", obj=meeting,
                     after={"excluded": sorted(chosen), "ceiling": str(meeting.call.pass_rate_ceiling),
                            **excess.ceiling.as_dict()}, reason=reason)
    return decision


def meeting_close(*, actor: User, meeting_id: int) -> Meeting:
    """Record the results: each candidate passes or fails; the applications follow.

    Called on an open meeting it first closes the ballot (committed on its
    own: closing is what ends the vote), then records the results if the
    call's passes are within its ceiling; if they exceed it, the meeting
    stays counted and a recorded decision is asked for (R6.7).
    """
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        if meeting.status == Meeting.Status.OPEN:
            require_operational(meeting.committee)
            _ballot_close(actor, meeting)
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        transition = wf.MEETING_WORKFLOW.check(action="close", current=meeting.status, roles={wf.SECRETARY})
        candidates = list(meeting.candidates.select_for_update().order_by("pk"))
        excess = meeting_excess(meeting)
        if excess.to_name:
            c = excess.ceiling
            raise RuleViolation(_("The ballot is closed: %(passes)d of the call's %(candidates)d candidates pass, "
                                  "above its pass-rate ceiling of %(rate)s%% (at most %(allowed)d). Record a "
                                  "decision naming %(n)d candidate(s) not passed first (R6.7).")
                                % {"passes": c.passed_elsewhere + excess.passes, "candidates": c.candidates,
                                   "rate": c.percent, "allowed": c.allowed, "n": excess.to_name}, rule="R6.7")
        passing = {c.pk for c in excess.passing}
        now, on = timezone.now(), today()
        results = []
        for candidate in candidates:
            passed = candidate.pk in passing
            candidate.outcome = MeetingCandidate.Outcome.PASSED if passed else MeetingCandidate.Outcome.FAILED
            candidate.decided_at = now
            candidate.save(update_fields=["outcome", "decided_at"])
            application_advance(actor=actor, application_id=candidate.application_id,
                                action="pass" if passed else "fail", roles={wf.SECRETARY},
                                reason=f"meeting {meeting.pk}: yes {candidate.yes_votes}, no {candidate.no_votes}, "
                                       f"abstain {candidate.abstentions}, present {meeting.present_total}")
            results.append(ResultRecord(application_id=candidate.application_id, source="meeting", decided_on=on,
                                        outcome=ResultRecord.Outcome.PASSED if passed else ResultRecord.Outcome.FAILED))
        ResultRecord.objects.bulk_create(results)
        meeting.status = transition.target
        meeting.closed_at = now
        meeting.save(update_fields=["status", "closed_at"])
        audit_record(actor=actor, action="meeting.close", obj=meeting, before={"status": "counted"},
                     after={"status": meeting.status, "ceiling": excess.ceiling.as_dict(), "tally": [
                         {"candidate": c.pk, "yes": c.yes_votes, "no": c.no_votes, "abstain": c.abstentions,
                          "outcome": c.outcome, "excluded_by_ceiling": c.excluded_by_ceiling} for c in candidates]})
        applicants = {c.application_id: c.outcome for c in candidates}
        for application in Application.objects.filter(pk__in=applicants).select_related("applicant"):
            failed = applicants[application.pk] == MeetingCandidate.Outcome.FAILED
            notification_send(recipients=[application.applicant], topic=Topic.RESULT,
                              subject=lambda a=application: _("The committee has decided on your application: "
                                                              "%(title)s") % {"title": a.title_display},
                              body=lambda failed=failed: _("Not passed. You may request a reconsideration on the "
                                                           "results page.") if failed
                              else _("Passed. The result will be publicised; you are told when."),
                              url=reverse("review-my-reviews"))
        transaction.on_commit(lambda: meeting_closed.send(sender=Meeting, meeting_id=meeting.pk,
                                                          call_id=meeting.call_id,
                                                          committee_id=meeting.committee_id))
    return meeting


def meeting_notice_send(*, actor: User, meeting_id: int) -> int:
    """Tell every voting member of the committee when and where the meeting
    is (in the portal and by email), so the secretary can gather a quorum
    (R6.5). Returns how many were told; audited."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        wf.MEETING_WORKFLOW.check(action="notify_members", current=meeting.status, roles={wf.SECRETARY})
        members = list(User.objects.filter(pk__in=voting_member_ids(meeting.committee_id)))
        when = timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M")
        notification_send(recipients=members,
                          subject=lambda: _("Review meeting on %(when)s: %(title)s")
                          % {"when": when, "title": meeting.title_display},
                          body=lambda: _("%(committee)s meets on %(when)s at %(place)s. At least %(needed)d of the "
                                         "%(members)d members must be present (R6.5). Please tell the committee "
                                         "office if you cannot attend.")
                          % {"committee": meeting.committee.display_name, "when": when,
                             "place": meeting.location or _("the place the office will tell you"),
                             "needed": quorum_needed(len(members)), "members": len(members)},
                          url=reverse("review-expert-home"))
        meeting.notice_sent_at = timezone.now()
        meeting.save(update_fields=["notice_sent_at"])
        audit_record(actor=actor, action="meeting.notice", obj=meeting,
                     after={"members": sorted(m.pk for m in members)})
    return len(members)


__all__ = ["CallCeiling", "Excess", "Lack", "Readiness", "allowed_passes", "ballot_cast", "call_ceiling",
           "candidate_passes", "ceiling_allows", "meeting_attendance_record", "meeting_ballot_close",
           "meeting_close", "meeting_create", "meeting_excess", "meeting_notice_send", "meeting_open",
           "meeting_resolve_excess", "needs_defence", "quorum_met", "quorum_needed", "vote_readiness"]
