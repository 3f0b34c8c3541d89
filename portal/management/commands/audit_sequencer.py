"""The audit chain's sequencer: seal committed audit events into the hash
chain, in commit order, within a fraction of a second (R6.2; docs/audit.md).

    manage.py audit_sequencer                 # run until stopped (SIGTERM/SIGINT end it cleanly)
    manage.py audit_sequencer --once          # seal everything waiting now, then exit

Run one (more are harmless: a pass gives way while another holds the chain
head). Celery beat also runs a pass every few seconds as a backstop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

from portal.audit import SEAL_BATCH, audit_chain_seal, chain_backlog

logger = logging.getLogger("portal.audit")


class Command(BaseCommand):
    help = "Seal committed audit events into the hash chain, in commit order, as they come."
    requires_system_checks: list = []  # a long-running worker: start at once, as Celery does

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.25,
                            help="seconds to wait when nothing is left to seal (default 0.25)")
        parser.add_argument("--batch", type=int, default=SEAL_BATCH, help="events per seal pass at most")
        parser.add_argument("--report-every", type=float, default=60.0,
                            help="seconds between two progress lines in the log (default 60)")
        parser.add_argument("--once", action="store_true", help="seal what is waiting, then exit")

    def handle(self, *args, interval: float, batch: int, report_every: float, once: bool, **options):
        self.stopping = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._stop)
        sealed_total, sealed_since_report, failures = 0, 0, 0
        last_report = time.monotonic()
        logger.info("audit sequencer started (interval %.2f s, batch %s)", interval, batch)
        while not self.stopping.is_set():
            try:
                if not connection.in_atomic_block:
                    close_old_connections()  # CONN_MAX_AGE and CONN_HEALTH_CHECKS, as for a request
                chained = audit_chain_seal(wait=False, limit=batch)
                failures = 0
            except DatabaseError as error:  # the database restarted, a failover: reconnect and go on
                failures += 1
                logger.warning("audit sequencer: seal pass failed (%s); retrying", error)
                connection.close()
                self.stopping.wait(min(30.0, 0.5 * 2 ** min(failures, 6)))
                continue
            sealed_total += chained
            sealed_since_report += chained
            now = time.monotonic()
            if now - last_report >= report_every:
                self._report(sealed_since_report, now - last_report)
                sealed_since_report, last_report = 0, now
            if chained >= batch:
                continue  # more waiting: no pause
            if once:
                break
            self.stopping.wait(interval)  # a signal ends the wait at once
        if once:
            self.stdout.write(f"Sealed {sealed_total} audit events.")
        logger.info("audit sequencer stopped after sealing %s events", sealed_total)

    def _report(self, sealed: int, seconds: float) -> None:
        backlog = chain_backlog()
        level = logging.WARNING if backlog.stale else logging.INFO
        logger.log(level, "audit sequencer: %s events sealed in %.0f s; %s waiting (oldest %.1f s)%s", sealed,
                   seconds, backlog.count, backlog.waiting_seconds, " - BEHIND" if backlog.stale else "")

    def _stop(self, signum, frame):
        self.stopping.set()
