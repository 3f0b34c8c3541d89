"""The years of R1.7 and R1.8 counted as R6.3 counts them: from the first day, by the calendar.

``365 * N`` days let some people in a day early and kept others out a day late, depending on a
29 February in between: leave from 2023-12-05 counted 1,096 days to its third anniversary, a
dispatch from 2023-12-05 366 days to its first.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from applications.models import Application
from portal.calendar import period_last_day
from portal.errors import RuleViolation
from portal.models import Employment, Organization, Region
from portal.services import integrity_bar_last_day
from tests.applications.conftest import make_call, make_committee

BEIJING = ZoneInfo("Asia/Shanghai")
#: Calls open across every date these tests stand on.
WIDE = {"opens_at": dt.datetime(2020, 1, 1, tzinfo=BEIJING), "closes_at": dt.datetime(2030, 1, 1, tzinfo=BEIJING)}


def on(day: dt.date):
    """Beijing's ``day`` at 00:00:30 (16:00:30 UTC the day before)."""
    return mock.patch("django.utils.timezone.now",
                      return_value=dt.datetime.combine(day, dt.time(0, 0, 30), tzinfo=BEIJING))


def test_period_last_day_counts_the_first_day_and_29_february():
    assert period_last_day(starts_on=dt.date(2026, 12, 3), years=3) == dt.date(2029, 12, 2)
    assert period_last_day(starts_on=dt.date(2028, 2, 29), years=3) == dt.date(2031, 2, 28)
    assert period_last_day(starts_on=dt.date(2024, 2, 29), years=4) == dt.date(2028, 2, 28)
    assert integrity_bar_last_day(starts_on=dt.date(2026, 12, 3), years=3) == dt.date(2029, 12, 2)


def dispatched(world, since: dt.date):
    kashgar = Region.objects.get(code="653100")
    Employment.objects.filter(user=world.applicant).update(dispatch_region=kashgar, dispatch_start=since)
    return make_call(committee=make_committee(region_code="653100", valid_until=dt.date(2030, 1, 1)), **WIDE)


@pytest.mark.parametrize("since, first_day", [
    (dt.date(2023, 12, 5), dt.date(2024, 12, 5)),   # a 29 February inside: 366 days
    (dt.date(2025, 12, 5), dt.date(2026, 12, 5)),   # none: 365 days
    (dt.date(2024, 2, 29), dt.date(2025, 3, 1)),
])
def test_R1_8_dispatched_applies_from_the_first_anniversary_not_a_day_before(world, since, first_day):
    call = dispatched(world, since)
    with on(first_day - dt.timedelta(days=1)), pytest.raises(RuleViolation) as error:
        world.create(channel="dispatch", call=call)
    assert error.value.rule == "R1.8" and not Application.objects.exists()
    with on(first_day):
        application = world.create(channel="dispatch", call=call)
    assert application.region.code == "653100"


def on_leave(world, since: dt.date):
    hami = Region.objects.get(code="650500")
    unit = Organization.objects.create(kind=Organization.Kind.INSTITUTION, name="哈密研究院", region=hami,
                                       status=Organization.Status.ACTIVE)
    Employment.objects.filter(user=world.applicant).update(original_unit=unit, leave_start=since)
    return make_call(committee=make_committee(region_code="650500", valid_until=dt.date(2030, 1, 1)), **WIDE)


@pytest.mark.parametrize("since, last_day", [
    (dt.date(2021, 1, 5), dt.date(2024, 1, 4)),     # 1,095 days to the anniversary
    (dt.date(2023, 12, 5), dt.date(2026, 12, 4)),   # 1,096 days (29 February 2024)
])
def test_R1_7_leave_counts_three_years_through_the_day_before_the_anniversary(world, since, last_day):
    call = on_leave(world, since)
    with on(last_day):
        application = world.create(channel="original_unit", call=call)
    assert application.region.code == "650500"
    application.delete()
    with on(last_day + dt.timedelta(days=1)), pytest.raises(RuleViolation) as error:
        world.create(channel="original_unit", call=call)
    assert error.value.rule == "R1.7" and not Application.objects.exists()
