"""A call closing 2026-12-31 23:59 Beijing time, as people meet it around midnight.

* The pages show the deadline to the minute (23:59): at 23:59:30 the call still takes the
  application; at 00:00:30 (16:00:30 UTC) it does not, and the page says so in Beijing dates.
* A call of 2026 closing in January 2027 counts 2025's continuing education (R3.3) on 1 January
  as on 31 December: its applicants do not turn ineligible at midnight.
"""

from __future__ import annotations

import datetime as dt
import importlib
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from applications import application_services as svc
from applications.models import Call, ContinuingEducation
from portal.errors import RuleViolation

BEIJING = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DEADLINE = dt.datetime(2026, 12, 31, 23, 59, tzinfo=BEIJING)
BEFORE_MIDNIGHT = dt.datetime(2026, 12, 31, 15, 59, 30, tzinfo=UTC)  # 23:59:30 Beijing
AFTER_MIDNIGHT = dt.datetime(2026, 12, 31, 16, 0, 30, tzinfo=UTC)   # 00:00:30 Beijing, 1 January 2027


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def open_call(world, **kwargs):
    secretary = world.committee.members.get(role="secretary").user
    values = {"name": "2026年度工程系列", "series_id": world.committee.series_id, "levels": ["intermediate"],
              "year": 2026, "opens_at": DEADLINE - dt.timedelta(days=40), "closes_at": DEADLINE,
              "methods": ["review"], "committee_id": world.committee.pk}
    values.update(kwargs)
    with at(DEADLINE - dt.timedelta(days=41)):
        return svc.call_open(actor=secretary, **values)


def draft(world, call):
    ContinuingEducation.objects.update_or_create(user=world.applicant, year=2025, defaults={"hours": 96})
    ContinuingEducation.objects.filter(user=world.applicant).exclude(year=2025).delete()
    with at(DEADLINE - dt.timedelta(hours=2)):
        return world.complete(world.create(call=call))


def test_a_deadline_to_the_minute_closes_at_the_end_of_that_minute(world):
    call = open_call(world)
    assert timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M:%S") == "2026-12-31 23:59:59"
    assert svc.call_is_open(call, BEFORE_MIDNIGHT)
    assert not svc.call_is_open(call, AFTER_MIDNIGHT)
    exact = open_call(world, name="按秒截止", closes_at=DEADLINE + dt.timedelta(seconds=30))
    assert exact.closes_at == DEADLINE + dt.timedelta(seconds=30)


def test_submitting_at_23_59_30_beijing_time_is_on_time(world):
    application = draft(world, open_call(world))
    with at(BEFORE_MIDNIGHT):
        world.submit(application)
    application.refresh_from_db()
    assert application.status != "draft"


def test_submitting_at_00_00_30_beijing_time_is_refused_and_changes_nothing(world):
    application = draft(world, open_call(world))
    with at(AFTER_MIDNIGHT), pytest.raises(RuleViolation, match="not open"):
        world.submit(application)
    application.refresh_from_db()
    assert application.status == "draft"


def test_the_page_at_00_00_30_shows_the_beijing_deadline_as_passed(client, world):
    application = draft(world, open_call(world))
    with at(AFTER_MIDNIGHT):
        client.force_login(world.applicant)
        html = client.get(reverse("application-detail", args=[application.pk]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-12-31 23:59" in html and "2026-12-31 15:59" not in html and "2027-01-01" not in html


def test_R3_3_continuing_education_of_the_calls_year_before_counts_after_new_year(world):
    """A call of 2026 closing on 14 January 2027: on 1 January the applicant's 2025 hours still count."""
    call = open_call(world, closes_at=dt.datetime(2027, 1, 14, 18, 0, tzinfo=BEIJING))
    application = draft(world, call)
    application.first_time = False
    application.save(update_fields=["first_time"])
    with at(BEFORE_MIDNIGHT):
        before = svc.application_eligibility(application)
    with at(AFTER_MIDNIGHT + dt.timedelta(days=1)):
        after = svc.application_eligibility(application)
        world.submit(application)
    assert before.eligible and after.eligible
    lines = [line.message for line in after.conditions if line.rule == "R3.3"]
    assert lines and "96" in lines[0]


def test_calls_stored_to_the_minute_are_moved_to_its_end_by_migration_0020(world):
    Call.objects.filter(pk=world.call.pk).update(closes_at=DEADLINE)
    exact = DEADLINE + dt.timedelta(days=1, seconds=17)
    other = Call.objects.filter(pk=open_call(world, name="按秒").pk)
    other.update(closes_at=exact)
    migration = importlib.import_module("applications.migrations.0020_calls_close_at_the_end_of_their_minute")
    migration.close_at_the_end_of_the_minute(apps, None)
    assert Call.objects.get(pk=world.call.pk).closes_at == DEADLINE + dt.timedelta(seconds=59)
    assert other.get().closes_at == exact
