"""Notifications: in-app, by email after commit, and by SMS for the topics people need on their phone.

Every notification is written in its recipient's language (``User.message_language``): ``subject``
and ``body`` may be plain text (sent as it is, e.g. a reason someone typed), a lazy translation, or
a zero-argument callable returning text (``lambda: _("…") % {…}``), rendered once per recipient
under ``translation.override``. A notification has a ``topic`` (``portal.models.Topic``); the person
turns topics off per channel on their settings page, except account-security notices.

The email carries the message itself — what happened, what to do and by when, then the link — not a
bare link; so does the SMS (``portal.delivery.sms_text``), for the topics in ``SMS_TOPICS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.models import SMS_TOPICS, MessageDelivery, Notification, Topic, User, notifications_written

Text = str | Promise | Callable[[], str]


def render(text: Text | None) -> str:
    """``text`` in the active language (call under ``translation.override``)."""
    if text is None:
        return ""
    if callable(text) and not isinstance(text, Promise):
        return str(text())
    return str(text)


def in_language(user: User | None):
    """The context in which to write to ``user`` (the site's default language for no one)."""
    return translation.override(user.message_language if user is not None else settings.LANGUAGE_CODE)


def notification_send(*, recipients: Iterable[User], subject: Text, body: Text = "", url: str = "",
                      topic: str = Topic.WORK, email_now: bool = True, sms: Text | None = None) -> list[Notification]:
    """Create one in-app notification per recipient, in that person's language; email each after
    commit, and send it by SMS when ``topic`` is one of ``SMS_TOPICS``, unless the person turned the
    topic off for that channel.

    ``sms`` is a shorter text for the SMS when subject and body are long (the SMS is cut at about
    three segments): it must still say what happened, what to do and by when.

    ``email_now=False`` leaves the emails and SMS in their outboxes for the periodic tasks
    (``send_pending_notification_emails``, ``send_queued_messages``), which send many over one
    connection: for bulk work such as a batch of certificates.
    """
    return notification_send_each(messages=[(u, subject, body, url) for u in _unique_active(recipients)],
                                  topic=topic, email_now=email_now, sms=sms)


def _unique_active(users: Iterable[User]) -> list[User]:
    return list({u.pk: u for u in users if u is not None and u.is_active}.values())


def notification_send_each(*, messages: Iterable[tuple[User, Text, Text, str]], topic: str = Topic.WORK,
                           email_now: bool = True, sms: Text | None = None) -> list[Notification]:
    """One notification per (recipient, subject, body, url), in one INSERT: bulk work where each
    person gets their own message. Texts are rendered in each recipient's language."""
    from portal.tasks import send_notification_email

    rows = []
    for user, subject, body, url in messages:
        if user is None or not user.is_active:
            continue
        with in_language(user):
            rows.append(Notification(recipient=user, subject=render(subject)[:200], body=render(body), url=url,
                                     topic=topic))
    created = Notification.objects.bulk_create(rows)
    notifications_written()
    if created and not all(n.pk for n in created):  # databases that do not return ids from bulk_create
        created = list(Notification.objects.filter(recipient__in=[n.recipient for n in created], topic=topic,
                                                   emailed_at__isnull=True).order_by("-pk")[:len(created)])
    if email_now:
        for pk in [n.pk for n in created]:
            transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    if topic in SMS_TOPICS:
        _queue_sms(created, topic=topic, now=email_now, sms=sms)
    return created


def _queue_sms(notifications: list[Notification], *, topic: str, now: bool, sms: Text | None = None) -> None:
    from portal import personal_data
    from portal.delivery import deliveries_queue_many, sms_text

    deliveries = []
    for notification in notifications:
        user = notification.recipient
        if not user.mobile or not user.wants("sms", topic):
            continue
        with in_language(user):
            if sms is not None:
                text = sms_text(render(sms), "", notification.url)
            else:
                text = sms_text(notification.subject, notification.body, notification.url)
        deliveries.append(MessageDelivery(channel=MessageDelivery.Channel.SMS, topic=topic, recipient=user,
                                          address=user.mobile, body_encrypted=personal_data.encrypt(text),
                                          notification=notification))
    if deliveries:
        deliveries_queue_many(deliveries, now=now)


def email_for(notification: Notification) -> tuple[str, str] | None:
    """The subject and text of the email of ``notification``, in its recipient's language, or
    ``None`` when no email goes out (no address, or the person turned the topic off)."""
    recipient = notification.recipient
    if not recipient.email or not recipient.wants("email", notification.topic):
        return None
    with in_language(recipient):
        lines = [_("Dear %(name)s,") % {"name": recipient.real_name}, "", notification.subject]
        if notification.body:
            lines += ["", notification.body]
        if notification.url:
            lines += ["", _("Open it in the portal: %(link)s") % {"link": f"{settings.SITE_URL}{notification.url}"}]
        lines += ["", "—", _("Xinjiang Professional Title Portal. You can choose which messages you receive by "
                             "email and SMS on your settings page: %(link)s")
                  % {"link": f"{settings.SITE_URL}{reverse('my-settings')}"}]
        subject = _("[Title portal] %(subject)s") % {"subject": notification.subject}
    return subject[:200], "\n".join(lines)


def notification_emails_flush(*, limit: int = 500, min_age_seconds: int = 0) -> int:
    """Email the notifications still in the outbox, oldest first, over one
    connection; returns how many were handled. Idempotent: rows are claimed
    with ``SKIP LOCKED`` and marked ``emailed_at`` in the same transaction,
    so two workers never send the same one."""
    from django.core.mail import EmailMessage, get_connection

    cutoff = timezone.now() - dt.timedelta(seconds=min_age_seconds)
    with transaction.atomic():
        pending = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("recipient").filter(emailed_at__isnull=True, created_at__lte=cutoff)
                       .order_by("pk")[:limit])
        if not pending:
            return 0
        messages = []
        for notification in pending:
            email = email_for(notification)
            if email is not None:
                messages.append(EmailMessage(email[0], email[1], settings.DEFAULT_FROM_EMAIL,
                                             [notification.recipient.email]))
        if messages:
            with get_connection() as connection:
                connection.send_messages(messages)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


def notification_settle(*urls: str) -> int:
    """Mark read the unread notifications that point to any of ``urls``:
    they asked someone to act on it, and someone now has. A colleague's
    decision settles everyone's "awaiting you", so officers are not left
    with a count of work already done. Call it in the deciding transaction;
    one statement however many objects were decided."""
    urls = [url for url in urls if url]
    if not urls:
        return 0
    notifications_written()
    return Notification.objects.filter(url__in=urls, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    notifications_written()
    return qs.update(read_at=timezone.now())
