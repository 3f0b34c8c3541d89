"""Reads of the applications app, each for one purpose, filtered by what the
user may see, with the joins that keep query counts flat.

Who sees an application (the same rules answer the pages and the API):

- the applicant, always;
- once submitted: HR of the reviewing unit (employer, dispatching employer or
  original unit) and HR of the employer (R5.4); officers of its acceptance
  body (which serves its region and series, R1.4); officers of the HR bureau
  of its region (R6.1).

Lists are paginated by keyset on the id (newest first), so a page costs the
same at 1,000 or 100,000 rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from applications import corrections as correction_views
from applications.models import (
    Achievement,
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    Correction,
    CorrectionRound,
    Specialty,
    TitleName,
    TitleSeries,
)
from applications.title_names import title_in_language
from portal.compiled_sql import CompiledValues, InList
from portal.models import AuditEvent, Membership, Organization, User, name_in_language

S = ApplicationStatus
PAGE_SIZE = 25
#: What a list row needs, in one query.
ROW_RELATED = ("applicant", "specialty", "series", "region", "employer", "call")


def catalogue_series() -> QuerySet[TitleSeries]:
    """Active series with their titles and active specialties (3 queries)."""
    return TitleSeries.objects.filter(is_active=True).prefetch_related(
        Prefetch("titles", queryset=TitleName.objects.order_by("rank")),
        Prefetch("specialties", queryset=Specialty.objects.filter(is_active=True).order_by("name")),
    )


# --- Who the user is to applications ------------------------------------------

@dataclass
class ReviewerScope:
    """The organisations and regions through which a user reviews."""

    hr_org_ids: set[int] = field(default_factory=set)  # units whose title work the user does
    officer_org_ids: set[int] = field(default_factory=set)  # acceptance bodies and bureaus
    bureau_region_ids: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.hr_org_ids or self.officer_org_ids or self.bureau_region_ids)


def reviewer_scope(*, user: User) -> ReviewerScope:
    """Two queries: the user's active memberships, and the enterprises whose
    title work they may do (django-guardian ``work_organization``)."""
    scope = ReviewerScope()
    if user is None or not user.is_authenticated:
        return scope
    rows = Membership.objects.filter(user=user, is_active=True, organization__status=Organization.Status.ACTIVE
                                     ).values_list("organization_id", "role", "organization__kind",
                                                   "organization__region_id")
    enterprise_hr = False
    for org_id, role, kind, region_id in rows:
        if role in (Membership.OrgRole.HR_ADMIN, Membership.OrgRole.HR_STAFF):
            if kind == Organization.Kind.ENTERPRISE:
                enterprise_hr = True
            else:
                scope.hr_org_ids.add(org_id)
        elif role == Membership.OrgRole.OFFICER:
            scope.officer_org_ids.add(org_id)
            if kind == Organization.Kind.HR_BUREAU:
                scope.bureau_region_ids.add(region_id)
    if enterprise_hr:
        from portal.selectors import organizations_for_hr

        scope.hr_org_ids |= set(organizations_for_hr(user=user).values_list("pk", flat=True))
    return scope


def visible_q(*, user: User, scope: ReviewerScope | None = None) -> Q:
    """The filter of applications ``user`` may see."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    scope = scope or reviewer_scope(user=user)
    mine = Q(applicant=user)
    if scope.empty:
        return mine
    reviewed = Q(pk__in=[])
    if scope.hr_org_ids:
        reviewed |= Q(sponsor_id__in=scope.hr_org_ids) | Q(employer_id__in=scope.hr_org_ids)
    if scope.officer_org_ids:
        reviewed |= Q(acceptance_body_id__in=scope.officer_org_ids)
    if scope.bureau_region_ids:
        reviewed |= Q(region_id__in=scope.bureau_region_ids)
    return mine | (Q(submitted_at__isnull=False) & reviewed)


