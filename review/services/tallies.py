"""The review counters of a call (``ExpertCallTally``), kept in the same
transaction by the services that draw, end or score an assignment (issue
15). ``tallies_recount`` is the reference the ``tallies_rebuild`` command
writes and the tests compare with.

Counted per call and expert: ``assigned`` active assignments, of which
``submitted`` and ``drafts`` by their score, and ``recused`` assignments.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from applications.tallies import call_counts_rebuild
from review.models import Assignment, ExpertCallTally, Score

FIELDS = ("assigned", "submitted", "drafts", "recused")


def tally_add(*, call_id: int, expert_user_id: int, **deltas: int) -> None:
    """Add ``deltas`` to one expert's counters in one call: an upsert, safe
    under concurrency."""
    values = [int(deltas.get(f, 0)) for f in FIELDS]
    if not any(values):
        return
    table = ExpertCallTally._meta.db_table
    sets = ", ".join(f"{f} = {table}.{f} + EXCLUDED.{f}" for f in FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (call_id, expert_user_id, {', '.join(FIELDS)}) "  # noqa: S608 - our own table
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (call_id, expert_user_id) DO UPDATE SET {sets}",
            [call_id, expert_user_id, *values])


def tally_drawn(*, call_id: int, rows: list[Assignment]) -> None:
    """New active assignments (a draw): one upsert per expert drawn."""
    for expert_user_id, n in sorted(Counter(r.expert_user_id for r in rows).items()):
        tally_add(call_id=call_id, expert_user_id=expert_user_id, assigned=n)


def tally_ended(*, assignment: Assignment, before: str) -> None:
    """An assignment left ``before`` (active) for recused or withdrawn."""
    if before == assignment.status:
        return
    deltas: Counter = Counter()
    score_status = Score.objects.filter(assignment=assignment).values_list("status", flat=True).first()
    for status, sign in ((before, -1), (assignment.status, 1)):
        if status == Assignment.Status.ACTIVE:
            deltas["assigned"] += sign
            if score_status == Score.Status.SUBMITTED:
                deltas["submitted"] += sign
            elif score_status == Score.Status.DRAFT:
                deltas["drafts"] += sign
        elif status == Assignment.Status.RECUSED:
            deltas["recused"] += sign
    tally_add(call_id=assignment.application.call_id, expert_user_id=assignment.expert_user_id, **deltas)


def tally_scored(*, assignment: Assignment, before: str | None, after: str) -> None:
    """A score of an active assignment went from ``before`` (None: no score
    yet) to ``after``."""
    if before == after or assignment.status != Assignment.Status.ACTIVE:
        return
    deltas: Counter = Counter()
    key = {Score.Status.DRAFT: "drafts", Score.Status.SUBMITTED: "submitted"}
    if before in key:
        deltas[key[before]] -= 1
    if after in key:
        deltas[key[after]] += 1
    tally_add(call_id=assignment.application.call_id, expert_user_id=assignment.expert_user_id, **deltas)


def tallies_recount(*, call_id: int) -> dict[int, dict[str, int]]:
    """Per expert, the counters recounted from the assignments (the reference)."""
    active = Q(status=Assignment.Status.ACTIVE)
    rows = (Assignment.objects.filter(application__call_id=call_id).order_by().values("expert_user_id")
            .annotate(assigned=Count("pk", filter=active),
                      submitted=Count("pk", filter=active & Q(score__status=Score.Status.SUBMITTED)),
                      drafts=Count("pk", filter=active & Q(score__status=Score.Status.DRAFT)),
                      recused=Count("pk", filter=Q(status=Assignment.Status.RECUSED))))
    return {r.pop("expert_user_id"): r for r in rows if any(r[f] for f in FIELDS)}


def tallies_stored(*, call_id: int) -> dict[int, dict[str, int]]:
    rows = ExpertCallTally.objects.filter(call_id=call_id).values("expert_user_id", *FIELDS)
    return {r.pop("expert_user_id"): r for r in rows if any(r[f] for f in FIELDS)}


def scored_stale(*, call_id: int) -> QuerySet[Assignment]:
    """The call's assignments whose stored sort key ``scored`` disagrees with their score."""
    submitted = Exists(Score.objects.filter(assignment=OuterRef("pk"), status=Score.Status.SUBMITTED))
    return (Assignment.objects.filter(application__call_id=call_id).annotate(is_scored=submitted)
            .exclude(scored=F("is_scored")))


def tallies_rebuild(*, call_id: int) -> None:
    """Replace the call's counters (statuses and reviews) by a recount, and
    set each assignment's ``scored`` sort key from its score."""
    from django.db import transaction

    with transaction.atomic():
        call_counts_rebuild(call_id=call_id)
        for value in (True, False):
            Assignment.objects.filter(pk__in=scored_stale(call_id=call_id).filter(is_scored=value)
                                      .values("pk")).update(scored=value)
        ExpertCallTally.objects.filter(call_id=call_id).delete()
        ExpertCallTally.objects.bulk_create([ExpertCallTally(call_id=call_id, expert_user_id=pk, **counts)
                                             for pk, counts in tallies_recount(call_id=call_id).items()])
