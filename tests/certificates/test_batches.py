"""R5.3: filing a call's results issues its certificates as one batch of tasks."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from certificates import rendering, services
from certificates.models import Certificate, IssueBatchItem
from certificates.selectors import batch_progress
from certificates.tasks import issue_batch_item
from portal.errors import InvalidInput, NotAllowed
from portal.models import AuditEvent
from tests.certificates.conftest import grant_kwargs
from tests.factories import UserFactory, bureau_officer, region


def specs(count: int, **overrides) -> list[dict]:
    out = []
    for n in range(count):
        data = grant_kwargs(grant_key=f"application:{n + 1}", holder=UserFactory(real_name=f"申请人{n}"),
                            **overrides)
        data.pop("actor")
        out.append(data)
    return out


def test_R5_3_a_batch_issues_and_renders_every_certificate_once(run_on_commit):
    officer = bureau_officer()
    batch = run_on_commit(services.certificate_issue_batch, grant_specs=specs(3), actor=officer,
                          label="2026年工程系列中级")
    assert batch_progress(batch=batch) == {"total": 3, "issued": 3, "failed": 0, "remaining": 0, "done": True}
    certificates = Certificate.objects.filter(grant_key__startswith="application:")
    assert certificates.count() == 3 and all(c.pdf_ready for c in certificates)
    assert sorted(certificates.values_list("serial", flat=True)) == [1, 2, 3]
    item = batch.items.first()
    before = Certificate.objects.count()
    issue_batch_item.delay(item.pk)  # a duplicate message
    IssueBatchItem.objects.filter(pk=item.pk).update(state="pending")
    issue_batch_item.delay(item.pk)  # a redelivery after a crash
    assert Certificate.objects.count() == before
    assert AuditEvent.objects.filter(action="certificate_batch.create", actor_id=officer.pk).exists()


def test_R5_3_issuing_the_same_titles_in_a_second_batch_returns_the_same_certificates(run_on_commit):
    grants = specs(2)
    run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=None)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    again = run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=None)
    assert batch_progress(batch=again)["issued"] == 2
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers


def test_R5_3_a_failing_certificate_is_recorded_and_can_be_retried(run_on_commit):
    grants = specs(3)
    bad = grants[1]["holder"]
    type(bad).objects.filter(pk=bad.pk).update(id_number_hash=None, id_number_masked="", id_number_encrypted="")
    officer = bureau_officer()
    batch = run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=officer)
    progress = batch_progress(batch=batch)
    assert progress == {"total": 3, "issued": 2, "failed": 1, "remaining": 0, "done": True}
    failed = batch.items.get(state="failed")
    assert "ID number" in failed.error and failed.attempts == 1
    bad.set_id_number(bad.id_number or "650102199001010015")
    bad.save()
    assert run_on_commit(services.certificate_batch_retry_failures, actor=officer, batch_id=batch.pk) == 1
    assert batch_progress(batch=batch)["issued"] == 3
    assert services.certificate_batch_retry_failures(actor=officer, batch_id=batch.pk) == 0


def test_R5_3_transient_errors_are_retried_with_backoff(run_on_commit):
    real = rendering.Renderer.write_pdf
    calls = []

    def flaky(self, html, *, jws):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("storage unavailable")
        return real(self, html, jws=jws)

    with mock.patch.object(rendering.Renderer, "write_pdf", flaky), \
            mock.patch("certificates.tasks._backoff", return_value=0):
        batch = run_on_commit(services.certificate_issue_batch, grant_specs=specs(1), actor=None)
    assert batch_progress(batch=batch)["issued"] == 1 and len(calls) == 2
    assert Certificate.objects.count() == 1


def test_R5_3_errors_that_persist_fail_the_item_after_the_last_retry(run_on_commit):
    with mock.patch.object(rendering.Renderer, "write_pdf", side_effect=OSError("gone")), \
            mock.patch("certificates.tasks._backoff", return_value=0):
        batch = run_on_commit(services.certificate_issue_batch, grant_specs=specs(1), actor=None)
    item = batch.items.get()
    assert item.state == "failed" and "OSError" in item.error
    # The certificate itself was issued (numbered, signed); a retry only renders.
    assert Certificate.objects.count() == 1


def test_R5_3_only_the_bureau_of_the_region_issues_a_batch():
    with pytest.raises(NotAllowed):
        services.certificate_issue_batch(grant_specs=specs(1), actor=bureau_officer("652300"))
    with pytest.raises(NotAllowed):
        services.certificate_issue_batch(grant_specs=specs(1), actor=UserFactory())


@pytest.mark.parametrize("mutate", ["empty", "two_regions", "duplicate", "no_holder", "bad_date", "unknown_series"])
def test_R5_3_malformed_batches_are_refused(mutate):
    grants = specs(2)
    if mutate == "empty":
        grants = []
    elif mutate == "two_regions":
        grants[1]["granting_body_region"] = region("652300")
    elif mutate == "duplicate":
        grants[1]["grant_key"] = grants[0]["grant_key"]
    elif mutate == "no_holder":
        grants[0]["holder"] = None
    elif mutate == "bad_date":
        grants[0]["date_granted"] = "yesterday"
    elif mutate == "unknown_series":
        grants[0]["series"] = 999_999
        grants[0].pop("specialty")
    with pytest.raises(InvalidInput):
        services.certificate_issue_batch(grant_specs=grants, actor=None)
    assert not IssueBatchItem.objects.exists()


def test_R5_3_specs_may_name_objects_by_id(run_on_commit):
    grant = specs(1)[0]
    by_id = {k: v for k, v in grant.items() if k not in ("holder", "series", "specialty", "granting_body_region")}
    by_id.update(holder_id=grant["holder"].pk, series_id=grant["series"].pk, specialty_id=grant["specialty"].pk,
                 granting_body_region_id=grant["granting_body_region"].pk,
                 date_granted=grant["date_granted"].isoformat())
    batch = run_on_commit(services.certificate_issue_batch, grant_specs=[by_id], actor=None)
    assert batch_progress(batch=batch)["issued"] == 1



def test_R5_3_a_starting_worker_requeues_unfinished_work_once(issue, django_capture_on_commit_callbacks):
    with mock.patch("certificates.services._enqueue_items"):
        batch = services.certificate_issue_batch(grant_specs=specs(2), actor=None)
    waiting = issue()  # its render message "lost"
    # Queued a second before the workers started (a worker killed and restarted at once).
    just_before = timezone.now() - dt.timedelta(seconds=1)
    IssueBatchItem.objects.update(queued_at=just_before)
    Certificate.objects.filter(pk=waiting.pk).update(updated_at=just_before)
    started = timezone.now()
    with mock.patch("certificates.tasks.issue_batch_items.delay") as item_delay, \
            mock.patch("certificates.tasks.render_certificate_pdf.delay") as render_delay, \
            django_capture_on_commit_callbacks(execute=True):
        counts = services.certificate_requeue_unfinished(queued_before=started)
        # A second worker that started at the same time finds them claimed.
        again = services.certificate_requeue_unfinished(queued_before=started)
    assert counts == {"batch_items": 2, "pdfs": 1} and again == {"batch_items": 0, "pdfs": 0}
    queued = [pk for call in item_delay.call_args_list for pk in call.args[0]]
    assert sorted(queued) == sorted(batch.items.values_list("pk", flat=True))
    render_delay.assert_called_once_with(waiting.pk)


def test_R5_3_a_batch_emails_every_holder_once_in_bulk_from_the_outbox(run_on_commit):
    from django.core import mail

    from portal.models import Notification
    from portal.notifications import notification_emails_flush

    grants = specs(3)
    for n, grant in enumerate(grants):
        grant["holder"].email = f"holder{n}@example.com"
        grant["holder"].save(update_fields=["email"])
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.open") as opened:
        run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=None)
    assert sorted(m.to[0] for m in mail.outbox) == ["holder0@example.com", "holder1@example.com",
                                                     "holder2@example.com"]
    assert opened.call_count == 1  # one connection for the three emails
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert notification_emails_flush() == 0  # the outbox is empty: nothing is sent twice
    assert len(mail.outbox) == 3


def test_R5_3_a_chunk_numbers_consecutively_audits_each_and_fails_a_bad_item_alone(run_on_commit):
    from portal.audit import audit_chain_seal, verify_chain

    grants = specs(4)
    grants[1]["holder"].id_number_hash = ""  # no verified ID number: this one cannot be issued
    grants[1]["holder"].save(update_fields=["id_number_hash"])
    events_before = AuditEvent.objects.filter(action="certificate.issue").count()
    batch = run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=None)
    progress = batch_progress(batch=batch)
    assert (progress["issued"], progress["failed"]) == (3, 1)
    failed = batch.items.get(state=IssueBatchItem.State.FAILED)
    assert failed.grant_key == grants[1]["grant_key"] and "ID number" in failed.error
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == [1, 2, 3]  # no gap where the bad item was
    assert AuditEvent.objects.filter(action="certificate.issue").count() == events_before + 3
    audit_chain_seal()  # what the audit sequencer does after commit
    checked, problem = verify_chain()
    assert problem is None and checked >= 3


def test_R5_3_a_chunk_returns_titles_issued_before_and_issues_the_rest(run_on_commit, issue):
    grants = specs(3)
    earlier = services.certificate_issue(**{**grants[0], "actor": None})
    run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=None)
    assert Certificate.objects.filter(grant_key=grants[0]["grant_key"]).get().pk == earlier.pk
    assert Certificate.objects.filter(grant_key__in=[g["grant_key"] for g in grants]).count() == 3
    assert IssueBatchItem.objects.filter(state=IssueBatchItem.State.ISSUED).count() == 3


def test_R5_3_numbers_taken_together_are_consecutive_and_continue_the_series():
    from certificates import numbering

    urumqi = region("650100")
    assert list(numbering.next_serials(region=urumqi, year=2030, series_code="ENG", count=3)) == [1, 2, 3]
    assert numbering.next_serial(region=urumqi, year=2030, series_code="ENG") == 4
    assert list(numbering.next_serials(region=urumqi, year=2030, series_code="ENG", count=2)) == [5, 6]


def test_R5_3_a_chunk_records_its_pdfs_and_items_together():
    """The PDFs of a chunk are recorded together: one conditional UPDATE per
    certificate and one UPDATE of all the items."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with mock.patch("certificates.services._enqueue_items"):
        batch = services.certificate_issue_batch(grant_specs=specs(3), actor=None)
    item_ids = list(batch.items.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        services.certificate_batch_process_items(item_ids=item_ids)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert sum('"certificates_issuebatchitem"' in sql for sql in updates) == 1
    assert sum(sql.startswith('UPDATE "certificates_certificate"') for sql in updates) == 3
    certificates = Certificate.objects.filter(grant_key__startswith="application:")
    assert all(c.pdf_ready and c.pdf_generation == 1 for c in certificates)
    items = list(batch.items.all())
    assert {i.state for i in items} == {IssueBatchItem.State.ISSUED}
    assert {i.certificate.grant_key for i in items} == {i.grant_key for i in items}  # each with its own
    assert all(i.attempts == 1 for i in items)


def test_R5_3_a_pdf_recorded_meanwhile_by_another_run_is_kept_and_the_second_file_deleted(issue):
    from django.core.files.storage import default_storage

    certificate = Certificate.objects.select_related(*services.CERTIFICATE_JOINS).get(pk=issue().pk)
    first = services._render_and_store(services._page(certificate))
    second = services._render_and_store(services._page(certificate))  # a redelivered message rendering concurrently
    assert services._record_rendered([first]) == {certificate.pk}
    assert services._record_rendered([second]) == set()  # the generation is done: not recorded
    certificate.refresh_from_db()
    assert certificate.pdf.name == first.stored
    assert default_storage.exists(first.stored) and not default_storage.exists(second.stored)


def test_R5_3_a_newer_rendering_replaces_the_file_of_the_older_one(issue, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    certificate = issue(render=True)
    old = certificate.pdf.name
    Certificate.objects.filter(pk=certificate.pk).update(pdf_requested_generation=certificate.pdf_generation + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.certificate_render_pdf(certificate_id=certificate.pk) is True
    certificate.refresh_from_db()
    assert certificate.pdf.name != old and default_storage.exists(certificate.pdf.name)
    assert not default_storage.exists(old)


def test_R5_3_an_unexpected_error_mid_chunk_keeps_the_pdfs_already_rendered():
    with mock.patch("certificates.services._enqueue_items"):
        batch = services.certificate_issue_batch(grant_specs=specs(3), actor=None)
    real, calls = services._render_and_store, []

    def third_fails(page):
        calls.append(page.certificate.pk)
        if len(calls) == 3:
            raise RuntimeError("worker trouble")
        return real(page)

    with mock.patch("certificates.services._render_and_store", side_effect=third_fails), \
            pytest.raises(RuntimeError):
        services.certificate_batch_process_items(item_ids=list(batch.items.values_list("pk", flat=True)))
    assert batch_progress(batch=batch)["issued"] == 2  # kept; the task's retry does the third
    services.certificate_batch_process_items(item_ids=list(batch.items.values_list("pk", flat=True)))
    assert batch_progress(batch=batch)["issued"] == 3
    assert Certificate.objects.filter(grant_key__startswith="application:").count() == 3


def test_R5_3_a_restarted_worker_requeues_the_work_queued_before_it_started():
    from certificates import tasks

    tasks.require_certificate_renderer()  # worker_init: notes when this worker started
    with mock.patch("certificates.services.certificate_requeue_unfinished",
                    return_value={"batch_items": 0, "pdfs": 0}) as requeue:
        tasks.requeue_unfinished_certificates()  # worker_ready
    requeue.assert_called_once_with(queued_before=tasks._worker_started_at)
    assert tasks._worker_started_at <= timezone.now()


def test_R5_3_beat_requeues_batch_work_left_stale_by_a_worker_that_never_came_back(settings):
    from certificates import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["certificates-requeue-stale"]
    assert entry["task"] == "certificates.tasks.requeue_stale_certificate_work"
    with mock.patch("certificates.services._enqueue_items"):
        batch = services.certificate_issue_batch(grant_specs=specs(2), actor=None)
    stale, fresh = batch.items.order_by("position")
    IssueBatchItem.objects.filter(pk=stale.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=20))
    with mock.patch("certificates.services._enqueue_items") as enqueue:
        counts = tasks.requeue_stale_certificate_work.delay(**entry["kwargs"]).get()
        again = tasks.requeue_stale_certificate_work.delay(**entry["kwargs"]).get()
    assert counts == {"batch_items": 1, "pdfs": 0} and again == {"batch_items": 0, "pdfs": 0}
    assert enqueue.call_args_list[0].args[0] == [stale.pk]  # the one queued a moment ago waits its turn


def _chunk_queries(count: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with mock.patch("certificates.services._enqueue_items"):
        grants = [{**g, "grant_key": f"chunk{count}:{n}"} for n, g in enumerate(specs(count))]
        batch = services.certificate_issue_batch(grant_specs=grants, actor=None)
    with CaptureQueriesContext(connection) as queries:
        outcome = services.certificate_batch_process_items(item_ids=list(batch.items.values_list("pk", flat=True)))
    assert outcome == {"issued": count, "failed": 0}
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("on", [False, True], ids=["chinese", "bilingual"])
def test_R5_3_a_chunk_reads_and_writes_per_chunk_only_the_pdf_updates_are_per_certificate(on):
    """One task's chunk (ITEMS_PER_TASK certificates) runs as many queries as a
    chunk of two, but for its one conditional UPDATE per recorded PDF: the
    bilingual check, the titles' Uyghur names, the granting body's names, the numbers, rows, audit events
    and notifications are read and written per chunk, never per certificate."""
    from django.db import connection

    from portal.models import Organization

    Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, region__code="650100").update(
        certificate_bilingual=on)
    size = services.ITEMS_PER_TASK
    _chunk_queries(1)  # what a worker reads once (caches kept per process)
    small, chunk = _chunk_queries(2), _chunk_queries(size)
    per_pdf = [sql for sql in chunk if sql.startswith('UPDATE "certificates_certificate"')]
    assert len(per_pdf) == size
    assert len(chunk) - len(small) == size - 2
    if connection.vendor == "postgresql" and not on:
        # measured 4 Dec 2026 (36 with a bilingual check per certificate); 28 since the granting
        # body's English and Uyghur names are looked up, once per chunk (certificates.granting_bodies)
        assert len(chunk) == 28


def test_R5_3_a_chunk_prints_the_same_uyghur_texts_as_one_certificate_alone(run_on_commit):
    from applications.models import TitleName
    from portal.models import Organization

    Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, region__code="650100").update(
        certificate_bilingual=True)
    grants = specs(2) + specs(1, series=TitleName.objects.exclude(series__code="engineering")
                              .filter(level="intermediate").first().series)
    grants[0]["holder"].name_ug = "مەمەت ئەلى"
    grants[0]["holder"].save(update_fields=["name_ug"])
    chunk = [services._build(services._clean_grant(**g), key=services._active_signing_key(), serial=n + 1,
                             series_code="ENG", today=timezone.localdate()) for n, g in enumerate(grants)]
    alone = [rendering.uyghur_texts(c) for c in chunk]
    for certificate in chunk:
        del certificate._uyghur_texts
        certificate.holder = type(certificate.holder).objects.get(pk=certificate.holder_id)  # loaded apart
    rendering.uyghur_texts_prime(chunk)
    assert [c._uyghur_texts for c in chunk] == alone
    assert alone[0]["holder_name_ug"] == "مەمەت ئەلى" and alone[0]["title_name_ug"]
    Organization.objects.update(certificate_bilingual=False)
    for certificate in chunk:
        del certificate._uyghur_texts
    rendering.uyghur_texts_prime(chunk)
    assert [c._uyghur_texts for c in chunk] == [{}, {}, {}]