def application_list_for_user(*, user: User) -> QuerySet[Application]:
    return Application.objects.filter(visible_q(user=user)).select_related(*ROW_RELATED).order_by("-id")


def application_get_for_user(*, user: User, pk: int, page: bool = True) -> Application | None:
    """One application with everything a detail page shows, if visible.
    ``page=False``: what the API's ``ApplicationOutput`` shows, without the correction rounds, the
    unit objections, the call's committee and bureau and the pledge that only the page shows."""
    where = visible_q(user=user)
    prefetches = _api_prefetches()
    joins = ["applicant", "call", "series", "specialty", "region", "employer", "sponsor", "acceptance_body"]
    if page:
        prefetches += [
            Prefetch("correction_rounds", queryset=CorrectionRound.objects.select_related("returned_by")
                     .prefetch_related(Prefetch("corrections", queryset=Correction.objects.order_by("id")))),
            "unit_objections"]
        joins += ["call__committee", "call__bureau", "pledge"]
    # (Fewer joins for the API: PostgreSQL spent ~10 ms planning the twelve-table join of every autosave.)
    return Application.objects.filter(where, pk=pk).select_related(*joins).prefetch_related(*prefetches).first()


def _api_prefetches() -> list:
    """What the API's ``ApplicationOutput`` lists: achievements with their evidence, the
    materials, the corrections."""
    return [
        Prefetch("achievements", queryset=Achievement.objects.prefetch_related(
            Prefetch("evidence", queryset=Attachment.objects.order_by("id")))),
        Prefetch("attachments", queryset=Attachment.objects.filter(achievement__isnull=True)
                 .order_by("material", "id"), to_attr="materials"),
        Prefetch("corrections", queryset=Correction.objects.select_related("requested_by", "round")),
    ]


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


#: The answer's two lists of an application, compiled once per connection (portal.compiled_sql), in
#: the order their prefetches read them: achievements by kind and id, materials by material and id.
_ACHIEVEMENTS = CompiledValues(lambda pk: Achievement.objects.filter(application_id=pk).values(
    *_fields(Achievement)), pk=int)
_MATERIALS = CompiledValues(lambda pk: Attachment.objects.filter(application_id=pk, achievement__isnull=True)
                            .order_by("material", "id").values(*_fields(Attachment)), pk=int)


def _prefetched(application: Application, name: str, model, rows: list) -> None:
    """Leave ``rows`` in ``application.<name>`` as a prefetch that read them leaves them."""
    done = model.objects.none()
    done._result_cache, done._prefetch_done = rows, True
    if not hasattr(application, "_prefetched_objects_cache"):
        application._prefetched_objects_cache = {}
    application._prefetched_objects_cache[name] = done


def application_with_api_lists(application: Application) -> Application:
    """``application`` (read with the objects ``ApplicationOutput`` names: applicant, call, series,
    specialty, region, employer, sponsor, acceptance body) with the lists it shows, as
    ``application_get_for_user(page=False)`` reads them: the answer to an autosave without a second
    read of the application (issue 15). The achievements and materials are read by SQL compiled
    once; an achievement's evidence by its prefetch. A draft has no corrections to read: corrections
    come only with a return, and nothing leads an application back to a draft (``workflow``)."""
    db = application._state.db or "default"
    names = _fields(Achievement)
    achievements = [Achievement.from_db(db, names, [row[n] for n in names])
                    for row in _ACHIEVEMENTS(using=db, pk=application.pk)]
    for achievement in achievements:
        Achievement.application.field.set_cached_value(achievement, application)  # as the prefetch does
    if achievements:
        prefetch_related_objects(achievements, Prefetch("evidence", queryset=Attachment.objects.order_by("id")))
    _prefetched(application, "achievements", Achievement, achievements)
    names = _fields(Attachment)
    application.materials = [Attachment.from_db(db, names, [row[n] for n in names])
                             for row in _MATERIALS(using=db, pk=application.pk)]
    if application.status == S.DRAFT:
        _prefetched(application, "corrections", Correction, [])
    else:
        prefetch_related_objects([application], *[p for p in _api_prefetches() if p.prefetch_to == "corrections"])
    return application


