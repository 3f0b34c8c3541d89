"""Reads of the review app, each for one purpose, filtered by what the user
may see, with the joins that keep query counts flat."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.tuple_lookups import TupleGreaterThan
from django.db.models.functions import Coalesce

from applications.models import Application, ApplicationStatus, Call, CallStatusCount
from applications.tallies import FORWARDED_STATUSES
from applications.title_names import title_in_language
from portal.compiled_sql import CompiledValues, InList, fits_bigint
from portal.models import Committee, CommitteeMember, CommitteeScope, User, name_in_language
from review.models import (
    Assignment,
    CeilingDecision,
    DefenceSession,
    DefenceSlot,
    ExpertCallTally,
    Meeting,
    MeetingAttendance,
    MeetingCandidate,
    PublicityEntry,
    PublicityPeriod,
    Reconsideration,
    ResultRecord,
    ReviewSetup,
    Score,
    Verdict,
    VoteMarker,
    generated_meeting_title,
    generated_publicity_title,
)
from review.services._common import RECOGNITION_PATHWAYS, bureau_region_ids, secretary_committee_ids

#: The application statuses in their order (``ApplicationStatus.values`` builds its list, translating
#: every label, on each use).
APPLICATION_STATUSES = tuple(ApplicationStatus.values)


def forwarded_to_committee(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Only the applications forwarded to the call's committee (issue 14.7).

    Drafts, applications still with the employer, the acceptance body or the
    bureau's audit, returned, withdrawn and rejected ones never reach the
    committee, nor do the pathways a bureau decides itself (R4.4–R4.7). A
    title revoked for fraud (R6.3) stays where the committee decided it.
    """
    decided = Exists(ResultRecord.objects.filter(application=OuterRef("pk")))
    return (qs.exclude(pathway__in=RECOGNITION_PATHWAYS)
            .filter(Q(status__in=FORWARDED_STATUSES) | (Q(status=ApplicationStatus.REVOKED) & Q(decided))))


# --- Bureau ---------------------------------------------------------------------------

def committees_for_bureau(*, user: User) -> QuerySet[Committee]:
    """Committees filed with the officer's bureaus (every one for the region's bureau)."""
    return (Committee.objects.filter(filed_by__region__in=bureau_region_ids(user))
            .select_related("organizer", "filed_by", "series")
            .annotate(n_members=Count("members", filter=Q(members__is_active=True,
                                                          members__role__in=["chair", "member"]), distinct=True),
                      n_sanctions=Count("sanctions", distinct=True))
            .order_by("status", "name", "pk"))


def committee_for_bureau(*, user: User, pk: int) -> Committee | None:
    return (Committee.objects.filter(pk=pk, filed_by__region__in=bureau_region_ids(user))
            .select_related("organizer", "filed_by", "series")
            .prefetch_related(Prefetch("scopes", queryset=CommitteeScope.objects
                                       .select_related("specialty", "region", "member_unit")),
                              Prefetch("members", queryset=CommitteeMember.objects.filter(is_active=True)
                                       .select_related("user").order_by("role", "pk")),
                              "sanctions", "fees")
            .first())


def filing_queue_for_bureau(*, user: User) -> QuerySet[PublicityPeriod]:
    """Publicity periods of the officer's committees or bureau, not yet filed."""
    regions = bureau_region_ids(user)
    return (PublicityPeriod.objects.filter(Q(committee__filed_by__region__in=regions) | Q(bureau__region__in=regions))
            .filter(filing__isnull=True)
            .select_related("committee", "bureau", "call")
            .annotate(n_entries=Count("entries", filter=Q(entries__status="listed"), distinct=True),
                      n_open_objections=Count("entries__objections",
                                              filter=Q(entries__objections__answered_at__isnull=True), distinct=True))
            .order_by("status", "ends_on", "pk"))


def period_for_bureau(*, user: User, pk: int) -> PublicityPeriod | None:
    regions = bureau_region_ids(user)
    return (PublicityPeriod.objects.filter(Q(committee__filed_by__region__in=regions) | Q(bureau__region__in=regions))
            .filter(pk=pk).select_related("committee", "committee__filed_by", "bureau", "call").first())


def recognition_queue_for_bureau(*, user: User) -> QuerySet[Application]:
    return (Application.objects.filter(pathway__in=RECOGNITION_PATHWAYS, region__in=bureau_region_ids(user),
                                       status__in=[ApplicationStatus.READY, ApplicationStatus.IN_EVALUATION])
            .select_related("applicant", "specialty", "employer", "call").order_by("pk"))


# --- Secretary ---------------------------------------------------------------------------

def committees_for_secretary(*, user: User) -> QuerySet[Committee]:
    return Committee.objects.filter(pk__in=secretary_committee_ids(user)).select_related("series").order_by("name")


def calls_for_secretary(*, user: User) -> QuerySet[Call]:
    """The secretary's calls, each with the number of applications forwarded to the committee."""
    forwarded = forwarded_to_committee(Application.objects.filter(call=OuterRef("pk")))
    return (Call.objects.filter(committee__in=secretary_committee_ids(user)).select_related("committee")
            .annotate(n_applications=Coalesce(Subquery(forwarded.order_by().values("call")
                                                       .annotate(n=Count("pk")).values("n")[:1]), 0))
            .order_by("-opens_at", "-pk"))


