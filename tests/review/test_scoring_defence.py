"""Scoring in the browser (R5.2) and defences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.errors import Conflict, InvalidInput, NotFound, RuleViolation
from portal.models import AuditEvent
from review import services
from review.models import DefenceSession, RubricCriterion, Score
from tests.factories import UserFactory
from tests.review.conftest import make_application

FULL = {"ability": 25, "achievements": 24, "market_recognition": 15, "contribution": 16}


@pytest.fixture
def assignment(committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=11)
    return application.review_assignments.first()


def test_R5_2_autosave_keeps_a_draft_and_submit_locks_it(assignment):
    expert = assignment.expert_user
    score = services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": "25"})
    assert score.status == "draft" and score.total is None and score.version == 1
    score = services.score_save(actor=expert, assignment_id=assignment.pk, values={"achievements": 24.5},
                                version=1)
    assert score.values == {"ability": "25", "achievements": "24.5"} and score.version == 2
    with pytest.raises(Conflict):  # a stale window
        services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": 1}, version=1)
    with pytest.raises(InvalidInput):  # incomplete
        services.score_submit(actor=expert, assignment_id=assignment.pk, verdict="recommend", comment="好")
    score = services.score_submit(actor=expert, assignment_id=assignment.pk, values=FULL, verdict="recommend",
                                  comment="同意推荐。")
    assert score.status == "submitted" and score.total == Decimal("80.00")
    with pytest.raises(RuleViolation) as error:
        services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": 1})
    assert error.value.rule == "R5.2"
    with pytest.raises(RuleViolation):
        services.score_submit(actor=expert, assignment_id=assignment.pk)
    assert AuditEvent.objects.filter(action="score.submit").count() == 1


@pytest.mark.parametrize("value", [-1, 31, "abc", "1e400", "NaN", True, "25.123", [1]])
def test_R5_2_a_score_outside_the_rubric_range_is_refused_and_changes_nothing(assignment, value):
    expert = assignment.expert_user
    services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": 10})
    with pytest.raises(InvalidInput) as error:
        services.score_save(actor=expert, assignment_id=assignment.pk, values={"ability": value})
    assert error.value.rule == "R5.2"
    assert Score.objects.get(assignment=assignment).values == {"ability": "10"}


def test_R5_2_unknown_criteria_are_refused(assignment):
    with pytest.raises(InvalidInput):
        services.score_save(actor=assignment.expert_user, assignment_id=assignment.pk, values={"beauty": 3})


def test_R6_6_a_score_from_an_unassigned_expert_is_refused(assignment):
    with pytest.raises(NotFound) as error:
        services.score_save(actor=UserFactory(), assignment_id=assignment.pk, values={"ability": 3})
    assert error.value.rule == "R6.6"
    assert not Score.objects.exists()


def test_R5_2_the_rubric_is_frozen_with_each_score(assignment, call):
    expert = assignment.expert_user
    services.score_submit(actor=expert, assignment_id=assignment.pk, values=FULL, verdict="recommend", comment="好")
    RubricCriterion.objects.filter(rubric=call.review_setup.rubric, code="ability").update(weight=90, max_score=90)
    score = Score.objects.get(assignment=assignment)
    assert score.total == Decimal("80.00")
    assert next(c for c in score.rubric_frozen if c["code"] == "ability")["weight"] == 30


def test_R5_2_the_rubric_cannot_change_once_scores_exist(assignment, call, secretary):
    from review.models import Rubric

    services.score_save(actor=assignment.expert_user, assignment_id=assignment.pk, values={"ability": 1})
    other = Rubric.objects.create(name="另一标准")
    RubricCriterion.objects.create(rubric=other, code="x", name="x", weight=100, max_score=100)
    with pytest.raises(RuleViolation):
        services.review_setup_configure(actor=secretary, call_id=call.pk, rubric_id=other.pk)


# --- Defences -------------------------------------------------------------------------------

def test_defence_sessions_slots_attendance_and_score(committee, secretary, call):
    application = make_application(call)
    starts = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput):
        services.defence_session_create(actor=secretary, call_id=call.pk, name="远程答辩", mode="remote",
                                        starts_at=starts)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="远程答辩", mode="remote",
                                              starts_at=starts, meeting_link="https://meeting.example.cn/123")
    slot = services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application.pk,
                                     starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
    other = make_application(call)
    with pytest.raises(InvalidInput):  # overlap
        services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=other.pk,
                                  starts_at=starts + dt.timedelta(minutes=10),
                                  ends_at=starts + dt.timedelta(minutes=30))
    with pytest.raises(InvalidInput):
        services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="absent", score=80)
    with pytest.raises(InvalidInput):
        services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score=101)
    slot = services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score="86.5")
    assert slot.score == Decimal("86.5")
    assert application.applicant.notifications.filter(subject__contains="defence").exists()
    with pytest.raises(NotFound):
        services.defence_result_record(actor=UserFactory(), slot_id=slot.pk, attendance="absent")
    assert DefenceSession.objects.get(pk=session.pk).slots.count() == 1


def _session_with_slot(secretary, call, *, starts: dt.datetime):
    application = make_application(call)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="现场答辩", mode="on_site",
                                              starts_at=starts, location="乌鲁木齐市人社局三楼")
    slot = services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application.pk,
                                     starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
    return session, slot


def test_defence_slot_before_its_session_starts_is_refused_and_nothing_is_added(client, committee, secretary,
                                                                                call):
    starts = timezone.now() + dt.timedelta(days=3)
    session, _slot = _session_with_slot(secretary, call, starts=starts)
    other = make_application(call)
    with pytest.raises(InvalidInput) as error:
        services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=other.pk,
                                  starts_at=starts - dt.timedelta(days=1),
                                  ends_at=starts - dt.timedelta(days=1) + dt.timedelta(minutes=20))
    assert error.value.field == "starts_at"
    # In the page: the secretary's message in their language, with the session's start in Beijing time.
    client.force_login(secretary)
    before = timezone.localtime(starts - dt.timedelta(days=1))
    response = client.post(reverse("review-defences", args=[call.pk]), {
        "action": "slot", "session": session.pk, "application": other.pk,
        "starts_at": before.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (before + dt.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")}, follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"答辩时段不得早于所在答辩场次的开始时间：本场次开始于{timezone.localtime(starts):%Y-%m-%d %H:%M}" in html
    assert session.slots.count() == 1 and not other.defence_slots.exists()


def test_defence_result_before_the_slot_starts_is_refused_and_changes_nothing(client, committee, secretary, call):
    starts = timezone.now() + dt.timedelta(days=5)
    _session, slot = _session_with_slot(secretary, call, starts=starts)
    with pytest.raises(InvalidInput) as error:
        services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score=90)
    assert error.value.field == "attendance"
    slot.refresh_from_db()
    assert slot.attendance == "pending" and slot.score is None
    assert not AuditEvent.objects.filter(action="defence.result").exists()
    # The page offers no form for it yet, and says when it can be recorded; a forged post changes nothing.
    client.force_login(secretary)
    url = reverse("review-defences", args=[call.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="slot-ahead"' in html and "答辩开始后登记。" in html
    assert 'name="action" value="result"' not in html
    response = client.post(url, {"action": "result", "slot": slot.pk, "attendance": "present", "score": "90"},
                           follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "该答辩尚未开始" in response.content.decode()
    slot.refresh_from_db()
    assert slot.attendance == "pending" and slot.score is None


def test_defence_result_once_the_slot_has_started_is_recorded(committee, secretary, call):
    _session, slot = _session_with_slot(secretary, call, starts=timezone.now() - dt.timedelta(minutes=5))
    slot = services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score="88")
    assert slot.attendance == "present" and slot.score == Decimal("88")


def test_R6_8_a_suspended_committee_s_expert_is_told_before_scoring_and_nothing_is_saved(client, assignment,
                                                                                          committee, officer):
    """The scoring page of a suspended committee says so in place of the form (the expert does not fill
    it in only to be refused), in words that do not call a suspension an expired filing; a forged post
    saves nothing. Reinstated, the form is back."""
    services.committee_sanction(actor=officer, committee_id=committee.pk, kind="suspension", reason="暂停评审")
    client.force_login(assignment.expert_user)
    url = reverse("review-expert-assignment", args=[assignment.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="scoring-halted"' in html and 'data-testid="score-form"' not in html
    assert "评分已暂停" in html and "目前不具效力" in html and "不在有效期内" not in html
    response = client.post(url, {"action": "save", "c_ability": "20"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and not Score.objects.filter(assignment=assignment).exists()
    services.committee_reinstate(actor=officer, committee_id=committee.pk, reason="整改完成")
    html = client.get(url).content.decode()
    assert 'data-testid="score-form"' in html and 'data-testid="scoring-halted"' not in html


def test_vote_readiness_links_a_defence_still_ahead_to_its_schedule_not_to_recording_it(committee, secretary, call):
    """A slot still ahead cannot be recorded (above): the readiness list says "see the schedule" for it,
    and "record the defence" once it has started."""
    from applications.models import Call

    Call.objects.filter(pk=call.pk).update(methods=["review", "defence"])
    call.refresh_from_db()
    _session, ahead = _session_with_slot(secretary, call, starts=timezone.now() + dt.timedelta(days=2))
    _session, held = _session_with_slot(secretary, call, starts=timezone.now() - dt.timedelta(hours=1))
    links = {r.application.pk: {lack.code: lack.link for lack in r.lacks}
             for r in services.vote_readiness(call=call)}
    assert links[ahead.application_id]["defence_result"] == "See the defence schedule"
    assert links[held.application_id]["defence_result"] == "Record the defence"


def test_R4_3_a_meeting_dated_before_its_candidates_defence_is_refused_at_the_field(client, committee, secretary):
    """The vote follows the defence: a meeting dated before a candidate's defence (a wrong year or month)
    is refused at the "When" field with the defence's time in Beijing time, and nothing is planned."""
    from review.models import Meeting
    from tests.review.conftest import make_call

    call = make_call(committee, pathways=("regular", "green_channel"))
    green = make_application(call, pathway="green_channel", scored=True)
    defended_at = timezone.now() - dt.timedelta(days=1)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="答辩", mode="on_site",
                                              starts_at=defended_at, location="乌鲁木齐市人社局三楼")
    slot = services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=green.pk,
                                     starts_at=defended_at, ends_at=defended_at + dt.timedelta(minutes=30))
    services.defence_result_record(actor=secretary, slot_id=slot.pk, attendance="present", score=90)
    with pytest.raises(InvalidInput) as error:
        services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", application_ids=[green.pk],
                                scheduled_at=defended_at - dt.timedelta(days=365))
    assert error.value.field == "scheduled_at"
    client.force_login(secretary)
    response = client.post(reverse("review-meeting-new", args=[call.pk]), {
        "title": "评审会", "scheduled_at": "2025-01-10T09:00", "location": "人社局五楼", "applications": [green.pk]},
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"最后一场答辩开始于{timezone.localtime(defended_at):%Y-%m-%d %H:%M}（北京时间）" in html
    assert not Meeting.objects.filter(call=call).exists()
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", application_ids=[green.pk],
                                      scheduled_at=timezone.now())
    assert meeting.candidates.get().application == green
