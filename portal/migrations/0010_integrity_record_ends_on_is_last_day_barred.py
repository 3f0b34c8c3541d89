"""R6.3: an integrity record's ``ends_on`` is the last day barred.

Records were written with ``ends_on`` = the same date ``years`` later, which
the submission guard read as still barred: a record from 2026-12-03 refused
an application on 2029-12-03, one day too long. Records whose end is exactly
a whole number of years after their start (as the service wrote them) move
back one day; a record from 29 February was already written as 28 February,
its last barred day, and records entered by hand with any other end stay as
they are.
"""

import datetime as dt

from django.db import migrations, models


def _anniversary(day: dt.date, years: int) -> dt.date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return None


def end_on_last_day_barred(apps, schema_editor):
    IntegrityRecord = apps.get_model("portal", "IntegrityRecord")
    for record in IntegrityRecord.objects.only("pk", "starts_on", "ends_on").iterator():
        years = record.ends_on.year - record.starts_on.year
        if years >= 1 and _anniversary(record.starts_on, years) == record.ends_on:
            IntegrityRecord.objects.filter(pk=record.pk).update(ends_on=record.ends_on - dt.timedelta(days=1))


def end_on_anniversary(apps, schema_editor):
    IntegrityRecord = apps.get_model("portal", "IntegrityRecord")
    for record in IntegrityRecord.objects.only("pk", "starts_on", "ends_on").iterator():
        following = record.ends_on + dt.timedelta(days=1)
        years = following.year - record.starts_on.year
        if years >= 1 and _anniversary(record.starts_on, years) == following:
            IntegrityRecord.objects.filter(pk=record.pk).update(ends_on=following)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0009_audit_actor_label_trigram"),
    ]

    operations = [
        migrations.AlterField(
            model_name="integrityrecord",
            name="ends_on",
            field=models.DateField(verbose_name="last day barred"),
        ),
        migrations.RunPython(end_on_last_day_barred, end_on_anniversary),
    ]
