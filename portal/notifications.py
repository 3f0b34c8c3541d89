"""In-app notifications, with email sent by a Celery task after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from portal.models import Notification, User


def notification_send(*, recipients: Iterable[User], subject: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one in-app notification per recipient and email each after commit."""
    from portal.tasks import send_notification_email

    recipients = {u.pk: u for u in recipients if u is not None and u.is_active}.values()
    created = Notification.objects.bulk_create(
        [Notification(recipient=u, subject=str(subject)[:200], body=str(body), url=url) for u in recipients]
    )
    ids = [n.pk for n in created if n.pk]
    if not ids:  # databases that do not return ids from bulk_create
        ids = list(Notification.objects.filter(recipient__in=list(recipients), subject=str(subject)[:200],
                                               emailed_at__isnull=True).values_list("pk", flat=True))
    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    return created


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
