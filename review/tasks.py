"""Celery tasks of the review app: they call services and hold no logic.
Both are idempotent (a status guard under a row lock) and run from beat."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def lapse_expired_committees() -> int:
    """R2.3: filings past their validity lapse."""
    from review.services import committee_lapse_expired

    return committee_lapse_expired()


@shared_task(acks_late=True)
def close_due_publicity() -> int:
    """R5.6: publicity periods whose last day has passed close."""
    from review.services import publicity_close_due

    return publicity_close_due()
