"""In-app notifications, with email sent by a Celery task after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from portal.models import Notification, User


def notification_send(*, recipients: Iterable[User], subject: str, body: str = "", url: str = "",
                      email_now: bool = True) -> list[Notification]:
    """Create one in-app notification per recipient and email each after commit.

    ``email_now=False`` leaves the email in the outbox (``emailed_at`` unset)
    for ``send_pending_notification_emails``, which sends many over one
    connection: for bulk work such as a batch of certificates, where one
    task per email would cost more than the work itself.
    """
    from portal.tasks import send_notification_email

    recipients = {u.pk: u for u in recipients if u is not None and u.is_active}.values()
    created = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject)[:200], body=str(body), url=url) for u in recipients]
    )
    if not email_now:
        return created
    ids = [n.pk for n in created if n.pk]
    if not ids:  # databases that do not return ids from bulk_create
        ids = list(Notification.objects.filter(recipient__in=list(recipients), subject=str(subject)[:200],
                                               emailed_at__isnull=True).values_list("pk", flat=True))
    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    return created


def notification_send_each(*, messages: Iterable[tuple[User, str, str, str]],
                           email_now: bool = True) -> list[Notification]:
    """One notification per (recipient, subject, body, url), in one INSERT:
    bulk work where each person gets their own message."""
    from portal.tasks import send_notification_email

    created = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject)[:200], body=str(body), url=url)
         for u, subject, body, url in messages if u is not None and u.is_active])
    if email_now:
        for pk in [n.pk for n in created if n.pk]:
            transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    return created


def notification_emails_flush(*, limit: int = 500, min_age_seconds: int = 0) -> int:
    """Email the notifications still in the outbox, oldest first, over one
    connection; returns how many were handled. Idempotent: rows are claimed
    with ``SKIP LOCKED`` and marked ``emailed_at`` in the same transaction,
    so two workers never send the same one."""
    from django.conf import settings
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
            if notification.recipient.email:
                body = notification.body
                if notification.url:
                    body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
                messages.append(EmailMessage(notification.subject, body, settings.DEFAULT_FROM_EMAIL,
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
    return Notification.objects.filter(url__in=urls, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