# --- The applicant's dashboard, read by compiled queries (issue 15) ---------------------------

class DashboardApplication:
    """One card of the applicant's dashboard: what it shows and what its stages and deadline read."""

    __slots__ = ("pk", "title_name", "channel", "status", "returned_from", "publicity_ends_on",
                 "correction_due_on", "call_names", "call_closes_at", "series_names", "specialty_names",
                 "series_id", "level")

    def __init__(self, pk, title_name, channel, status, returned_from, publicity_ends_on, correction_due_on,
                 call_names, call_closes_at, series_names, specialty_names, series_id=None, level=""):
        self.pk, self.title_name, self.channel, self.status = pk, title_name, channel, status
        self.returned_from, self.publicity_ends_on, self.correction_due_on = (returned_from, publicity_ends_on,
                                                                              correction_due_on)
        self.call_closes_at = call_closes_at
        # each (name, name_en, name_ug)
        self.call_names, self.series_names, self.specialty_names = call_names, series_names, specialty_names
        self.series_id, self.level = series_id, level

    @property
    def title_display(self) -> str:
        """The target title in the page's language (as ``Application.title_display``)."""
        return title_in_language(series_id=self.series_id, level=self.level, stored=self.title_name)

    @property
    def call_display(self) -> str:
        """The call's name in the page's language (as ``Call.display_name``)."""
        return name_in_language(*self.call_names)


class TimelineEvent:
    """A milestone of an application's audit trail as the dashboard's timeline shows it."""

    __slots__ = ("created_at", "actor_label", "action", "after", "reason")

    def __init__(self, created_at, actor_label, action, after, reason):
        self.created_at, self.actor_label, self.action, self.after, self.reason = (created_at, actor_label,
                                                                                   action, after, reason)


_DASHBOARD_COLUMNS = ("pk", "title_name", "channel", "status", "returned_from", "publicity_ends_on",
                      "correction_due_on", "call__name", "call__name_en", "call__name_ug", "call__closes_at",
                      "series__name", "series__name_en",
                      "series__name_ug", "specialty__name", "specialty__name_en", "specialty__name_ug",
                      "series_id", "level")


@functools.lru_cache(maxsize=8)
def _dashboard_reads(limit: int) -> tuple[CompiledValues, CompiledValues]:
    """The dashboard's two reads for ``limit`` applications, compiled once per process and connection
    (``portal.compiled_sql``): the ORM took longer to compile them than the database took to answer,
    on every load of the page (issue 15)."""
    applications = CompiledValues(
        lambda user_id: Application.objects.filter(applicant_id=user_id).order_by("-id")
        .values(*_DASHBOARD_COLUMNS)[:limit], user_id=int)
    events = CompiledValues(
        lambda ids: AuditEvent.objects.filter(object_type="applications.application", action__in=MILESTONES,
                                              object_id__in=ids)
        .order_by(F("seq").asc(nulls_last=True), "id")  # then those not yet chained, as application_events
        .values("created_at", "actor_label", "action", "object_id", "after", "reason"),
        ids=InList(str, limit))
    return applications, events


def applicant_dashboard(*, user: User, limit: int) -> tuple[list[DashboardApplication],
                                                              dict[int, list[TimelineEvent]]]:
    """The applicant's ``limit`` newest applications (newest first) with their milestone events
    (oldest first, as ``application_events(milestones_only=True)``): two queries, one when there is no
    application. Only the applicant's own: the applications are read by ``applicant_id``."""
    read_applications, read_events = _dashboard_reads(limit)
    applications = [
        DashboardApplication(r["pk"], r["title_name"], r["channel"], r["status"], r["returned_from"],
                             r["publicity_ends_on"], r["correction_due_on"],
                             (r["call__name"], r["call__name_en"], r["call__name_ug"]), r["call__closes_at"],
                             (r["series__name"], r["series__name_en"], r["series__name_ug"]),
                             (r["specialty__name"], r["specialty__name_en"], r["specialty__name_ug"]),
                             r["series_id"], r["level"])
        for r in read_applications(user_id=user.pk)]
    events: dict[int, list[TimelineEvent]] = {a.pk: [] for a in applications}
    if applications:
        for r in read_events(ids=[str(a.pk) for a in applications]):
            events[int(r["object_id"])].append(TimelineEvent(r["created_at"], r["actor_label"], r["action"],
                                                             r["after"], r["reason"]))
    return applications, events


