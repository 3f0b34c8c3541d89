"""The audit trail (R6.2): every state change is chained and any alteration found."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from portal.audit import audit_chain_seal, audit_record, chain_backlog, verify_chain
from portal.models import AuditEvent
from tests.factories import UserFactory


def make_events(n: int = 5):
    """Record ``n`` events and seal them into the chain (what the sequencer does after commit)."""
    actor = UserFactory()
    for i in range(n):
        audit_record(actor=actor, action="test.step", object_type="test", object_id=str(i),
                     before={"status": "a"}, after={"status": "b", "n": i})
    audit_chain_seal()


def _force_sql(sql: str, params=()):
    """Alter the table behind the application's back (as an attacker with SQL would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # bypasses the append-only trigger
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_R6_2_chain_is_intact_and_gap_free():
    make_events(5)
    checked, broken = verify_chain()
    assert broken is None
    assert checked == AuditEvent.objects.count()
    seqs = list(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_R6_2_altered_event_is_found():
    make_events(5)
    target = AuditEvent.objects.order_by("seq")[2]
    _force_sql("UPDATE portal_auditevent SET after = %s WHERE id = %s", ['{"status": "forged"}', target.pk])
    checked, broken = verify_chain()
    assert broken is not None and broken.seq == target.seq and "altered" in broken.problem
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("verify_audit_chain")


def test_R6_2_deleted_event_is_found():
    make_events(5)
    target = AuditEvent.objects.order_by("seq")[1]
    _force_sql("DELETE FROM portal_auditevent WHERE id = %s", [target.pk])
    _checked, broken = verify_chain()
    assert broken is not None and broken.seq == target.seq and "missing" in broken.problem


def test_R6_2_deleting_the_newest_event_is_found():
    make_events(3)
    newest = AuditEvent.objects.order_by("-seq").first()
    _force_sql("DELETE FROM portal_auditevent WHERE id = %s", [newest.pk])
    _checked, broken = verify_chain()
    assert broken is not None and broken.seq == newest.seq


def test_R6_2_verify_command_reports_intact_chain(capsys):
    make_events(3)
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize("sql", ["UPDATE portal_auditevent SET action = 'x'", "DELETE FROM portal_auditevent",
                                 "TRUNCATE portal_auditevent"])
def test_R6_2_postgresql_refuses_update_delete_truncate(sql):
    from django.db.utils import DatabaseError

    make_events(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The test database switches the TRUNCATE guard off for flushing; on again here.
                cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_no_truncate")
                cursor.execute(sql)
    assert AuditEvent.objects.count() >= 2


# --- Every column is chained (issue 14 item 13) ----------------------------------------

#: For each stored column: a new value that an attacker with SQL might write.
ALTERATIONS = {
    "id": "id + 100000",
    "seq": "seq + 100000",
    "created_at": "created_at + interval '1 second'",
    "actor_id": "coalesce(actor_id, 0) + 1",
    "actor_label": "'冒名顶替'",
    "action": "'test.forged'",
    "object_type": "'forged'",
    "object_id": "'999'",
    "object_label": "'改过的名字'",
    "before": "'{\"status\": \"forged\"}'",
    "after": "'{\"status\": \"forged\"}'",
    "reason": "'forged'",
    "ip_address": "'10.9.8.7'",
    "digest_version": "1",
    "prev_hash": "repeat('a', 64)",
    "hash": "repeat('b', 64)",
}
SQLITE_ALTERATIONS = {"created_at": "datetime(created_at, '+1 second')",
                      "prev_hash": "'" + "a" * 64 + "'", "hash": "'" + "b" * 64 + "'"}


def test_R6_2_every_stored_column_is_named_in_the_alteration_test():
    """A column added later without entering the digest would fail here first."""
    assert {f.column for f in AuditEvent._meta.concrete_fields} == set(ALTERATIONS)


@pytest.mark.parametrize("column", sorted(ALTERATIONS))
def test_R6_2_altering_any_column_breaks_the_chain(column):
    make_events(3)
    target = AuditEvent.objects.order_by("seq")[1]
    assert target.digest_version == 2
    value = ALTERATIONS[column]
    if connection.vendor == "sqlite":
        value = SQLITE_ALTERATIONS.get(column, value)
    _force_sql(f"UPDATE portal_auditevent SET {column} = {value} WHERE id = %s", [target.pk])  # noqa: S608
    checked, broken = verify_chain()
    assert broken is not None, f"altering {column} went unnoticed"
    assert broken.seq == target.seq and checked == 1
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def _record_with_version(version: int, n: int = 2):
    from portal.audit import _append, _event

    actor = UserFactory()
    events = [_event(actor=actor, action="test.old", object_type="test", object_id=str(i), after={"i": i})
              for i in range(n)]
    for event in events:
        event.digest_version = version
    _append(events)
    audit_chain_seal()


def test_R6_2_events_of_digest_version_1_keep_verifying_before_version_2():
    """Events stored before version 2 keep their version-1 hashes; the chain
    goes on from them with version 2."""
    _record_with_version(1)
    make_events(2)
    assert list(AuditEvent.objects.values_list("digest_version", flat=True)) == [1, 1, 2, 2]
    assert verify_chain() == (4, None)


def test_R6_2_a_version_1_event_after_version_2_is_a_break():
    """Writing an event back to version 1 (which did not cover the labels) is itself noticed."""
    make_events(2)
    _record_with_version(1, n=1)
    _checked, broken = verify_chain()
    assert broken is not None and broken.seq == 3 and "version" in broken.problem


# --- Recorded in the transaction, chained after commit (issue 15) ------------------------

def test_R6_2_an_event_is_recorded_in_the_transaction_and_undone_with_it():
    actor = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=actor, action="test.undone", object_type="test", object_id="1")
        raise RuntimeError("the change fails after its event was written")
    make_events(2)
    assert not AuditEvent.objects.filter(action="test.undone").exists()
    assert verify_chain() == (2, None)


@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_an_event_not_yet_chained_is_reported(capsys):
    make_events(2)
    actor = UserFactory()
    event = audit_record(actor=actor, action="test.waiting", object_type="test", object_id="1")
    assert event.pk and event.seq is None and event.hash == ""
    assert verify_chain() == (2, None)  # the chain itself is whole
    backlog = chain_backlog()
    assert backlog.count == 1 and backlog.oldest == event.created_at and not backlog.stale
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "intact: 2 events" in out and "1 events not yet chained" in out
    later = timezone.now() + dt.timedelta(seconds=settings.AUDIT_CHAIN_STALE_SECONDS + 1)
    with mock.patch("portal.audit.timezone.now", return_value=later):
        assert chain_backlog().stale
        with pytest.raises(CommandError, match="behind: 1 events not yet chained"):
            call_command("verify_audit_chain")
    assert audit_chain_seal() == 1
    assert AuditEvent.objects.get(pk=event.pk).seq == 3
    assert chain_backlog().count == 0 and verify_chain() == (3, None)
    assert audit_chain_seal() == 0  # each event is chained once


@override_settings(AUDIT_CHAIN_INLINE=True)
def test_R6_2_inline_mode_chains_in_the_writers_transaction():
    actor = UserFactory()
    with transaction.atomic():
        event = audit_record(actor=actor, action="test.inline", object_type="test", object_id="1")
        assert event.seq == 1 and len(event.hash) == 64
    assert chain_backlog().count == 0 and verify_chain() == (1, None)


def test_R6_2_the_sequencer_command_seals_what_waits(capsys):
    with override_settings(AUDIT_CHAIN_INLINE=False):
        make_events_unsealed = [audit_record(actor=None, action="test.cmd", object_type="test", object_id=str(i))
                                for i in range(3)]
    assert all(e.seq is None for e in make_events_unsealed)
    call_command("audit_sequencer", "--once")
    assert "Sealed 3 audit events" in capsys.readouterr().out
    assert verify_chain() == (3, None)


@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_nightly_check_alerts_system_admins_when_the_sequencer_is_behind():
    from portal.models import Notification, Role
    from portal.tasks import verify_audit_chain_nightly

    admin = UserFactory(roles=[Role.SYSTEM_ADMIN])
    audit_record(actor=None, action="test.waiting", object_type="test", object_id="1")
    assert verify_audit_chain_nightly()["unchained_stale"] is False
    later = timezone.now() + dt.timedelta(seconds=settings.AUDIT_CHAIN_STALE_SECONDS + 1)
    with mock.patch("portal.audit.timezone.now", return_value=later):
        result = verify_audit_chain_nightly()
    assert result["unchained"] == 1 and result["unchained_stale"] and result["broken"] is None
    assert Notification.objects.filter(recipient=admin, subject__contains="1").exists()


# --- The PostgreSQL trigger lets a seal pass fill the chain columns once ---------------------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="the append-only trigger exists on PostgreSQL only")


def _sql(sql, params=()):
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pg_only
@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_postgresql_refuses_changing_an_event_waiting_to_be_chained():
    event = audit_record(actor=None, action="test.waiting", object_type="test", object_id="1")
    _sql("UPDATE portal_auditevent SET reason = 'forged' WHERE id = %s", [event.pk])
    _sql("DELETE FROM portal_auditevent WHERE id = %s", [event.pk])
    # Chaining it while changing its content is refused too.
    _sql("UPDATE portal_auditevent SET seq = 1, prev_hash = repeat('0', 64), hash = repeat('1', 64), "
         "action = 'test.forged' WHERE id = %s", [event.pk])
    assert audit_chain_seal() == 1
    assert verify_chain() == (1, None)


@pg_only
def test_R6_2_postgresql_refuses_chaining_an_event_twice():
    make_events(2)
    first = AuditEvent.objects.order_by("seq").first()
    _sql("UPDATE portal_auditevent SET seq = 99, prev_hash = repeat('0', 64), hash = repeat('1', 64) "
         "WHERE id = %s", [first.pk])
    _sql("UPDATE portal_auditevent SET hash = repeat('1', 64) WHERE id = %s", [first.pk])
    assert verify_chain() == (2, None)


@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_a_timeline_lists_events_not_yet_chained_after_the_chained_ones():
    from applications.selectors import application_events

    def step(n):
        audit_record(actor=None, action=f"application.step{n}", object_type="applications.application",
                     object_id="77")

    step(1)
    step(2)
    audit_chain_seal()
    step(3)
    step(4)
    events = application_events(application_ids=[77])[77]
    assert [(e.action, e.seq) for e in events] == [("application.step1", 1), ("application.step2", 2),
                                                  ("application.step3", None), ("application.step4", None)]


@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_the_beat_backstop_seals_what_waits():
    from portal.tasks import seal_audit_chain

    for i in range(3):
        audit_record(actor=None, action="test.backstop", object_type="test", object_id=str(i))
    assert seal_audit_chain.delay().get() == 3
    assert seal_audit_chain.delay().get() == 0
    assert chain_backlog().count == 0 and verify_chain() == (3, None)
