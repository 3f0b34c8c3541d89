"""Celery tasks of the applications app: they call a service and hold no
logic. Both are idempotent (status guards and the ``Reminder`` unique
constraint), so beat may run them twice."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def send_deadline_reminders() -> int:
    """Daily: reminders 7, 3 and 1 days before a call closes (drafts) or a
    correction falls due (returned applications)."""
    from applications.application_services import deadline_reminders_send

    sent = deadline_reminders_send()
    logger.info("deadline reminders sent: %s", sent)
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def close_unit_publicity() -> int:
    """Daily: forward applications whose unit publicity is over (R5.5)."""
    from applications.application_services import unit_publicity_close_due

    moved = unit_publicity_close_due()
    logger.info("unit publicity closed for %s application(s)", moved)
    return moved
