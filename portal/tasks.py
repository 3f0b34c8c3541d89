"""Celery tasks of the portal app: they take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(self, notification_id: int) -> bool:
    """Email one notification; idempotent (``emailed_at`` is the guard)."""
    from portal.models import Notification

    with transaction.atomic():
        notification = (Notification.objects.select_for_update().select_related("recipient")
                        .filter(pk=notification_id, emailed_at__isnull=True).first())
        if notification is None:
            return False
        from portal.notifications import email_for

        email = email_for(notification)  # in the recipient's language; None if muted or no address
        if email is not None:
            send_mail(email[0], email[1], settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("notification %s emailed", notification_id)
    return True


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_message(self, delivery_id: int) -> str:
    """Send one recorded SMS or email (``portal.delivery``); idempotent (the status is the guard).
    A failure that may pass is tried again after a growing pause, up to ``MESSAGE_MAX_ATTEMPTS``."""
    from portal.delivery import backoff_seconds, delivery_send
    from portal.models import MessageDelivery

    outcome = delivery_send(delivery_id=delivery_id)
    if outcome == "retry" and not self.request.is_eager:
        attempts = MessageDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=backoff_seconds(attempts))
    return outcome


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def send_queued_messages(grace_seconds: int = 60) -> int:
    """The SMS and email outbox: messages queued in bulk, a task lost with its worker, and retries
    whose pause is over (and, under eager Celery, every retry). Bulk work that queued its messages
    without a task each asks for it with ``grace_seconds=0``."""
    from portal.delivery import deliveries_flush

    return deliveries_flush(grace_seconds=grace_seconds)


@shared_task(acks_late=True)
def pending_uploads_cleanup() -> int:
    """Files kept for a form's next submit, older than a day, are removed."""
    from portal.pending_uploads import pending_uploads_purge

    return pending_uploads_purge()


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def send_pending_notification_emails(min_age_seconds: int = 0) -> int:
    """The email outbox: notifications created with ``email_now=False``
    (bulk work), and any whose own email task was lost. Sends in chunks
    over one connection each; idempotent."""
    from portal.notifications import notification_emails_flush

    total = 0
    while True:
        sent = notification_emails_flush(min_age_seconds=min_age_seconds)
        total += sent
        if sent == 0:
            break
    if total:
        logger.info("%s outbox notifications emailed", total)
    return total


@shared_task(time_limit=60, soft_time_limit=50)
def seal_audit_chain(max_passes: int = 20) -> int:
    """R6.2: chain the audit events committed since the last seal pass (the
    backstop of ``manage.py audit_sequencer``; a pass gives way when the
    sequencer holds the chain head). Idempotent: an event is chained once."""
    from portal.audit import SEAL_BATCH, audit_chain_seal

    total = 0
    for _pass in range(max_passes):
        chained = audit_chain_seal(wait=False)
        total += chained
        if chained < SEAL_BATCH:
            break
    if total:
        logger.info("audit chain: %s events sealed by the beat backstop", total)
    return total


@shared_task(acks_late=True, time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60)
def verify_audit_chain_nightly() -> dict:
    """R6.2: recompute the chain; on a break, alert supervisors and auditors.
    Events left unchained for too long (the sequencer stopped) alert the
    system administrators."""
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from portal.audit import chain_backlog, verify_chain
    from portal.models import Role, User
    from portal.notifications import notification_send

    checked, broken = verify_chain()
    backlog = chain_backlog()
    result = {"checked": checked, "broken": str(broken) if broken else None, "unchained": backlog.count,
              "unchained_stale": backlog.stale}
    if backlog.stale:
        logger.error("audit chain behind: %s events not yet chained, the oldest waiting %.0f s",
                     backlog.count, backlog.waiting_seconds)
        admins = User.objects.filter(groups__name=Role.SYSTEM_ADMIN, is_active=True).distinct()
        with transaction.atomic():
            notification_send(
                recipients=admins,
                subject=_("Audit trail: %(count)s events are waiting to be sealed into the chain") % {
                    "count": backlog.count},
                body=_("The oldest has waited since %(time)s. Check that the audit sequencer "
                       "(manage.py audit_sequencer) is running; see docs/audit.md.") % {
                    "time": timezone.localtime(backlog.oldest).strftime("%Y-%m-%d %H:%M:%S")})
    if broken is None:
        logger.info("audit chain intact: %s events", checked)
        return result
    logger.error("audit chain broken at %s", broken)
    recipients = User.objects.filter(Q(groups__name=Role.SUPERVISOR) | Q(groups__name=Role.AUDITOR),
                                     is_active=True).distinct()
    with transaction.atomic():
        notification_send(recipients=recipients, subject=lambda: _("Audit trail broken at event #%(seq)s") % {
            "seq": broken.seq}, body=str(broken), url=f"/supervision/audit/?before={broken.seq + 1}")
    return result