def _secretary_calls(user: User | int) -> QuerySet[Call]:
    """The calls of the committees the user is an active secretary of, by a join on the membership
    without DISTINCT: the membership is unique per (committee, user, role), so the join yields one
    row per call at most, and PostgreSQL reads it from that index (issue 15)."""
    return Call.objects.filter(committee__members__user=user, committee__members__is_active=True,
                               committee__members__role=CommitteeMember.Role.SECRETARY)


def call_for_secretary(*, user: User, pk: int) -> Call | None:
    """The call if the user is an active secretary of its committee (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _secretary_calls(user).filter(pk=pk).select_related("committee", "series").first()


def _dashboard_heading_query(user_id, pk):
    # One row per status counter of the call (a dozen at most; one row with None when it has none).
    return (_secretary_calls(user_id).filter(pk=pk)
            .values("pk", "name", "name_en", "name_ug", "committee__name", "committee__name_en",
                    "committee__name_ug", "review_setup__pk", "review_setup__blind",
                    "review_setup__experts_per_application", "review_setup__rubric__name",
                    "status_counts__status", "status_counts__n"))


_DASHBOARD_HEADING = CompiledValues(_dashboard_heading_query, user_id=int, pk=int)


def call_dashboard_heading(*, user: User, pk: int) -> dict | None:
    """``call_for_secretary`` for the call dashboard: what it heads with and its status counters, in
    one query compiled once per process (issue 15) — ``{"pk", "name", "name_en", "name_ug", "display_name",
    "committee": {"name", "display_name"},
    "setup": {"blind", "experts_per_application", "rubric": {"name"}}, "status_counts": {status: n}}``,
    ``display_name`` the name in the active language (as ``Call.display_name``), ``setup`` None until the
    call's review set-up is first configured; the counters are those
    ``call_summary`` reads. None (a 404) unless the user is an active secretary of the call's committee."""
    if not getattr(user, "is_authenticated", False) or not fits_bigint(pk):
        return None  # an id no row can hold: the ORM answered it without a query
    rows = _DASHBOARD_HEADING(user_id=user.pk, pk=pk)
    if not rows:
        return None
    row = rows[0]
    setup = None
    if row["review_setup__pk"] is not None:
        setup = {"blind": row["review_setup__blind"],
                 "experts_per_application": row["review_setup__experts_per_application"],
                 "rubric": {"name": row["review_setup__rubric__name"]}}
    counts = {r["status_counts__status"]: r["status_counts__n"] for r in rows if r["status_counts__status"] is not None}
    return {"pk": row["pk"], "name": row["name"], "name_en": row["name_en"], "name_ug": row["name_ug"],
            "display_name": name_in_language(row["name"], row["name_en"], row["name_ug"]),
            "committee": {"name": row["committee__name"],
                          "display_name": name_in_language(row["committee__name"], row["committee__name_en"],
                                                           row["committee__name_ug"])},
            "setup": setup, "status_counts": counts}


def _call_id(call: Call | int) -> int:
    return call if isinstance(call, int) else call.pk


def call_summary(*, call: Call | int, status_counts: dict[str, int] | None = None) -> dict:
    """Counts by status, the progress of reviews and the progress per expert,
    from the counters the services keep (``CallStatusCount``,
    ``ExpertCallTally``): two small queries, over a dozen status rows and
    one row per expert drawn, whatever the size of the call (issue 15).

    Written in SQL, as ``expert_workload``: the ORM took longer to compile these two reads of
    integers and a name than the database took to answer them, on every load of the dashboard.
    ``status_counts``: the status counters already read (``call_dashboard_heading``), not read again."""
    experts = expert_progress(call=call)
    reviews = {f: sum(e[f] for e in experts) for f in ("submitted", "drafts", "recused")}
    reviews["active"] = sum(e["assigned"] for e in experts)
    reviews["missing"] = reviews["active"] - reviews["submitted"]
    return {"statuses": _statuses(call, status_counts), "reviews": reviews, "experts": experts}


def _statuses(call: Call | int, status_counts: dict[str, int] | None) -> dict:
    statuses = dict.fromkeys(APPLICATION_STATUSES, 0)
    if status_counts is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT status, n FROM {_quoted(CallStatusCount)} WHERE call_id = %s",  # noqa: S608 - names from _meta
                           [_call_id(call)])
            status_counts = dict(cursor.fetchall())
    statuses.update(status_counts)
    statuses["total"] = sum(statuses.values())
    return statuses


