"""Review meetings and secret ballots (R6.5) with the pass-rate ceiling (R6.7).

- A meeting opens only with at least 2/3 of the committee's voting members
  present: ``present * 3 >= members * 2`` in integers (exactly 2/3 opens).
- Each present member votes once per candidate, for themselves only (no
  proxies). The choice goes into the candidate's tally; that the member has
  voted goes into :class:`VoteMarker`, with no choice and no time, so no
  one can link a member to a choice. The audit trail records that a member
  voted, never how.
- A candidate passes with ``yes * 3 >= present * 2`` (exactly 2/3 passes).
- While passes exceed ``call.pass_rate_ceiling`` × candidates the meeting
  cannot close until a recorded decision names who is not passed (R6.7).
- Closing drives ``application_advance(... "pass" / "fail")``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.application_services import application_advance
from applications.models import Application, ApplicationStatus, Call
from portal.audit import audit_record
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import CommitteeMember, Topic, User
from portal.notifications import notification_send
from review import workflow as wf
from review.models import (
    CeilingDecision,
    DefenceSlot,
    Meeting,
    MeetingAttendance,
    MeetingCandidate,
    ResultRecord,
    VoteMarker,
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


def quorum_met(*, present: int, members: int) -> bool:
    """R6.5: at least 2/3 of the members present (exact integer arithmetic)."""
    return members > 0 and present * 3 >= members * 2


def candidate_passes(*, yes: int, present: int) -> bool:
    """R6.5: yes votes of at least 2/3 of the members present."""
    return present > 0 and yes * 3 >= present * 2


def ceiling_allows(*, passes: int, candidates: int, ceiling: Decimal) -> bool:
    """R6.7: passes may not exceed ceiling × candidates (exact decimals)."""
    return Decimal(passes) <= Decimal(str(ceiling)) * candidates


def needs_defence(application: Application, call: Call) -> bool:
    """The green channel goes to a committee with a defence (R4.3); so does
    every application of a call whose methods name a defence (R4.1)."""
    return application.pathway == "green_channel" or "defence" in (call.methods or [])


def _call_for_secretary(actor: User, call_id: int) -> Call:
    call = Call.objects.select_related("committee").filter(pk=call_id).first()
    if call is None or call.committee is None or not is_secretary(actor, call.committee_id):
        raise NotFound()
    return call


def _eligible_candidates(call: Call, application_ids: list[int] | None) -> tuple[list[Application], list[int]]:
    qs = (Application.objects.filter(call=call, status=ApplicationStatus.IN_EVALUATION)
          .exclude(pathway__in=RECOGNITION_PATHWAYS)
          .exclude(meeting_candidacies__meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.OPEN]))
    if application_ids is not None:
        qs = qs.filter(pk__in=application_ids)
    apps = list(qs.order_by("pk"))
    defended = set(DefenceSlot.objects.filter(application__in=apps, attendance=DefenceSlot.Attendance.PRESENT)
                   .values_list("application_id", flat=True))
    ready, lacking = [], []
    for app in apps:
        (lacking if needs_defence(app, call) and app.pk not in defended else ready).append(app)
    if application_ids is not None:
        unknown = set(application_ids) - {a.pk for a in apps}
        if unknown:
            raise InvalidInput(_("Applications %(ids)s are not in evaluation in this call or already before a "
                                 "meeting.") % {"ids": ", ".join(str(i) for i in sorted(unknown))},
                               field="application_ids")
        if lacking:
            raise RuleViolation(_("Applications %(ids)s need an attended defence first (R4.3).")
                                % {"ids": ", ".join(str(a.pk) for a in lacking)}, rule="R4.3")
    return ready, [a.pk for a in lacking]


def meeting_create(*, actor: User, call_id: int, title: str, scheduled_at: dt.datetime, location: str = "",
                   application_ids: list[int] | None = None) -> Meeting:
    """Plan a meeting of the call's committee with its candidates (by
    default every application in evaluation that is not before another
    meeting and, where needed, has defended)."""
    call = _call_for_secretary(actor, call_id)
    require_operational(call.committee)
    if not isinstance(scheduled_at, dt.datetime):
        raise InvalidInput(_("Enter when the meeting takes place."), field="scheduled_at")
    with transaction.atomic():
        ready, _lacking = _eligible_candidates(call, application_ids)
        if not ready:
            raise InvalidInput(_("No application is ready to be put to the vote."), field="application_ids")
        meeting = Meeting.objects.create(committee=call.committee, call=call,
                                         title=(title or "").strip()[:128] or call.name[:128],
                                         scheduled_at=scheduled_at, location=(location or "").strip()[:300],
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
                          subject=lambda: _("The meeting is open: %(title)s") % {"title": meeting.title},
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
        raise RuleViolation(_("Votes are cast only while the meeting is in session (R6.5)."), rule="R6.5")
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
    return [c for c in meeting.candidates.all()
            if not c.excluded_by_ceiling and candidate_passes(yes=c.yes_votes, present=meeting.present_total or 0)]


def meeting_resolve_excess(*, actor: User, meeting_id: int, candidate_ids: list[int], reason: str) -> CeilingDecision:
    """R6.7: a recorded decision naming which passing candidates are not
    passed, so that passes come within the call's ceiling."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Record the reason for the decision (R6.7)."), field="reason")
    if not isinstance(candidate_ids, list | tuple | set) or not candidate_ids:
        raise InvalidInput(_("Name the candidates not passed."), field="candidate_ids")
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        wf.MEETING_WORKFLOW.check(action="resolve_excess", current=meeting.status, roles={wf.SECRETARY})
        passing = {c.pk: c for c in _passing(meeting)}
        try:
            chosen = {int(i) for i in candidate_ids}
        except (TypeError, ValueError):
            raise InvalidInput(_("Name the candidates not passed."), field="candidate_ids")
        if not chosen <= set(passing):
            raise InvalidInput(_("Only candidates who passed the vote can be named."), field="candidate_ids")
        total = meeting.candidates.count()
        if ceiling_allows(passes=len(passing), candidates=total, ceiling=meeting.call.pass_rate_ceiling):
            raise RuleViolation(_("Passes are within the pass-rate ceiling; there is no excess to resolve (R6.7)."),
                                rule="R6.7")
        if not ceiling_allows(passes=len(passing) - len(chosen), candidates=total,
                              ceiling=meeting.call.pass_rate_ceiling):
            raise RuleViolation(_("After this decision passes still exceed the ceiling of %(rate)s (R6.7).")
                                % {"rate": meeting.call.pass_rate_ceiling}, rule="R6.7")
        MeetingCandidate.objects.filter(pk__in=chosen).update(excluded_by_ceiling=True)
        decision = CeilingDecision.objects.create(meeting=meeting, reason=reason, decided_by=actor)
        decision.excluded.set(chosen)
        audit_record(actor=actor, action="meeting.resolve_excess", obj=meeting,
                     after={"excluded": sorted(chosen), "ceiling": str(meeting.call.pass_rate_ceiling)}, reason=reason)
    return decision


