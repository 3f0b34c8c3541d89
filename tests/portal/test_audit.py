"""The audit trail (R6.2): every state change is chained and any alteration found."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from portal.audit import audit_record, verify_chain
from portal.models import AuditEvent
from tests.factories import UserFactory


def make_events(n: int = 5):
    actor = UserFactory()
    for i in range(n):
        audit_record(actor=actor, action="test.step", object_type="test", object_id=str(i),
                     before={"status": "a"}, after={"status": "b", "n": i})


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