def call_summary_page(*, call: Call | int, status_counts: dict[str, int] | None = None, experts_from: int,
                      size: int) -> dict:
    """``call_summary`` for the call dashboard, which shows ``size`` experts from ``experts_from``:
    the same statuses and review totals, ``experts`` only those rows, ``experts_more`` whether
    more follow. The totals are summed by the database over the same tally rows (integers: exact),
    beside the page of rows, in one query; not every expert's row is read and summed here (issue 15).
    A page past the last expert reads ``call_summary`` instead (the totals still shown)."""
    tally, user = _quoted(ExpertCallTally), _quoted(User)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.expert_user_id, t.assigned, t.submitted, t.drafts, t.recused, u.real_name, "  # noqa: S608
                       f"SUM(t.assigned) OVER (), SUM(t.submitted) OVER (), SUM(t.drafts) OVER (), "
                       f"SUM(t.recused) OVER (), COUNT(*) OVER () "
                       f"FROM {tally} t INNER JOIN {user} u ON u.id = t.expert_user_id "
                       f"WHERE t.call_id = %s AND (t.assigned > 0 OR t.recused > 0) "
                       f"ORDER BY t.assigned DESC, t.expert_user_id ASC LIMIT %s OFFSET %s",
                       [_call_id(call), size, experts_from])
        found = cursor.fetchall()
    if not found and experts_from:
        summary = call_summary(call=call, status_counts=status_counts)
        return {**summary, "experts": summary["experts"][experts_from:experts_from + size], "experts_more": False}
    active, submitted, drafts, recused, count = found[0][6:] if found else (0, 0, 0, 0, 0)
    return {"statuses": _statuses(call, status_counts),
            "reviews": {"submitted": submitted, "drafts": drafts, "recused": recused, "active": active,
                        "missing": active - submitted},
            "experts": [{"expert_user_id": uid, "assigned": a, "submitted": s, "drafts": d, "recused": r, "name": name}
                        for uid, a, s, d, r, name, *_totals in found],
            "experts_more": count > experts_from + size}


def call_applications(*, call: Call | int, status: str = "") -> QuerySet[Application]:
    """The call's applications forwarded to the committee (``with_reviews``
    adds the review figures to the rows of one page)."""
    qs = forwarded_to_committee(Application.objects.filter(call=call))
    if status in APPLICATION_STATUSES:
        qs = qs.filter(status=status)
    return qs.select_related("applicant", "specialty", "employer").order_by("pk")


def expert_progress(*, call: Call | int) -> list[dict]:
    """Per expert drawn in this call: assigned, submitted and draft scores,
    recusals (the call's counter rows, one per expert), busiest first.
    In SQL for the reason given at ``call_summary``."""
    tally, user = _quoted(ExpertCallTally), _quoted(User)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.expert_user_id, t.assigned, t.submitted, t.drafts, t.recused, u.real_name "  # noqa: S608
                       f"FROM {tally} t INNER JOIN {user} u ON u.id = t.expert_user_id "
                       f"WHERE t.call_id = %s AND (t.assigned > 0 OR t.recused > 0) "
                       f"ORDER BY t.assigned DESC, t.expert_user_id ASC", [_call_id(call)])
        return [{"expert_user_id": uid, "assigned": assigned, "submitted": submitted, "drafts": drafts,
                 "recused": recused, "name": name}
                for uid, assigned, submitted, drafts, recused, name in cursor.fetchall()]


def call_meetings_and_periods(*, call: Call | int, limit: int,
                              names: tuple[str, str, str] | None = None) -> tuple[list[dict], list[dict]]:
    """The call dashboard's side lists, newest first and ``limit`` each: its meetings (id, title,
    status) and its result publicity periods (id, title, dates, status). In SQL for the reason
    given at ``call_summary``."""
    # A title written from the call's name is given in the reader's language (``title_display``).
    names = names or _call_names(call)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title, title_generated, status FROM {_quoted(Meeting)} "  # noqa: S608
                       f"WHERE call_id = %s ORDER BY scheduled_at DESC, id DESC LIMIT %s", [_call_id(call), limit])
        meetings = [{"pk": pk, "title": _title(title, generated, names, generated_meeting_title), "status": status}
                    for pk, title, generated, status in cursor.fetchall()]
        cursor.execute(f"SELECT id, title, title_generated, starts_on, ends_on, status "  # noqa: S608
                       f"FROM {_quoted(PublicityPeriod)} "
                       f"WHERE call_id = %s ORDER BY starts_on DESC, id DESC LIMIT %s", [_call_id(call), limit])
        periods = [{"pk": pk, "title": _title(title, generated, names, generated_publicity_title),
                    "starts_on": _date(starts), "ends_on": _date(ends), "status": status}
                   for pk, title, generated, starts, ends, status in cursor.fetchall()]
    return meetings, periods


def _call_names(call: Call | int) -> tuple[str, str, str]:
    """The call's three names, from the object when given (no query), else read once."""
    if isinstance(call, Call):
        return call.name, call.name_en, call.name_ug
    return Call.objects.values_list("name", "name_en", "name_ug").get(pk=call)


def _title(title: str, generated, names, generate) -> str:
    """A meeting's or period's title as ``title_display`` gives it, from a row read in SQL."""
    return generate(name_in_language(*names)) if generated else title


