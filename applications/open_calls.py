"""The open calls every applicant's dashboard lists, kept in each process (issue 15).

The list is the same for every applicant: the first calls open now, by closing time. Each process
keeps the calls not yet closed (with their opening and closing times: the clock picks the open ones
at each request) under a *calls version* held in the shared cache (Redis). Whatever writes a call
or a series — ``call_open``, the admin, any save or delete of either model — sets a new version once
its transaction commits (``transaction.on_commit``), so the next request of every process reads the
calls again: one cache read a request instead of a query, and nothing shown that a committed change
made stale. A write behind the models' back (``QuerySet.update``) is seen within ``KEPT_SECONDS``.

Only with a shared cache (``settings.OPEN_CALLS_KEPT``, on with Redis): a cache of each process
would not see the other processes' versions."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

VERSION_KEY = "applications:calls-version"
#: Seconds a process keeps the calls even if the version does not move (writes that skip signals).
KEPT_SECONDS = 60
#: Calls not yet closed a process keeps at most; past it, a list short of open calls asks the database.
CAP = 200

# (version, monotonic time read, rows, complete): replaced whole, never changed in place.
_kept: tuple = (None, 0.0, [], False)


def enabled() -> bool:
    return bool(getattr(settings, "OPEN_CALLS_KEPT", False))


def calls_changed(sender=None, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of a call or a series: a new version when the change commits."""
    if enabled():
        transaction.on_commit(new_version)


def new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - a cache that is down: every process reads the calls after KEPT_SECONDS
        log.warning("open calls: could not set a new calls version")


def _version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:  # first use, or the cache was emptied: any new value invalidates every process
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001 - without the version nothing kept is trusted: the database answers
        log.warning("open calls: could not read the calls version")
        return None


def _not_closed(now: dt.datetime, limit: int) -> list[tuple]:
    from applications.models import Call

    return list(Call.objects.filter(closes_at__gte=now).order_by("closes_at", "pk")
                .values_list(*COLUMNS)[:limit])


def _open(now: dt.datetime, limit: int) -> list[tuple]:
    from applications.models import Call

    return list(Call.objects.filter(opens_at__lte=now, closes_at__gte=now).order_by("closes_at", "pk")
                .values_list(*COLUMNS)[:limit])


COLUMNS = ("pk", "name", "opens_at", "closes_at", "name_en", "name_ug", "series__name", "series__name_en",
           "series__name_ug")


def first_open(*, limit: int) -> list[tuple]:
    """The first ``limit`` calls open now by closing time, as (pk, name, opens_at, closes_at, English
    name, Uyghur name, series name, English name, Uyghur name): from what the process keeps when its version is the
    current one, else from the database (one query)."""
    global _kept
    now = timezone.now()
    version = _version() if enabled() else None
    if version is None:
        return _open(now, limit)
    kept_version, read_at, rows, complete = _kept
    if version != kept_version or time.monotonic() - read_at > KEPT_SECONDS:
        rows = _not_closed(now, CAP + 1)
        complete = len(rows) <= CAP
        rows = rows[:CAP]
        _kept = (version, time.monotonic(), rows, complete)
    shown = [row for row in rows if row[2] <= now <= row[3]][:limit]
    if len(shown) < limit and not complete:  # more calls than kept: those after them may be open
        return _open(now, limit)
    return shown
