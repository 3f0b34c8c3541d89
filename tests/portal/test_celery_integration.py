"""Notifications are emailed by a real Celery worker through Redis."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction

from portal.models import Notification
from portal.notifications import notification_send
from tests.factories import UserFactory
from tests.integration_helpers import real_worker


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_notification_email_is_sent_by_a_real_worker():
    user = UserFactory(email="worker-test@example.com")
    with real_worker():
        with transaction.atomic():
            notification_send(recipients=[user], subject="worker subject", body="hello")
            # Nothing is enqueued before commit.
            assert not Notification.objects.filter(emailed_at__isnull=False).exists()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Notification.objects.filter(recipient=user, emailed_at__isnull=False).exists():
                break
            time.sleep(0.2)
    notification = Notification.objects.get(recipient=user)
    assert notification.emailed_at is not None
    assert [m.subject for m in mail.outbox] == ["[Title portal] worker subject"]
    assert "hello" in mail.outbox[0].body


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_sms_is_sent_by_a_real_worker_and_recorded():
    from portal.models import MessageDelivery, Topic
    from tests.factories import sms_to

    user = UserFactory()
    with real_worker():
        with transaction.atomic():
            notification_send(recipients=[user], subject="结果已出", body="请登录查看。", topic=Topic.RESULT)
            assert MessageDelivery.objects.get().status == "queued"  # recorded with the notification
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if MessageDelivery.objects.filter(status="sent").exists():
                break
            time.sleep(0.2)
    delivery = MessageDelivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.recipient == user
    assert len(sms_to(user.mobile)) == 1


def test_email_task_is_idempotent(django_capture_on_commit_callbacks):
    from portal.tasks import send_notification_email

    user = UserFactory(email="twice@example.com")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_send(recipients=[user], subject="once")
    assert len(callbacks) == 1
    notification = Notification.objects.get(recipient=user)
    assert send_notification_email(notification.pk) is False  # already sent by the eager on-commit call
    assert len(mail.outbox) == 1


def test_outbox_notifications_wait_for_the_flush_and_are_sent_once():
    from django.core import mail

    from portal.models import Notification
    from portal.notifications import notification_emails_flush, notification_send
    from portal.tasks import send_pending_notification_emails
    from tests.factories import UserFactory

    users = [UserFactory(email=f"u{n}@example.com") for n in range(3)] + [UserFactory(email="")]
    notification_send(recipients=users, subject="bulk", email_now=False)
    assert mail.outbox == []  # nothing sent yet: the rows wait in the outbox
    assert notification_emails_flush(limit=2) == 2
    assert send_pending_notification_emails() == 2  # the rest, including the one without an address
    assert sorted(m.to[0] for m in mail.outbox) == ["u0@example.com", "u1@example.com", "u2@example.com"]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert send_pending_notification_emails() == 0
    assert len(mail.outbox) == 3