# --- Timelines and changes ------------------------------------------------------

def application_events(*, application_ids: list[int], milestones_only: bool = False) -> dict[int, list[AuditEvent]]:
    """The audit events of several applications, oldest first (one query); with ``milestones_only``
    just the milestones (``MILESTONES``) and the columns ``timeline_rows`` shows, as the
    applicant's dashboard wants them."""
    events: dict[int, list[AuditEvent]] = {pk: [] for pk in application_ids}
    qs = (AuditEvent.objects.filter(object_type="applications.application",
                                    object_id__in=[str(pk) for pk in application_ids])
          .order_by(F("seq").asc(nulls_last=True), "id"))  # then those not yet chained
    if milestones_only:
        qs = qs.filter(action__in=MILESTONES).only("pk", "created_at", "actor_label", "action", "object_id",
                                                   "reason", "after")
    for event in qs:
        events[int(event.object_id)].append(event)
    return events


def application_timeline(*, application: Application) -> list[AuditEvent]:
    return application_events(application_ids=[application.pk])[application.pk]


def application_correction_rounds(*, application: Application) -> list[correction_views.RoundView]:
    """Every return of the application, newest first, each correction with
    the changes that answer it (compared with the content now while the
    application is still returned). Uses the prefetch of
    ``application_get_for_user``; one more query for specialty names."""
    rounds = list(application.correction_rounds.all())
    if not rounds:
        return []
    live = correction_views.application_content(application) if any(r.resubmitted_at is None for r in rounds) else None
    ids = correction_views.specialty_ids(live, *[r.content_before for r in rounds], *[r.content_after for r in rounds])
    names = ({s.pk: s.display_name for s in Specialty.objects.filter(pk__in=ids).only("pk", "name", "name_en")}
             if ids else {})
    return [correction_views.round_view(r, live_content=live, specialty_names=names) for r in reversed(rounds)]


def corrections_without_round(*, application: Application) -> list[Correction]:
    """Corrections asked for before returns kept the content (shown without a comparison)."""
    return [c for c in application.corrections.all() if c.round_id is None]


RETURN_ACTIONS = ("application.employer_return", "application.acceptance_return", "application.audit_return")
CHANGE_ACTIONS = ("application.edit", "application.achievement_add", "application.achievement_change",
                  "application.achievement_remove", "application.attachment_add", "application.attachment_remove",
                  "application.correction_answer")


# --- Calls ------------------------------------------------------------------------

def call_owners_for_user(*, user: User) -> list[tuple[str, str]]:
    """What the user may open calls for: committees they are the secretary
    of, bureaus they are an officer of (``committee:<id>`` / ``bureau:<id>``)."""
    from portal.models import Committee, CommitteeMember

    committees = Committee.objects.filter(members__user=user, members__is_active=True,
                                          members__role=CommitteeMember.Role.SECRETARY).distinct()
    bureaus = Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, status=Organization.Status.ACTIVE,
                                          memberships__user=user, memberships__is_active=True,
                                          memberships__role=Membership.OrgRole.OFFICER).distinct()
    return ([(f"committee:{c.pk}", c.display_name) for c in committees.order_by("name")]
            + [(f"bureau:{b.pk}", b.name) for b in bureaus.order_by("name")])


