"""Verification events off the request path (issue 15).

The public verify endpoints are anonymous and hot: an INSERT and a COMMIT
per check made them a tenth as fast as the lookup they wrap. With
``CERTIFICATE_VERIFICATION_BUFFER`` on (production with Redis), an event
is appended to a Redis list (one RPUSH on a pooled connection) and the beat
task ``certificates.tasks.verification_events_flush`` writes them in
batches every few seconds, with the time of the check; the holder sees who
verified within a minute. Off (the embedded default, tests): written at
once, as before.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import transaction

from certificates.models import VerificationEvent

logger = logging.getLogger(__name__)
KEY = "certificates:verification-events"
LOCK = "certificates:verification-events:flush"
BATCH = 2000


def buffered() -> bool:
    return bool(getattr(settings, "CERTIFICATE_VERIFICATION_BUFFER", False) and settings.REDIS_URL)


def _client():
    from portal.redis_pool import redis_client

    return redis_client(settings.REDIS_URL)


def events_record(events: list[tuple[int, str, str, int | None]]) -> None:
    """``(certificate_id, channel, result, verifier_organization_id)`` each,
    checked now. Buffered in Redis when configured; written at once if the
    buffer is off or Redis refuses (a check is never lost for that)."""
    if not events:
        return
    now = dt.datetime.now(dt.UTC).timestamp()
    if buffered():
        try:
            _client().rpush(KEY, *[json.dumps([c, ch, r, o, now]) for c, ch, r, o in events])
            return
        except Exception:  # noqa: BLE001 - fall back to the database
            logger.warning("verification events: Redis refused, written directly")
    VerificationEvent.objects.bulk_create([
        VerificationEvent(certificate_id=c, channel=ch, result=r, verifier_organization_id=o)
        for c, ch, r, o in events])


def events_flush(*, batch: int = BATCH, max_batches: int = 50) -> int:
    """Write buffered events to the database, oldest first; returns how
    many. One flusher at a time (a Redis lock); an item leaves the list only
    after its batch committed, so a crash repeats no write and loses none
    beyond the batch in flight (which stays in the list)."""
    if not settings.REDIS_URL:
        return 0
    client = _client()
    if not client.set(LOCK, "1", nx=True, ex=120):
        return 0
    written = 0
    try:
        for _ in range(max_batches):
            items = client.lrange(KEY, 0, batch - 1)
            if not items:
                break
            rows = []
            for item in items:
                try:
                    c, ch, r, o, ts = json.loads(item)
                    rows.append(VerificationEvent(certificate_id=int(c), channel=str(ch)[:8], result=str(r)[:16],
                                                  verifier_organization_id=o,
                                                  created_at=dt.datetime.fromtimestamp(float(ts), dt.UTC)))
                except (ValueError, TypeError):
                    logger.warning("verification events: an unreadable item skipped")
            with transaction.atomic():
                VerificationEvent.objects.bulk_create(rows)
            client.ltrim(KEY, len(items), -1)
            written += len(rows)
    finally:
        client.delete(LOCK)
    return written
