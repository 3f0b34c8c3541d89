"""Scoring in the browser (R5.2) and defences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

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