def _date(value):
    """A date column as read by a cursor: a date (PostgreSQL, SQLite with Django's converters) or
    its ISO text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class KnownCount:
    """A queryset with its count known already (from the counters), for a
    paginator: slicing runs the query for one page, ``count()`` runs none."""

    ordered = True

    def __init__(self, queryset: QuerySet, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def _review_figures_query(ids):
    return (Assignment.objects.filter(application_id__in=ids, status=Assignment.Status.ACTIVE)
            .values("application_id", "score__status", "score__total"))


#: ``review_figures``' read for a page of up to 20 rows, compiled once per process (issue 15).
_REVIEW_FIGURES = CompiledValues(_review_figures_query, ids=InList(int, 20))


def review_figures(application_ids) -> dict[int, dict]:
    """Experts, submitted reviews, mean and spread of the given applications:
    one query over their active assignments (never the call's)."""
    totals: dict[int, list] = {pk: [] for pk in application_ids}
    experts: dict[int, int] = dict.fromkeys(totals, 0)
    if not totals:
        rows = []
    elif len(totals) <= _REVIEW_FIGURES.params["ids"].size:
        rows = _REVIEW_FIGURES(ids=list(totals))
    else:
        rows = _review_figures_query(list(totals))
    for row in rows:
        app_id, score_status, total = row["application_id"], row["score__status"], row["score__total"]
        experts[app_id] += 1
        if score_status == Score.Status.SUBMITTED and total is not None:
            totals[app_id].append(total)
    return {pk: {"n_experts": experts[pk], "n_submitted": len(t),
                 "mean": sum(t) / len(t) if t else None,
                 "high": max(t) if t else None, "low": min(t) if t else None}
            for pk, t in totals.items()}


def with_reviews(applications) -> list[Application]:
    """The rows of one page with their review figures (``review_figures``) as attributes."""
    rows = list(applications)
    figures = review_figures([a.pk for a in rows])
    for a in rows:
        f = figures[a.pk]
        a.n_experts, a.n_submitted, a.mean, a.high, a.low = (f["n_experts"], f["n_submitted"], f["mean"],
                                                             f["high"], f["low"])
    return rows


_PAGE_COLUMNS = ("pk", "status", "applicant__real_name", "employer__name", "specialty__name",
                 "specialty__name_en", "specialty__name_ug")


def _page_candidates(call_id, after):
    """The forwarded statuses and the revoked ones, without forwarded_to_committee's EXISTS."""
    return (Application.objects.filter(call_id=call_id, pk__gt=after,
                                       status__in=[*FORWARDED_STATUSES, ApplicationStatus.REVOKED])
            .exclude(pathway__in=RECOGNITION_PATHWAYS).order_by("pk"))


@functools.lru_cache(maxsize=16)
def _page_query(size: int, by_status: bool) -> CompiledValues:
    """One page's read (``size`` rows and one more), compiled once per process (issue 15)."""
    if by_status:
        return CompiledValues(lambda call_id, after, status: _page_candidates(call_id, after).filter(status=status)
                              .values(*_PAGE_COLUMNS)[:size + 1], call_id=int, after=int, status=str)
    return CompiledValues(lambda call_id, after: _page_candidates(call_id, after).values(*_PAGE_COLUMNS)[:size + 1],
                          call_id=int, after=int)


def call_application_page(*, call: Call | int, status: str = "", after: int = 0,
                          size: int) -> tuple[list[dict], bool]:
    """One page of the call dashboard's rows by keyset (ids after ``after``) and whether a next page
    exists: plain dicts of the columns shown with their review figures, in two narrow queries
    read from indexes, compiled once per process, no model instances (issue 15). ``call``: the call
    or its id."""
    call_id = _call_id(call)
    by_status = status in APPLICATION_STATUSES
    # The forwarded statuses and the revoked ones, without forwarded_to_committee's EXISTS (whose
    # compilation alone cost more than the rest of the query): exact unless the page holds a revoked
    # title, which shows only where the committee decided it — then the page is read again, exactly.
    query = _page_query(size, by_status)
    found = query(call_id=call_id, after=after, status=status) if by_status else query(call_id=call_id, after=after)
    if any(row["status"] == ApplicationStatus.REVOKED for row in found):
        found = list(call_applications(call=call_id, status=status).filter(pk__gt=after)
                     .order_by("pk").values(*_PAGE_COLUMNS)[:size + 1])
    rows = [{"pk": r["pk"], "status": r["status"], "applicant": r["applicant__real_name"],
             "employer": r["employer__name"],
             "specialty": name_in_language(r["specialty__name"], r["specialty__name_en"], r["specialty__name_ug"])}
            for r in found]
    more, rows = len(rows) > size, rows[:size]
    figures = review_figures([r["pk"] for r in rows])
    for r in rows:
        r.update(figures[r["pk"]])
    return rows, more


def _application_for_secretary_query(user_id: int, call_id: int, pk: int):
    # forwarded_to_committee without its EXISTS (whose compilation cost more than the rest of the
    # query): a revoked title is then checked for the committee's decision, in a query of its own.
    # The secretary's membership as an EXISTS on the call's committee id rather than a join through
    # the committee: two tables fewer for PostgreSQL to order, 0.57 -> 0.37 ms of planning a load.
    secretary = CommitteeMember.objects.filter(committee_id=OuterRef("call__committee_id"), user_id=user_id,
                                               is_active=True, role=CommitteeMember.Role.SECRETARY)
    return (Application.objects.filter(
        Exists(secretary), pk=pk, call_id=call_id, status__in=[*FORWARDED_STATUSES, ApplicationStatus.REVOKED])
        .exclude(pathway__in=RECOGNITION_PATHWAYS)
        .values("pk", "call_id", "call__name", "call__name_en", "call__name_ug", "applicant__real_name", "title_name",
                "series_id", "level", "status",
                "specialty__name", "specialty__name_en", "specialty__name_ug")[:1])


#: The secretary's application page's reads, compiled once per process (``portal.compiled_sql``):
#: compiling them cost the page more than everything else it does (issue 15).
_APPLICATION_FOR_SECRETARY = CompiledValues(_application_for_secretary_query, user_id=int, call_id=int, pk=int)
_REVIEW_ASSIGNMENTS = CompiledValues(
    lambda application_id: Assignment.objects.filter(application_id=application_id).order_by("pk").values(
        "pk", "status", "end_reason", "score__pk", "score__total", "score__status", "score__verdict",
        "score__comment", expert_name=F("expert_user__real_name")), application_id=int)
_REVIEW_SLOTS = CompiledValues(
    lambda application_id: DefenceSlot.objects.filter(application_id=application_id).values(
        "starts_at", "attendance", "score", session_name=F("session__name")), application_id=int)
_REVIEW_CANDIDACIES = CompiledValues(
    lambda application_id: MeetingCandidate.objects.filter(application_id=application_id).values(
        "outcome", "yes_votes", "no_votes", "abstentions", meeting_title=F("meeting__title"),
        meeting_status=F("meeting__status")), application_id=int)
_REVIEW_RECONSIDERATIONS = CompiledValues(
    lambda application_id: Reconsideration.objects.filter(application_id=application_id).values(
        "pk", "status", "requested_at", "reason", "outcome"), application_id=int)


def application_for_secretary(*, user: User, call_id: int, pk: int) -> dict | None:
    """One application of the call, if the user is an active secretary of the call's committee
    and the application was forwarded to it (else None: a 404): a dict of what the page heads
    with (``pk``, ``call_id``, ``call_name`` in the active language, ``applicant``, ``title_name`` in the
    active language, ``status``, ``status_label``, ``specialty`` in the active language). The secretary's
    check is joined to the application's read rather than a query of its own (issue 15; the membership
    is unique per committee, user and role: one row at most)."""
    if not getattr(user, "is_authenticated", False) or not fits_bigint(call_id, pk):
        return None  # ids no row can hold (the URL takes any digits): the ORM answered without a query
    row = _APPLICATION_FOR_SECRETARY(user_id=user.pk, call_id=call_id, pk=pk)
    if not row or (row[0]["status"] == ApplicationStatus.REVOKED
                   and not ResultRecord.objects.filter(application_id=pk).exists()):
        return None
    row = row[0]
    status = row["status"]
    return {"pk": row["pk"], "call_id": row["call_id"],
            "call_name": name_in_language(row["call__name"], row["call__name_en"], row["call__name_ug"]),
            "applicant": row["applicant__real_name"],
            "title_name": title_in_language(series_id=row["series_id"], level=row["level"], stored=row["title_name"]),
            "status": status, "status_label": dict(ApplicationStatus.choices).get(status, status),
            "specialty": name_in_language(row["specialty__name"], row["specialty__name_en"], row["specialty__name_ug"])}


def application_review_for_secretary(*, application_id: int) -> dict:
    """What the secretary's application page lists: the assignments with their scores, defence
    slots, meeting candidacies and reconsiderations, as dicts of the columns shown (four narrow
    queries whatever their number, compiled once per process; no model instances of the users' and
    scores' every column, JSON included: issue 15). Each row's ``status_label`` (and the like) is
    its choice's label."""
    def labelled(rows, **choices):
        labels = {field: dict(c.choices) for field, c in choices.items()}
        for row in rows:
            for field, names in labels.items():
                row[f"{field.replace('__', '_')}_label"] = names.get(row[field], row[field]) if row[field] else ""
        return rows

    return {
        "assignments": labelled(_REVIEW_ASSIGNMENTS(application_id=application_id),
                                status=Assignment.Status, score__status=Score.Status, score__verdict=Verdict),
        "slots": labelled(_REVIEW_SLOTS(application_id=application_id), attendance=DefenceSlot.Attendance),
        "candidacies": labelled(_REVIEW_CANDIDACIES(application_id=application_id),
                                outcome=MeetingCandidate.Outcome),
        "reconsiderations": labelled(_REVIEW_RECONSIDERATIONS(application_id=application_id),
                                     status=Reconsideration.Status),
    }


def defence_sessions_for_secretary(*, call: Call) -> list[DefenceSession]:
    """The call's defence sessions with their slots, and for each session the
    applicants that can still be given a slot in it, picked from a list: those
    who need a defence and have none yet first (R4.1, R4.3). Each session
    also proposes the next slot's times, right after its last slot. Three
    queries whatever the number of sessions."""
    from review.services.meetings import needs_defence

    sessions = list(DefenceSession.objects.filter(call=call)
                    .prefetch_related(Prefetch("slots", queryset=DefenceSlot.objects
                                               .select_related("application__applicant", "application__specialty")
                                               .order_by("starts_at", "pk")))
                    .order_by("starts_at", "pk"))
    slots = DefenceSlot.objects.filter(application=OuterRef("pk"))
    applicants = list(Application.objects.filter(call=call, status=ApplicationStatus.IN_EVALUATION)
                      .exclude(pathway__in=RECOGNITION_PATHWAYS).select_related("applicant", "specialty")
                      .annotate(defended=Exists(slots.filter(attendance=DefenceSlot.Attendance.PRESENT)),
                                scheduled=Exists(slots.filter(attendance=DefenceSlot.Attendance.PENDING)))
                      .order_by("pk"))
    for application in applicants:
        application.needs_defence = needs_defence(application, call)
        application.wants_slot = application.needs_defence and not application.defended and not application.scheduled
    applicants.sort(key=lambda a: (not a.wants_slot, not a.needs_defence, a.pk))
    for session in sessions:
        taken = [slot for slot in session.slots.all()]
        have = {slot.application_id for slot in taken}
        session.choices = [a for a in applicants if a.pk not in have]
        length = (taken[-1].ends_at - taken[-1].starts_at) if taken else dt.timedelta(minutes=20)
        session.next_starts_at = max([slot.ends_at for slot in taken], default=session.starts_at)
        session.next_ends_at = session.next_starts_at + length
    return sessions


def meeting_for_secretary(*, user: User, pk: int) -> Meeting | None:
    return (Meeting.objects.filter(pk=pk, committee__in=secretary_committee_ids(user))
            .select_related("committee", "call")
            .prefetch_related(Prefetch("candidates", queryset=MeetingCandidate.objects.select_related(
                "application__applicant", "application__specialty").annotate(n_markers=Count("markers"))
                .order_by("pk")),
                Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("member")),
                Prefetch("ceiling_decisions", queryset=CeilingDecision.objects.select_related("decided_by")
                         .prefetch_related(Prefetch("excluded", queryset=MeetingCandidate.objects
                                                    .select_related("application__applicant")))
                         .order_by("pk")))
            .first())


