"""Concurrency with two real database connections (PostgreSQL only):
two experts saving at once, the same expert submitting twice at once, two
members voting at once, two officers filing at once — exactly one effect each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from portal.errors import PortalError
from review import services
from review.models import Assignment, MeetingCandidate, ResultFiling, Score, VoteMarker
from tests.factories import bureau_officer
from tests.review.conftest import (
    add_expert,
    file_committee,
    make_application,
    make_call,
    secretary_of,
    submit_drawn_scores,
    voting_members,
)

pytestmark = pytest.mark.django_db(transaction=True)

FULL = {"ability": 25, "achievements": 24, "market_recognition": 15, "contribution": 16}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections to PostgreSQL")


def run_together(*calls):
    """Start every call at the same instant on its own connection; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, fn):
        try:
            barrier.wait(timeout=10)
            results[index] = fn()
        except PortalError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def scene():
    officer = bureau_officer("650100")
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="1")
    for _ in range(4):
        add_expert(committee)
    application = make_application(call)
    services.assignment_draw(actor=secretary_of(committee), call_id=call.pk, seed=1)
    return {"officer": officer, "committee": committee, "call": call, "application": application}


def test_R5_2_two_experts_saving_at_once_each_get_exactly_their_own_score(scene):
    first, second = list(Assignment.objects.filter(application=scene["application"])[:2])
    results = run_together(
        lambda: services.score_submit(actor=first.expert_user, assignment_id=first.pk, values=FULL,
                                      verdict="recommend", comment="同意"),
        lambda: services.score_submit(actor=second.expert_user, assignment_id=second.pk, values=FULL,
                                      verdict="not_recommend", comment="不同意"))
    assert all(isinstance(r, Score) for r in results), results
    assert Score.objects.filter(assignment=first, status="submitted", verdict="recommend").count() == 1
    assert Score.objects.filter(assignment=second, status="submitted", verdict="not_recommend").count() == 1
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="score.submit").count() == 2


def test_R5_2_the_same_expert_submitting_twice_at_once_submits_once(scene):
    assignment = Assignment.objects.filter(application=scene["application"]).first()

    def submit():
        return services.score_submit(actor=assignment.expert_user, assignment_id=assignment.pk, values=FULL,
                                     verdict="recommend", comment="同意")

    results = run_together(submit, submit)
    assert sum(isinstance(r, Score) for r in results) == 1
    assert sum(isinstance(r, PortalError) for r in results) == 1
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="score.submit").count() == 1


def test_R6_5_concurrent_votes_are_all_counted_and_a_double_vote_counts_once(scene):
    committee, call = scene["committee"], scene["call"]
    secretary = secretary_of(committee)
    submit_drawn_scores(scene["application"])
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="m", scheduled_at=timezone.now())
    members = voting_members(committee)
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk, member_ids=[m.pk for m in members])
    services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    candidate = meeting.candidates.get()

    def vote(member, choice):
        return lambda: services.ballot_cast(actor=member, meeting_id=meeting.pk, candidate_id=candidate.pk,
                                            choice=choice)

    run_together(vote(members[0], "yes"), vote(members[0], "no"), vote(members[1], "yes"), vote(members[2], "no"))
    candidate = MeetingCandidate.objects.get(pk=candidate.pk)
    assert candidate.votes_cast == 3 == VoteMarker.objects.filter(candidate=candidate).count()


def test_two_officers_filing_at_once_file_once(scene, monkeypatch):
    committee, call = scene["committee"], scene["call"]
    secretary = secretary_of(committee)
    make_application(call, status="passed")
    monkeypatch.setattr("certificates.services._enqueue_items", lambda ids: None)
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    later = period.ends_on + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    services.publicity_close_due()
    second_officer = bureau_officer("650100")
    results = run_together(
        lambda: services.result_file(actor=scene["officer"], period_id=period.pk, approval_number="A-1"),
        lambda: services.result_file(actor=second_officer, period_id=period.pk, approval_number="A-2"))
    assert sum(isinstance(r, ResultFiling) for r in results) == 1
    assert sum(isinstance(r, PortalError) for r in results) == 1
    assert ResultFiling.objects.count() == 1
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="application.grant").count() == 1
