"""Celery tasks of the stats app: they call the service and hold no logic.
A refresh replaces the aggregate tables whole, so running it twice is safe."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=240)
def refresh_stats(actor_id: int | None = None) -> int:
    """Recompute the statistics (beat every 15 minutes, or the refresh button)."""
    from portal.models import User
    from stats.services import stats_refresh

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return stats_refresh(actor=actor).cells