def periods_for_secretary(*, user: User, call: Call | None = None) -> QuerySet[PublicityPeriod]:
    qs = PublicityPeriod.objects.filter(committee__in=secretary_committee_ids(user))
    if call is not None:
        qs = qs.filter(call=call)
    return qs.select_related("call").order_by("-starts_on", "-pk")


def period_for_manager(*, user: User, pk: int) -> PublicityPeriod | None:
    regions = bureau_region_ids(user)
    return (PublicityPeriod.objects.filter(Q(committee__in=secretary_committee_ids(user))
                                           | Q(committee__isnull=True, bureau__region__in=regions))
            .filter(pk=pk).select_related("call", "committee", "bureau")
            .prefetch_related(Prefetch("entries", queryset=PublicityEntry.objects.prefetch_related("objections")
                                       .annotate(**ENTRY_NAMES).order_by("pk")))
            .first())


def pending_reconsiderations(*, user: User) -> QuerySet[Reconsideration]:
    return (Reconsideration.objects.filter(status="pending", application__call__committee__in=secretary_committee_ids(
        user)).exclude(application__pathway__in=RECOGNITION_PATHWAYS)
            .select_related("application", "application__call").order_by("requested_at"))


# --- Experts and members -----------------------------------------------------------------

def assignments_for_expert(*, user: User) -> QuerySet[Assignment]:
    """The expert's active assignments only: recused and withdrawn ones vanish (R6.6)."""
    return (Assignment.objects.filter(expert_user=user, status=Assignment.Status.ACTIVE)
            .select_related("application", "application__specialty", "application__applicant",
                            "application__employer", "application__call", "application__call__review_setup",
                            "application__call__committee", "score")
            .order_by("application__call_id", "pk"))


