"""The audit trail (R6.2): record events, seal them into a hash chain, verify it.

Two steps, so that writers never wait for each other here:

1. **Record.** Every service that changes state calls :func:`audit_record`
   inside its transaction. It INSERTs the event, and nothing else: no lock
   is shared with any other writer. The event exists exactly when the change
   does; a rolled-back change leaves no event.
2. **Seal.** :func:`audit_chain_seal` (one pass of the sequencer,
   ``manage.py audit_sequencer``; Celery beat runs it too as a backstop)
   locks the chain head, reads the events that have committed and are not
   yet chained, gives each the next ``seq``, its predecessor's hash and its
   own hash, and moves the head: one transaction, one UPDATE. Passes run one
   at a time, so events are chained in the order their transactions became
   visible (commit order); within one pass, in insert order (``id``), which
   keeps an event after every event it could have depended on.

With ``settings.AUDIT_CHAIN_INLINE`` (the embedded SQLite default) the writer
runs the seal pass itself, in its own transaction, under the head's lock.

:func:`verify_chain` (``manage.py verify_audit_chain``) recomputes the chain;
:func:`chain_backlog` says what is waiting to be chained. See docs/audit.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from portal.compiled_sql import CompiledSave
from portal.middleware import current_client_ip
from portal.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
#: The digest new events are hashed with (see :func:`event_digest`).
DIGEST_VERSION = 2
#: Events chained by one seal pass at most (a pass of 5,000 takes a few tens of milliseconds).
SEAL_BATCH = 5000
#: ``chain_backlog`` counts at most this many waiting events.
BACKLOG_COUNT_CAP = 100_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _normalise(data: dict | None) -> dict:
    """What a JSONField gives back after a round trip."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _payload_v1(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev": event.prev_hash,
    }


def _payload_v2(event: AuditEvent) -> dict:
    """Every stored column (issue 14 item 13): what version 1 covered, and the
    row id, both labels, the client address and the version itself."""
    return {**_payload_v1(event), "id": event.pk, "actor_label": event.actor_label,
            "object_label": event.object_label, "ip_address": event.ip_address, "v": 2}


_PAYLOADS = {1: _payload_v1, 2: _payload_v2}


def event_digest(event: AuditEvent) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the
    event under its ``digest_version``, its ``seq`` and ``prev_hash`` included."""
    payload = _PAYLOADS[event.digest_version](event)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``obj`` (foreign keys by id)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            data[name] = str(data[name] or "")
    return _normalise(data)


# --- Recording ----------------------------------------------------------------------------

def _event(*, actor, action: str, obj: models.Model | None = None, object_type: str = "", object_id: str = "",
           object_label: str = "", before: dict | None = None, after: dict | None = None,
           reason: str = "") -> AuditEvent:
    """An unsaved event without its place in the chain (seq, hashes)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:255]
    actor_id = getattr(actor, "pk", None)
    return AuditEvent(actor_id=actor_id, actor_label=(actor.real_name if actor_id else "system")[:128],
                      action=action, object_type=object_type, object_id=object_id, object_label=object_label,
                      before=_normalise(before), after=_normalise(after), reason=reason,
                      created_at=timezone.now(), ip_address=current_client_ip(), digest_version=DIGEST_VERSION)


#: One event's INSERT, compiled once per connection (issue 15: every write records one).
_SAVE = CompiledSave(AuditEvent)


def _insert(events: list[AuditEvent]) -> None:
    if len(events) == 1:
        _SAVE.insert(events[0])  # as events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)


def _append(events: list[AuditEvent]) -> None:
    # No savepoint: a failure here must undo the caller's change as well
    # (an unrecorded step is no step), and it saves two round trips.
    with transaction.atomic(savepoint=False):
        _insert(events)
        if settings.AUDIT_CHAIN_INLINE:
            sealed = {e.pk: e for e in audit_chain_seal(wait=True, limit=None, return_events=True)}
            for event in events:
                chained = sealed.get(event.pk)
                if chained is not None:
                    event.seq, event.prev_hash, event.hash = chained.seq, chained.prev_hash, chained.hash


