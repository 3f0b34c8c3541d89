"""Certificates under faults (issue 14, items 14 and 15): stalled batch work
is queued again within two minutes, and PDFs a killed worker left with no
row are swept (``certificates/recovery.py``)."""

from __future__ import annotations

import datetime as dt
import os
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from certificates import recovery, services
from certificates.models import Certificate, IssueBatchItem
from certificates.selectors import batch_progress
from tests.certificates.test_batches import specs


def _lost_batch(count: int, *, emails: bool = False):
    """A batch whose messages the broker lost: created, never queued."""
    grants = specs(count)
    if emails:
        for n, grant in enumerate(grants):
            grant["holder"].email = f"holder{n}@example.com"
            grant["holder"].save(update_fields=["email"])
    with mock.patch("certificates.services._enqueue_items"):
        return services.certificate_issue_batch(grant_specs=grants, actor=None)


def _age(batch, seconds: int) -> None:
    IssueBatchItem.objects.filter(batch=batch).update(queued_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_R5_3_beat_looks_for_stalled_batch_work_every_30_seconds_after_60_without_progress(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["certificates-requeue-stalled"]
    assert entry["task"] == "certificates.tasks.requeue_stalled_certificate_work"
    # Noticed at most one period after 60 s without progress: well inside two minutes.
    assert entry["schedule"] <= 30 and entry["kwargs"]["stall_seconds"] == recovery.STALL_SECONDS == 60
    assert entry["schedule"] + entry["kwargs"]["stall_seconds"] < 120


def test_R5_3_a_batch_whose_messages_the_broker_lost_is_requeued_and_issued_once(run_on_commit):
    batch = _lost_batch(3, emails=True)
    _age(batch, 90)
    counts = run_on_commit(recovery.certificate_requeue_stalled, held=recovery.HeldWork())
    assert counts == {"batch_items": 3, "pdfs": 0}
    assert batch_progress(batch=batch) == {"total": 3, "issued": 3, "failed": 0, "remaining": 0, "done": True}
    certificates = Certificate.objects.filter(grant_key__startswith="application:")
    assert sorted(certificates.values_list("serial", flat=True)) == [1, 2, 3]  # gap-free
    assert all(c.pdf_ready for c in certificates)
    assert sorted(m.to[0] for m in mail.outbox) == ["holder0@example.com", "holder1@example.com",
                                                     "holder2@example.com"]
    # A message that was not lost after all, and another sweep: nothing more.
    run_on_commit(services.certificate_batch_process_items, item_ids=list(batch.items.values_list("pk", flat=True)))
    _age(batch, 90)
    assert run_on_commit(recovery.certificate_requeue_stalled, held=recovery.HeldWork()) == {
        "batch_items": 0, "pdfs": 0}
    assert certificates.count() == 3 and len(mail.outbox) == 3
    assert sorted(certificates.values_list("serial", flat=True)) == [1, 2, 3]


def test_R5_3_work_a_worker_or_the_queue_holds_is_not_requeued():
    batch = _lost_batch(3)
    _age(batch, 90)
    first, second, third = batch.items.order_by("position").values_list("pk", flat=True)
    held = recovery.HeldWork(items={first, second})
    with mock.patch("certificates.services._enqueue_items") as enqueue:
        counts = recovery.certificate_requeue_stalled(held=held)
    assert counts == {"batch_items": 1, "pdfs": 0}
    assert enqueue.call_args.args[0] == [third]


def test_R5_3_work_queued_less_than_60_seconds_ago_or_of_a_batch_that_progresses_waits():
    young = _lost_batch(2)
    _age(young, 30)
    moving = _lost_batch(2)
    _age(moving, 90)
    done = moving.items.order_by("position").first()
    IssueBatchItem.objects.filter(pk=done.pk).update(state=IssueBatchItem.State.ISSUED, updated_at=timezone.now())
    with mock.patch("certificates.services._enqueue_items") as enqueue, \
            mock.patch("certificates.recovery.held_work") as asked:
        assert recovery.certificate_requeue_stalled() == {"batch_items": 0, "pdfs": 0}
    enqueue.assert_not_called()
    asked.assert_not_called()  # nothing stalled: the workers are not even asked
    # A minute later without progress, the moving batch has stalled.
    IssueBatchItem.objects.filter(pk=done.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=90))
    assert recovery.stalled_batches(now=timezone.now()) == [moving.pk]


def test_R5_3_held_work_reads_the_task_messages_of_workers_and_of_the_queue():
    held = recovery.HeldWork()
    held.add("certificates.tasks.issue_batch_items", [[4, 5]])
    held.add("certificates.tasks.issue_batch_item", [6])
    held.add("certificates.tasks.render_certificate_pdf", [9])
    held.add("portal.tasks.send_queued_messages", [])
    assert held.items == {4, 5, 6} and held.certificates == {9}


@pytest.mark.integration
def test_R5_3_held_work_finds_the_messages_waiting_in_redis():
    """With a real Redis broker and no worker: the queued chunk is seen as held."""
    from tests.integration_helpers import require_redis

    url = require_redis()
    from portal.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, url
    try:
        app.control.purge()
        from certificates.tasks import issue_batch_items, render_certificate_pdf

        issue_batch_items.delay([101, 102])
        render_certificate_pdf.delay(7)
        held = recovery.held_work(app=app, timeout=0.5)
        assert {101, 102} <= held.items and 7 in held.certificates
    finally:
        app.control.purge()
        app.conf.task_always_eager, app.conf.broker_url = previous


# --- Orphan PDFs (issue 14, item 15) ------------------------------------------------------

@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Storage of this test alone (the suite's media folder holds other tests' files)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")

def _orphan(name: str, *, age_seconds: int) -> str:
    stored = default_storage.save(name, ContentFile(b"%PDF-1.7 orphan"))
    when = (timezone.now() - dt.timedelta(seconds=age_seconds)).timestamp()
    os.utime(default_storage.path(stored), (when, when))
    return stored


def test_R5_3_pdfs_a_killed_worker_left_without_a_row_are_swept(issue):
    kept = issue(render=True)
    os.utime(default_storage.path(kept.pdf.name), (0, 0))  # named by its row: kept however old
    with mock.patch("certificates.services._enqueue_items"):
        batch = services.certificate_issue_batch(grant_specs=specs(2), actor=None)
    item_ids = list(batch.items.values_list("pk", flat=True))

    class Killed(BaseException):
        """kill -9 between writing the chunk's PDFs and recording them."""

    with mock.patch("certificates.services._record_rendered", side_effect=Killed), pytest.raises(Killed):
        services.certificate_batch_process_items(item_ids=item_ids)
    left = [name for name in recovery._walk(default_storage, "certificates") if name != kept.pdf.name]
    assert len(left) == 2 and not Certificate.objects.filter(pdf__in=left).exists()  # the orphans
    young = _orphan("certificates/2026/young.pdf", age_seconds=60)

    # Younger than any task may run: perhaps about to be recorded, so left alone.
    assert recovery.certificate_pdf_orphans_sweep()["deleted"] == 0
    for name in left:
        os.utime(default_storage.path(name), (0, 0))
    result = recovery.certificate_pdf_orphans_sweep()
    assert result["deleted"] == 2
    assert not any(default_storage.exists(name) for name in left)
    assert default_storage.exists(young) and default_storage.exists(kept.pdf.name)
    # The chunk, run again, renders and records new files.
    services.certificate_batch_process_items(item_ids=item_ids)
    assert batch_progress(batch=batch)["issued"] == 2
    assert all(default_storage.exists(c.pdf.name) for c in Certificate.objects.filter(pk__in=[
        i.certificate_id for i in batch.items.all()]))


def test_R5_3_the_orphan_grace_outlasts_any_task_and_beat_sweeps_hourly(settings):
    assert recovery.orphan_grace_seconds() >= max(3600, 2 * settings.CELERY_TASK_TIME_LIMIT)
    entry = settings.CELERY_BEAT_SCHEDULE["certificates-pdf-orphans"]
    assert entry["task"] == "certificates.tasks.sweep_orphan_certificate_pdfs"
    from certificates.tasks import sweep_orphan_certificate_pdfs

    assert sweep_orphan_certificate_pdfs.delay().get() == {"files": 0, "deleted": 0}