def _expert_queue_query(user_id: int, after: int, *, scored: bool, size: int):
    # Django 5.2's row comparison (its composite keys' lookup; SQLite gets the OR/AND expansion).
    keyset = Assignment.objects.filter(TupleGreaterThan((F("scored"), F("pk")), (scored, after)),
                                       expert_user_id=user_id, status=Assignment.Status.ACTIVE)
    return keyset.order_by("scored", "pk").values(
        "pk", "application_id", "scored", "score__pk", "score__total", "score__status")[:size + 1]


def _expert_queue_applications_query(ids: list[int]):
    blind = ReviewSetup.objects.filter(call_id=OuterRef("call_id")).values("blind")[:1]
    return Application.objects.filter(pk__in=ids).annotate(blind=Subquery(blind)).values(
        "pk", "applicant__real_name", "employer__name", "title_name", "series_id", "level",
        "specialty__name", "specialty__name_en", "specialty__name_ug", "blind")


#: The two reads of ``expert_queue_page`` compiled once per process (``portal.compiled_sql``), by
#: (scored, size): the cursor's ``scored`` is a constant of the query (a boolean has no sentinel).
_expert_queue_reads: dict[tuple[bool, int], tuple[CompiledValues, CompiledValues]] = {}


def _expert_queue_compiled(scored: bool, size: int) -> tuple[CompiledValues, CompiledValues]:
    reads = _expert_queue_reads.get((scored, size))
    if reads is None:
        reads = _expert_queue_reads[(scored, size)] = (
            CompiledValues(lambda user_id, after: _expert_queue_query(user_id, after, scored=scored, size=size),
                           user_id=int, after=int),
            CompiledValues(lambda ids: _expert_queue_applications_query(ids), ids=InList(int, size + 1)))
    return reads