def open_calls_list(*, now: dt.datetime | None = None, limit: int) -> list[dict]:
    """The first open calls by closing date as the applicant's dashboard lists them: ``pk``,
    ``name`` and ``series`` (both in the active language) and ``closes_at``; in one narrow query, or none
    when the process keeps the current calls (``applications.open_calls``)."""
    from applications import open_calls as kept

    if now is None:  # the clock: what each process keeps under the calls version (applications.open_calls)
        rows = kept.first_open(limit=limit)
    else:
        rows = (Call.objects.filter(opens_at__lte=now, closes_at__gte=now).order_by("closes_at", "pk")
                .values_list(*kept.COLUMNS)[:limit])
    return [{"pk": pk, "name": name_in_language(name, name_en, name_ug), "closes_at": closes_at,
             "series": name_in_language(*series)}
            for pk, name, _opens_at, closes_at, name_en, name_ug, *series in rows]


def call_with_names(*, pk: int) -> Call:
    """One call as the API gives it (``CallOutput``), after its names were changed by who may."""
    return (Call.objects.select_related("series", "committee", "bureau", "entrusted_by")
            .prefetch_related("specialties").get(pk=pk))


def open_calls(*, now: dt.datetime | None = None) -> QuerySet[Call]:
    now = now or timezone.now()
    return (Call.objects.filter(opens_at__lte=now, closes_at__gte=now)
            .select_related("series", "committee", "bureau__region", "entrusted_by")
            .prefetch_related("specialties").order_by("closes_at", "pk"))


# --- Keyset pagination --------------------------------------------------------------

@dataclass
class KeysetPage:
    rows: list
    next_after: int | None
    prev_before: int | None
    size: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def keyset_page(qs: QuerySet, *, after=None, before=None, size: int = PAGE_SIZE) -> KeysetPage:
    """Newest first by id; ``after`` = the last id of the previous page,
    ``before`` = the first id of the next page (one query, plus none)."""
    after, before = _cursor(after), _cursor(before)
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("id")[:size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows, rows[-1].pk if rows else None, rows[0].pk if rows and more_before else None, size)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.order_by("-id")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, rows[-1].pk if rows and more else None, rows[0].pk if rows and after else None, size)


# --- Reviewers' lists -----------------------------------------------------------------

def hr_applications(*, organization: Organization, status: str = "", level: str = "", pathway: str = "",
                    name: str = "") -> QuerySet[Application]:
    """Applications of an enterprise's employees (employer) or that the unit
    reviews (sponsor), submitted ones only."""
    column = "employer" if organization.kind == Organization.Kind.ENTERPRISE else "sponsor"
    qs = Application.objects.filter(**{column: organization}, submitted_at__isnull=False)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if pathway:
        qs = qs.filter(pathway=pathway)
    if name:
        from portal.names import name_key

        # 买买提.艾力 finds 买买提·艾力: the name's key, whatever form of the dot was typed.
        key = name_key(name) or name
        qs = qs.filter(Q(applicant__real_name__icontains=name) | Q(applicant__name_key__contains=key))
    return qs.select_related(*ROW_RELATED)


def hr_status_counts(*, organization: Organization) -> dict[str, int]:
    """How many wait for the unit: in employer review and in unit publicity.
    Index-only counts on (employer or sponsor, status): they cost what is
    waiting, not what the unit has ever had."""
    column = "employer" if organization.kind == Organization.Kind.ENTERPRISE else "sponsor"
    qs = Application.objects.filter(**{column: organization})
    return {status: qs.filter(status=status).count() for status in (S.EMPLOYER_REVIEW, S.UNIT_PUBLICITY)}


def sponsor_organization_for_user(*, user: User, pk: int) -> Organization | None:
    """A unit whose title work ``user`` does (an enterprise by guardian
    permission; an institution by HR membership)."""
    scope = reviewer_scope(user=user)
    if pk not in scope.hr_org_ids:
        return None
    return Organization.objects.filter(pk=pk).select_related("region").first()