def meeting_close(*, actor: User, meeting_id: int) -> Meeting:
    """Close: each candidate passes or fails; the applications follow."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        require_operational(meeting.committee)
        transition = wf.MEETING_WORKFLOW.check(action="close", current=meeting.status, roles={wf.SECRETARY})
        candidates = list(meeting.candidates.select_for_update().order_by("pk"))
        passing = {c.pk for c in _passing(meeting)}
        if not ceiling_allows(passes=len(passing), candidates=len(candidates), ceiling=meeting.call.pass_rate_ceiling):
            allowed = int(Decimal(str(meeting.call.pass_rate_ceiling)) * len(candidates))
            raise RuleViolation(_("%(passes)d of %(n)d candidates passed, above the call's pass-rate ceiling of "
                                  "%(rate)s (at most %(allowed)d). Record a decision on the excess first (R6.7).")
                                % {"passes": len(passing), "n": len(candidates),
                                   "rate": meeting.call.pass_rate_ceiling, "allowed": allowed}, rule="R6.7")
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
        audit_record(actor=actor, action="meeting.close", obj=meeting, before={"status": "open"},
                     after={"status": meeting.status, "tally": [
                         {"candidate": c.pk, "yes": c.yes_votes, "no": c.no_votes, "abstain": c.abstentions,
                          "outcome": c.outcome, "excluded_by_ceiling": c.excluded_by_ceiling} for c in candidates]})
        applicants = {c.application_id: c.outcome for c in candidates}
        for application in Application.objects.filter(pk__in=applicants).select_related("applicant"):
            failed = applicants[application.pk] == MeetingCandidate.Outcome.FAILED
            notification_send(recipients=[application.applicant], topic=Topic.RESULT,
                              subject=lambda a=application: _("The committee has decided on your application: "
                                                              "%(title)s") % {"title": a.title_name},
                              body=lambda failed=failed: _("Not passed. You may request a reconsideration on the "
                                                           "results page.") if failed
                              else _("Passed. The result will be publicised; you are told when."),
                              url=reverse("review-my-reviews"))
        transaction.on_commit(lambda: meeting_closed.send(sender=Meeting, meeting_id=meeting.pk,
                                                          call_id=meeting.call_id,
                                                          committee_id=meeting.committee_id))
    return meeting


__all__ = ["ballot_cast", "candidate_passes", "ceiling_allows", "meeting_attendance_record", "meeting_close",
           "meeting_create", "meeting_open", "meeting_resolve_excess", "needs_defence", "quorum_met"]
