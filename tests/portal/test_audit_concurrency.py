"""The audit chain under concurrent writers (R6.2, issue 15 "the deadline
peak"), with real connections to PostgreSQL: writers record events without
waiting for each other, a sequencer chains them in commit order, and the
chain is whole afterwards."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import override_settings

from portal.audit import audit_chain_seal, audit_record, chain_backlog, verify_chain
from portal.models import AuditChainHead, AuditEvent, Region
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_sequencer_mode")]


@pytest.fixture
def _sequencer_mode():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections to PostgreSQL")
    with override_settings(AUDIT_CHAIN_INLINE=False):
        yield


def in_thread(fn, *args):
    """Run ``fn`` on its own connection; return (thread, result box)."""
    box: dict = {}

    def run():
        try:
            box["result"] = fn(*args)
        except Exception as error:  # noqa: BLE001 - handed to the test
            box["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def sequencer_loop(stop: threading.Event) -> int:
    """What ``manage.py audit_sequencer`` does: seal passes until told to stop."""
    total = 0
    while not stop.is_set():
        total += audit_chain_seal(wait=False)
    return total


def test_R6_2_a_burst_of_writers_is_chained_whole_and_in_commit_order():
    """16 writers at once, half of them changing one shared row (so their
    commits have an order every reader can see), while a sequencer seals.
    Afterwards every event is chained exactly once, the chain verifies, and
    the shared row's events stand in the chain in the order they committed."""
    actor = UserFactory()
    counter = Region.objects.create(code="999999", name="0", kind=Region.Kind.PREFECTURE)
    writers, writes = 16, 25
    barrier = threading.Barrier(writers)

    def write(index: int) -> int:
        barrier.wait(timeout=30)
        for i in range(writes):
            with transaction.atomic():
                if index % 2 == 0:  # the shared row: a counter, each step audited with before/after
                    row = Region.objects.select_for_update().get(pk=counter.pk)
                    before = int(row.name)
                    row.name = str(before + 1)
                    row.save(update_fields=["name"])
                    audit_record(actor=actor, action="test.count", obj=row, before={"n": before},
                                 after={"n": before + 1})
                else:  # a row of its own: nothing to wait for
                    audit_record(actor=actor, action="test.own", object_type="test", object_id=f"{index}:{i}")
        return writes

    stop = threading.Event()
    sequencer, sequenced = in_thread(sequencer_loop, stop)
    threads = [in_thread(write, n) for n in range(writers)]
    for thread, _box in threads:
        thread.join(timeout=120)
    stop.set()
    sequencer.join(timeout=60)
    assert all(box.get("result") == writes for _t, box in threads), [box for _t, box in threads]
    assert "error" not in sequenced, sequenced
    audit_chain_seal()  # what arrived after the sequencer's last pass

    total = writers * writes
    assert AuditEvent.objects.filter(action__in=["test.count", "test.own"]).count() == total
    assert chain_backlog().count == 0
    checked, broken = verify_chain()
    assert broken is None and checked == AuditEvent.objects.count()
    assert sequenced["result"] > 0  # the sequencer chained events while the writers wrote
    steps = list(AuditEvent.objects.filter(action="test.count").order_by("seq").values_list("before", "after"))
    assert [(b["n"], a["n"]) for b, a in steps] == [(n, n + 1) for n in range(total // 2)]


def test_R6_2_a_lower_id_committing_after_a_higher_one_is_chained_after_it():
    """Event A is inserted first (lower id) but its transaction commits after
    event B's: a seal pass in between chains B alone, and A follows it."""
    inserted, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            event = audit_record(actor=None, action="test.slow", object_type="test", object_id="A")
            inserted.set()
            release.wait(timeout=30)
        return event.pk

    thread, box = in_thread(slow_writer)
    assert inserted.wait(timeout=30)
    with transaction.atomic():
        fast = audit_record(actor=None, action="test.fast", object_type="test", object_id="B")
    assert audit_chain_seal() == 1  # only B has committed
    release.set()
    thread.join(timeout=30)
    assert box["result"] < fast.pk
    assert audit_chain_seal() == 1
    slow = AuditEvent.objects.get(pk=box["result"])
    assert AuditEvent.objects.get(pk=fast.pk).seq == 1 and slow.seq == 2
    assert verify_chain() == (2, None)


def test_R6_2_writers_never_wait_for_the_chain_head():
    """While a seal pass holds the chain head, writers still record and commit:
    with a lock timeout of a millisecond, any wait for the head would fail."""
    audit_record(actor=None, action="test.first", object_type="test", object_id="0")
    audit_chain_seal()
    holding, release = threading.Event(), threading.Event()

    def hold_head():
        with transaction.atomic():
            AuditChainHead.objects.select_for_update().get(pk=1)
            holding.set()
            release.wait(timeout=30)

    thread, _box = in_thread(hold_head)
    assert holding.wait(timeout=30)
    try:
        for i in range(5):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1ms'")
                audit_record(actor=None, action="test.write", object_type="test", object_id=str(i))
        assert audit_chain_seal(wait=False) == 0  # a second seal pass gives way instead of waiting
        with pytest.raises(OperationalError), transaction.atomic():  # whereas waiting for the head would fail
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1ms'")
            AuditChainHead.objects.select_for_update().get(pk=1)
    finally:
        release.set()
        thread.join(timeout=30)
    assert audit_chain_seal() == 5
    assert verify_chain() == (6, None)


def test_R6_2_two_seal_passes_at_once_chain_each_event_once():
    with transaction.atomic():
        for i in range(3000):
            audit_record(actor=None, action="test.many", object_type="test", object_id=str(i))
    barrier = threading.Barrier(3)

    def seal():
        barrier.wait(timeout=30)
        total = 0
        while (chained := audit_chain_seal(wait=False, limit=500)) or chain_backlog().count:
            total += chained
        return total

    threads = [in_thread(seal) for _ in range(3)]
    for thread, _box in threads:
        thread.join(timeout=120)
    assert sum(box["result"] for _t, box in threads) == 3000
    assert verify_chain() == (3000, None)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 3001))


def test_R6_2_a_rolled_back_change_leaves_no_gap_in_the_chain():
    def failing_writer():
        with transaction.atomic():
            audit_record(actor=None, action="test.undone", object_type="test", object_id="x")
            raise RuntimeError("the change failed")

    for i in range(3):
        audit_record(actor=None, action="test.kept", object_type="test", object_id=str(i))
        thread, box = in_thread(failing_writer)
        thread.join(timeout=30)
        assert isinstance(box.get("error"), RuntimeError)
    assert audit_chain_seal() == 3
    assert not AuditEvent.objects.filter(action="test.undone").exists()
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert verify_chain() == (3, None)