def acceptance_queue(*, user: User, scope: ReviewerScope | None = None) -> QuerySet[Application]:
    """Applications waiting for acceptance at the user's acceptance bodies."""
    scope = scope or reviewer_scope(user=user)
    return (Application.objects.filter(status=S.ACCEPTANCE, acceptance_body_id__in=scope.officer_org_ids)
            .select_related(*ROW_RELATED))


def audit_queue(*, user: User, scope: ReviewerScope | None = None) -> QuerySet[Application]:
    """Applications waiting for the qualification audit of the user's bureau (R6.1)."""
    scope = scope or reviewer_scope(user=user)
    return (Application.objects.filter(status=S.QUALIFICATION_AUDIT, region_id__in=scope.bureau_region_ids)
            .select_related(*ROW_RELATED))


def unit_publicity_list(*, region_id: int | None = None) -> QuerySet[Application]:
    """R5.5: applications in unit publicity (public, shown with masked names)."""
    qs = Application.objects.filter(status=S.UNIT_PUBLICITY)
    if region_id:
        qs = qs.filter(region_id=region_id)
    return qs.select_related("applicant", "specialty", "series", "region", "sponsor")


def unit_publicity_get(*, pk: int) -> Application | None:
    return unit_publicity_list().filter(pk=pk).first()


# --- Deadlines and stages shown to the applicant ---------------------------------------

from django.utils.translation import gettext_lazy as _  # noqa: E402

from applications.choices import Channel  # noqa: E402


@dataclass
class Deadline:
    label: str
    at: dt.datetime
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.at < timezone.now()


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def application_deadline(application: Application, *, now: dt.datetime | None = None) -> Deadline | None:
    """The deadline the applicant watches: the call's close for a draft, the
    correction's due date when returned, the end of unit publicity."""
    return deadline_of(status=application.status, closes_at=application.call.closes_at,
                       correction_due_on=application.correction_due_on,
                       publicity_ends_on=application.publicity_ends_on, now=now)


def deadline_of(*, status: str, closes_at: dt.datetime, correction_due_on: dt.date | None,
                publicity_ends_on: dt.date | None, now: dt.datetime | None = None) -> Deadline | None:
    """``application_deadline`` from the values it reads (the call's closing time, the due dates)."""
    now = now or timezone.now()
    if status == S.DRAFT:
        label, at = _("Call closes"), closes_at
    elif status == S.RETURNED and correction_due_on:
        label, at = _("Corrections due"), _end_of(correction_due_on)
    elif status == S.UNIT_PUBLICITY and publicity_ends_on:
        label, at = _("Unit publicity ends"), _end_of(publicity_ends_on)
    else:
        return None
    days = (timezone.localtime(at).date() - timezone.localtime(now).date()).days
    return Deadline(str(label), at, days)


STAGES = [
    (S.DRAFT, _("Draft")),
    (S.EMPLOYER_REVIEW, _("Employer review")),
    (S.UNIT_PUBLICITY, _("Unit publicity")),
    (S.ACCEPTANCE, _("Acceptance")),
    (S.QUALIFICATION_AUDIT, _("Qualification audit")),
    (S.READY, _("Ready for evaluation")),
]


def application_stages(application: Application) -> list[dict]:
    """The stages up to evaluation, marked done, current or to come (freelancers
    through an agency or association skip the employer, R1.4)."""
    return stages_of(channel=application.channel, status=application.status,
                     returned_from=application.returned_from)


def stages_of(*, channel: str, status: str, returned_from: str) -> list[dict]:
    """``application_stages`` from the values it reads."""
    direct = channel in (Channel.AGENCY, Channel.ASSOCIATION)
    stages = [(code, label) for code, label in STAGES
              if not (direct and code in (S.EMPLOYER_REVIEW, S.UNIT_PUBLICITY))]
    codes = [code for code, _label in stages]
    if status == S.RETURNED:
        status = returned_from or S.EMPLOYER_REVIEW
    if status in codes:
        current = codes.index(status)
    elif status in (S.WITHDRAWN, S.REJECTED):
        current = -1
    else:  # in evaluation and after
        current = len(codes)
    return [{"code": code, "label": label,
             "state": "done" if i < current else ("current" if i == current else "todo")}
            for i, (code, label) in enumerate(stages)]


