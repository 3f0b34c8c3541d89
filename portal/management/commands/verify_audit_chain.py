from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.audit import chain_backlog, verify_chain


class Command(BaseCommand):
    help = ("Recompute the audit trail's hash chain and report the first altered or missing event, and the events "
            "not yet chained (exits non-zero on a break, or when events have waited too long to be chained).")

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        backlog = chain_backlog()
        if broken:
            raise CommandError(f"Audit chain broken at {broken} ({checked} events verified before it).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
        if not backlog.count:
            return
        count = f"{backlog.count}{'+' if backlog.capped else ''}"
        oldest = timezone.localtime(backlog.oldest).strftime("%Y-%m-%d %H:%M:%S %Z")
        message = (f"{count} events not yet chained (the oldest from {oldest}, "
                   f"{backlog.waiting_seconds:.1f} s ago).")
        if backlog.stale:
            raise CommandError(f"Audit chain behind: {message} Nothing has been sealed for over "
                               f"{settings.AUDIT_CHAIN_STALE_SECONDS} s: is manage.py audit_sequencer running?")
        self.stdout.write(message)