def audit_record(*, actor, action: str, obj: models.Model | None = None, object_type: str = "",
                 object_id: str = "", object_label: str = "", before: dict | None = None,
                 after: dict | None = None, reason: str = "") -> AuditEvent:
    """Record one event. Call inside the service's transaction: the event is
    inserted there and chained once that transaction has committed."""
    event = _event(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                   object_label=object_label, before=before, after=after, reason=reason)
    _append([event])
    return event


def audit_record_many(*, entries: list[dict]) -> list[AuditEvent]:
    """Record several events (each a dict of ``audit_record``'s arguments) in
    one INSERT: for bulk work such as a chunk of certificates."""
    events = [_event(**entry) for entry in entries]
    if events:
        _append(events)
    return events


# --- Sealing (the sequencer) -----------------------------------------------------------

def _lock_head(*, wait: bool) -> AuditChainHead | None:
    """The chain head, locked until the transaction ends; None when another
    seal pass holds it and ``wait`` is false."""
    head = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    if head is None and not AuditChainHead.objects.filter(pk=1).exists():
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    return head


def _write_links(events: list[AuditEvent]) -> None:
    """Fill ``seq``, ``prev_hash`` and ``hash`` of events not yet chained: the
    one UPDATE the append-only trigger allows, once per event."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, four array parameters; joined on the primary key. (The trigger refuses
            # an event already chained, so no "seq IS NULL" here: that filter made the planner scan
            # the partial index of unchained events once per row.)
            cursor.execute(
                f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) AS v(id, seq, prev_hash, hash) "
                "WHERE e.id = v.id",
                [[e.pk for e in events], [e.seq for e in events], [e.prev_hash for e in events],
                 [e.hash for e in events]])
            written = cursor.rowcount
        else:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                [(e.seq, e.prev_hash, e.hash, e.pk) for e in events])
            written = cursor.rowcount
    if written != len(events):
        raise RuntimeError(f"audit chain: {len(events)} events to chain, {written} written")


def audit_chain_seal(*, wait: bool = False, limit: int | None = SEAL_BATCH,
                     return_events: bool = False) -> int | list[AuditEvent]:
    """One seal pass: chain the committed events not yet chained, oldest
    insert first, after the chain head. Returns how many were chained (or
    the events, with ``return_events``).

    Passes run one at a time under the head's row lock; with ``wait`` false a
    pass gives way (returns 0) when another holds it. Inside a writer's own
    transaction (inline mode) it also chains that transaction's events.
    Works through PgBouncer in transaction mode: the only lock is a row lock
    held until this transaction ends."""
    with transaction.atomic(savepoint=False):
        head = _lock_head(wait=wait)
        if head is None:
            return [] if return_events else 0
        pending = AuditEvent.objects.filter(seq__isnull=True).order_by("id")
        events = list(pending[:limit] if limit else pending)
        if not events:
            return [] if return_events else 0
        # The pass's time never goes back, so it rises with ``seq``; the largest distance between
        # an event's own time and its pass's bounds how far ``created_at`` strays from ``seq`` order.
        sealed_at = max(timezone.now(), head.sealed_at or _EPOCH)
        seq, prev_hash, max_lag = head.seq, head.hash, head.max_lag
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = event_digest(event)
            max_lag = max(max_lag, abs(sealed_at - event.created_at))
        _write_links(events)
        head.seq, head.hash, head.sealed_at, head.max_lag = seq, prev_hash, sealed_at, max_lag
        head.save(update_fields=["seq", "hash", "sealed_at", "max_lag"])
    return events if return_events else len(events)


@dataclass(frozen=True)
class Backlog:
    """Events recorded and committed but not yet chained."""

    count: int
    capped: bool
    oldest: dt.datetime | None
    sealed_at: dt.datetime | None
    stale: bool

    @property
    def waiting_seconds(self) -> float:
        return max(0.0, (timezone.now() - self.oldest).total_seconds()) if self.oldest else 0.0


def chain_backlog() -> Backlog:
    """What waits to be chained. ``stale`` when events wait and no seal pass
    has chained anything for ``AUDIT_CHAIN_STALE_SECONDS``: the sequencer is
    not running, or cannot keep up."""
    pending = AuditEvent.objects.filter(seq__isnull=True)
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    if oldest is None:
        return Backlog(count=0, capped=False, oldest=None, sealed_at=None, stale=False)
    count = pending.order_by()[:BACKLOG_COUNT_CAP].count()
    sealed_at = AuditChainHead.objects.filter(pk=1).values_list("sealed_at", flat=True).first()
    quiet_since = max(oldest, sealed_at or _EPOCH)
    stale = (timezone.now() - quiet_since).total_seconds() > settings.AUDIT_CHAIN_STALE_SECONDS
    return Backlog(count=count, capped=count >= BACKLOG_COUNT_CAP, oldest=oldest, sealed_at=sealed_at,
                   stale=stale)


# --- Verifying --------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event #{self.seq}: {self.problem}"


def _chained(after_seq: int = 0, chunk: int = 5000) -> Iterator[AuditEvent]:
    """Chained events in chain order, in keyset chunks (no server-side
    cursor: works through PgBouncer in transaction mode)."""
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq")[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        after_seq = rows[-1].seq


def verify_chain(events: Iterator[AuditEvent] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return (events checked, first break or None).

    Proves order (``seq`` 1, 2, 3… without gaps, each linking to the one
    before), integrity (each hash recomputed under the event's digest
    version; a version never goes back) and the end (the chain head). Events
    not yet chained are not part of it: see :func:`chain_backlog`."""
    state = {"expected": 1, "prev": GENESIS, "checked": 0, "version": 1}

    def walk(rows: Iterable[AuditEvent]) -> ChainBreak | None:
        for event in rows:
            seq = state["expected"]
            if event.seq != seq:
                return ChainBreak(seq, f"missing (next present is #{event.seq})")
            if event.prev_hash != state["prev"]:
                return ChainBreak(event.seq, "does not link to the event before it")
            if event.digest_version not in _PAYLOADS:
                return ChainBreak(event.seq, f"unknown digest version {event.digest_version}")
            if event.digest_version < state["version"]:
                return ChainBreak(event.seq, "altered (its digest version goes back)")
            if event_digest(event) != event.hash:
                return ChainBreak(event.seq, "altered (its content no longer matches its hash)")
            state.update(expected=seq + 1, prev=event.hash, checked=state["checked"] + 1,
                         version=event.digest_version)
        return None

    if events is not None:
        return state["checked"], walk(events)
    broken = walk(_chained())
    if broken:
        return state["checked"], broken
    # Seal passes go on while we walk: read the head after the walk and follow
    # what was chained meanwhile, until the walk reaches the head or stops short.
    while True:
        head = AuditChainHead.objects.filter(pk=1).first()
        last = state["expected"] - 1
        if head is None:
            broken = ChainBreak(last, "the chain head is missing") if last else None
            return state["checked"], broken
        if head.seq > last:
            before = state["checked"]
            broken = walk(_chained(after_seq=last))
            if broken:
                return state["checked"], broken
            if state["checked"] == before:
                return state["checked"], ChainBreak(last + 1, f"missing (the chain head records #{head.seq})")
            continue
        if head.seq < last:
            return state["checked"], ChainBreak(head.seq + 1, f"not recorded by the chain head (#{head.seq})")
        if last and head.hash != state["prev"]:
            return state["checked"], ChainBreak(last, "altered (does not match the chain head)")
        return state["checked"], None