ACTION_LABELS = {
    "application.create": _("Draft created"),
    "application.edit": _("Edited"),
    "application.achievement_add": _("Achievement added"),
    "application.achievement_change": _("Achievement changed"),
    "application.achievement_remove": _("Achievement removed"),
    "application.attachment_add": _("File added"),
    "application.attachment_remove": _("File removed"),
    "application.submit": _("Submitted with the integrity pledge"),
    "application.resubmit": _("Corrected and resubmitted"),
    "application.correction_answer": _("Correction answered"),
    "application.withdraw": _("Withdrawn"),
    "application.employer_approve": _("Approved by the employer; unit publicity begins"),
    "application.employer_return": _("Returned for correction by the employer"),
    "application.publicity_end": _("Unit publicity ended; forwarded for acceptance"),
    "application.publicity_reject": _("Rejected after unit publicity"),
    "application.unit_objection": _("Objection raised during unit publicity"),
    "application.unit_objection_answer": _("Objection answered"),
    "application.accept": _("Accepted; sent to the qualification audit"),
    "application.acceptance_return": _("Returned for correction by the acceptance body"),
    "application.audit_approve": _("Passed the qualification audit"),
    "application.audit_return": _("Returned for correction by the bureau"),
    "application.audit_reject": _("Rejected at the qualification audit"),
    "application.start_evaluation": _("Evaluation started"),
    "application.pass": _("Passed the evaluation"),
    "application.fail": _("Not passed"),
    "application.publicise_result": _("Result publicised"),
    "application.withdraw_result": _("Result withdrawn"),
    "application.grant": _("Title granted"),
}

#: What the applicant's timeline shows (the edits are many; the reviewer sees them as changes).
MILESTONES = tuple(a for a in ACTION_LABELS if a not in CHANGE_ACTIONS and a != "application.edit")


def timeline_rows(events: list[AuditEvent], *, milestones_only: bool = False,
                  application: Application | None = None) -> list[dict]:
    """Events in words; a return lists its corrections by what they name
    (the field's label, the achievement's title, the file's name), taken from
    the content the return froze, else from ``application`` as it is now."""
    rounds = {r.pk: r for r in application.correction_rounds.all()} if application is not None else {}
    live = None
    rows = []
    for event in events:
        if milestones_only and event.action not in MILESTONES:
            continue
        after = event.after or {}
        items = after.get("corrections", []) if event.action in RETURN_ACTIONS else []
        shown = []
        for item in items if isinstance(items, list) else []:
            correction_round = rounds.get(after.get("round"))
            content = correction_round.content_before if correction_round is not None else None
            if content is None and application is not None:
                live = live if live is not None else correction_views.application_content(application)
                content = live
            shown.append({"label": correction_views.target_label(str(item.get("target", "")), content=content,
                                                                 item_title=item.get("item", "")),
                          "message": item.get("message", "")})
        rows.append({"event": event, "label": ACTION_LABELS.get(event.action, _("Other step")),
                     "corrections": shown})
    return rows


# --- The application form (申报表) as a PDF ---------------------------------------------

def application_form_pdf(*, application: Application) -> bytes:
    """The application form for the record, rendered by WeasyPrint with the
    Noto CJK fonts the server has (nothing needs paper)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from applications.models import Level

    html = render_to_string("applications/pdf/application_form.html", {
        "application": application, "level_label": Level(application.level).label,
        "achievements": list(application.achievements.all()),
        "materials": list(application.attachments.all()),
        "generated_at": timezone.now(),
    })
    return HTML(string=html).write_pdf()
