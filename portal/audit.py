"""The audit trail (R6.2): append a hash-chained event; verify the chain.

Every service that changes state calls :func:`audit_record` inside its
transaction. The chain head row is locked for the append, so events are
numbered without gaps and each event's hash covers its predecessor's: an
event altered, inserted or deleted behind the application's back is found
by :func:`verify_chain` (``manage.py verify_audit_chain``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from portal.middleware import current_client_ip
from portal.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _normalise(data: dict | None) -> dict:
    """What a JSONField gives back after a round trip."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_digest(*, seq: int, created_at, actor_id, action: str, object_type: str, object_id: str,
                 before: dict, after: dict, reason: str, prev_hash: str) -> str:
    payload = {
        "seq": seq,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": before,
        "after": after,
        "reason": reason,
        "prev": prev_hash,
    }
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
                      before=_normalise(before), after=_normalise(after), reason=reason)


def _chain(events: list[AuditEvent]) -> None:
    """Give the events their places after the chain head and save them; call
    inside a transaction. The head row's lock orders every writer."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    created_at, ip_address = timezone.now(), current_client_ip()
    seq, prev_hash = head.seq, head.hash
    for event in events:
        seq += 1
        event.seq, event.created_at, event.ip_address, event.prev_hash = seq, created_at, ip_address, prev_hash
        event.hash = prev_hash = event_digest(
            seq=seq, created_at=created_at, actor_id=event.actor_id, action=event.action,
            object_type=event.object_type, object_id=event.object_id, before=event.before, after=event.after,
            reason=event.reason, prev_hash=event.prev_hash)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)
    head.seq, head.hash = seq, prev_hash
    head.save(update_fields=["seq", "hash"])


def audit_record(*, actor, action: str, obj: models.Model | None = None, object_type: str = "",
                 object_id: str = "", object_label: str = "", before: dict | None = None,
                 after: dict | None = None, reason: str = "") -> AuditEvent:
    """Append one event to the chain. Call inside the service's transaction."""
    event = _event(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                   object_label=object_label, before=before, after=after, reason=reason)
    # No savepoint: a failure here must undo the caller's change as well
    # (an unrecorded step is no step), and it saves two round trips.
    with transaction.atomic(savepoint=False):
        _chain([event])
    return event


def audit_record_many(*, entries: list[dict]) -> list[AuditEvent]:
    """Append several events (each a dict of ``audit_record``'s arguments)
    under one lock of the chain head, in one INSERT: for bulk work such as
    a chunk of certificates, one event per object all the same."""
    events = [_event(**entry) for entry in entries]
    if events:
        with transaction.atomic(savepoint=False):
            _chain(events)
    return events


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event #{self.seq}: {self.problem}"


def verify_chain(events: Iterator[AuditEvent] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return (events checked, first break or None)."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for event in events:
        if event.seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"missing (next present is #{event.seq})")
        if event.prev_hash != prev_hash:
            return checked, ChainBreak(event.seq, "does not link to the event before it")
        digest = event_digest(seq=event.seq, created_at=event.created_at, actor_id=event.actor_id,
                              action=event.action, object_type=event.object_type, object_id=event.object_id,
                              before=event.before, after=event.after, reason=event.reason,
                              prev_hash=event.prev_hash)
        if digest != event.hash:
            return checked, ChainBreak(event.seq, "altered (its content no longer matches its hash)")
        checked += 1
        expected_seq += 1
        prev_hash = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.seq >= expected_seq:
        return checked, ChainBreak(expected_seq, f"missing (the chain head records #{head.seq})")
    if head and checked and head.hash != prev_hash:
        return checked, ChainBreak(expected_seq - 1, "altered (does not match the chain head)")
    return checked, None
