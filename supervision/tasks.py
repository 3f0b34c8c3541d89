"""Celery tasks of the supervision app: they call services and hold no logic.
The oversight check is idempotent (one alert per kind and call) and runs from beat."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, time_limit=600)
def check_oversight_alerts() -> int:
    """R6.7, R2.4: raise alerts for pass rates over their ceiling and late filings."""
    from supervision.services import oversight_check

    return len(oversight_check())


def check_after_meeting(sender, **kwargs) -> None:
    """A meeting closed (review's ``meeting_closed``): check its pass rate
    now rather than at the next hourly run."""
    check_oversight_alerts.delay()
