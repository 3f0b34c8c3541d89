"""Recount the call counters (statuses and reviews) and the assignments'
sort key (``scored``) from the data: after a
restore, a bulk import outside the services, or to check them (``--check``
reports calls whose counters differ and changes nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from applications.models import Call
from applications.tallies import call_counts, call_status_recount
from review.services.tallies import scored_stale, tallies_rebuild, tallies_recount, tallies_stored


class Command(BaseCommand):
    help = "Recount the call dashboard counters (issue 15); --check only reports differences."

    def add_arguments(self, parser):
        parser.add_argument("--call", type=int, action="append", help="only this call (repeatable)")
        parser.add_argument("--check", action="store_true", help="report differences, change nothing")

    def handle(self, *args, **options):
        calls = Call.objects.order_by("pk").values_list("pk", flat=True)
        if options["call"]:
            calls = calls.filter(pk__in=options["call"])
        differing = []
        for call_id in calls:
            same = (call_counts(call_id=call_id) == call_status_recount(call_id=call_id)
                    and tallies_stored(call_id=call_id) == tallies_recount(call_id=call_id)
                    and not scored_stale(call_id=call_id).exists())
            if not same:
                differing.append(call_id)
                if not options["check"]:
                    tallies_rebuild(call_id=call_id)
        verb = "differ" if options["check"] else "rebuilt"
        self.stdout.write(f"{len(differing)} call(s) {verb}: {differing[:50]}")
        if options["check"] and differing:
            raise CommandError("counters differ from a recount")
