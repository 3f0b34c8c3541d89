"""Working days by the official calendar (R5.5, R5.6).

The ``chinese-calendar`` package knows the State Council's holidays and
adjusted working days for the years it was released with; ``CalendarDay``
rows entered by the bureau override it and cover later years. For a year
neither knows, weekends are the only days off, and a warning says so.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

logger = logging.getLogger(__name__)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from portal.models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def is_working_day(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("official calendar for %s unknown; counting Monday to Friday", day.year)
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which a period of ``days`` working days that begins the
    working day after ``start`` ends (publicity from ``start`` for N days)."""
    overrides = _overrides(start, start + dt.timedelta(days=days * 3 + 30))
    current, counted = start, 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current, overrides):
            counted += 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    overrides = _overrides(start, end)
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, overrides):
            count += 1
    return count


def period_last_day(*, starts_on: dt.date, years: int) -> dt.date:
    """The last day of a period of ``years`` years that counts ``starts_on`` as its first day: the
    day before the same date ``years`` later (from 2026-12-03, 3 years run through 2029-12-02). A
    period from 29 February ends on 28 February (the same date does not exist). The one way the
    portal counts years of a rule: the integrity bar (R6.3), leave for entrepreneurship (R1.7),
    dispatch (R1.8)."""
    try:
        after = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # 29 February in a year that has none
        after = dt.date(starts_on.year + years, 3, 1)
    return after - dt.timedelta(days=1)
