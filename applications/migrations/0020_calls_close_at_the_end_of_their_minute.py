"""Calls opened with a deadline to the minute (23:59) closed at its first second, while every page
showed 23:59: they close at the end of the minute shown (23:59:59), as new calls do
(``application_services.call_closing_moment``)."""

import datetime as dt

from django.db import migrations


def close_at_the_end_of_the_minute(apps, schema_editor):
    Call = apps.get_model("applications", "Call")
    batch = []
    for call in Call.objects.only("pk", "closes_at").iterator(chunk_size=500):
        if call.closes_at.second == 0 and call.closes_at.microsecond == 0:
            call.closes_at += dt.timedelta(seconds=59)
            batch.append(call)
    Call.objects.bulk_update(batch, ["closes_at"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0019_call_names_in_english_and_uyghur"),
    ]

    operations = [
        migrations.RunPython(close_at_the_end_of_the_minute, migrations.RunPython.noop),
    ]
