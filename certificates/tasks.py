"""Celery tasks of the certificates app: they take ids and call services.

Both tasks are idempotent (the grant key and the PDF generation counter
guard them), acknowledged late (a worker killed mid-task leaves the message
to be redelivered) and retried with exponential backoff on unexpected
errors; errors of the user's kind (``PortalError``) are recorded, not
retried.

Worker start-up (``worker_init``) refuses to start without HarfBuzz
subsetting or the certificate fonts; each worker process builds its one
renderer (``FontConfiguration``, parsed CSS, template) when it starts.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import WorkerTerminate
from celery.signals import worker_init, worker_process_init, worker_ready
from django.utils.translation import gettext as _

from portal.errors import PortalError

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    return min(300, 5 * 2 ** retries)


def _retry(task, error: Exception, give_up):
    """Retry with exponential backoff; after the last attempt, ``give_up()``.

    Without a broker (eager mode) the retry runs in-process at once, so a
    flaky render never turns into an error of the web request that issued.
    """
    if task.request.retries >= task.max_retries:
        return give_up()
    if task.request.is_eager:
        return task.apply(args=task.request.args, kwargs=task.request.kwargs,
                          retries=task.request.retries + 1).get(disable_sync_subtasks=False)
    raise task.retry(exc=error, countdown=_backoff(task.request.retries))


#: When this worker started (set in its main process by ``worker_init``).
_worker_started_at = None


@worker_init.connect
def require_certificate_renderer(**kwargs) -> None:
    """Fail the worker's start when certificates cannot be rendered well."""
    from django.utils import timezone

    from certificates import fonts, rendering

    global _worker_started_at
    _worker_started_at = timezone.now()
    try:
        rendering.require_harfbuzz_subset()
        fonts.fontset()
    except (rendering.RendererUnavailable, fonts.FontsUnavailable) as error:
        logger.critical("certificate rendering is unavailable: %s", error)
        raise WorkerTerminate(1)


@worker_process_init.connect
def build_certificate_renderer(**kwargs) -> None:
    from certificates.rendering import prepare_worker_process

    prepare_worker_process()


@worker_ready.connect
def requeue_unfinished_certificates(**kwargs) -> None:
    """A worker that starts picks up what a killed worker left: the work
    queued before it started and not done yet."""
    from certificates import services

    try:
        counts = services.certificate_requeue_unfinished(queued_before=_worker_started_at)
    except Exception as error:  # noqa: BLE001 - a worker must start even if this fails
        logger.error("could not requeue unfinished certificates (%s)", type(error).__name__)
        return
    if any(counts.values()):
        logger.warning("requeued unfinished certificate work: %s", counts)


@shared_task
def requeue_stale_certificate_work(older_than_seconds: int = 900) -> dict[str, int]:
    """Beat: queue again the batch items and PDFs queued more than
    ``older_than_seconds`` ago and still not done, for when a worker was
    killed and none restarted (its messages stay invisible in Redis for the
    visibility timeout). Those re-queued are stamped, so the next sweep
    leaves them alone for as long again."""
    import datetime as dt

    from django.utils import timezone

    from certificates import services

    counts = services.certificate_requeue_unfinished(
        queued_before=timezone.now() - dt.timedelta(seconds=older_than_seconds))
    if any(counts.values()):
        logger.warning("requeued stale certificate work: %s", counts)
    return counts


@shared_task
def requeue_stalled_certificate_work(stall_seconds: int = 60) -> dict[str, int]:
    """Beat, every 30 s: batch work with no progress for ``stall_seconds``
    that no worker and no queued message holds (the broker lost it) is
    queued again (``certificates.recovery``)."""
    from certificates.recovery import certificate_requeue_stalled

    return certificate_requeue_stalled(stall_seconds=stall_seconds)


@shared_task
def sweep_orphan_certificate_pdfs() -> dict[str, int]:
    """Beat, hourly: delete stored PDFs that no certificate names (a worker
    killed between writing a PDF and recording it), once older than any task
    may run (``certificates.recovery``)."""
    from certificates.recovery import certificate_pdf_orphans_sweep

    return certificate_pdf_orphans_sweep()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def render_certificate_pdf(self, certificate_id: int) -> bool:
    """Render and store a certificate's PDF (no-op when already done)."""
    from certificates import services

    try:
        return services.certificate_render_pdf(certificate_id=certificate_id)
    except PortalError as error:
        logger.error("certificate %s cannot be rendered: %s", certificate_id, error.code)
        return False
    except Exception as error:
        kind = type(error).__name__

        def give_up():
            logger.error("certificate %s: rendering failed for good (%s)", certificate_id, kind)
            return False

        return _retry(self, error, give_up)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def issue_batch_items(self, item_ids: list[int]) -> dict[str, int]:
    """Issue, render and store a chunk of a batch's certificates. Items
    that fail for a reason of the user's kind are marked failed inside;
    an unexpected error retries the chunk (the done items are skipped)."""
    from certificates import services

    try:
        return services.certificate_batch_process_items(item_ids=item_ids)
    except Exception as error:
        kind = type(error).__name__  # the type only: database errors can quote personal data

        def give_up():
            logger.error("batch items %s failed for good (%s)", item_ids, kind)
            for item_id in item_ids:
                services.certificate_batch_item_fail(
                    item_id=item_id, error=_("Internal error (%(kind)s); retry later.") % {"kind": kind})
            return {"issued": 0, "failed": len(item_ids)}

        return _retry(self, error, give_up)


@shared_task(acks_late=True)
def issue_batch_item(item_id: int) -> None:
    """One item, as messages queued before items went in chunks name it:
    handed on as a chunk of one."""
    issue_batch_items.delay([item_id])


@shared_task
def verification_events_flush() -> int:
    """Write the verification events buffered in Redis (every few seconds from beat; issue 15)."""
    from certificates.verification_log import events_flush

    return events_flush()
