"""Benchmark of certificate issuing (issue 5).

1. The same certificate HTML rendered with bare WeasyPrint (prepared CSS
   and FontConfiguration, no Django) against the full issue path of a batch
   task (grant look-up, number, sign, database rows and audit, template,
   QR code, render with the attached record, hash, store, item update),
   in interleaved rounds of one task's chunk (``ITEMS_PER_TASK``
   certificates, whose numbers, audit events and notifications are written
   together), medians per certificate compared. Target: full <= 1.15 x bare.
   Which half of a round goes first alternates, and the time the full path
   spends outside WeasyPrint is printed too: the same render measured in
   the two halves of a round differs by a few per cent either way, so the
   path's own work is the steadier figure.
2. ``--count`` certificates (default 1,000) issued as one batch by
   ``--workers`` worker processes (default 2): a real Celery worker against
   Redis when ``REDIS_URL`` is set, else a process pool calling the same
   task code. Target: under a minute. Worker memory (RSS) is sampled early
   and at the end: it should stay flat.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_certs \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/certificates.py

Without ``DATABASE_URL`` a fresh SQLite file under ``bench/out/`` is used.
Rows are added (never deleted): use a database of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(OUT / "media"))
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    from applications.services import catalogue_seed
    from portal.services import regions_seed

    call_command("migrate", verbosity=0, interactive=False)
    regions_seed()
    catalogue_seed()


def make_holders(count: int, tag: str) -> list[int]:
    """Real-name accounts with valid, unique ID numbers."""
    from stdnum.cn import ric

    from portal.models import User

    users, start = [], dt.date(1985, 1, 1)
    offset = int(uuid.uuid4().int % 8000)
    for n in range(count):
        birth = start + dt.timedelta(days=offset + n // 900)
        body = f"650102{birth:%Y%m%d}{100 + n % 900:03d}"
        user = User(mobile=f"13{(offset * 1000 + n) % 10**9:09d}", real_name=f"测试{tag}{n}")
        user.set_id_number(body + ric.calc_check_digit(body + "0"))
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(real_name__startswith=f"测试{tag}").order_by("pk").values_list("pk", flat=True))


def grant_specs(holder_ids: list[int], tag: str) -> list[dict]:
    from applications.models import Specialty, TitleSeries
    from portal.models import Region

    series = TitleSeries.objects.get(code="engineering")
    specialty = Specialty.objects.get(series=series, code="electrical")
    region = Region.objects.get(code="650100")
    return [{"grant_key": f"bench:{tag}:{n}", "holder_id": pk, "series_id": series.pk, "specialty_id": specialty.pk,
             "level": "intermediate", "title_name": "工程师", "method": "review",
             "granting_body_name": "乌鲁木齐市工程技术系列中级职称评审委员会", "granting_body_region_id": region.pk,
             "filing_number": "新人社职备〔2025〕12号", "approval_number": "乌人社职〔2026〕3号",
             "date_granted": "2026-01-05"} for n, pk in enumerate(holder_ids)]


def rss_mb(pid: int | None = None) -> float:
    try:
        with open(f"/proc/{pid or os.getpid()}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --- 1. Bare render vs full issue path ----------------------------------------

def ratio(samples: int) -> dict:
    """Interleaved rounds: one chunk of ``ITEMS_PER_TASK`` certificates through
    the batch task's code, and the same number of bare renders. Times are
    per certificate."""
    from django.db import transaction
    from weasyprint import HTML

    from certificates import services
    from certificates.models import Certificate, IssueBatchItem
    from certificates.rendering import get_renderer
    from certificates.tasks import build_certificate_renderer

    chunk = services.ITEMS_PER_TASK
    tag = uuid.uuid4().hex[:8]
    holders = make_holders(samples * chunk + 1, f"r{tag}")
    specs = grant_specs(holders, f"r{tag}")
    with mock.patch.object(transaction, "on_commit"):  # items only: this part runs the task code in-process
        batch = services.certificate_issue_batch(grant_specs=specs, actor=None, label=f"bench ratio {tag}")
    items = list(IssueBatchItem.objects.filter(batch=batch).order_by("position").values_list("pk", flat=True))
    services.certificate_batch_process_items(item_ids=items[:1])  # warm-up: the first issue and render
    build_certificate_renderer()  # then as a Celery worker process starts: renderer built, gc frozen
    renderer = get_renderer()
    sample = Certificate.objects.select_related("series", "specialty", "granting_body_region", "signing_key",
                                                "replaces").get(grant_key=specs[0]["grant_key"])
    html = renderer.html(sample, qr_url="http://127.0.0.1:8000/verify/AbCdEfGhIjKlMnOpQrSt/")
    for _ in range(3):
        HTML(string=html).write_pdf(stylesheets=[renderer.css], font_config=renderer.font_config)
    bare, full, bare_cpu, full_cpu = [], [], [], []
    # The time the full path spends in WeasyPrint (the render with its
    # attachment), to tell the path's own cost apart from the render's.
    in_weasyprint = [0.0]
    write_pdf = renderer.write_pdf

    def timed_write_pdf(*args, **kwargs):
        started = time.perf_counter()
        try:
            return write_pdf(*args, **kwargs)
        finally:
            in_weasyprint[0] += time.perf_counter() - started

    renderer.write_pdf = timed_write_pdf

    def bare_round(count: int) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            HTML(string=html).write_pdf(stylesheets=[renderer.css], font_config=renderer.font_config)
        bare.append((time.perf_counter() - started) / count)
        bare_cpu.append((time.process_time() - cpu) / count)

    def full_round(ids: list[int]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        services.certificate_batch_process_items(item_ids=ids)
        full.append((time.perf_counter() - started) / len(ids))
        full_cpu.append((time.process_time() - cpu) / len(ids))

    for n in range(samples):
        ids = items[1 + n * chunk:1 + (n + 1) * chunk]
        # Which goes first alternates: the garbage collector's full
        # collections come about every twenty renders, and in a fixed order
        # they would always fall in the same half of a round (rendering the
        # bare page in both halves measured 1.07 that way).
        if n % 2:
            full_round(ids)
            bare_round(len(ids))
        else:
            bare_round(len(ids))
            full_round(ids)
    del renderer.write_pdf
    med = statistics.median
    outside_ms = (sum(full) * chunk - in_weasyprint[0]) / (len(full) * chunk) * 1000
    return {"samples": len(bare), "chunk": chunk, "bare_ms": med(bare) * 1000, "full_ms": med(full) * 1000,
            "outside_ms": outside_ms,
            "ratio": med(full) / med(bare), "bare_cpu_ms": med(bare_cpu) * 1000, "full_cpu_ms": med(full_cpu) * 1000,
            "cpu_ratio": med(full_cpu) / med(bare_cpu)}


# --- 2. Throughput with worker processes --------------------------------------------

def _pool_init() -> None:
    from django import db

    db.connections.close_all()
    from certificates.tasks import build_certificate_renderer

    build_certificate_renderer()  # what a Celery worker process does when it starts


def _pool_run(item_ids: list[int]) -> tuple[int, float, float]:
    from certificates import services

    early, chunk = None, services.ITEMS_PER_TASK
    for n in range(0, len(item_ids), chunk):
        services.certificate_batch_process_items(item_ids=item_ids[n:n + chunk])
        if early is None and n >= 50:
            early = rss_mb()
    return os.getpid(), early or rss_mb(), rss_mb()


def throughput_pool(item_ids: list[int], workers: int) -> dict:
    chunks = [item_ids[n::workers] for n in range(workers)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=_pool_init) as pool:
        results = list(pool.map(_pool_run, chunks))
    elapsed = time.perf_counter() - started
    return {"mode": f"process pool ({workers})", "seconds": elapsed,
            "memory": [(pid, early, late) for pid, early, late in results]}


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def throughput_celery(batch_factory, workers: int) -> dict:
    from certificates.selectors import batch_progress
    from portal.celery import app

    app.control.purge()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--concurrency", str(workers),
               "--loglevel", "WARNING", "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
               "--without-mingle", "--without-heartbeat"]
    log = (OUT / "worker.log").open("ab")
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_children(worker.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # the pool processes build their renderers
        started = time.perf_counter()
        batch = batch_factory()
        early, seen = {}, 0
        while True:
            progress = batch_progress(batch=batch)
            done = progress["issued"] + progress["failed"]
            if not early and done >= 100:
                early = {pid: rss_mb(pid) for pid in _children(worker.pid)}
            if progress["done"]:
                break
            if time.perf_counter() - started > 600:
                raise SystemExit(f"gave up after 600 s: {progress}")
            seen = done
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        late = {pid: rss_mb(pid) for pid in _children(worker.pid)}
    finally:
        worker.terminate()
        worker.wait(60)
    del seen
    return {"mode": f"celery worker --concurrency {workers} (Redis)", "seconds": elapsed, "progress": progress,
            "memory": [(pid, early.get(pid, float("nan")), late[pid]) for pid in late]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=20,
                        help="interleaved rounds of one chunk each for the bare/full ratio")
    args = parser.parse_args()

    setup_django()
    prepare_database()
    from django.conf import settings
    from django.db import connection

    print(f"database: {connection.vendor}; broker: {'Redis' if settings.REDIS_URL else 'none (process pool)'}; "
          f"CPUs: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}")
    r = ratio(args.samples)
    print(f"[1] bare WeasyPrint render: {r['bare_ms']:.1f} ms; full issue path: {r['full_ms']:.1f} ms per certificate "
          f"(medians of {r['samples']} interleaved rounds of {r['chunk']}, the batch task's chunk); "
          f"ratio {r['ratio']:.3f} (target <= 1.15)")
    print(f"    this process's CPU time: bare {r['bare_cpu_ms']:.1f} ms, full {r['full_cpu_ms']:.1f} ms, "
          f"ratio {r['cpu_ratio']:.3f} (excludes the database server's work)")
    print(f"    the full path's own work (everything but WeasyPrint): {r['outside_ms']:.1f} ms per certificate, "
          f"{r['outside_ms'] / r['bare_ms']:.3f} of a bare render (a ratio free of the measurement's noise: "
          f"the same render measured in the two slots of a round differs by a few per cent either way)")

    from certificates import services
    from certificates.models import IssueBatchItem

    tag = uuid.uuid4().hex[:8]
    specs = grant_specs(make_holders(args.count, f"t{tag}"), f"t{tag}")
    if settings.REDIS_URL:
        t = throughput_celery(
            lambda: services.certificate_issue_batch(grant_specs=specs, actor=None, label=f"bench {tag}"),
            args.workers)
    else:
        from django.db import transaction

        with mock.patch.object(transaction, "on_commit"):  # the pool below runs the items
            batch = services.certificate_issue_batch(grant_specs=specs, actor=None, label=f"bench {tag}")
        connection.close()
        t = throughput_pool(list(IssueBatchItem.objects.filter(batch=batch).order_by("position")
                                 .values_list("pk", flat=True)), args.workers)
    per = t["seconds"] / args.count * 1000
    print(f"[2] {args.count} certificates with {t['mode']}: {t['seconds']:.1f} s "
          f"({args.count / t['seconds']:.1f}/s, {per:.0f} ms each; target < 60 s)")
    for pid, early, late in t["memory"]:
        print(f"    worker {pid}: RSS {early:.0f} MB early -> {late:.0f} MB at the end ({late - early:+.0f} MB)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
