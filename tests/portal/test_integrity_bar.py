"""R6.3: an integrity record's ``ends_on`` is its last barred day; records
written before that meaning (end = the same date years later) move back a day."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from portal.models import IntegrityRecord
from tests.factories import UserFactory

MIGRATION = importlib.import_module("portal.migrations.0010_integrity_record_ends_on_is_last_day_barred")


@pytest.mark.django_db
def test_R6_3_records_written_to_the_anniversary_end_the_day_before_after_the_migration():
    user = UserFactory()
    rows = {
        "service, 3 years": (dt.date(2026, 12, 3), dt.date(2029, 12, 3), dt.date(2029, 12, 2)),
        "service, 5 years": (dt.date(2025, 6, 30), dt.date(2030, 6, 30), dt.date(2030, 6, 29)),
        "leap day, already its last day": (dt.date(2028, 2, 29), dt.date(2031, 2, 28), dt.date(2031, 2, 28)),
        "entered by hand": (dt.date(2026, 1, 10), dt.date(2027, 5, 1), dt.date(2027, 5, 1)),
    }
    records = {label: IntegrityRecord.objects.create(user=user, reason=label, starts_on=start, ends_on=end)
               for label, (start, end, _after) in rows.items()}
    MIGRATION.end_on_last_day_barred(apps, None)
    for label, (_start, _end, after) in rows.items():
        records[label].refresh_from_db()
        assert records[label].ends_on == after, label
    MIGRATION.end_on_anniversary(apps, None)  # and back
    for label, (_start, end, _after) in rows.items():
        records[label].refresh_from_db()
        assert records[label].ends_on == end, label
