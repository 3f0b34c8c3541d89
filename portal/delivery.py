"""SMS and emails that leave the portal, each recorded with its delivery state (``MessageDelivery``).

``delivery_queue`` records a message and sends it through Celery after commit (nothing leaves for a
write that rolls back); ``delivery_send`` is what the task runs: it takes the row under a lock, sends
it once through the configured SMS backend or the email connection, and records sent, retried or
failed. Running it twice sends nothing twice (the status is the guard). ``deliveries_flush`` is the
outbox that Celery beat runs: messages queued in bulk, and any whose task was lost.

Texts are composed by the callers in the recipient's language (``portal.notifications`` renders each
notification under ``translation.override(user.message_language)``); ``sms_text`` shapes one SMS.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import personal_data
from portal.models import MessageDelivery, User
from portal.sms import SmsError, SmsMessage
from portal.sms import get_connection as get_sms_connection

logger = logging.getLogger(__name__)

Status = MessageDelivery.Status
Channel = MessageDelivery.Channel

#: An SMS longer than this is cut (with "…") before the link: about three segments of 70 characters.
SMS_MAX_CHARS = 200


def backoff_seconds(attempts: int) -> int:
    """The pause before attempt ``attempts + 1``: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def sms_text(subject: str, body: str = "", url: str = "") -> str:
    """One SMS: the signature, what happened and what to do (subject and body on one line), then the
    link. Long texts are cut before the link, never the link itself."""
    subject, body = re.sub(r"\s+", " ", subject).strip(), re.sub(r"\s+", " ", body).strip()
    text = f"{subject}{_joiner(subject) if body else ''}{body}"
    if len(text) > SMS_MAX_CHARS:
        text = text[:SMS_MAX_CHARS - 1].rstrip() + "…"
    link = f" {settings.SITE_URL}{url}" if url else ""
    return f"{settings.SMS_SIGNATURE}{text}{link}"


def _joiner(subject: str) -> str:
    """Between the subject and the body: nothing after a full stop, a colon otherwise (full-width in
    Chinese text, ": " in English)."""
    if subject.endswith(("。", "：", "！", "？", ".", ":", "!", "?", "؟")):
        return " " if subject.endswith((".", ":", "!", "?", "؟")) else ""
    return "：" if re.search(r"[\u4e00-\u9fff]", subject) else ": "


def delivery_queue(*, channel: str, topic: str, address: str, body: str, subject: str = "",
                   recipient: User | None = None, notification=None, key: str | None = None,
                   now: bool = True) -> MessageDelivery | None:
    """Record one SMS or email and send it after commit (``now``) or leave it to the outbox.

    ``key`` makes it idempotent: a message with the same key is queued once (returns the first).
    Returns ``None`` when there is no address to send to."""
    if not address:
        return None
    delivery = MessageDelivery(channel=channel, topic=topic, recipient=recipient, address=address,
                               subject=str(subject)[:200], body_encrypted=personal_data.encrypt(str(body)),
                               notification=notification, key=key)
    if key:
        existing = MessageDelivery.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                delivery.save()
        except IntegrityError:
            return MessageDelivery.objects.filter(key=key).first()
    else:
        delivery.save()
    if now:
        _enqueue_on_commit([delivery.pk])
    return delivery


def deliveries_queue_many(deliveries: Iterable[MessageDelivery], *, now: bool = True) -> list[MessageDelivery]:
    """Record many (bulk work, e.g. the SMS of one notification each); one INSERT."""
    created = MessageDelivery.objects.bulk_create(list(deliveries))
    if now:
        _enqueue_on_commit([d.pk for d in created if d.pk])
    return created


def _enqueue_on_commit(ids: list[int]) -> None:
    from portal.tasks import send_message

    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_message.delay(pk))


def delivery_send(*, delivery_id: int) -> str:
    """Send one queued message. Returns ``"sent"``, ``"retry"`` (failed, queued again; the caller
    schedules the next attempt after ``backoff_seconds``), ``"failed"`` (given up) or ``"skipped"``
    (already sent or failed: a second run of the task)."""
    with transaction.atomic():
        delivery = (MessageDelivery.objects.select_for_update()
                    .filter(pk=delivery_id, status__in=[Status.QUEUED, Status.RETRIED]).first())
        if delivery is None:
            return "skipped"
        delivery.attempts += 1
        try:
            delivery.provider_ref = _send(delivery)[:128]
        except SmsError as error:
            outcome = _failed(delivery, str(error), retry=error.retry)
        except OSError as error:  # SMTP and network errors of the email connection
            outcome = _failed(delivery, f"{type(error).__name__}: {error}", retry=True)
        else:
            delivery.status, delivery.sent_at, delivery.last_error = Status.SENT, timezone.now(), ""
            outcome = "sent"
        delivery.save(update_fields=["status", "attempts", "last_error", "provider_ref", "sent_at", "updated_at"])
    log = logger.info if outcome == "sent" else logger.warning
    log("%s delivery %s (%s, %s): %s", delivery.channel, delivery.pk, delivery.topic,
        delivery.address_masked, outcome)
    return outcome


def _send(delivery: MessageDelivery) -> str:
    if delivery.channel == Channel.SMS:
        message = SmsMessage(to=delivery.address, text=delivery.body, reference=f"d{delivery.pk}")
        get_sms_connection().send_messages([message])
        return message.provider_ref
    email = EmailMessage(delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.address],
                         connection=get_connection())
    email.send()
    return ""


def _failed(delivery: MessageDelivery, error: str, *, retry: bool) -> str:
    # Errors never carry the full address (the backends mask it); cut to the column.
    delivery.last_error = error[:255]
    if retry and delivery.attempts < settings.MESSAGE_MAX_ATTEMPTS:
        delivery.status = Status.RETRIED
        return "retry"
    delivery.status = Status.FAILED
    return "failed"


def deliveries_flush(*, limit: int = 200, grace_seconds: int = 60, now: dt.datetime | None = None) -> int:
    """The outbox (Celery beat, every minute): send what is still queued after ``grace_seconds`` (bulk
    work, a lost task) and what failed once and waited its backoff. Returns how many were tried."""
    now = now or timezone.now()
    rows = list(MessageDelivery.objects.filter(status__in=[Status.QUEUED, Status.RETRIED],
                                               updated_at__lte=now - dt.timedelta(seconds=grace_seconds))
                .order_by("pk").values_list("pk", "status", "attempts", "updated_at")[:limit])
    tried = 0
    for pk, status, attempts, updated_at in rows:
        # A retry is the task's to send after its pause; the outbox steps in a grace period later.
        if status == Status.RETRIED and updated_at + dt.timedelta(
                seconds=backoff_seconds(attempts) + grace_seconds) > now:
            continue
        delivery_send(delivery_id=pk)
        tried += 1
    return tried
