"""Meetings and secret ballots (R6.5) and the pass-rate ceiling (R6.7)."""

from __future__ import annotations

import datetime as dt

import pytest

from applications.models import Application
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent
from review import services
from review.models import MeetingCandidate, VoteMarker
from tests.factories import UserFactory
from tests.review.conftest import file_committee, make_application, make_call, secretary_of, voting_members

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


def meeting_with(committee, call, present: int, candidates: int = 1):
    secretary = secretary_of(committee)
    apps = [make_application(call, scored=True) for _ in range(candidates)]
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW)
    members = voting_members(committee)
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in members[:present]])
    return meeting, members, apps


@pytest.mark.parametrize("size", [3, 6, 9, 15])
def test_R6_5_quorum_exactly_two_thirds_opens_one_fewer_does_not(officer, size):
    committee = file_committee(officer, members=size)
    call = make_call(committee)
    secretary = secretary_of(committee)
    meeting, members, _apps = meeting_with(committee, call, present=size * 2 // 3 - 1)
    with pytest.raises(RuleViolation) as error:
        services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    assert error.value.rule == "R6.5"
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in members[:size * 2 // 3]])
    meeting = services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    assert meeting.status == "open" and meeting.present_total * 3 == meeting.members_total * 2


def test_R6_5_quorum_with_members_not_divisible_by_three(officer):
    committee = file_committee(officer, members=7)  # 2/3 of 7 = 4.67: 5 needed
    call = make_call(committee)
    meeting, members, _ = meeting_with(committee, call, present=4)
    with pytest.raises(RuleViolation):
        services.meeting_open(actor=secretary_of(committee), meeting_id=meeting.pk)
    services.meeting_attendance_record(actor=secretary_of(committee), meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in members[:5]])
    assert services.meeting_open(actor=secretary_of(committee), meeting_id=meeting.pk).status == "open"


def _vote(meeting, members, candidate, yes: int, no: int = 0, abstain: int = 0):
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    for member, choice in zip(members, choices, strict=False):
        services.ballot_cast(actor=member, meeting_id=meeting.pk, candidate_id=candidate.pk, choice=choice)


@pytest.mark.parametrize(("present", "yes", "passes"), [(6, 4, True), (6, 3, False), (9, 6, True), (9, 5, False),
                                                          (7, 5, True), (7, 4, False), (8, 6, True), (8, 5, False)])
def test_R6_5_pass_with_yes_exactly_two_thirds_of_present_one_short_fails(officer, present, yes, passes):
    committee = file_committee(officer, members=9)
    call = make_call(committee, ceiling="1")
    secretary = secretary_of(committee)
    meeting, members, apps = meeting_with(committee, call, present=present)
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    candidate = meeting.candidates.get()
    _vote(meeting, members[:present], candidate, yes=yes, no=present - yes - 1, abstain=1)
    services.meeting_close(actor=secretary, meeting_id=meeting.pk)
    candidate.refresh_from_db()
    apps[0].refresh_from_db()
    assert candidate.outcome == ("passed" if passes else "failed")
    assert apps[0].status == ("passed" if passes else "failed")
    assert candidate.yes_votes == yes and candidate.votes_cast == present


def test_R6_5_secret_ballot_a_second_vote_is_refused_and_choices_are_not_linkable(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="1")
    meeting, members, _ = meeting_with(committee, call, present=3)
    services.meeting_open(actor=secretary_of(committee), meeting_id=meeting.pk)
    candidate = meeting.candidates.get()
    services.ballot_cast(actor=members[0], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="no")
    with pytest.raises(Conflict) as error:
        services.ballot_cast(actor=members[0], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes")
    assert error.value.rule == "R6.5"
    candidate.refresh_from_db()
    assert (candidate.yes_votes, candidate.no_votes) == (0, 1)
    # The marker says who voted, never how; the audit event neither.
    marker_fields = {f.name for f in VoteMarker._meta.get_fields()}
    assert marker_fields == {"id", "candidate", "member"}
    event = AuditEvent.objects.get(action="ballot.cast")
    assert event.after == {"candidate": candidate.pk} and "no" not in str(event.after)


def test_R6_5_no_vote_outside_a_meeting_no_proxy_no_absent_member(officer):
    committee = file_committee(officer, members=6)
    call = make_call(committee)
    meeting, members, _ = meeting_with(committee, call, present=4)
    candidate = meeting.candidates.get()
    with pytest.raises(RuleViolation) as error:  # not open yet
        services.ballot_cast(actor=members[0], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes")
    assert error.value.rule == "R6.5"
    services.meeting_open(actor=secretary_of(committee), meeting_id=meeting.pk)
    with pytest.raises(NotAllowed) as error:  # absent member
        services.ballot_cast(actor=members[5], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes")
    assert error.value.rule == "R6.5"
    with pytest.raises(NotAllowed) as error:  # proxy
        services.ballot_cast(actor=members[0], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes",
                             member_id=members[5].pk)
    assert error.value.rule == "R6.5"
    with pytest.raises(NotFound):  # a stranger
        services.ballot_cast(actor=UserFactory(), meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes")
    with pytest.raises(NotAllowed):  # the secretary does not vote
        services.ballot_cast(actor=secretary_of(committee), meeting_id=meeting.pk, candidate_id=candidate.pk,
                             choice="yes")
    with pytest.raises(InvalidInput):
        services.ballot_cast(actor=members[0], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="maybe")
    with pytest.raises(RuleViolation):  # attendance is fixed once open
        services.meeting_attendance_record(actor=secretary_of(committee), meeting_id=meeting.pk,
                                           member_ids=[m.pk for m in members])
    services.meeting_close(actor=secretary_of(committee), meeting_id=meeting.pk)
    with pytest.raises(RuleViolation) as error:  # closed
        services.ballot_cast(actor=members[1], meeting_id=meeting.pk, candidate_id=candidate.pk, choice="yes")
    assert error.value.rule == "R6.5"
    candidate.refresh_from_db()
    assert candidate.votes_cast == 0


def test_R6_7_the_meeting_cannot_close_above_the_ceiling_until_a_recorded_decision(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.5")
    secretary = secretary_of(committee)
    meeting, members, apps = meeting_with(committee, call, present=3, candidates=4)
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    candidates = list(meeting.candidates.order_by("pk"))
    for candidate in candidates[:3]:  # three pass: 3 > 0.5 × 4
        _vote(meeting, members, candidate, yes=3)
    _vote(meeting, members, candidates[3], yes=1, no=2)
    with pytest.raises(RuleViolation) as error:
        services.meeting_close(actor=secretary, meeting_id=meeting.pk)
    assert error.value.rule == "R6.7"
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {
        "in_evaluation"}
    with pytest.raises(InvalidInput):  # no reason
        services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, candidate_ids=[candidates[2].pk],
                                        reason="")
    with pytest.raises(InvalidInput):  # a failed candidate cannot be named
        services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, candidate_ids=[candidates[3].pk],
                                        reason="按得票排序")
    services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, candidate_ids=[candidates[2].pk],
                                    reason="按综合得分排序，超出通过率部分不予通过")
    services.meeting_close(actor=secretary, meeting_id=meeting.pk)
    outcomes = list(MeetingCandidate.objects.filter(meeting=meeting).order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["passed", "passed", "failed", "failed"]
    assert AuditEvent.objects.filter(action="meeting.resolve_excess").exists()


def test_R6_7_exactly_at_the_ceiling_closes(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.5")
    meeting, members, _ = meeting_with(committee, call, present=3, candidates=4)
    services.meeting_open(actor=secretary_of(committee), meeting_id=meeting.pk)
    for candidate in list(meeting.candidates.order_by("pk"))[:2]:
        _vote(meeting, members, candidate, yes=3)
    assert services.meeting_close(actor=secretary_of(committee), meeting_id=meeting.pk).status == "closed"


def test_R4_3_green_channel_needs_an_attended_defence_before_the_vote(committee, secretary):
    call = make_call(committee, pathways=("regular", "green_channel"))
    green = make_application(call, pathway="green_channel", scored=True)
    with pytest.raises(RuleViolation) as error:
        services.meeting_create(actor=secretary, call_id=call.pk, title="m", scheduled_at=NOW,
                                application_ids=[green.pk])
    assert error.value.rule == "R4.3" and green.applicant.real_name in str(error.value.message)
    with pytest.raises(InvalidInput):  # not in evaluation: answered as for an unknown id
        services.meeting_create(actor=secretary, call_id=call.pk, title="m", scheduled_at=NOW,
                                application_ids=[make_application(call, status="draft").pk])
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="答辩", mode="on_site",
                                              starts_at=NOW, location="乌鲁木齐市人社局三楼")
    slot = services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=green.pk,
                                     starts_at=NOW, ends_at=NOW + dt.timedelta(minutes=30))
    services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score=90)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="m", scheduled_at=NOW,
                                      application_ids=[green.pk])
    assert meeting.candidates.get().application == green


def test_R6_5_only_the_committees_secretary_runs_the_meeting(officer, committee, call):
    meeting, members, _ = meeting_with(committee, call, present=9)
    other = file_committee(officer)
    with pytest.raises(NotFound):
        services.meeting_open(actor=secretary_of(other), meeting_id=meeting.pk)
    with pytest.raises(NotFound):
        services.meeting_open(actor=members[0], meeting_id=meeting.pk)
