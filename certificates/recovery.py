"""Certificate work that faults left behind: stalled batches and orphan PDFs.

**Stalled batch work** (issue 14, item 14). When the broker loses its queue
(Redis restarted without persistence) or a worker dies with messages it had
taken, batch items stay pending with no message anywhere. Beat runs
:func:`certificate_requeue_stalled` every 30 seconds; it queues again the
pending items of every batch that

* were queued at least ``STALL_SECONDS`` (60 s) ago,
* belong to a batch with no progress (no item issued or failed) for as long,
* and that no worker holds (running or reserved, asked with Celery's
  ``inspect``) and no message in the broker's queue names.

So a stalled batch is moving again within about 90 seconds. Re-queueing is
safe even when a message was not lost after all: the tasks are idempotent
(the grant key finds the certificate already issued, numbers are drawn in
the transaction that creates the certificate, the holder's notification is
written with it, so numbers stay gap-free and each holder gets one email),
and rows are claimed with ``SKIP LOCKED`` and stamped, so two sweeps do not
queue the same items twice.

**Orphan PDFs** (issue 14, item 15). A PDF is written to storage before the
row that names it is committed; a worker killed in between (``kill -9``
mid-chunk) leaves the file with no row. Beat runs :func:`certificate_pdf_orphans_sweep`
every hour: it deletes the files under ``certificates/`` that no certificate
names and that are older than ``ORPHAN_GRACE_SECONDS`` (longer than a task
may run, so a PDF whose row is about to be committed is never touched).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Max, Q
from django.utils import timezone

from certificates.models import Certificate, IssueBatchItem

logger = logging.getLogger(__name__)

#: Pending work with no progress for this long, and held by no worker, is stalled.
STALL_SECONDS = 60

BATCH_TASKS = {"certificates.tasks.issue_batch_items", "certificates.tasks.issue_batch_item"}
RENDER_TASK = "certificates.tasks.render_certificate_pdf"


def orphan_grace_seconds() -> int:
    """How old an unnamed PDF must be before it is deleted: an hour, and
    always longer than the hard time limit of a task."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 300
    return getattr(settings, "CERTIFICATE_ORPHAN_GRACE_SECONDS", max(3600, 2 * int(limit)))


@dataclass
class HeldWork:
    """The batch items and certificates that a worker or the broker holds."""

    items: set[int] = field(default_factory=set)
    certificates: set[int] = field(default_factory=set)

    def add(self, task: str | None, args) -> None:
        if not args:
            return
        first = args[0]
        if task in BATCH_TASKS:
            self.items.update(int(i) for i in (first if isinstance(first, list) else [first]))
        elif task == RENDER_TASK:
            self.certificates.add(int(first))


def _queued_messages(app, held: HeldWork) -> None:
    """The task messages waiting in the broker's queues (Redis lists)."""
    conf = app.conf
    if not str(conf.broker_url or "").startswith(("redis://", "rediss://", "unix://")):
        return  # the memory broker of eager mode holds nothing between calls
    names = {q.name for q in (conf.task_queues or [])} or {conf.task_default_queue}
    with app.connection_for_read() as conn:
        client = conn.default_channel.client
        for name in names:
            # kombu keeps a list per queue and one per priority step ("name\x06\x16N")
            for key in [name, *client.keys(f"{name}\x06\x16*")]:
                for raw in client.lrange(key, 0, -1):
                    try:
                        message = json.loads(raw)
                        body = message["body"]
                        if message.get("properties", {}).get("body_encoding") == "base64":
                            body = base64.b64decode(body)
                        args = json.loads(body)[0]
                        held.add(message.get("headers", {}).get("task"), args)
                    except (ValueError, KeyError, TypeError, IndexError):
                        continue


def _worker_tasks(app, held: HeldWork, *, timeout: float) -> None:
    """The tasks the live workers are running or have reserved."""
    inspector = app.control.inspect(timeout=timeout)
    for answer in (inspector.active() or {}, inspector.reserved() or {}):
        for tasks in answer.values():
            for task in tasks or []:
                held.add(task.get("name") or task.get("type"), task.get("args"))


def held_work(*, app=None, timeout: float = 1.0) -> HeldWork:
    """What workers and the broker hold now (nothing in eager mode)."""
    if app is None:
        from portal.celery import app
    held = HeldWork()
    if app.conf.task_always_eager:
        return held
    _worker_tasks(app, held, timeout=timeout)
    _queued_messages(app, held)
    return held


def stalled_batches(*, now: dt.datetime, stall_seconds: int = STALL_SECONDS) -> list[int]:
    """Batches with items pending since before the cutoff and no item done since."""
    cutoff = now - dt.timedelta(seconds=stall_seconds)
    waiting = (IssueBatchItem.objects.filter(state=IssueBatchItem.State.PENDING, queued_at__lt=cutoff)
               .values_list("batch_id", flat=True).distinct())
    progress = (IssueBatchItem.objects.filter(batch_id__in=list(waiting))
                .values("batch_id").annotate(last=Max("updated_at", filter=~Q(state=IssueBatchItem.State.PENDING))))
    return sorted(row["batch_id"] for row in progress if row["last"] is None or row["last"] < cutoff)


def certificate_requeue_stalled(*, stall_seconds: int = STALL_SECONDS, held: HeldWork | None = None,
                                app=None) -> dict[str, int]:
    """Queue again the stalled batch items and waiting PDFs (module docstring)."""
    from certificates import services

    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=stall_seconds)
    batches = stalled_batches(now=now, stall_seconds=stall_seconds)
    waiting_pdfs = Certificate.objects.filter(pdf_generation__lt=F("pdf_requested_generation"),
                                              updated_at__lt=cutoff).exists()
    if not batches and not waiting_pdfs:
        return {"batch_items": 0, "pdfs": 0}
    if held is None:
        held = held_work(app=app)
    counts = services.certificate_requeue_unfinished(queued_before=cutoff, only_batches=batches,
                                                     held_items=held.items, held_certificates=held.certificates)
    if any(counts.values()):
        logger.warning("requeued stalled certificate work: %s (batches %s)", counts, batches)
    return counts


def _walk(storage, folder: str):
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}")


def certificate_pdf_orphans_sweep(*, older_than_seconds: int | None = None, folder: str = "certificates",
                                  batch: int = 500) -> dict[str, int]:
    """Delete certificate PDFs in storage that no certificate names (module docstring)."""
    storage = Certificate._meta.get_field("pdf").storage
    grace = orphan_grace_seconds() if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - dt.timedelta(seconds=grace)
    seen = deleted = 0

    def settle(names: list[str]) -> int:
        named = set(Certificate.objects.filter(pdf__in=names).values_list("pdf", flat=True))
        gone = 0
        for name in names:
            if name in named:
                continue
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue  # perhaps about to be recorded
            except (FileNotFoundError, OSError):
                continue
            storage.delete(name)
            gone += 1
        return gone

    chunk: list[str] = []
    for name in _walk(storage, folder):
        seen += 1
        chunk.append(name)
        if len(chunk) >= batch:
            deleted += settle(chunk)
            chunk = []
    if chunk:
        deleted += settle(chunk)
    if deleted:
        logger.warning("deleted %s orphan certificate PDFs (of %s files)", deleted, seen)
    return {"files": seen, "deleted": deleted}