def expert_queue_page(*, user: User, scored: bool, after: int, size: int) -> list[dict]:
    """One page of the expert's dashboard: active assignments pending first, then scored, each by
    id, after the cursor (``scored``, ``after``); ``size + 1`` rows at most (the last one only says
    there is a next page). One keyset read of the index (expert_user, scored, id) with the row
    comparison ``(scored, id) > (cursor)``, which PostgreSQL takes as the index condition: the same
    cost whatever the number of assignments (issue 15), and one query where the pending and the
    scored rows took two. Then the page's applications with their call's blind flag in one narrow
    query (a single join of both would cost PostgreSQL more to plan than to run). Both are compiled
    once per process (``portal.compiled_sql``): compiling them cost more than the rest of the page.

    Rows are plain dicts of just what the page shows (model instances of every column cost more
    to build than the page to render): ``pk``, ``application_id``, ``scored``, ``has_score``,
    ``total``, ``status`` (the score's, as its label), ``blind``, ``applicant``, ``employer``,
    ``title_name``, ``specialty`` (both in the active language)."""
    assignments_read, applications_read = _expert_queue_compiled(bool(scored), size)
    assignments = assignments_read(user_id=user.pk, after=after)
    if not assignments:
        return []
    applications = {row["pk"]: row for row in applications_read(ids=sorted({a["application_id"] for a in assignments}))}
    labels = dict(Score.Status.choices)
    rows = []
    for a in assignments:
        app = applications[a["application_id"]]
        rows.append({"pk": a["pk"], "application_id": a["application_id"], "scored": a["scored"],
                     "has_score": a["score__pk"] is not None, "total": a["score__total"],
                     "status": labels.get(a["score__status"], ""), "blind": bool(app["blind"]),
                     "applicant": app["applicant__real_name"], "employer": app["employer__name"],
                     "title_name": title_in_language(series_id=app["series_id"], level=app["level"],
                                                     stored=app["title_name"]),
                     "specialty": name_in_language(app["specialty__name"], app["specialty__name_en"],
                                                   app["specialty__name_ug"])})
    return rows


def assignment_for_expert(*, user: User, pk: int) -> Assignment | None:
    """The expert's own active assignment, or None (a 404 for anything else)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return assignments_for_expert(user=user).filter(pk=pk).first()


def expert_workload(*, user: User) -> dict:
    """The expert's active assignments: to score (of which drafts) and
    submitted, summed over the expert's counter rows (one per call).

    Written in SQL: the ORM took ten times longer to compile this one-table sum than the database
    took to answer it, on every load of the expert's dashboard (issue 15)."""
    table, column = _quoted(ExpertCallTally), connection.ops.quote_name(
        ExpertCallTally._meta.get_field("expert_user").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(assigned), 0), COALESCE(SUM(submitted), 0), "  # noqa: S608 - names from _meta
                       f"COALESCE(SUM(drafts), 0) FROM {table} WHERE {column} = %s", [user.pk])
        assigned, submitted, drafts = cursor.fetchone()
    return {"to_score": assigned - submitted, "drafts": drafts, "submitted": submitted}


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def secretary_todo(*, user: User) -> dict:
    """What waits for the committee secretary, for the home page: calls with
    applications in evaluation or ready to take in, meetings not yet closed,
    objections to answer and reconsiderations to decide (four queries)."""
    committees = secretary_committee_ids(user)
    if not committees:
        return {}
    evaluating = Count("applications", filter=Q(applications__status=ApplicationStatus.IN_EVALUATION)
                       & ~Q(applications__pathway__in=RECOGNITION_PATHWAYS))
    waiting = Count("applications", filter=Q(applications__status=ApplicationStatus.READY)
                    & ~Q(applications__pathway__in=RECOGNITION_PATHWAYS))
    calls = list(Call.objects.filter(committee__in=committees).annotate(n_evaluating=evaluating, n_ready=waiting)
                 .filter(Q(n_evaluating__gt=0) | Q(n_ready__gt=0)).order_by("-opens_at", "-pk")[:5])
    # The call joined: a title written from its name is shown in the reader's language (title_display).
    meetings = list(Meeting.objects.filter(committee__in=committees, status__in=["planned", "open", "counted"])
                    .select_related("call").order_by("scheduled_at", "pk")[:5])
    unanswered = Count("entries__objections", filter=Q(entries__objections__answered_at__isnull=True))
    objections = (PublicityPeriod.objects.filter(committee__in=committees, status=PublicityPeriod.Status.OPEN)
                  .select_related("call").annotate(n_open=unanswered).filter(n_open__gt=0)
                  .order_by("ends_on", "pk")[:5])
    return {"calls": calls, "meetings": meetings, "periods": list(objections),
            "reconsiderations": pending_reconsiderations(user=user).count()}


