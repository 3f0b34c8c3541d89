"""The secretary's path through a meeting (issue 12 §4) and the secret ballot
(issue 14.11): who is ready for a vote and what the others lack, defence slots
picked from a list, members and quorum on the meeting page, the pass-rate
ceiling of the call across its meetings (R6.7), and no tally-derived signal
before the ballot is closed (R6.5)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application, UnitObjection
from portal.errors import InvalidInput, RuleViolation
from portal.models import AuditEvent, Notification
from review import services
from review.models import Assignment, DefenceSlot, Meeting, MeetingCandidate
from tests.factories import UserFactory
from tests.review.conftest import (
    add_expert,
    file_committee,
    make_application,
    make_call,
    score_submitted,
    secretary_of,
    voting_members,
)

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def open_meeting(committee, call, candidates: int, *, present: int | None = None):
    """A meeting of ``candidates`` scored applications, opened with ``present`` members (all by default)."""
    secretary = secretary_of(committee)
    apps = [make_application(call, scored=True) for _ in range(candidates)]
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW,
                                      application_ids=[a.pk for a in apps])
    members = voting_members(committee)
    present = len(members) if present is None else present
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in members[:present]])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    return meeting, members[:present], apps


def vote_all(meeting, members, choice: str, candidates=None):
    for candidate in candidates or meeting.candidates.order_by("pk"):
        for member in members:
            services.ballot_cast(actor=member, meeting_id=meeting.pk, candidate_id=candidate.pk, choice=choice)


# --- R6.7: the ceiling of the call, rounded half up -------------------------------------------------

@pytest.mark.parametrize(("ceiling", "candidates", "allowed"), [
    ("0.6", 1, 1), ("0.6", 2, 1), ("0.6", 3, 2), ("0.6", 10, 6), ("0.6", 0, 0),
    ("0.5", 1, 1), ("0.5", 3, 2), ("0.5", 4, 2), ("0.3", 5, 2), ("0.25", 2, 1), ("0.65", 10, 7), ("1", 7, 7),
    ("0.333", 3, 1), ("0.15", 10, 2),
])
def test_R6_7_allowed_passes_are_ceiling_times_candidates_rounded_half_up(ceiling, candidates, allowed):
    assert services.allowed_passes(candidates=candidates, ceiling=ceiling) == allowed
    assert services.ceiling_allows(passes=allowed, candidates=candidates, ceiling=ceiling)
    assert not services.ceiling_allows(passes=allowed + 1, candidates=candidates, ceiling=ceiling)


@pytest.mark.parametrize(("candidates", "allowed"), [(1, 1), (2, 1), (3, 2), (10, 6)])
def test_R6_7_a_decision_is_asked_for_only_when_passes_truly_exceed_the_ceiling(officer, candidates, allowed):
    """60 % of 1, 2, 3 and 10 candidates, every candidate passing the vote."""
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.6")
    secretary = secretary_of(committee)
    meeting, members, apps = open_meeting(committee, call, candidates)
    vote_all(meeting, members, "yes")
    meeting = services.meeting_ballot_close(actor=secretary, meeting_id=meeting.pk)
    excess = services.meeting_excess(meeting)
    assert excess.ceiling.allowed == allowed and excess.passes == candidates
    assert excess.to_name == candidates - allowed
    if excess.to_name == 0:
        with pytest.raises(RuleViolation) as error:  # nothing to decide: no decision is asked for
            services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, reason="按得分排序",
                                            candidate_ids=[meeting.candidates.first().pk])
        assert error.value.rule == "R6.7"
    else:
        with pytest.raises(RuleViolation) as error:
            services.meeting_close(actor=secretary, meeting_id=meeting.pk)
        assert error.value.rule == "R6.7"
        ranked = list(meeting.candidates.order_by("-pk"))
        with pytest.raises(RuleViolation):  # one too many named: only the excess is decided
            services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, reason="按得分排序",
                                            candidate_ids=[c.pk for c in ranked[:excess.to_name + 1]])
        services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, reason="按综合得分排序，超出不予通过",
                                        candidate_ids=[c.pk for c in ranked[:excess.to_name]])
    services.meeting_close(actor=secretary, meeting_id=meeting.pk)
    assert Application.objects.filter(pk__in=[a.pk for a in apps], status="passed").count() == allowed
    assert Application.objects.filter(pk__in=[a.pk for a in apps], status="failed").count() == candidates - allowed
    close = AuditEvent.objects.get(action="meeting.close")
    assert close.after["ceiling"]["allowed"] == allowed and close.after["ceiling"]["call_candidates"] == candidates


def test_R6_7_one_candidate_at_60_percent_passes_without_any_decision(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.6")
    meeting, members, apps = open_meeting(committee, call, 1)
    vote_all(meeting, members, "yes")
    services.meeting_close(actor=secretary_of(committee), meeting_id=meeting.pk)  # from open: counts, then closes
    apps[0].refresh_from_db()
    assert apps[0].status == "passed" and not AuditEvent.objects.filter(action="meeting.resolve_excess").exists()


def test_R6_7_the_ceiling_applies_to_the_call_across_two_meetings(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.6")
    secretary = secretary_of(committee)
    first, members, first_apps = open_meeting(committee, call, 1)
    vote_all(first, members, "yes")
    services.meeting_close(actor=secretary, meeting_id=first.pk)  # 1 of 1: within 60 % of 1
    second, members, second_apps = open_meeting(committee, call, 1)
    ceiling = services.call_ceiling(call=call, meeting=second)  # shown before the vote
    assert (ceiling.candidates, ceiling.allowed, ceiling.passed_elsewhere, ceiling.left) == (2, 1, 1, 0)
    vote_all(second, members, "yes")
    with pytest.raises(RuleViolation) as error:  # 2 of the call's 2 pass: 60 % of 2 allows 1
        services.meeting_close(actor=secretary, meeting_id=second.pk)
    assert error.value.rule == "R6.7" and "1" in str(error.value.message)
    second.refresh_from_db()
    assert second.status == "counted"  # the ballot is closed; the results wait for the decision
    candidate = second.candidates.get()
    services.meeting_resolve_excess(actor=secretary, meeting_id=second.pk, candidate_ids=[candidate.pk],
                                    reason="本批次通过率已达上限")
    services.meeting_close(actor=secretary, meeting_id=second.pk)
    assert Application.objects.get(pk=first_apps[0].pk).status == "passed"
    assert Application.objects.get(pk=second_apps[0].pk).status == "failed"
    # A third meeting of two: the call's 4 candidates allow 2, one passed already, so one more may pass.
    third, members, third_apps = open_meeting(committee, call, 2)
    assert services.call_ceiling(call=call, meeting=third).left == 1
    vote_all(third, members, "yes")
    services.meeting_ballot_close(actor=secretary, meeting_id=third.pk)
    assert services.meeting_excess(Meeting.objects.get(pk=third.pk)).to_name == 1


def test_R6_7_the_ceiling_is_shown_before_voting_on_the_planning_page_console_and_api(client, officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.6")
    secretary = secretary_of(committee)
    for _ in range(3):
        make_application(call, scored=True)
    client.force_login(secretary)
    planning = client.get(reverse("review-meeting-new", args=[call.pk])).content.decode()
    assert re.search(r'data-testid="ceiling".*?60%.*?3.*?<strong>2</strong>', planning, re.S)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW)
    console = client.get(reverse("review-meeting-console", args=[meeting.pk])).content.decode()
    assert 'data-testid="may-pass">2<' in console
    data = api(secretary).get(f"/api/v1/review/meetings/{meeting.pk}/").json()
    assert data["status"] == "planned" and data["ceiling"] == {
        "ceiling": "0.600", "call_candidates": 3, "allowed": 2, "passed_in_other_meetings": 0,
        "candidates_here": 3, "may_pass_here": 2}


# --- R6.5: no tally-derived signal while the ballot is open (issue 14.11) ----------------------------

def test_R6_5_resolve_excess_answers_alike_for_any_candidate_while_the_ballot_is_open(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.5")
    secretary = secretary_of(committee)
    meeting, members, _apps = open_meeting(committee, call, 4)
    candidates = list(meeting.candidates.order_by("pk"))
    vote_all(meeting, members, "yes", candidates[:3])  # three would pass: over 50 % of 4
    vote_all(meeting, members, "no", candidates[3:])
    answers = set()
    for named in ([candidates[0].pk], [candidates[3].pk], [candidates[0].pk, candidates[1].pk], [999999]):
        with pytest.raises(RuleViolation) as error:
            services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, candidate_ids=named,
                                            reason="按得分排序")
        answers.add((type(error.value), error.value.rule, str(error.value.message), error.value.field))
    assert len(answers) == 1 and next(iter(answers))[1] == "R6.5"
    responses = set()
    for named in ([candidates[0].pk], [candidates[3].pk], [999999]):
        r = api(secretary).post(f"/api/v1/review/meetings/{meeting.pk}/resolve-excess/",
                                {"candidate_ids": named, "reason": "按得分排序"}, format="json")
        responses.add((r.status_code, r.content))
    assert len(responses) == 1 and next(iter(responses))[0] == 400
    assert not MeetingCandidate.objects.filter(meeting=meeting, excluded_by_ceiling=True).exists()
    assert not AuditEvent.objects.filter(action="meeting.resolve_excess").exists()


def _normalised(html: str, meeting, apps) -> str:
    for application in apps:
        html = html.replace(application.applicant.real_name, "NAME")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r"\d+", "N", html.replace(meeting.title, "TITLE").replace(meeting.call.name, "CALL"))
    return html.replace(meeting.committee.name, "COMMITTEE")


def test_R6_5_the_console_and_api_show_only_votes_cast_while_the_ballot_is_open(client, officer):
    """Two identical meetings, one voting yes on everyone (far over the ceiling), one voting no: while the
    ballot is open, the console and the API are the same but for names and numbers of the rows."""
    seen = []
    for choice in ("yes", "no"):
        committee = file_committee(officer, members=3)
        call = make_call(committee, ceiling="0.5")
        meeting, members, apps = open_meeting(committee, call, 2)
        vote_all(meeting, members, choice)
        secretary = secretary_of(committee)
        client.force_login(secretary)
        html = client.get(reverse("review-meeting-console", args=[meeting.pk])).content.decode()
        assert 'data-testid="over-ceiling"' not in html and 'name="candidates"' not in html
        assert ">3 / 3<" in html  # only how many have voted
        data = api(secretary).get(f"/api/v1/review/meetings/{meeting.pk}/").json()
        assert all(c["tally"] is None and c["outcome"] == "pending" and c["excluded_by_ceiling"] is False
                   and c["votes_cast"] == 3 for c in data["candidates"])
        seen.append((_normalised(html, meeting, apps), [{k: v for k, v in c.items() if k not in ("id", "application")}
                                                        for c in data["candidates"]]))
    assert seen[0] == seen[1]


def test_R6_5_once_the_ballot_is_closed_no_more_votes_and_the_tally_shows(client, officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="0.5")
    secretary = secretary_of(committee)
    meeting, members, _apps = open_meeting(committee, call, 4)
    candidates = list(meeting.candidates.order_by("pk"))
    vote_all(meeting, members[:2], "yes", candidates[:3])
    r = api(secretary).post(f"/api/v1/review/meetings/{meeting.pk}/close-ballot/")
    assert r.status_code == 200 and r.json()["status"] == "counted"
    assert r.json()["candidates"][0]["tally"] == {"yes": 2, "no": 0, "abstain": 0}
    with pytest.raises(RuleViolation) as error:  # the third member is too late
        services.ballot_cast(actor=members[2], meeting_id=meeting.pk, candidate_id=candidates[0].pk, choice="no")
    assert error.value.rule == "R6.5"
    event = AuditEvent.objects.get(action="meeting.close_ballot")
    assert event.after["tally"][0]["yes"] == 2
    client.force_login(secretary)
    html = client.get(reverse("review-meeting-console", args=[meeting.pk])).content.decode()
    assert 'data-testid="over-ceiling"' in html and html.count('name="candidates"') == 3  # 3 pass; 2 allowed
    assert 'data-testid="close-meeting" disabled' in html
    client.post(reverse("review-meeting-console", args=[meeting.pk]),
                {"action": "resolve", "candidates": [candidates[2].pk], "reason": "按综合得分排序"})
    client.post(reverse("review-meeting-console", args=[meeting.pk]), {"action": "close"})
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    assert list(meeting.candidates.order_by("pk").values_list("outcome", flat=True)) == [
        "passed", "passed", "failed", "failed"]


# --- Who is ready for the vote, and what the others lack --------------------------------------------

def test_each_application_not_ready_is_named_with_what_it_lacks_and_where_to_fix_it(client, committee, secretary):
    call = make_call(committee, methods=("review", "defence"))
    unscored = make_application(call)
    half = make_application(call)
    score_submitted(half, experts=1)
    profile = add_expert(committee)  # a second expert drawn for it, who has not scored
    Assignment.objects.create(application=half, expert=profile, expert_user_id=profile.user_id,
                              drawn_at=timezone.now())
    scheduled = make_application(call, scored=True)
    absent = make_application(call, scored=True)
    objected = make_application(call, scored=True)
    UnitObjection.objects.create(application=objected, reason="业绩存疑", contact="x")
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="现场答辩", mode="on_site",
                                              starts_at=NOW, location="人社局三楼")
    for n, application in enumerate((scheduled, absent, objected)):
        services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application.pk,
                                  starts_at=NOW + dt.timedelta(minutes=30 * n),
                                  ends_at=NOW + dt.timedelta(minutes=30 * n + 20))
    for application in (absent, objected):
        slot = DefenceSlot.objects.get(application=application)
        services.defence_result_record(actor=secretary, slot_id=slot.pk,
                                       attendance="absent" if application == absent else "present",
                                       score=None if application == absent else 85)
    rows = {r.application.pk: {lack.code for lack in r.lacks} for r in services.vote_readiness(call=call)}
    assert rows == {unscored.pk: {"experts", "defence"}, half.pk: {"scores", "defence"},
                    scheduled.pk: {"defence_result"}, absent.pk: {"defence_absent"}, objected.pk: {"objection"}}
    with pytest.raises(InvalidInput) as error:  # nothing is ready: each one is named
        services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW)
    for application in (unscored, half, scheduled, absent, objected):
        assert application.applicant.real_name in str(error.value.message)
    assert "1 of 2" in str(error.value.message)
    client.force_login(secretary)
    html = client.get(reverse("review-meeting-new", args=[call.pk])).content.decode()
    assert 'data-testid="none-ready"' in html and 'data-testid="plan" disabled' in html
    assert html.count('data-testid="not-ready-row"') == 5
    assert reverse("review-call-dashboard", args=[call.pk]) in html  # draw experts
    assert reverse("review-call-application", args=[call.pk, half.pk]) in html  # see who has not scored
    assert reverse("review-defences", args=[call.pk]) in html  # schedule or record the defence
    # Once the defence is recorded, that application is ready and can be planned.
    slot = DefenceSlot.objects.get(application=scheduled)
    services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score=80)
    response = client.post(reverse("review-meeting-new", args=[call.pk]), {
        "title": "第一次评审会", "scheduled_at": "2026-11-20T09:00", "location": "人社局三楼",
        "applications": [scheduled.pk, unscored.pk]})  # a not-ready one ticked by hand is left out
    meeting = Meeting.objects.get(title="第一次评审会")
    assert response.status_code == 302 and list(meeting.candidates.values_list("application", flat=True)) == [
        scheduled.pk]
    rows = {r.application.pk: [lack.code for lack in r.lacks] for r in services.vote_readiness(call=call)}
    assert rows[scheduled.pk] == ["meeting"]


def test_the_planning_page_and_readiness_api_keep_flat_queries_and_refuse_outsiders(client, officer, committee,
                                                                                     secretary, call):
    for _ in range(2):
        make_application(call, scored=True)
        make_application(call)
    url = reverse("review-meeting-new", args=[call.pk])
    client.force_login(secretary)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        make_application(call, scored=True)
        make_application(call)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 15
    data = api(secretary).get(f"/api/v1/review/calls/{call.pk}/readiness/").json()
    assert len(data) == 16 and sum(row["ready"] for row in data) == 8
    lacking = next(row for row in data if not row["ready"])
    assert lacking["lacks"][0]["code"] == "experts" and lacking["lacks"][0]["fix_at"].startswith("/review/calls/")
    expert = add_expert(committee).user
    for outsider in (secretary_of(file_committee(officer)), expert, UserFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert api(outsider).get(f"/api/v1/review/calls/{call.pk}/readiness/").status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302
    assert api().get(f"/api/v1/review/calls/{call.pk}/readiness/").status_code in (401, 403)


# --- Defence slots picked from a list ----------------------------------------------------------------

def test_defence_slots_are_added_by_picking_the_applicant_from_a_list(client, officer, committee, secretary):
    call = make_call(committee, methods=("review", "defence"))
    first, second = make_application(call), make_application(call)
    draft = make_application(call, status="draft")
    elsewhere = make_application(make_call(committee))
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="现场答辩", mode="on_site",
                                              starts_at=NOW, location="人社局三楼")
    url = reverse("review-defences", args=[call.pk])
    client.force_login(secretary)
    html = client.get(url).content.decode()
    select = re.search(r'<select[^>]*name="application".*?</select>', html, re.S).group(0)
    options = {int(v) for v in re.findall(r'<option value="(\d+)"', select)}
    assert options == {first.pk, second.pk}  # no draft, nothing of another call
    assert first.applicant.real_name in select and draft.applicant.real_name not in select
    assert 'type="number"' not in select and 'name="application" type="number"' not in html
    assert timezone.localtime(NOW).strftime("%Y-%m-%dT%H:%M") in html  # the first slot starts with the session
    response = client.post(url, {"action": "slot", "session": session.pk, "application": first.pk,
                                 "starts_at": "2026-11-10T17:00", "ends_at": "2026-11-10T17:20"})
    assert response.status_code == 302 and DefenceSlot.objects.filter(application=first).exists()
    html = client.get(url).content.decode()
    select = re.search(r'<select[^>]*name="application".*?</select>', html, re.S).group(0)
    assert {int(v) for v in re.findall(r'<option value="(\d+)"', select)} == {second.pk}
    assert 'value="2026-11-10T17:20"' in html  # the next slot follows the last one
    for stranger in (elsewhere.pk, draft.pk):
        client.post(url, {"action": "slot", "session": session.pk, "application": stranger,
                          "starts_at": "2026-11-10T18:00", "ends_at": "2026-11-10T18:20"})
        assert not DefenceSlot.objects.filter(application_id=stranger).exists()
    client.force_login(secretary_of(file_committee(officer)))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "slot", "session": session.pk, "application": second.pk,
                             "starts_at": "2026-11-10T18:00", "ends_at": "2026-11-10T18:20"}).status_code == 404


# --- Members and quorum on the meeting page -------------------------------------------------------

@pytest.mark.parametrize(("size", "needed"), [(3, 2), (6, 4), (7, 5), (9, 6), (25, 17)])
def test_R6_5_the_meeting_page_says_how_many_members_are_needed_and_present(client, officer, size, needed):
    committee = file_committee(officer, members=size)
    call = make_call(committee)
    secretary = secretary_of(committee)
    make_application(call, scored=True)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW)
    members = voting_members(committee)
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in members[:needed - 1]])
    assert services.quorum_needed(size) == needed
    client.force_login(secretary)
    html = client.get(reverse("review-meeting-console", args=[meeting.pk])).content.decode()
    quorum = re.search(r'data-testid="quorum">(.*?)</p>', html, re.S).group(1)
    assert f"<strong>{needed}</strong>" in quorum and f"<strong>{needed - 1}</strong>" in quorum
    assert str(size) in quorum and 'data-testid="open-meeting" disabled' in html
    for member in members:  # every member is on the page, reachable by the notice
        assert member.real_name in html
    assert api(secretary).get(f"/api/v1/review/meetings/{meeting.pk}/").json()["quorum_needed"] == needed


def test_R6_5_the_secretary_sends_the_meeting_notice_to_every_member(client, officer):
    committee = file_committee(officer, members=7)
    call = make_call(committee)
    secretary = secretary_of(committee)
    make_application(call, scored=True)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW,
                                      location="人社局三楼会议室")
    console = reverse("review-meeting-console", args=[meeting.pk])
    for outsider in (secretary_of(file_committee(officer)), voting_members(committee)[0]):
        client.force_login(outsider)
        assert client.post(console, {"action": "notice"}).status_code == 404
    assert not Notification.objects.filter(subject__contains="评审会").exists()
    client.force_login(secretary)
    client.post(console, {"action": "notice"})
    told = set(Notification.objects.filter(subject__contains="评审会").values_list("recipient_id", flat=True))
    assert told == {m.pk for m in voting_members(committee)} and secretary.pk not in told
    body = Notification.objects.filter(subject__contains="评审会").first().body
    assert "人社局三楼会议室" in body and "5" in body and "7" in body
    meeting.refresh_from_db()
    assert meeting.notice_sent_at is not None and AuditEvent.objects.filter(action="meeting.notice").exists()
    r = api(secretary).post(f"/api/v1/review/meetings/{meeting.pk}/notice/")
    assert r.status_code == 200 and r.json() == {"members_told": 7}
    assert api(voting_members(committee)[0]).post(f"/api/v1/review/meetings/{meeting.pk}/notice/").status_code in (
        403, 404)
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk,
                                       member_ids=[m.pk for m in voting_members(committee)[:5]])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    with pytest.raises(RuleViolation):  # the notice is for before the meeting
        services.meeting_notice_send(actor=secretary, meeting_id=meeting.pk)


def test_the_ballot_close_api_is_for_the_meetings_secretary_only(officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee)
    meeting, members, _ = open_meeting(committee, call, 1)
    url = f"/api/v1/review/meetings/{meeting.pk}/close-ballot/"
    assert api().post(url).status_code in (401, 403)
    assert api(members[0]).post(url).status_code in (403, 404)
    assert api(secretary_of(file_committee(officer))).post(url).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "open"
    assert api(secretary_of(committee)).post(url).status_code == 200
    again = api(secretary_of(committee)).post(url)
    assert again.status_code == 400


def test_the_meeting_console_keeps_flat_queries_in_every_state(client, officer):
    def console_queries(candidates: int) -> list[int]:
        committee = file_committee(officer, members=3)
        call = make_call(committee, ceiling="0.5")
        meeting, members, _ = open_meeting(committee, call, candidates)
        vote_all(meeting, members, "yes")
        secretary = secretary_of(committee)
        client.force_login(secretary)
        url = reverse("review-meeting-console", args=[meeting.pk])
        counts = []
        for step in ("open", "counted", "decided", "closed"):
            if step == "counted":
                services.meeting_ballot_close(actor=secretary, meeting_id=meeting.pk)
            elif step == "decided":
                excess = services.meeting_excess(Meeting.objects.get(pk=meeting.pk))
                services.meeting_resolve_excess(actor=secretary, meeting_id=meeting.pk, reason="按得分排序",
                                                candidate_ids=[c.pk for c in excess.passing[:excess.to_name]])
            elif step == "closed":
                services.meeting_close(actor=secretary, meeting_id=meeting.pk)
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few, many = console_queries(2), console_queries(8)
    assert few == many and max(many) <= 15


def test_the_home_page_shows_the_secretary_and_the_expert_what_waits_with_flat_queries(client, officer):
    committee = file_committee(officer, members=3)
    secretary = secretary_of(committee)
    expert = add_expert(committee)
    client.force_login(secretary)
    make_application(make_call(committee), scored=True)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        html = client.get("/").content.decode()
    assert 'data-testid="secretary-todo"' in html
    for _ in range(4):  # more calls, meetings and objections: the same queries
        call = make_call(committee)
        make_application(call, scored=True)
        services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=NOW)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/").content.decode()
    assert len(many) == len(few) and html.count("/review/meetings/") == 4
    client.force_login(expert.user)
    application = make_application(make_call(committee))
    Assignment.objects.create(application=application, expert=expert, expert_user_id=expert.user_id,
                              drawn_at=timezone.now())
    html = client.get("/").content.decode()
    assert 'data-testid="expert-todo"' in html and "/review/expert/" in html
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert 'data-testid="secretary-todo"' not in html and 'data-testid="expert-todo"' not in html
