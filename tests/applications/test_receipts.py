"""Submitting gives a receipt: a number, the time and what was submitted — in the portal, by email
and by SMS, in the applicant's language. Deadline reminders and returns go out by SMS too."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import application_services as svc
from applications.models import Application, SubmissionReceipt
from portal.models import AuditEvent, MessageDelivery, Notification
from tests.factories import UserFactory, sms_to


def test_submitting_gives_a_receipt_in_app_by_email_and_sms(world, deliver):
    application = deliver(world.submitted)
    [receipt] = SubmissionReceipt.objects.filter(application=application)
    local = timezone.localtime(receipt.submitted_at)
    assert receipt.number == f"SB{local:%Y%m%d}-{application.pk:06d}-1"
    assert receipt.kind == "submit" and receipt.submitted_at == application.submitted_at
    assert receipt.contents["title_name"] == application.title_name
    assert [m["name"] for m in receipt.contents["materials"]] == list(
        application.attachments.order_by("material", "pk").values_list("original_name", flat=True))
    assert len(receipt.digest) == 64
    submit = AuditEvent.objects.get(action="application.submit", object_id=str(application.pk))
    assert submit.after["receipt"] == receipt.number and submit.after["receipt_digest"] == receipt.digest
    [note] = Notification.objects.filter(recipient=world.applicant, topic="receipt")
    assert receipt.number in note.subject
    assert local.strftime("%Y-%m-%d %H:%M") in note.body  # the time, in Beijing time
    assert "work_summary.pdf" in note.body
    assert note.url == reverse("application-receipt", args=[application.pk, 1])
    [email] = [m for m in mail.outbox if m.to == [world.applicant.email]]
    assert receipt.number in email.subject and "work_summary.pdf" in email.body
    [text] = [t for t in sms_to(world.applicant.mobile) if receipt.number in t]
    assert local.strftime("%Y-%m-%d %H:%M") in text


def test_a_resubmission_gets_its_own_receipt(world, deliver):
    application = world.submitted()
    svc.application_decide(actor=world.hr, application_id=application.pk, action="return",
                           corrections=[{"target": "summary", "message": "补充工作总结"}])
    [correction] = application.corrections.all()
    svc.correction_answer(actor=world.applicant, application_id=application.pk, correction_id=correction.pk,
                          answer="工作总结已补充")
    deliver(svc.application_resubmit, actor=world.applicant, application_id=application.pk)
    receipts = list(SubmissionReceipt.objects.filter(application=application).order_by("seq"))
    assert [r.kind for r in receipts] == ["submit", "resubmit"]
    assert receipts[1].number.endswith(f"-{application.pk:06d}-2")


def test_the_receipt_page_is_the_applicants_only(world, client):
    application = world.submitted()
    url = reverse("application-receipt", args=[application.pk, 1])
    client.force_login(world.applicant)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    receipt = SubmissionReceipt.objects.get(application=application)
    assert receipt.number in html and receipt.digest in html
    assert world.applicant.id_number not in html and world.applicant.id_number_masked in html
    assert f'href="{url}"' in client.get(reverse("application-detail", args=[application.pk])).content.decode()
    for other in (world.hr, world.officer, UserFactory()):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(world.applicant)
    assert client.get(reverse("application-receipt", args=[application.pk, 2])).status_code == 404


def test_a_return_for_correction_reaches_the_phone_with_what_to_correct_and_by_when(world, deliver):
    application = world.submitted()
    deliver(svc.application_decide, actor=world.hr, application_id=application.pk, action="return",
            corrections=[{"target": "summary", "message": "补充近五年的工作总结"}], due_on=dt.date(2099, 1, 20))
    [note] = Notification.objects.filter(recipient=world.applicant, topic="correction")
    assert "补充近五年的工作总结" in note.body and "2099-01-20" in note.body
    [text] = [t for t in sms_to(world.applicant.mobile) if "2099-01-20" in t]
    assert "补充近五年的工作总结" in text


def test_R5_5_deadline_reminders_7_3_1_days_before_go_by_sms(world, deliver):
    draft = world.create()
    closes = timezone.localtime(world.call.closes_at).date()
    for days in (7, 3, 1):
        deliver(svc.deadline_reminders_send, today=closes - dt.timedelta(days=days))
    notes = Notification.objects.filter(recipient=world.applicant, topic="reminder").order_by("pk")
    assert [n.subject.split(" ")[0] for n in notes] == ["7", "3", "1"]
    assert all(closes.isoformat() in n.subject for n in notes)
    assert len([t for t in sms_to(world.applicant.mobile) if closes.isoformat() in t]) == 3
    assert MessageDelivery.objects.filter(topic="reminder", channel="sms").count() == 3
    # Turned off by the applicant: the reminders stay in the portal only.
    world.applicant.muted = ["sms:reminder"]
    world.applicant.save(update_fields=["muted"])
    Application.objects.filter(pk=draft.pk).update(status="returned", correction_due_on=closes)
    deliver(svc.deadline_reminders_send, today=closes - dt.timedelta(days=1))
    assert MessageDelivery.objects.filter(topic="reminder", channel="sms").count() == 3


def test_open_calls_on_the_dashboard_are_links(world, client):
    client.force_login(world.applicant)
    html = client.get(reverse("applications-dashboard")).content.decode()
    assert f'href="{reverse("application-start", args=[world.call.pk])}"' in html


def test_R5_5_a_person_who_reads_uyghur_gets_reminders_and_returns_in_uyghur_in_app_by_email_and_sms(
        world, deliver, settings):
    """Issue 13: the deadline reminder (a Celery beat task, outside any request) and the return for
    correction are written in the applicant's remembered language, Uyghur, in all three channels, while
    the site's default stays Chinese."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    world.applicant.language = "ug"
    world.applicant.save(update_fields=["language"])
    draft = world.create()
    closes = timezone.localtime(world.call.closes_at).date()
    deliver(svc.deadline_reminders_send, today=closes - dt.timedelta(days=3))
    with translation.override("ug"):
        expected = translation.gettext(
            "%(n)d day(s) left: the call closes on %(date)s; your draft is not submitted") % {
            "n": 3, "date": closes.isoformat()}
        hello = translation.gettext("Dear %(name)s,") % {"name": ""}
    assert expected.startswith("3 ") and "كۈن" in expected
    [note] = Notification.objects.filter(recipient=world.applicant, topic="reminder")
    assert note.subject == expected
    [email] = [m for m in mail.outbox if m.to == [world.applicant.email]]
    assert expected in email.subject and hello.strip(" ,:،") in email.body
    [text] = sms_to(world.applicant.mobile)
    assert expected in text and "还剩" not in text

    Application.objects.filter(pk=draft.pk).delete()
    application = world.submitted()
    deliver(svc.application_decide, actor=world.hr, application_id=application.pk, action="return",
            corrections=[{"target": "summary", "message": "补充近五年的工作总结"}], due_on=dt.date(2099, 1, 20))
    [note] = Notification.objects.filter(recipient=world.applicant, topic="correction")
    assert any("\u0600" <= char <= "\u06ff" for char in note.subject), note.subject
    assert not any("\u4e00" <= char <= "\u9fff" for char in note.subject), note.subject
    assert "补充近五年的工作总结" in note.body  # the officer's own words stay as written


def test_R3_5_the_conditions_frozen_at_submission_are_worded_in_uyghur_too(world, client, settings):
    """Issue 13: the eligibility explanations frozen with an application carry their Uyghur wording,
    which a Uyghur page shows (older snapshots without it show the Chinese, in its own direction)."""
    application = world.submitted()
    application.refresh_from_db()
    lines = application.frozen_conditions["conditions"]
    assert lines and all(any("\u0600" <= char <= "\u06ff" for char in line["message_ug"]) for line in lines)
    world.applicant.language = "ug"
    world.applicant.save(update_fields=["language"])
    client.force_login(world.applicant)
    html = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert f'<span dir="auto">{lines[0]["message_ug"]}</span>' in html
