"""Celery tasks: deadline reminders 7, 3 and 1 days before, sent once; the
daily end of unit publicity (R5.5); the beat schedule."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from applications import application_services as svc
from applications import tasks
from applications.models import Application, Call, Reminder
from portal.models import Notification


def _closes_in(world, days: int) -> None:
    closes = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(18)))
    Call.objects.filter(pk=world.call.pk).update(closes_at=closes)


def reminders_of(user):
    return list(Notification.objects.filter(recipient=user, subject__contains="left").order_by("pk"))


def test_reminders_7_3_1_days_before_the_call_closes_each_once(world, monkeypatch):
    world.create()
    _closes_in(world, 10)
    assert tasks.send_deadline_reminders() == 0
    today = timezone.localdate()
    sent = []
    for day_offset in range(0, 11):  # run daily until the call closes
        monkeypatch.setattr(timezone, "localdate", lambda *a, d=today + dt.timedelta(days=day_offset), **k: d)
        sent.append(svc.deadline_reminders_send())
        svc.deadline_reminders_send()  # twice a day: idempotent
    assert sum(sent) == 3
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [1, 3, 7]
    subjects = [n.subject for n in reminders_of(world.applicant)]
    assert len(subjects) == 3 and subjects[0].startswith("7 day(s) left")


def test_a_missed_day_is_caught_up_with_the_nearest_reminder(world, monkeypatch):
    world.create()
    _closes_in(world, 2)
    assert svc.deadline_reminders_send() == 1
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [3]
    assert svc.deadline_reminders_send() == 0


def test_no_reminder_for_a_submitted_application(world):
    world.submitted()
    _closes_in(world, 3)
    assert svc.deadline_reminders_send() == 0


def test_reminders_before_a_correction_falls_due(world, monkeypatch):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "summary", "message": "补充"}],
                           due_on=timezone.localdate() + dt.timedelta(days=7))
    assert svc.deadline_reminders_send() == 1
    reminder = Reminder.objects.get()
    assert reminder.kind == "correction_due" and reminder.days_before == 7
    assert "to correct your application" in reminders_of(world.applicant)[0].subject
    assert svc.deadline_reminders_send() == 0
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "补充后"})
    svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=5))
    assert svc.deadline_reminders_send() == 0  # resubmitted: nothing more


def test_close_unit_publicity_task_is_idempotent(world):
    application = world.approve(world.submitted())
    Application.objects.filter(pk=application.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert tasks.close_unit_publicity.delay().get() == 1
    assert tasks.close_unit_publicity.delay().get() == 0
    application.refresh_from_db()
    assert application.status == "acceptance"


def test_beat_schedule_names_both_tasks():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"applications.tasks.send_deadline_reminders", "applications.tasks.close_unit_publicity"} <= names
