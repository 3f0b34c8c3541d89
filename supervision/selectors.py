"""Reads of the supervision app, each for one purpose, filtered by what the
user may see, with the joins (or subqueries) that keep query counts flat.

Who oversees what: a supervisor sees every committee; an HR-bureau officer
sees the committees filed with their bureau (the regional bureau, 650000,
sees all) — the same scoping as the committee registry of ``review``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from statistics import mean

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.models import (
    FINAL_STATUSES,
    IN_PROGRESS_STATUSES,
    LIVE_STATUSES,
    Application,
    ApplicationStatus,
    Call,
    TitleHeld,
)
from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from portal.models import AuditEvent, Committee, Employment, Organization, Role
from review.models import CommitteeFee, CommitteeSanction, Meeting, MeetingCandidate, ResultFiling
from review.services._common import bureau_region_ids
from supervision.models import OversightAlert

#: The audit action recorded when a scope guard (R2.1) or the one-live-application
#: guard (R6.4) refuses to open an application (see ``applications.application_services``).
REFUSAL_ACTION = "application.refused"


# --- Who may oversee ---------------------------------------------------------------------

def is_supervisor(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.SUPERVISOR))


def overseer_region_ids(user) -> set[int] | None:
    """``None``: every region (a supervisor); else the officer's regions (maybe empty)."""
    if is_supervisor(user):
        return None
    return bureau_region_ids(user)


def may_oversee(user) -> bool:
    regions = overseer_region_ids(user)
    return regions is None or bool(regions)


def _scope_committees(qs: QuerySet, user, prefix: str = "") -> QuerySet:
    regions = overseer_region_ids(user)
    if regions is None:
        return qs
    return qs.filter(**{f"{prefix}filed_by__region__in": regions})


# --- Figures ---------------------------------------------------------------------------------

