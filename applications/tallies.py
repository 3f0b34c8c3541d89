"""Counters of a call's applications by status, kept by the services that
change a status in the same transaction (issue 15): the secretary's call
dashboard reads a dozen rows instead of counting the call.

What is counted is what the committee sees (``review.selectors
.forwarded_to_committee``): committee pathways, statuses from ``ready`` on,
and a title revoked for fraud only if a result had been decided. An
application that the applicant, the employer or the acceptance body still
holds touches no counter, so the deadline peak of submissions never waits
on these rows.

``call_status_recount`` is the reference: the management command
``tallies_rebuild`` writes it for existing data, and the tests compare the
counters with it after random sequences of services.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from applications.models import Application, ApplicationStatus, CallStatusCount

#: Pathways a bureau decides itself (R4.4–R4.7): never before a committee.
RECOGNITION_PATHWAYS = ("recognition", "postdoc", "skills_crossover", "qualification")

#: Statuses of an application the committee has been given: the bureau's
#: qualification audit passed it on (R6.1), and everything after.
FORWARDED_STATUSES = (ApplicationStatus.READY, ApplicationStatus.IN_EVALUATION, ApplicationStatus.PASSED,
                      ApplicationStatus.FAILED, ApplicationStatus.RESULT_PUBLICITY, ApplicationStatus.GRANTED)


def _counted(application: Application, status: str) -> bool:
    if application.pathway in RECOGNITION_PATHWAYS:
        return False
    if status in FORWARDED_STATUSES:
        return True
    return status == ApplicationStatus.REVOKED and application.review_results.exists()


def call_count_add(*, call_id: int, deltas: dict[str, int]) -> None:
    """Add ``deltas`` (status → change) to the call's counters: one upsert
    per status, safe under concurrency (the row is created on first use)."""
    table = CallStatusCount._meta.db_table
    with connection.cursor() as cursor:
        for status, delta in sorted(deltas.items()):  # a fixed order: no deadlock between two movers
            if delta:
                cursor.execute(
                    f"INSERT INTO {table} (call_id, status, n) VALUES (%s, %s, %s) "  # noqa: S608 - our own table
                    f"ON CONFLICT (call_id, status) DO UPDATE SET n = {table}.n + EXCLUDED.n",
                    [call_id, status, delta])


def call_status_moved(application: Application, *, before: str) -> None:
    """Call after a service changed ``application.status`` from ``before``
    (inside its transaction, before or after the save)."""
    after = application.status
    if before == after:
        return
    deltas: dict[str, int] = {}
    if _counted(application, before):
        deltas[before] = deltas.get(before, 0) - 1
    if _counted(application, after):
        deltas[after] = deltas.get(after, 0) + 1
    if deltas:
        call_count_add(call_id=application.call_id, deltas=deltas)


def call_status_recount(*, call_id: int) -> dict[str, int]:
    """The counters recounted from the applications (the reference)."""
    from review.models import ResultRecord  # noqa: PLC0415 - only for the recount, never on a request

    decided = Exists(ResultRecord.objects.filter(application=OuterRef("pk")))
    qs = (Application.objects.filter(call_id=call_id).exclude(pathway__in=RECOGNITION_PATHWAYS)
          .filter(Q(status__in=FORWARDED_STATUSES) | (Q(status=ApplicationStatus.REVOKED) & Q(decided))))
    return {row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("pk"))}


def call_counts(*, call_id: int) -> dict[str, int]:
    """The counters as stored (statuses with a zero count left out)."""
    return {s: n for s, n in CallStatusCount.objects.filter(call_id=call_id).values_list("status", "n") if n}


def call_counts_rebuild(*, call_id: int) -> None:
    """Replace the call's counters by a recount (the command, the tests)."""
    CallStatusCount.objects.filter(call_id=call_id).delete()
    CallStatusCount.objects.bulk_create([CallStatusCount(call_id=call_id, status=s, n=n)
                                         for s, n in call_status_recount(call_id=call_id).items()])
