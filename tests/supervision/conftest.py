"""Fixtures of the supervision tests: committees with calls, meetings whose
candidates passed or failed, and the people who oversee them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import ApplicationStatus
from portal.models import Role
from review.models import Meeting, MeetingCandidate
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import file_committee, make_application, make_call

_n = itertools.count(1)


@pytest.fixture
def officer():
    return bureau_officer("650100")


@pytest.fixture
def other_officer():
    """An officer of Karamay's bureau: sees none of Urumqi's committees."""
    return bureau_officer("650200")


@pytest.fixture
def regional_officer():
    return bureau_officer("650000")


@pytest.fixture
def supervisor():
    return UserFactory(roles=[Role.SUPERVISOR], real_name="监督员")


@pytest.fixture
def committee(officer):
    return file_committee(officer)


@pytest.fixture
def call(committee):
    return make_call(committee, ceiling="0.5")


def closed_meeting(call, *, passed: int, failed: int, closed_days_ago: int = 1, excluded: int = 0) -> Meeting:
    """A closed meeting of ``call`` with its candidates' outcomes written
    directly (what supervision reads; the ballots are review's business)."""
    closed_at = timezone.now() - dt.timedelta(days=closed_days_ago)
    meeting = Meeting.objects.create(
        committee=call.committee, call=call, title=f"评审会议{next(_n)}", scheduled_at=closed_at,
        status=Meeting.Status.CLOSED, members_total=9, present_total=9, opened_at=closed_at, closed_at=closed_at,
        created_by=UserFactory())
    outcomes = ([MeetingCandidate.Outcome.PASSED] * passed + [MeetingCandidate.Outcome.FAILED] * failed
                + ["excluded"] * excluded)
    for outcome in outcomes:
        status = ApplicationStatus.PASSED if outcome != MeetingCandidate.Outcome.FAILED else ApplicationStatus.FAILED
        application = make_application(call, status=status)
        MeetingCandidate.objects.create(
            meeting=meeting, application=application, yes_votes=7, no_votes=2, decided_at=closed_at,
            outcome=MeetingCandidate.Outcome.PASSED if outcome != MeetingCandidate.Outcome.FAILED else outcome,
            excluded_by_ceiling=outcome == "excluded")
    return meeting


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def pytest_collection_modifyitems(config, items):
    """Browser tests last (their Playwright event loop lives for the session)."""
    last = [item for item in items if item.get_closest_marker("browser")]
    if last:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + last