def meeting_votes_for_member(*, user: User) -> list[dict]:
    """The open meetings the user attends, as ``pk`` and ``title`` only (the expert's dashboard
    links each to its vote)."""
    # Written in SQL for the reason given at expert_workload (ids and a title: nothing to convert).
    # The title in the reader's language when written from the call's name (``Meeting.title_display``).
    meeting, attendance, call = _quoted(Meeting), _quoted(MeetingAttendance), _quoted(Call)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m.id, m.title, m.title_generated, c.name, c.name_en, c.name_ug "  # noqa: S608
                       f"FROM {meeting} m INNER JOIN {attendance} a ON a.meeting_id = m.id "
                       f"INNER JOIN {call} c ON c.id = m.call_id "
                       f"WHERE m.status = %s AND a.member_id = %s ORDER BY m.opened_at DESC",
                       [Meeting.Status.OPEN.value, user.pk])
        return [{"pk": pk, "title": _title(title, generated, names, generated_meeting_title)}
                for pk, title, generated, *names in cursor.fetchall()]


def meetings_for_member(*, user: User) -> QuerySet[Meeting]:
    return (Meeting.objects.filter(status=Meeting.Status.OPEN, attendance__member=user)
            .select_related("committee", "call")
            .order_by("-opened_at"))


def meeting_for_member(*, user: User, pk: int) -> Meeting | None:
    if not getattr(user, "is_authenticated", False):
        return None
    voted = VoteMarker.objects.filter(candidate=OuterRef("pk"), member=user)
    return (Meeting.objects.filter(pk=pk, attendance__member=user).select_related("committee", "call")
            .prefetch_related(Prefetch("candidates", queryset=MeetingCandidate.objects
                                       .select_related("application", "application__specialty",
                                                       "application__applicant")
                                       .annotate(voted=Exists(voted)).order_by("pk")))
            .first())


# --- Applicant and public -------------------------------------------------------------------

def reviews_for_applicant(*, user: User) -> QuerySet[Application]:
    return (Application.objects.filter(applicant=user)
            .exclude(status__in=[ApplicationStatus.DRAFT])
            .select_related("call", "specialty")
            .prefetch_related(Prefetch("defence_slots", queryset=DefenceSlot.objects
                                       .select_related("session")),
                              "reconsiderations", "review_results")
            .order_by("-pk"))


#: What ``PublicityEntry.title_display`` and ``specialty_display`` read of the entry's application and
#: its specialty, in the entries' own query (no query per row).
ENTRY_NAMES = {"title_series_id": F("application__series_id"), "title_level": F("application__level"),
               "specialty_name_en": F("application__specialty__name_en"),
               "specialty_name_ug": F("application__specialty__name_ug")}


def _titles_named(query: str) -> Q | None:
    """The applications whose title's English or Uyghur name in the catalogue contains ``query``
    (from the names each process keeps, ``applications.title_names``: no query of its own)."""
    from applications.title_names import names

    folded = query.casefold()
    pairs = [(series_id, level) for (series_id, level), (_zh, name_en, name_ug) in names().items()
             if folded in name_en.casefold() or folded in name_ug.casefold()]
    found = None
    for series_id, level in pairs:
        one = Q(application__series_id=series_id, application__level=level)
        found = one if found is None else found | one
    return found


def publicity_public(*, query: str = "") -> QuerySet[PublicityEntry]:
    """Listed entries of open periods (masked names only). ``query`` finds an employer, a list, and a
    title or specialty by its Chinese published name or by its English or Uyghur catalogue name,
    whatever the page's language (a Uyghur reader may type the Chinese name, and the reverse)."""
    qs = (PublicityEntry.objects.filter(status=PublicityEntry.Status.LISTED, period__status=PublicityPeriod.Status.OPEN)
          .select_related("period", "period__call", "period__committee", "period__bureau")
          .order_by("-period__starts_on", "pk")
          .annotate(**ENTRY_NAMES))
    query = (query or "").strip()[:64]
    if query:
        found = (Q(employer_name__icontains=query) | Q(title_name__icontains=query)
                 | Q(specialty_name__icontains=query) | Q(application__specialty__name_en__icontains=query)
                 | Q(application__specialty__name_ug__icontains=query) | Q(period__title__icontains=query))
        titles = _titles_named(query)
        qs = qs.filter(found | titles if titles is not None else found)
    return qs
