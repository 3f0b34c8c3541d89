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
        recipient = notification.recipient
        if recipient.email:
            body = notification.body
            if notification.url:
                body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
            send_mail(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("notification %s emailed", notification_id)
    return True
