"""Issue 15: the open calls every applicant's dashboard lists are kept in each process under a
calls version that any committed change of a call or a series renews (applications/open_calls.py):
one read of the calls, then none, and never a call list a committed change has made stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import application_services as svc
from applications import open_calls
from tests.applications.conftest import make_call


@pytest.fixture
def kept(settings):
    """The calls kept as with Redis (the tests' cache is this process's: the same code path)."""
    settings.OPEN_CALLS_KEPT = True
    open_calls.new_version()  # nothing kept from another test's rolled-back calls
    yield
    open_calls.new_version()


def dashboard(client) -> tuple[str, list[str]]:
    """The dashboard's HTML and its queries that read the calls table itself."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("applications-dashboard"))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in context.captured_queries
                                       if 'FROM "applications_call"' in q["sql"]]


def start_link(call) -> str:
    return f'href="{reverse("application-start", args=[call.pk])}"'


def test_open_calls_are_read_once_then_kept(client, world, kept):
    client.force_login(world.applicant)
    html, reads = dashboard(client)
    assert start_link(world.call) in html and len(reads) == 1
    assert not [q for q in reads if "applications_call_specialties" in q]  # nothing the list does not show
    html, reads = dashboard(client)
    assert start_link(world.call) in html and reads == []


def test_a_call_opened_shows_on_the_next_dashboard(client, world, kept, django_capture_on_commit_callbacks):
    client.force_login(world.applicant)
    dashboard(client)
    secretary = world.committee.members.get(role="secretary").user
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        call = svc.call_open(actor=secretary, name="2026年工程系列补充", series_id=world.committee.series_id,
                             levels=["intermediate"], year=2026, opens_at=now, closes_at=now + dt.timedelta(days=5),
                             methods=["review"], committee_id=world.committee.pk)
    html, reads = dashboard(client)
    assert start_link(call) in html and len(reads) == 1


def test_the_version_moves_when_the_change_commits_not_before(world, kept, django_capture_on_commit_callbacks):
    before = open_calls._version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_call(committee=world.committee)
    assert open_calls._version() == before  # not yet committed: another process must not read it early
    for callback in callbacks:
        callback()
    assert open_calls._version() != before


def test_a_renamed_series_a_closed_and_a_deleted_call_show_on_the_next_dashboard(
        client, world, kept, django_capture_on_commit_callbacks):
    other = make_call(committee=world.committee)
    client.force_login(world.applicant)
    html, _reads = dashboard(client)
    assert start_link(other) in html
    series = world.call.series
    with django_capture_on_commit_callbacks(execute=True):
        series.name, series.name_en = "工程技术系列（新名）", "Engineering (renamed)"
        series.save()
    assert "Engineering (renamed)" in dashboard(client)[0]  # the English page shows the English name
    with django_capture_on_commit_callbacks(execute=True):
        other.closes_at = timezone.now() - dt.timedelta(minutes=1)
        other.save()
    html, _reads = dashboard(client)
    assert start_link(other) not in html and start_link(world.call) in html
    link = start_link(world.call)
    with django_capture_on_commit_callbacks(execute=True):
        world.call.delete()
    assert link not in dashboard(client)[0]


def test_a_kept_call_leaves_the_list_when_it_closes_and_joins_it_when_it_opens(world, kept, monkeypatch):
    now = timezone.now()
    later = make_call(committee=world.committee, opens_at=now + dt.timedelta(hours=1),
                      closes_at=now + dt.timedelta(days=60))
    assert [row[0] for row in open_calls.first_open(limit=5)] == [world.call.pk]  # read and kept
    monkeypatch.setattr(open_calls.timezone, "now", lambda: now + dt.timedelta(hours=2))
    assert [row[0] for row in open_calls.first_open(limit=5)] == [world.call.pk, later.pk]
    monkeypatch.setattr(open_calls.timezone, "now", lambda: world.call.closes_at + dt.timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        assert [row[0] for row in open_calls.first_open(limit=5)] == [later.pk]
    assert not context.captured_queries  # the clock alone, from what the process keeps


def test_without_the_version_the_database_answers(world, kept, monkeypatch):
    open_calls.first_open(limit=5)
    monkeypatch.setattr(open_calls, "_version", lambda: None)  # the cache is down
    with CaptureQueriesContext(connection) as context:
        assert [row[0] for row in open_calls.first_open(limit=5)] == [world.call.pk]
    assert len(context.captured_queries) == 1