def _count(qs: QuerySet, group: str, expression=None) -> Coalesce:
    """A correlated COUNT over ``qs`` grouped by ``group`` (0 when there is no row)."""
    expression = expression or Count("pk")
    return Coalesce(Subquery(qs.order_by().values(group).annotate(n=expression).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def _figures(key: str) -> dict:
    """The subqueries of one committee's or one call's figures. ``key`` is the
    lookup from each counted table to the committee (``…committee``) or call."""
    submitted = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    app_key = {"committee": "call__committee", "call": "call"}[key]
    cand_key = {"committee": "meeting__committee", "call": "meeting__call"}[key]
    candidates = MeetingCandidate.objects.filter(**{cand_key: OuterRef("pk")})
    fees = CommitteeFee.objects.filter(**{key: OuterRef("pk")})
    return {
        "n_applications": _count(submitted.filter(**{app_key: OuterRef("pk")}), app_key),
        "n_private": _count(submitted.filter(**{app_key: OuterRef("pk")}, private_enterprise=True), app_key),
        "n_in_progress": _count(Application.objects.filter(**{app_key: OuterRef("pk")},
                                                           status__in=IN_PROGRESS_STATUSES), app_key),
        "n_candidates": _count(candidates, cand_key, Count("application", distinct=True)),
        "n_passes": _count(candidates.filter(outcome=MeetingCandidate.Outcome.PASSED, excluded_by_ceiling=False),
                           cand_key, Count("application", distinct=True)),
        "fees_total": Coalesce(Subquery(fees.order_by().values(key).annotate(s=Sum("amount")).values("s")[:1],
                                        output_field=DecimalField(max_digits=14, decimal_places=2)),
                               Value(Decimal("0.00")), output_field=DecimalField(max_digits=14, decimal_places=2)),
        "n_fees": _count(fees, key),
        "n_open_alerts": _count(OversightAlert.objects.filter(**{key: OuterRef("pk")},
                                                              status=OversightAlert.Status.OPEN), key),
    }


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001")) if whole else None


def _refusals_by_call(call_ids: list[int]) -> dict[int, int]:
    """Refusals recorded by the R2.1/R6.4 guards, per call (one grouped query)."""
    if not call_ids:
        return {}
    rows = (AuditEvent.objects.filter(action=REFUSAL_ACTION, object_type="applications.call",
                                      object_id__in=[str(pk) for pk in call_ids])
            .values("object_id").annotate(n=Count("pk")).order_by())
    return {int(r["object_id"]): r["n"] for r in rows}


def committees_for_overseer(*, user, status: str = "") -> QuerySet[Committee]:
    """Committees with their figures (applications, passes, private share, fees,
    sanctions, open alerts) computed by subqueries: one query per page."""
    qs = _scope_committees(Committee.objects.all(), user)
    if status in Committee.Status.values:
        qs = qs.filter(status=status)
    return (qs.select_related("series", "filed_by", "organizer")
            .annotate(**_figures("committee"),
                      n_calls=_count(Call.objects.filter(committee=OuterRef("pk")), "committee"),
                      n_sanctions=_count(CommitteeSanction.objects.filter(committee=OuterRef("pk")), "committee"))
            .order_by("name", "pk"))


def decorate_committees(committees: list[Committee]) -> list[Committee]:
    """Add refusals and pass rate to a page of committees (one more query)."""
    calls = dict(Call.objects.filter(committee__in=[c.pk for c in committees]).values_list("pk", "committee_id"))
    per_committee: dict[int, int] = defaultdict(int)
    for call_id, n in _refusals_by_call(list(calls)).items():
        per_committee[calls[call_id]] += n
    for c in committees:
        c.n_refusals = per_committee.get(c.pk, 0)
        c.pass_rate = rate(c.n_passes, c.n_candidates)
        c.private_share = rate(c.n_private, c.n_applications)
    return committees


def committee_for_overseer(*, user, pk: int) -> Committee | None:
    qs = _scope_committees(Committee.objects.filter(pk=pk), user)
    return (qs.select_related("series", "filed_by", "filed_by__region", "organizer")
            .annotate(**_figures("committee")).first())


def calls_with_figures(*, committee: Committee | None = None, call_ids: list[int] | None = None) -> list[Call]:
    """The calls (of a committee, or by id) with their figures, pass rate
    against the ceiling and refusals: two queries whatever the count."""
    from review.services.meetings import ceiling_allows

    qs = Call.objects.all()
    if committee is not None:
        qs = qs.filter(committee=committee)
    if call_ids is not None:
        qs = qs.filter(pk__in=call_ids)
    calls = list(qs.select_related("committee", "series")
                 .annotate(**_figures("call"),
                           review_ended_at=Subquery(Meeting.objects.filter(call=OuterRef("pk"), status="closed")
                                                    .order_by().values("call").annotate(m=Max("closed_at"))
                                                    .values("m")[:1]),
                           n_filings=_count(ResultFiling.objects.filter(period__call=OuterRef("pk")), "period__call"))
                 .order_by("-opens_at", "-pk"))
    refusals = _refusals_by_call([c.pk for c in calls])
    now = timezone.now()
    for c in calls:
        c.n_refusals = refusals.get(c.pk, 0)
        c.pass_rate = rate(c.n_passes, c.n_candidates)
        c.private_share = rate(c.n_private, c.n_applications)
        c.over_ceiling = bool(c.n_candidates) and not ceiling_allows(passes=c.n_passes, candidates=c.n_candidates,
                                                                      ceiling=c.pass_rate_ceiling)
        c.is_open = c.closes_at >= now
    return calls


def call_for_overseer(*, user, pk: int) -> Call | None:
    call = _scope_committees(Call.objects.filter(pk=pk, committee__isnull=False), user, "committee__").first()
    if call is None:
        return None
    return calls_with_figures(call_ids=[call.pk])[0]


def call_status_counts(*, call: Call) -> list[tuple[str, int]]:
    rows = dict(Application.objects.filter(call=call).exclude(status=ApplicationStatus.DRAFT)
                .values_list("status").annotate(n=Count("pk")).order_by())
    return [(s.label, rows[s.value]) for s in ApplicationStatus if rows.get(s.value)]


def stage_times(*, call: Call, now: dt.datetime | None = None) -> list[dict]:
    """Days spent in each stage by the call's applications, from the audit
    trail (every status change is an audited event with the new status).
    One query; the time in the current stage runs until ``now``."""
    now = now or timezone.now()
    ids = [str(pk) for pk in Application.objects.filter(call=call).values_list("pk", flat=True)]
    if not ids:
        return []
    events = (AuditEvent.objects.filter(object_type="applications.application", object_id__in=ids)
              .order_by("object_id", F("seq").asc(nulls_last=True), "id")
              .values_list("object_id", "created_at", "after__status"))
    spans: dict[str, list[float]] = defaultdict(list)
    current: dict[str, tuple[str, dt.datetime]] = {}
    for object_id, at, status in events:
        if not status:
            continue
        previous = current.get(object_id)
        if previous and previous[0] == status:
            continue
        if previous:
            spans[previous[0]].append((at - previous[1]).total_seconds() / 86400)
        current[object_id] = (status, at)
    for status, since in current.values():
        if status not in FINAL_STATUSES:
            spans[status].append((now - since).total_seconds() / 86400)
    labels = dict(ApplicationStatus.choices)
    order = {s.value: n for n, s in enumerate(ApplicationStatus)}
    return [{"status": status, "label": labels.get(status, status), "n": len(days),
             "mean_days": round(mean(days), 1), "max_days": round(max(days), 1)}
            for status, days in sorted(spans.items(), key=lambda kv: order.get(kv[0], 99)) if days]


def committee_sanctions(*, committee: Committee) -> list[CommitteeSanction]:
    return list(committee.sanctions.select_related("decided_by", "lifted_by").order_by("-decided_at", "-pk"))


#: Sanctions that stop the committee's calls while in force (R6.8, R2.3).
STOPPING_SANCTIONS = (CommitteeSanction.Kind.SUSPENSION, CommitteeSanction.Kind.WITHDRAWAL)


def sanction_effects(*, committee: Committee, calls: list[Call]) -> list[dict]:
    """Each sanction with the open calls it stops (a suspension in force or a
    withdrawal); the other kinds are recorded without stopping anything."""
    affected = [c for c in calls if c.is_open or c.n_in_progress]
    rows = []
    for sanction in committee_sanctions(committee=committee):
        stops = sanction.kind in STOPPING_SANCTIONS and sanction.lifted_at is None
        rows.append({"sanction": sanction, "stops": stops, "calls": affected if stops else []})
    return rows


# --- Alerts -------------------------------------------------------------------------------------

def alerts_for_user(*, user, status: str = "") -> QuerySet[OversightAlert]:
    qs = _scope_committees(OversightAlert.objects.all(), user, "committee__")
    if status in OversightAlert.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("committee", "call", "acknowledged_by").order_by("status", "-raised_at", "-pk")


def alert_for_user(*, user, pk: int) -> OversightAlert | None:
    return alerts_for_user(user=user).filter(pk=pk).first()


# --- Duplicate evaluation (R6.4) ----------------------------------------------------------

def _scope_applications(qs: QuerySet, user) -> QuerySet:
    regions = overseer_region_ids(user)
    return qs if regions is None else qs.filter(region__in=regions)


DUPLICATE_REPORT_LIMIT = 500


def duplicate_evaluations(*, user) -> list[dict]:
    """People evaluated by more than one committee for the same series and
    year (whatever the status, drafts aside), and anyone with more than one
    live application for a series and year. The R6.4 guards and the partial
    unique index make both impossible; this report proves it. Three queries."""
    base = _scope_applications(Application.objects.exclude(status=ApplicationStatus.DRAFT), user)
    multi = (base.filter(call__committee__isnull=False).values("applicant", "series", "year")
             .annotate(n=Count("call__committee", distinct=True)).filter(n__gt=1).order_by())
    live = (base.filter(status__in=LIVE_STATUSES).values("applicant", "series", "year")
            .annotate(n=Count("pk")).filter(n__gt=1).order_by())
    reasons: dict[tuple, set[str]] = defaultdict(set)
    for row in list(multi[:DUPLICATE_REPORT_LIMIT]):
        reasons[(row["applicant"], row["series"], row["year"])].add("committees")
    for row in list(live[:DUPLICATE_REPORT_LIMIT]):
        reasons[(row["applicant"], row["series"], row["year"])].add("live")
    if not reasons:
        return []
    people = {k[0] for k in reasons}
    apps = (base.filter(applicant__in=people).select_related("applicant", "series", "call", "call__committee",
                                                             "specialty", "region")
            .order_by("applicant_id", "series_id", "year", "pk"))
    groups: dict[tuple, dict] = {}
    for a in apps:
        key = (a.applicant_id, a.series_id, a.year)
        if key not in reasons:
            continue
        group = groups.setdefault(key, {"applicant": a.applicant, "series": a.series, "year": a.year,
                                        "multi_committee": "committees" in reasons[key],
                                        "multi_live": "live" in reasons[key], "applications": []})
        group["applications"].append(a)
    return sorted(groups.values(), key=lambda g: (g["year"], g["series"].order, g["applicant"].real_name))


# --- Enterprise view (R5.4) -----------------------------------------------------------------

def enterprises_for_hr(*, user) -> QuerySet[Organization]:
    from portal import selectors as portal_selectors

    return portal_selectors.organizations_for_hr(user=user).order_by("name", "pk")


def enterprise_for_hr(*, user, pk: int) -> Organization | None:
    return certificate_selectors.enterprise_for_hr(user=user, pk=pk)


def enterprise_staff(*, organization: Organization, name: str = "", series_id: int | None = None,
                     level: str = "") -> QuerySet[Employment]:
    """R5.4: the enterprise's confirmed employees, each with the titles they
    hold, their applications in progress through this enterprise and their
    certificates (three prefetch queries, whatever the number of people).
    A series or level filter keeps the people with a matching item and
    shows only the matching items."""
    match = Q()
    if series_id:
        match &= Q(series_id=series_id)
    if level:
        match &= Q(level=level)
    titles = TitleHeld.objects.filter(match).select_related("series").order_by("-granted_on", "-pk")
    apps = (Application.objects.filter(match, employer=organization, status__in=IN_PROGRESS_STATUSES)
            .select_related("series", "specialty", "call").order_by("-submitted_at", "-pk"))
    # The series (and specialty) joined: the export names them in the reader's language (``series_display``).
    certs = Certificate.objects.filter(match).select_related("series", "specialty").order_by("-date_issued", "-pk")
    qs = (Employment.objects.filter(employer=organization, status=Employment.Status.CONFIRMED)
          .select_related("user"))
    if name:
        from portal.names import name_key

        qs = qs.filter(Q(user__real_name__icontains=name) | Q(user__name_key__contains=name_key(name) or name))
    if series_id or level:
        people = Q(user__titles_held__in=titles) | Q(user__certificates__in=certs) | Q(user__applications__in=apps)
        qs = qs.filter(pk__in=Employment.objects.filter(people).values("pk"))
    return (qs.prefetch_related(Prefetch("user__titles_held", queryset=titles, to_attr="titles"),
                                Prefetch("user__applications", queryset=apps, to_attr="open_applications"),
                                Prefetch("user__certificates", queryset=certs, to_attr="certificate_list"))
            .order_by("user__real_name", "pk"))


__all__ = [
    "IN_PROGRESS_STATUSES", "REFUSAL_ACTION", "alert_for_user", "alerts_for_user", "call_for_overseer",
    "call_status_counts", "calls_with_figures", "committee_for_overseer", "committees_for_overseer",
    "decorate_committees", "duplicate_evaluations", "enterprise_for_hr", "enterprise_staff", "enterprises_for_hr",
    "may_oversee", "overseer_region_ids", "rate", "sanction_effects", "stage_times",
]
