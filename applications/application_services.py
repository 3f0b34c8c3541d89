"""Writes of an application from draft to "ready for evaluation" (issue 3).

Every function here checks who may act, runs in a transaction, locks the
application row when its status changes, checks ``APPLICATION_WORKFLOW``,
writes the audit event and notifies the people concerned after commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import asdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import corrections as returns
from applications import eligibility, hooks, workflow
from applications.choices import Channel, Method, Pathway
from applications.models import (
    LIVE_STATUSES,
    Achievement,
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    Correction,
    CorrectionRound,
    IntegrityPledge,
    Level,
    Specialty,
    SubmissionReceipt,
    TitleHeld,
    TitleName,
    TitleSeries,
    UnitObjection,
)
from applications.profile import profile_facts
from applications.receipts import receipt_issue
from applications.tallies import call_status_moved
from portal import calendar
from portal import selectors as portal_selectors
from portal.audit import audit_record, snapshot
from portal.compiled_sql import CompiledSave, CompiledValues, fits_bigint
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, PortalError, RuleViolation
from portal.models import (
    Committee,
    CommitteeMember,
    Employment,
    IntegrityRecord,
    Membership,
    Organization,
    PolicySettings,
    Region,
    Topic,
    User,
)
from portal.notifications import notification_send, notification_settle
from portal.uploads import prepare_document

S = ApplicationStatus
#: An autosave's UPDATE, compiled once per connection and set of columns (issue 15).
_SAVE = CompiledSave(Application)
AUDIT_FIELDS = ("status", "call", "specialty", "level", "pathway", "channel", "employer", "sponsor",
                "acceptance_body", "region", "returned_from", "publicity_ends_on", "correction_due_on")
#: Fields the applicant types; in a returned application only those a correction names unlock.
EDITABLE_FIELDS = ("specialty", "summary", "justification")
#: Fields that may change only while the application is a draft (the call is checked again).
DRAFT_ONLY_FIELDS = ("level", "pathway")
#: Days the applicant has to answer a return, unless the reviewer sets a date.
DEFAULT_CORRECTION_DAYS = 14

#: Materials each pathway must carry, beyond the profile the portal holds (R5.1).
MATERIALS = {
    Pathway.REGULAR: ("work_summary",),
    Pathway.EXCEPTIONAL: ("work_summary", "recommendation"),
    Pathway.RECOGNITION: ("work_summary", "degree_certificate"),
    Pathway.GREEN_CHANNEL: ("work_summary", "recommendation"),
    Pathway.POSTDOC: ("work_summary", "postdoc_evidence"),
    Pathway.SKILLS_CROSSOVER: ("work_summary", "skill_certificate"),
    Pathway.QUALIFICATION: ("work_summary", "qualification_certificate"),
}
#: How many files a material needs at least (two recommendations, R3.6 and R4.3).
MATERIAL_MINIMUM = {"recommendation": 2}
MATERIAL_NAMES = {
    "work_summary": gettext_lazy("Work summary"),
    "recommendation": gettext_lazy("Recommendation letter"),
    "degree_certificate": gettext_lazy("Degree certificate"),
    "postdoc_evidence": gettext_lazy("Postdoctoral grant or project evidence"),
    "skill_certificate": gettext_lazy("Vocational skill certificate"),
    "qualification_certificate": gettext_lazy("Qualification certificate"),
    "evidence": gettext_lazy("Evidence of an achievement"),
    "other": gettext_lazy("Other material"),
}
FIELD_NAMES = {**returns.FIELD_NAMES, "achievements": gettext_lazy("Achievements (add, change or remove)")}
#: The standard text of the integrity pledge (诚信承诺, R6.3).
PLEDGE_TEXT = gettext_lazy(
    "I promise that everything in this application and its materials is true, complete and my own work. "
    "I understand that fraud revokes any title obtained with it, is recorded as an integrity record, and "
    "bars me from applying for the years the rules set (R6.3).")

_HR_ROLES = (Membership.OrgRole.HR_ADMIN, Membership.OrgRole.HR_STAFF)


# --- Reading the actor's relation to an application ------------------------

def application_roles(*, user: User, application: Application) -> set[str]:
    """The workflow roles ``user`` holds for ``application``.

    Nobody reviews their own application: the applicant holds only the
    applicant role, whatever organisations they belong to.
    """
    if user is None or not user.is_authenticated:
        return set()
    if application.applicant_id == user.pk:
        return {workflow.APPLICANT}
    roles: set[str] = set()
    memberships = Membership.objects.filter(user=user, is_active=True).values_list(
        "organization_id", "role", "organization__kind", "organization__status", "organization__region_id")
    for org_id, role, kind, status, region_id in memberships:
        if status != Organization.Status.ACTIVE:
            continue
        if org_id == application.sponsor_id and role in _HR_ROLES and (
                kind != Organization.Kind.ENTERPRISE or user.has_perm("portal.work_organization",
                                                                      Organization(pk=org_id))):
            roles.add(workflow.SPONSOR_HR)
        if org_id == application.acceptance_body_id and role == Membership.OrgRole.OFFICER:
            roles.add(workflow.ACCEPTANCE)
        if (kind == Organization.Kind.HR_BUREAU and role == Membership.OrgRole.OFFICER
                and region_id == application.region_id):
            roles.add(workflow.BUREAU)
    return roles


def _lock(application_id: int, *related: str) -> Application:
    """The application row, locked (only its own row: the joins are nullable); ``related``: more
    objects to read with it."""
    return _locked(Application.objects.select_related("call", "call__committee", "applicant", "series", "region",
                                                      *related), application_id)


def _locked(queryset, application_id: int) -> Application:
    # By primary key: no ORDER BY (``first()`` added the model's, which cost ~0.2 ms to compile; issue 15).
    rows = list(queryset.select_for_update(of=("self",)).filter(pk=application_id).order_by()[:1])
    if not rows:
        raise NotFound()
    return rows[0]


def _lock_own(actor: User, application_id: int, *related: str) -> Application:
    application = _lock(application_id, *related)
    if application.applicant_id != actor.pk:
        raise NotFound()
    return application


#: What the API's answer shows of the objects an application names (its ``ApplicationOutput``).
_ANSWER_COLUMNS = ("applicant__real_name", "applicant__id_number_masked", "call__name", "call__name_en",
                   "call__name_ug", "series__code",
                   "region__code", "region__name", "specialty__name", "employer__name", "sponsor__name",
                   "acceptance_body__name")


def _joins_in_written_order() -> None:
    """PostgreSQL: plan the rest of this transaction's joins in the order written (``SET LOCAL
    join_collapse_limit = 1``, which ends with the outermost transaction; it changes plans, never results).

    An autosave's lock joins the row to the eight objects it names, each by primary key, and
    PostgreSQL searched every join order for it: 7.2 ms of planning (median of 15, loaded machine)
    for 0.2 ms of execution, on every autosave; 0.4 ms in the written order, which is the plan it
    would choose anyway (the row by its key, then each object by its key). Issue 15."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")


def _text_lock_query(pk):
    return (Application.objects.select_for_update(of=("self",)).filter(pk=pk).order_by()
            .values(*[f.attname for f in Application._meta.concrete_fields], *_ANSWER_COLUMNS)[:1])


#: The lock of a text-only autosave, compiled once per connection (portal.compiled_sql): the whole
#: row and what the answer shows of the objects it names.
_TEXT_LOCK = CompiledValues(_text_lock_query, pk=int)


def _lock_own_for_text(actor: User, application_id: int) -> Application:
    """As ``_lock_own(actor, application_id, *ANSWER_RELATED)`` for an autosave of text only (the
    summary, the justification), which checks nothing in the call: the whole row, and of the objects
    it names only what the answer shows, as ``select_related(...).only(...)`` would give them (the
    other columns deferred), from SQL compiled once (issue 15: compiling this lock cost more than
    everything else in an autosave)."""
    rows = _TEXT_LOCK(pk=application_id) if fits_bigint(application_id) else []  # the URL takes any digits
    if not rows:
        raise NotFound()
    row = rows[0]
    fields = Application._meta.concrete_fields
    application = Application.from_db("default", [f.attname for f in fields], [row[f.attname] for f in fields])
    if application.applicant_id != actor.pk:
        raise NotFound()
    for name in ("applicant", "call", "series", "region", *ANSWER_RELATED):
        field = Application._meta.get_field(name)
        pk = getattr(application, field.attname)
        shown = {c.split("__", 1)[1]: row[c] for c in _ANSWER_COLUMNS if c.startswith(f"{name}__")}
        related = None if pk is None else field.related_model.from_db(
            "default", [field.target_field.attname, *shown], [pk, *shown.values()])
        field.set_cached_value(application, related)
    return application


#: What a text-only autosave without an answer reads of the row: what it checks (owner, status),
#: the fields it compares and writes, and what its audit event names (``str(application)``).
#: (Attribute names in the model's order, as ``Model.from_db`` takes them.)
_ROW_COLUMNS = tuple(f.attname for f in Application._meta.concrete_fields if f.name in {
    "id", "applicant", "status", "title_name", *EDITABLE_FIELDS, *DRAFT_ONLY_FIELDS})

#: That lock, compiled once per connection: the row alone, no join (so no join order to search).
_ROW_LOCK = CompiledValues(
    lambda pk: Application.objects.select_for_update().filter(pk=pk).order_by().values(*_ROW_COLUMNS)[:1], pk=int)


def _lock_own_row(actor: User, application_id: int) -> Application:
    """The application row, locked, with only ``_ROW_COLUMNS`` read (the others deferred, as
    ``.only()`` gives them); NotFound unless ``actor`` is its applicant."""
    rows = _ROW_LOCK(pk=application_id) if fits_bigint(application_id) else []  # the URL takes any digits
    if not rows or rows[0]["applicant_id"] != actor.pk:
        raise NotFound()
    row = rows[0]
    return Application.from_db("default", list(_ROW_COLUMNS), [row[c] for c in _ROW_COLUMNS])


# --- Region and channel (R1.1, R1.4, R1.7, R1.8) ----------------------------

def resolve_channel(*, applicant: User, channel: str, sponsor: Organization | None) -> dict:
    """Region, employer and reviewing unit for a channel, from confirmed data."""
    policy = PolicySettings.load()
    today = timezone.localdate()
    employment = (Employment.objects.filter(user=applicant, status=Employment.Status.CONFIRMED)
                  .select_related("employer", "employer__region", "dispatch_region", "original_unit__region")
                  .order_by("-start_date").first())
    if channel == Channel.EMPLOYER:
        if employment is None:
            raise RuleViolation(_("Apply through your employer once it has confirmed your employment (R1.1)."),
                                rule="R1.1", field="channel")
        if employment.employer.status != Organization.Status.ACTIVE:
            raise RuleViolation(_("Your employer's title-work account is not active (R1.3)."), rule="R1.3",
                                field="channel")
        return {"region": employment.employer.region, "employer": employment.employer,
                "sponsor": employment.employer, "private": employment.employer.ownership == "private"}
    if channel == Channel.DISPATCH:
        if employment is None or employment.dispatch_region is None or employment.dispatch_start is None:
            raise RuleViolation(_("No confirmed dispatch is recorded for you (R1.8)."), rule="R1.8", field="channel")
        # More than N years: the N years counted from the first day (as R6.3 counts) are behind, also
        # across a 29 February (``365 * N`` days let a leap year in a day early, or kept others a day late).
        if today <= calendar.period_last_day(starts_on=employment.dispatch_start, years=policy.dispatch_min_years):
            raise RuleViolation(_("You may apply where you are dispatched after more than %(n)d continuous year(s) "
                                  "there (R1.8).") % {"n": policy.dispatch_min_years}, rule="R1.8", field="channel")
        return {"region": employment.dispatch_region, "employer": employment.employer,
                "sponsor": employment.employer, "private": employment.employer.ownership == "private"}
    if channel == Channel.ORIGINAL_UNIT:
        if employment is None or employment.original_unit is None or employment.leave_start is None:
            raise RuleViolation(_("No approved leave for entrepreneurship is recorded for you (R1.7)."),
                                rule="R1.7", field="channel")
        if today > calendar.period_last_day(starts_on=employment.leave_start,
                                            years=policy.leave_for_entrepreneurship_years):
            raise RuleViolation(_("More than %(n)d years have passed since you left your original unit (R1.7).")
                                % {"n": policy.leave_for_entrepreneurship_years}, rule="R1.7", field="channel")
        unit = employment.original_unit
        if unit.status != Organization.Status.ACTIVE:
            raise RuleViolation(_("Your original unit has no active account on the portal (R1.7)."), rule="R1.7",
                                field="channel")
        return {"region": unit.region, "employer": employment.employer, "sponsor": unit,
                "private": employment.employer.ownership == "private"}
    if channel in (Channel.AGENCY, Channel.ASSOCIATION):
        kinds = ((Organization.Kind.TALENT_AGENCY,) if channel == Channel.AGENCY
                 else (Organization.Kind.ASSOCIATION, Organization.Kind.ACCEPTANCE_BODY))
        if sponsor is None or sponsor.kind not in kinds or sponsor.status != Organization.Status.ACTIVE:
            raise RuleViolation(_("Choose an active talent service agency or association to apply through (R1.4)."),
                                rule="R1.4", field="sponsor")
        return {"region": sponsor.region, "employer": employment.employer if employment else None,
                "sponsor": sponsor, "private": True}
    raise InvalidInput(_("Unknown channel."), field="channel")


def acceptance_body_for(*, region, series, channel: str, sponsor: Organization | None) -> Organization:
    """The acceptance body (R1.4): the association or agency itself for those
    channels, a body whose scope names the region and series, else the
    region's HR bureau."""
    if channel in (Channel.AGENCY, Channel.ASSOCIATION) and sponsor is not None:
        return sponsor
    body = (Organization.objects.filter(acceptance_scopes__region=region, acceptance_scopes__series=series,
                                        status=Organization.Status.ACTIVE).order_by("pk").first())
    if body is None:
        body = Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, region=region,
                                           status=Organization.Status.ACTIVE).first()
    if body is None:
        raise RuleViolation(_("No acceptance body serves this region and series."), rule="R1.4")
    return body


# --- Calls ------------------------------------------------------------------

def _check_call_scope(*, call: Call, level: str, specialty: Specialty, pathway: str, region: Region,
                      employer: Organization | None = None, on: dt.date | None = None) -> None:
    """Level, specialty, pathway and region inside the call and the committee's
    filed scope (R2.1), the committee in force (R2.3)."""
    if level not in call.levels:
        raise RuleViolation(_("This call does not cover the level you chose."), rule="R2.1", field="level")
    if call.pathways and pathway not in call.pathways:
        raise RuleViolation(_("This call does not accept that pathway."), rule="R4.1", field="pathway")
    if specialty.series_id != call.series_id:
        raise RuleViolation(_("The specialty is not in the call's series."), rule="R2.1", field="specialty")
    specialty_ids = {s.pk for s in call.specialties.all()}
    if specialty_ids and specialty.pk not in specialty_ids:
        raise RuleViolation(_("This call does not cover that specialty."), rule="R2.1", field="specialty")
    regions = {region.pk, region.parent_id}
    committee = call.committee
    if committee is not None:
        if not committee.is_operational(on=on):
            raise RuleViolation(_("The committee's filing is suspended, revoked or lapsed (R2.3)."), rule="R2.3",
                                field="call")
        rows = [r for r in committee.scopes.all()
                if r.level == level and (r.specialty_id is None or r.specialty_id == specialty.pk)]
        if not rows:
            raise RuleViolation(_("The level or specialty is outside the committee's filed scope (R2.1)."),
                                rule="R2.1", field="level")
        entrusted = call.entrusted_by_id is not None and call.entrusted_by_id == region.pk  # R1.5
        in_region = entrusted or any(
            (r.region_id is None and r.member_unit_id is None) or r.region_id in regions
            or (employer is not None and r.member_unit_id == employer.pk) for r in rows)
        if not in_region:
            raise RuleViolation(_("Your region or unit is outside the committee's filed scope (R2.1)."),
                                rule="R2.1", field="call")
    elif call.bureau_id is not None and call.bureau.region_id not in regions:
        raise RuleViolation(_("This bureau's call is for another region; apply in your own region (R1.1)."),
                            rule="R1.1", field="call")


def call_closing_moment(closes_at: dt.datetime) -> dt.datetime:
    """A deadline given to the minute — 23:59, as the form takes it and every page shows it — closes
    at the end of that minute (23:59:59): at 23:59:30 Beijing time the page says 23:59 and the call
    still takes the application. A deadline given to the second is kept as it is."""
    if closes_at.second == 0 and closes_at.microsecond == 0:
        return closes_at + dt.timedelta(seconds=59)
    return closes_at


def call_is_open(call: Call, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return call.opens_at <= now <= call.closes_at


def call_check_open(*, call: Call, level: str, specialty, pathway: str, region, employer=None) -> None:
    """A call accepts an application: open, in scope (R2.1), committee in
    force (R2.3), level and pathway named by the call."""
    if not call_is_open(call):
        raise RuleViolation(_("This call is not open for applications."), rule="R2.3", field="call")
    _check_call_scope(call=call, level=level, specialty=specialty, pathway=pathway, region=region,
                      employer=employer)


#: The longest English or Uyghur name of a call or a committee (the columns' length).
TRANSLATED_NAME_MAX = 128


def may_open_call_for(actor: User | None, *, committee_id: int | None = None, bureau_id: int | None = None) -> bool:
    """Who opens (and names) a committee's or a bureau's call: an active secretary of the committee;
    an active officer of the bureau (one query). The bureau's kind and status are checked by the caller."""
    if actor is None or not actor.is_authenticated:
        return False
    if committee_id is not None:
        return CommitteeMember.objects.filter(committee_id=committee_id, user=actor, is_active=True,
                                              role=CommitteeMember.Role.SECRETARY).exists()
    if bureau_id is not None:
        return Membership.objects.filter(user=actor, organization_id=bureau_id, is_active=True,
                                         role=Membership.OrgRole.OFFICER).exists()
    return False


def clean_translated_names(*, name_en: str | None, name_ug: str | None) -> dict[str, str | None]:
    """The English and Uyghur names of a call or a committee, stripped; blank allowed, 128 characters at
    most; None (a name not given) stays None: the name kept as it is."""
    names = {"name_en": None if name_en is None else str(name_en).strip(),
             "name_ug": None if name_ug is None else str(name_ug).strip()}
    for field, label in (("name_ug", _("Uyghur name")), ("name_en", _("English name"))):
        if names[field] is not None and len(names[field]) > TRANSLATED_NAME_MAX:
            raise InvalidInput(_("%(label)s: at most %(n)d characters (this one has %(have)d).")
                               % {"label": label, "n": TRANSLATED_NAME_MAX, "have": len(names[field])}, field=field)
    return names


def translated_names_set(obj, names: dict[str, str | None]) -> tuple[dict, dict]:
    """Set the names given, already checked by ``clean_translated_names``, on a call or a committee:
    (before, after)."""
    before = snapshot(obj, ("name_en", "name_ug"))
    for field, value in names.items():
        if value is not None:
            setattr(obj, field, value)
    return before, snapshot(obj, ("name_en", "name_ug"))


def call_open(*, actor: User, name: str, series_id: int, levels: list[str], year: int, opens_at: dt.datetime,
              closes_at: dt.datetime, methods: list[str], pathways: list[str] | None = None,
              committee_id: int | None = None, bureau_id: int | None = None, specialty_ids: list[int] | None = None,
              private_enterprise_group: bool = False, entrusted_by_id: int | None = None,
              entrustment_note: str = "", pass_rate_ceiling: Decimal = Decimal("0.6"), name_en: str = "",
              name_ug: str = "") -> Call:
    """Open a call (申报批次) of a committee (its secretary) or of a bureau
    (its officer). A committee's call lies inside its filed scope and validity
    (R2.1, R2.3); it names its methods (R4.1). A call cannot exclude
    private-enterprise applicants (R1.6): it has no field that could. ``name`` is the official
    (Chinese) name; ``name_en`` and ``name_ug``, optional, are shown on English and Uyghur pages."""
    if not (name or "").strip():
        raise InvalidInput(_("Give the call a name."), field="name")
    series = TitleSeries.objects.filter(pk=series_id, is_active=True).first()
    if series is None:
        raise InvalidInput(_("Choose a series."), field="series")
    levels = list(dict.fromkeys(levels or []))
    if not levels or any(level not in Level.values for level in levels):
        raise InvalidInput(_("Choose the levels the call covers."), field="levels")
    methods = list(dict.fromkeys(methods or []))
    if not methods or any(m not in Method.values for m in methods):
        raise RuleViolation(_("Name the call's evaluation methods (R4.1)."), rule="R4.1", field="methods")
    pathways = list(dict.fromkeys(pathways or []))
    if any(p not in Pathway.values for p in pathways):
        raise InvalidInput(_("Unknown pathway."), field="pathways")
    if closes_at <= opens_at:
        raise InvalidInput(_("The call must close after it opens."), field="closes_at")
    closes_at = call_closing_moment(closes_at)
    try:
        ceiling = Decimal(str(pass_rate_ceiling))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter the pass-rate ceiling as a fraction."), field="pass_rate_ceiling")
    if not (Decimal(0) < ceiling <= Decimal(1)):
        raise RuleViolation(_("The pass-rate ceiling is a fraction above 0 and at most 1 (R6.7)."), rule="R6.7",
                            field="pass_rate_ceiling")
    specialties = list(Specialty.objects.filter(pk__in=specialty_ids or [], series=series))
    if len(specialties) != len(set(specialty_ids or [])):
        raise InvalidInput(_("Choose specialties of the call's series."), field="specialties")
    committee = bureau = None
    if committee_id:
        committee = Committee.objects.filter(pk=committee_id).first()
        if committee is None:
            raise InvalidInput(_("Choose a committee."), field="committee")
        if not may_open_call_for(actor, committee_id=committee.pk):
            raise NotAllowed()
        if committee.series_id != series.pk:
            raise RuleViolation(_("A committee works in the one series it was filed for (R2.1)."), rule="R2.1",
                                field="series")
        if not committee.is_operational(on=timezone.localdate()):
            raise RuleViolation(_("A suspended, revoked or lapsed committee may not open calls (R2.3)."),
                                rule="R2.3", field="committee")
        if timezone.localtime(closes_at).date() > committee.valid_until:
            raise RuleViolation(_("The call must close while the committee's filing is valid (until %(date)s, "
                                  "R2.3).") % {"date": committee.valid_until.isoformat()}, rule="R2.3",
                                field="closes_at")
        scope = list(committee.scopes.all())
        outside = [lv for lv in levels if not any(r.level == lv for r in scope)]
        if outside:
            raise RuleViolation(_("Levels outside the committee's filed scope: %(levels)s (R2.1).")
                                % {"levels": ", ".join(outside)}, rule="R2.1", field="levels")
        if specialties and not any(r.specialty_id is None for r in scope):
            allowed = {r.specialty_id for r in scope}
            if any(s.pk not in allowed for s in specialties):
                raise RuleViolation(_("A specialty is outside the committee's filed scope (R2.1)."), rule="R2.1",
                                    field="specialties")
    elif bureau_id:
        bureau = Organization.objects.filter(pk=bureau_id, kind=Organization.Kind.HR_BUREAU,
                                             status=Organization.Status.ACTIVE).first()
        if bureau is None or not may_open_call_for(actor, bureau_id=bureau.pk):
            raise NotAllowed()
    else:
        raise InvalidInput(_("A call belongs to a committee or a bureau."), field="committee")
    entrusted_by = Region.objects.filter(pk=entrusted_by_id).first() if entrusted_by_id else None
    if entrusted_by_id and entrusted_by is None:
        raise InvalidInput(_("Choose the region that entrusts the review (R1.5)."), field="entrusted_by")
    if entrusted_by and not (entrustment_note or "").strip():
        raise RuleViolation(_("Record the entrustment's reference (R1.5)."), rule="R1.5", field="entrustment_note")
    with transaction.atomic():
        call = Call(name=name.strip(), name_en=(name_en or "").strip(), name_ug=(name_ug or "").strip(),
                    committee=committee, bureau=bureau, series=series, levels=levels, year=year,
                    opens_at=opens_at, closes_at=closes_at, methods=methods, pathways=pathways,
                    private_enterprise_group=private_enterprise_group, entrusted_by=entrusted_by,
                    entrustment_note=(entrustment_note or "").strip(), pass_rate_ceiling=ceiling, created_by=actor)
        try:
            call.full_clean(exclude=["pathways"])
        except ValidationError as e:
            raise InvalidInput(" ".join(e.messages))
        call.save()
        call.specialties.set(specialties)
        audit_record(actor=actor, action="call.open", obj=call, after={
            "series": series.code, "levels": levels, "year": year, "committee": committee_id, "bureau": bureau_id,
            "opens_at": opens_at, "closes_at": closes_at, "methods": methods, "pathways": pathways})
    return call


def call_rename_translations(*, actor: User, call_id: int, name_en: str | None = None,
                             name_ug: str | None = None) -> Call:
    """Give an existing call its English and Uyghur names (``name`` the official Chinese one never
    changes here): who may open a call of its committee or bureau (``may_open_call_for``). Audited with
    the two names before and after; nothing written when they are unchanged. The save renews the open
    calls each process keeps (``applications.open_calls``: a new calls version on commit). A name given as
    None stays as it is (the API's PATCH)."""
    names = clean_translated_names(name_en=name_en, name_ug=name_ug)
    with transaction.atomic():
        call = Call.objects.select_for_update(of=("self",)).filter(pk=call_id).first()
        if call is None or not may_open_call_for(actor, committee_id=call.committee_id,
                                                 bureau_id=None if call.committee_id else call.bureau_id):
            raise NotFound()
        before, after = translated_names_set(call, names)
        if before == after:
            return call
        call.save(update_fields=["name_en", "name_ug"])
        audit_record(actor=actor, action="call.rename_translations", obj=call, before=before, after=after)
    return call


# --- Drafts -------------------------------------------------------------------

def _first_time(applicant: User, exclude_pk: int | None = None) -> bool:
    """R3.3: no title held and no earlier application that was submitted."""
    if TitleHeld.objects.filter(user=applicant).exists():
        return False
    earlier = Application.objects.filter(applicant=applicant, submitted_at__isnull=False)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return not earlier.exists()


def _as_int(value, field: str, message) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(message, field=field)


def application_create(*, applicant: User, call_id: int, specialty_id: int, level: str,
                       pathway: str = Pathway.REGULAR, channel: str = Channel.EMPLOYER,
                       sponsor_id: int | None = None) -> Application:
    """A new draft in an open call; the region follows the channel (R1.1)."""
    call_id = _as_int(call_id, "call", _("Choose an open call."))
    call = Call.objects.select_related("committee", "series", "bureau").filter(pk=call_id).first()
    if call is None:
        raise InvalidInput(_("Choose an open call."), field="call")
    if level not in Level.values:
        raise InvalidInput(_("Choose a level."), field="level")
    if pathway not in Pathway.values:
        raise InvalidInput(_("Choose a pathway."), field="pathway")
    if channel not in Channel.values:
        raise InvalidInput(_("Choose how you apply."), field="channel")
    specialty_id = _as_int(specialty_id, "specialty", _("Choose a specialty."))
    specialty = Specialty.objects.filter(pk=specialty_id, is_active=True).first()
    if specialty is None:
        raise InvalidInput(_("Choose a specialty."), field="specialty")
    sponsor = None
    if sponsor_id:
        sponsor = Organization.objects.filter(pk=_as_int(sponsor_id, "sponsor", _("Choose an organisation."))).first()
    where = resolve_channel(applicant=applicant, channel=channel, sponsor=sponsor)
    with _refusal_recorded(applicant=applicant, call=call, level=level, specialty=specialty):
        call_check_open(call=call, level=level, specialty=specialty, pathway=pathway, region=where["region"],
                        employer=where["employer"])
    title = TitleName.objects.filter(series=call.series, level=level).first()
    if title is None:
        raise RuleViolation(_("The series has no title at that level."), rule="R3.5", field="level")
    _guard_integrity(applicant)
    with _refusal_recorded(applicant=applicant, call=call, level=level, specialty=specialty):
        _guard_duplicate(applicant=applicant, series_id=call.series_id, year=call.year)
    with transaction.atomic():
        application = Application(
            applicant=applicant, call=call, series=call.series, year=call.year, specialty=specialty, level=level,
            title_name=title.name, pathway=pathway, channel=channel, employer=where["employer"],
            sponsor=where["sponsor"], region=where["region"], private_enterprise=where["private"],
            first_time=_first_time(applicant),
            acceptance_body=acceptance_body_for(region=where["region"], series=call.series, channel=channel,
                                                sponsor=sponsor),
        )
        application.save()
        audit_record(actor=applicant, action="application.create", obj=application,
                     after=snapshot(application, AUDIT_FIELDS))
    return application


#: What the API's answer names besides what ``_lock`` reads: an autosave reads it with the lock, so
#: its answer needs no second read of the application (issue 15).
ANSWER_RELATED = ("specialty", "employer", "sponsor", "acceptance_body")


def application_update_draft(*, actor: User, application_id: int, data: dict,
                             for_answer: bool = True) -> Application:
    """Save what the applicant typed (autosave). In a returned application only
    the fields named by a correction unlock (一次性告知). Returns the application as saved, with
    its applicant, call, series, specialty, region and organisations (``ANSWER_RELATED``).

    ``for_answer=False`` (the API's ``Prefer: return=minimal``: nobody reads the saved
    application): a save of text alone reads only the row's own columns it needs, with no join,
    and the application returned has the others deferred."""
    with transaction.atomic():
        if data.keys() & {"specialty", "level", "pathway"}:  # checked against the call and its committee
            _joins_in_written_order()  # (the check reads the specialty and employer: read them with it)
            application = _lock_own(actor, application_id, *ANSWER_RELATED)
        elif for_answer:
            _joins_in_written_order()
            application = _lock_own_for_text(actor, application_id)
        else:
            application = _lock_own_row(actor, application_id)
        unlocked = _unlocked_targets(application)
        tracked = EDITABLE_FIELDS + DRAFT_ONLY_FIELDS
        before = {f: getattr(application, f"{f}_id" if f == "specialty" else f) for f in tracked}
        for field, value in data.items():
            if field in DRAFT_ONLY_FIELDS:
                if application.status != S.DRAFT:
                    raise RuleViolation(_("The level and pathway can change only while the application is a "
                                          "draft."), field=field)
            elif field not in EDITABLE_FIELDS:
                raise InvalidInput(_("This field cannot be changed here."), field=field)
            elif unlocked is not None and field not in unlocked:
                raise RuleViolation(_("Only the parts named in the return may change."), field=field)
            if field == "specialty":
                pk = _as_int(value, "specialty", _("Choose a specialty of the call's series."))
                specialty = Specialty.objects.filter(pk=pk, series_id=application.series_id, is_active=True).first()
                if specialty is None:
                    raise InvalidInput(_("Choose a specialty of the call's series."), field="specialty")
                application.specialty = specialty
            elif field == "level":
                if value not in Level.values:
                    raise InvalidInput(_("Choose a level."), field="level")
                title = TitleName.objects.filter(series_id=application.series_id, level=value).first()
                if title is None:
                    raise RuleViolation(_("The series has no title at that level."), rule="R3.5", field="level")
                application.level, application.title_name = value, title.name
            elif field == "pathway":
                if value not in Pathway.values:
                    raise InvalidInput(_("Choose a pathway."), field="pathway")
                application.pathway = value
            else:
                setattr(application, field, str(value if value is not None else "")[:20000])
        after = {f: getattr(application, f"{f}_id" if f == "specialty" else f) for f in tracked}
        changed = [f for f in tracked if before[f] != after[f]]
        if any(f in changed for f in ("specialty", "level", "pathway")):
            _check_call_scope(call=application.call, level=application.level, specialty=application.specialty,
                              pathway=application.pathway, region=application.region, employer=application.employer)
        if changed:
            # Only the changed columns (issue 15: an autosave rewrote all ~40 columns of the row).
            columns = {*changed, "updated_at"} | ({"title_name"} if "level" in changed else set())
            _SAVE.update(application, sorted(columns))  # as save(update_fields=...), SQL compiled once
            audit_record(actor=actor, action="application.edit", obj=application,
                         before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return application


def _unlocked_targets(application: Application) -> set[str] | None:
    """None when everything is editable (draft); the correction targets when
    returned, and for each file a correction names, the slot its replacement
    goes to (``slot:<material>``, ``slot:evidence:<achievement id>``)."""
    if application.status == S.DRAFT:
        return None
    if application.status == S.RETURNED:
        unlocked = set()
        for target, content in (application.corrections.filter(resolved_at__isnull=True)
                                .values_list("target", "round__content_before")):
            unlocked.add(target)
            slot = returns.slot_of(target, content or {})
            if slot:
                unlocked.add(slot)
        return unlocked
    raise RuleViolation(_("The application can no longer be edited."))


def application_unlocked(application: Application) -> set[str] | None:
    """What the applicant may change now: None for everything (a draft), the
    correction targets when returned; raises once submitted."""
    return _unlocked_targets(application)


def _may_change_achievement(unlocked: set[str] | None, achievement_id: int | None) -> bool:
    return unlocked is None or "achievements" in unlocked or (
        achievement_id is not None and f"achievement:{achievement_id}" in unlocked)


def file_may_be_added(unlocked: set[str] | None, *, material: str, achievement_id: int | None = None) -> bool:
    """May the applicant add a file to this material (or this achievement's evidence) now?"""
    if unlocked is None or "attachments" in unlocked:
        return True
    if achievement_id is not None:
        return (_may_change_achievement(unlocked, achievement_id)
                or f"slot:evidence:{achievement_id}" in unlocked)
    return material in unlocked or f"slot:{material}" in unlocked


def file_may_be_removed(unlocked: set[str] | None, attachment: Attachment) -> bool:
    """May the applicant remove this file now (a draft, or a return names it, its material or its achievement)?"""
    if unlocked is None or "attachments" in unlocked or f"attachment:{attachment.pk}" in unlocked:
        return True
    if attachment.achievement_id is not None:
        return _may_change_achievement(unlocked, attachment.achievement_id)
    return attachment.material in unlocked


def correction_targets(application: Application) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a return may pin a correction to, grouped for the return form:
    the fields; the achievements and each achievement by its title; each
    material of the pathway and each of its files by name; each evidence file."""
    return returns.targets_grouped(
        returns.application_content(application),
        pathway_materials=list(MATERIALS.get(application.pathway, ())),
        with_justification=application.pathway == Pathway.GREEN_CHANNEL or bool(application.justification))


def _achievement_values(*, kind: str, title: str, role: str, number: str, economic_benefit,
                        achieved_on: dt.date | None = None) -> dict:
    if kind not in Achievement.Kind.values:
        raise InvalidInput(_("Choose the kind of achievement."), field="kind")
    title, number, role = (title or "").strip(), (number or "").strip(), role or ""
    if not title:
        raise InvalidInput(_("Give the achievement a title."), field="title")
    if role and role not in Achievement.Role.values:
        raise InvalidInput(_("Choose your role."), field="role")
    if kind in (Achievement.Kind.PATENT, Achievement.Kind.STANDARD):
        if not number:
            raise InvalidInput(_("Patents and standards need their number (R3.2)."), field="number")
        if not role:
            raise InvalidInput(_("Say what your role was (R3.2)."), field="role")
    if economic_benefit not in (None, ""):
        try:
            economic_benefit = Decimal(str(economic_benefit))
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("Enter the economic benefit as a number."), field="economic_benefit")
        if not economic_benefit.is_finite():
            raise InvalidInput(_("Enter the economic benefit as a number."), field="economic_benefit")
        if economic_benefit < 0:
            raise InvalidInput(_("The economic benefit cannot be negative."), field="economic_benefit")
    else:
        economic_benefit = None
    if isinstance(achieved_on, dt.date) and achieved_on > timezone.localdate():
        # A patent granted or a standard published in the future is a slip of the date picker.
        raise InvalidInput(_("The date cannot be in the future."), field="achieved_on")
    if kind == Achievement.Kind.TRANSFORMATION and economic_benefit is None:
        raise InvalidInput(_("An achievement transformation needs its economic figures (R3.2)."),
                           field="economic_benefit")
    return {"kind": kind, "title": title, "role": role, "number": number, "economic_benefit": economic_benefit}


def _clean_and_save(obj) -> None:
    try:
        obj.full_clean(exclude=["application"])
    except ValidationError as e:
        field = next(iter(e.message_dict), None) if hasattr(e, "message_dict") else None
        raise InvalidInput(" ".join(e.messages), field=field)
    obj.save()


def achievement_add(*, actor: User, application_id: int, kind: str, title: str, role: str = "", number: str = "",
                    achieved_on: dt.date | None = None, economic_benefit: Decimal | None = None,
                    description: str = "") -> Achievement:
    """R3.2: patents, breakthroughs, process flows, standards and achievement
    transformation with their own fields (numbers, roles, economic figures)."""
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        unlocked = _unlocked_targets(application)
        if unlocked is not None and "achievements" not in unlocked:
            raise RuleViolation(_("Only the parts named in the return may change."), field="achievements")
        values = _achievement_values(kind=kind, title=title, role=role, number=number,
                                     economic_benefit=economic_benefit, achieved_on=achieved_on)
        achievement = Achievement(application=application, achieved_on=achieved_on,
                                  description=(description or "")[:20000], **values)
        _clean_and_save(achievement)
        audit_record(actor=actor, action="application.achievement_add", obj=application,
                     after={"achievement": achievement.pk, "kind": kind, "title": achievement.title})
    return achievement


def achievement_update(*, actor: User, application_id: int, achievement_id: int, kind: str, title: str,
                       role: str = "", number: str = "", achieved_on: dt.date | None = None,
                       economic_benefit: Decimal | None = None, description: str = "") -> Achievement:
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        unlocked = _unlocked_targets(application)
        achievement = application.achievements.filter(pk=achievement_id).first()
        if achievement is None:
            raise NotFound()
        if not _may_change_achievement(unlocked, achievement.pk):
            raise RuleViolation(_("Only the parts named in the return may change."), field="achievements")
        fields = ("kind", "title", "role", "number", "achieved_on", "economic_benefit", "description")
        before = snapshot(achievement, fields)
        values = _achievement_values(kind=kind, title=title, role=role, number=number,
                                     economic_benefit=economic_benefit, achieved_on=achieved_on)
        for name, value in {**values, "achieved_on": achieved_on, "description": (description or "")[:20000]}.items():
            setattr(achievement, name, value)
        _clean_and_save(achievement)
        after = snapshot(achievement, fields)
        changed = [f for f in fields if before[f] != after[f]]
        if changed:
            audit_record(actor=actor, action="application.achievement_change", obj=application,
                         before={"achievement": achievement.pk, **{f: before[f] for f in changed}},
                         after={"achievement": achievement.pk, **{f: after[f] for f in changed}})
    return achievement


def achievement_remove(*, actor: User, application_id: int, achievement_id: int) -> None:
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        unlocked = _unlocked_targets(application)
        achievement = application.achievements.filter(pk=achievement_id).first()
        if achievement is None:
            raise NotFound()
        if not _may_change_achievement(unlocked, achievement.pk):
            raise RuleViolation(_("Only the parts named in the return may change."), field="achievements")
        names = list(achievement.evidence.values_list("file", flat=True))
        audit_record(actor=actor, action="application.achievement_remove", obj=application,
                     before={"achievement": achievement.pk, "kind": achievement.kind, "title": achievement.title})
        achievement.delete()
        _delete_files_on_commit(names)


def _delete_files_on_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    def delete():
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)


def attachment_add(*, actor: User, application_id: int, material: str, upload,
                   achievement_id: int | None = None) -> Attachment:
    """A file checked by content, size and count; a refused file changes nothing."""
    policy = PolicySettings.load()
    if achievement_id:
        material = "evidence"
    if material not in MATERIAL_NAMES:
        raise InvalidInput(_("Choose which material this file is."), field="material")
    if material == "evidence" and not achievement_id:
        raise InvalidInput(_("Evidence belongs to an achievement: add it from the achievement."), field="material")
    try:
        document = prepare_document(upload, max_bytes=policy.max_file_mb * 1024 * 1024)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), field="file")
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        unlocked = _unlocked_targets(application)
        achievement = None
        if achievement_id:
            achievement = application.achievements.filter(
                pk=_as_int(achievement_id, "achievement", _("Unknown achievement."))).first()
            if achievement is None:
                raise InvalidInput(_("Unknown achievement."), field="achievement")
        allowed = file_may_be_added(unlocked, material=material,
                                    achievement_id=achievement.pk if achievement is not None else None)
        if not allowed:
            raise RuleViolation(_("Only the parts named in the return may change."), field="file")
        totals = application.attachments.aggregate(total=Sum("size"), count=Count("pk"))
        if (totals["count"] or 0) >= policy.max_files_per_application:
            raise InvalidInput(_("An application holds at most %(n)d files.")
                               % {"n": policy.max_files_per_application}, field="file")
        if (totals["total"] or 0) + document.size > policy.max_application_mb * 1024 * 1024:
            raise InvalidInput(_("The application's files may total at most %(n)d MB.")
                               % {"n": policy.max_application_mb}, field="file")
        attachment = Attachment(application=application, achievement=achievement, material=material,
                                original_name=document.name, content_type=document.mime, size=document.size)
        attachment.file.save(f"{application.pk}.{document.extension}", document.file, save=False)
        try:
            attachment.save()
            audit_record(actor=actor, action="application.attachment_add", obj=application,
                         after={"attachment": attachment.pk, "material": material, "name": attachment.original_name,
                                "size": document.size, "content_type": document.mime,
                                "achievement": achievement.pk if achievement else None})
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_remove(*, actor: User, application_id: int, attachment_id: int) -> None:
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        unlocked = _unlocked_targets(application)
        attachment = application.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound()
        if not file_may_be_removed(unlocked, attachment):
            raise RuleViolation(_("Only the parts named in the return may change."), field="file")
        audit_record(actor=actor, action="application.attachment_remove", obj=application,
                     before={"attachment": attachment.pk, "material": attachment.material,
                             "name": attachment.original_name})
        name = attachment.file.name
        attachment.delete()
        _delete_files_on_commit([name])


# --- Submission and its guards ------------------------------------------------

def _guard_integrity(applicant: User) -> None:
    today = timezone.localdate()
    record = IntegrityRecord.objects.filter(user=applicant, starts_on__lte=today, ends_on__gte=today).first()
    if record:
        raise RuleViolation(_("An integrity record bars you from applying through %(date)s; you may apply again "
                              "from %(free)s (R6.3).")
                            % {"date": record.ends_on.isoformat(),
                               "free": (record.ends_on + dt.timedelta(days=1)).isoformat()}, rule="R6.3")


def _guard_duplicate(*, applicant: User, series_id: int, year: int, exclude_pk: int | None = None) -> None:
    qs = Application.objects.filter(applicant=applicant, series_id=series_id, year=year, status__in=LIVE_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise RuleViolation(_("You already have a live application in this series for this year, in another call "
                              "or committee (R6.4)."), rule="R6.4")


def application_checklist(application: Application) -> list[dict]:
    """The materials the pathway needs, with how many files each has."""
    counts: dict[str, int] = {}
    for material in application.attachments.values_list("material", flat=True):
        counts[material] = counts.get(material, 0) + 1
    rows = []
    for material in MATERIALS.get(application.pathway, ()):
        need = MATERIAL_MINIMUM.get(material, 1)
        rows.append({"material": material, "name": str(MATERIAL_NAMES[material]), "needed": need,
                     "have": counts.get(material, 0), "complete": counts.get(material, 0) >= need})
    return rows


def _facts(application: Application, first_time: bool | None = None):
    recommendations = application.attachments.filter(material="recommendation").count()
    return profile_facts(user=application.applicant, series=application.series, level=application.level,
                         pathway=application.pathway, private_enterprise=application.private_enterprise,
                         first_time=application.first_time if first_time is None else first_time,
                         recommendations=recommendations, call_year=application.year)


def application_eligibility(application: Application) -> eligibility.EligibilityResult:
    """The engine's verdict on the applicant's profile for this application."""
    return eligibility.eligibility_check(facts=_facts(application))


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _conditions_bilingual(facts, result: eligibility.EligibilityResult) -> list[dict]:
    """The condition lines as the engine gave them, with their wording in each
    language of the site (``message_zh``, ``message_en``, ``message_ug``), frozen
    with the application; ``applications_tags.condition_message`` picks the reader's."""
    from django.utils import translation

    worded = {}
    for language in ("zh-hans", "en", "ug"):
        with translation.override(language):
            worded[language] = eligibility.eligibility_check(facts=facts).conditions
    return [{**asdict(line), "message_zh": zh.message, "message_en": en.message, "message_ug": ug.message}
            for line, zh, en, ug in zip(result.conditions, worded["zh-hans"], worded["en"], worded["ug"],
                                        strict=False)]


def application_submit(*, actor: User, application_id: int, pledge_text: str, pledge_accepted: bool,
                       ip_address: str | None = None) -> Application:
    """Submit with the integrity pledge (R6.3); freezes conditions and profile.

    The scope (R2.1) and duplicate (R6.4) guards run again here (a second
    application may have gone in since this one was drafted, a committee's
    scope may have changed); their refusals are recorded for supervision as
    at creation."""
    draft = Application.objects.filter(pk=application_id, applicant=actor).select_related("call", "specialty").first()
    if draft is None:
        return _submit(actor=actor, application_id=application_id, pledge_text=pledge_text,
                       pledge_accepted=pledge_accepted, ip_address=ip_address)  # answers as for any other
    with _refusal_recorded(applicant=actor, call=draft.call, level=draft.level, specialty=draft.specialty):
        return _submit(actor=actor, application_id=application_id, pledge_text=pledge_text,
                       pledge_accepted=pledge_accepted, ip_address=ip_address)


def _submit(*, actor: User, application_id: int, pledge_text: str, pledge_accepted: bool,
            ip_address: str | None) -> Application:
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        direct = application.channel in (Channel.AGENCY, Channel.ASSOCIATION)
        action = "submit_direct" if direct else "submit"
        transition = workflow.APPLICATION_WORKFLOW.check(action=action, current=application.status,
                                                         roles={workflow.APPLICANT})
        if not pledge_accepted or not (pledge_text or "").strip():
            raise RuleViolation(_("Sign the integrity pledge to submit (R6.3)."), rule="R6.3", field="pledge")
        _guard_integrity(application.applicant)
        _guard_duplicate(applicant=application.applicant, series_id=application.series_id, year=application.year,
                         exclude_pk=application.pk)
        call_check_open(call=application.call, level=application.level, specialty=application.specialty,
                        pathway=application.pathway, region=application.region, employer=application.employer)
        missing = [row["name"] for row in application_checklist(application) if not row["complete"]]
        if missing:
            raise InvalidInput(_("Materials missing: %(list)s.") % {"list": "、".join(missing)}, field="attachments")
        bare = [a.title for a in application.achievements.all() if not a.evidence.exists()]
        if bare:
            raise RuleViolation(_("Each achievement needs its evidence file: %(list)s (R3.2).")
                                % {"list": "、".join(bare)}, rule="R3.2", field="achievements")
        if application.pathway == Pathway.GREEN_CHANNEL and not application.justification.strip():
            raise RuleViolation(_("The green channel needs a justification of special talent (R4.3)."),
                                rule="R4.3", field="justification")
        application.first_time = _first_time(application.applicant, exclude_pk=application.pk)
        facts = _facts(application)
        result = eligibility.eligibility_check(facts=facts)
        if not result.eligible:
            unmet = "; ".join(f"[{c.rule}] {c.message}" for c in result.conditions if not c.met)
            raise RuleViolation(_("Not eligible: %(unmet)s") % {"unmet": unmet},
                                rule=next(c.rule for c in result.conditions if not c.met))
        before = snapshot(application, AUDIT_FIELDS)
        now = timezone.now()
        call = application.call
        application.frozen_conditions = {
            "eligible": True, "conditions": _conditions_bilingual(facts, result), "facts": _jsonable(asdict(facts)),
            "call": {"id": call.pk, "name": call.name, "levels": call.levels, "methods": call.methods,
                     "pathways": call.pathways, "closes_at": timezone.localtime(call.closes_at).isoformat(),
                     "pass_rate_ceiling": str(call.pass_rate_ceiling)},
            "rubric": hooks.rubric_for_call(call),
            "frozen_at": timezone.localtime(now).isoformat()}
        from applications.profile import profile_snapshot

        application.frozen_profile = profile_snapshot(user=application.applicant)
        status_before = application.status
        application.status = transition.target
        call_status_moved(application, before=status_before)
        application.submitted_at = now
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise RuleViolation(_("You already have a live application in this series for this year, in another "
                                  "call or committee (R6.4)."), rule="R6.4")
        IntegrityPledge.objects.create(application=application, text=pledge_text.strip()[:4000], signed_at=now,
                                       ip_address=ip_address or None)
        receipt = receipt_issue(application=application, kind=SubmissionReceipt.Kind.SUBMIT)
        audit_record(actor=actor, action="application.submit", obj=application, before=before,
                     after={**snapshot(application, AUDIT_FIELDS), "receipt": receipt.number,
                            "receipt_digest": receipt.digest})
        _notify_next(application)
    return application


# --- Reviewing steps -----------------------------------------------------------

def application_decide(*, actor: User, application_id: int, action: str, reason: str = "",
                       corrections: list[dict] | None = None, due_on: dt.date | None = None) -> Application:
    """One reviewing step: approve, accept, audit, or return with every
    correction at once (一次性告知), or reject with a reason. A return
    freezes the application's content (``CorrectionRound.content_before``)
    for the comparison the reviewer sees when it comes back."""
    reason = (reason or "").strip()
    with transaction.atomic():
        application = _lock(application_id)
        roles = application_roles(user=actor, application=application)
        if not roles:
            raise NotFound()
        if action == "return":
            action = workflow.RETURN_ACTIONS.get(application.status, "")
            if not action:
                raise RuleViolation(_("The application cannot be returned at this stage."))
        if action not in workflow.APPLICATION_WORKFLOW.transitions or action in (
                "submit", "submit_direct", "resubmit", "withdraw") or action in REVIEW_ACTIONS:
            raise InvalidInput(_("Unknown action."), field="action")
        transition = workflow.APPLICATION_WORKFLOW.check(action=action, current=application.status, roles=roles)
        committee = application.call.committee
        if action in ("accept", "audit_approve") and committee is not None and not committee.is_operational():
            raise RuleViolation(_("The committee's filing is suspended, revoked or lapsed (R2.3)."), rule="R2.3")
        before = snapshot(application, AUDIT_FIELDS)
        stage = application.status
        extra: dict = {}
        if transition.target == S.RETURNED:
            content = returns.application_content(application)
            items = _corrections(application, corrections, content)
            today = timezone.localdate()
            if due_on is not None and due_on <= today:
                raise InvalidInput(_("The correction must fall due after today."), field="due_on")
            application.returned_from = stage
            application.correction_due_on = due_on or today + dt.timedelta(
                days=settings.PORTAL.get("CORRECTION_DAYS", DEFAULT_CORRECTION_DAYS))
            correction_round = CorrectionRound.objects.create(
                application=application, stage=stage, returned_by=actor, reason=reason[:4000],
                due_on=application.correction_due_on, content_before=content)
            Correction.objects.bulk_create([
                Correction(application=application, round=correction_round, stage=stage, target=item["target"],
                           item_title=item.get("item", ""), message=item["message"], requested_by=actor)
                for item in items])
            extra["corrections"] = items
            extra["round"] = correction_round.pk
        if transition.target == S.REJECTED and not reason:
            raise InvalidInput(_("Give the reason for rejection."), field="reason")
        if action == "employer_approve":
            days = PolicySettings.load().unit_publicity_working_days
            application.publicity_ends_on = calendar.add_working_days(timezone.localdate(), days)
        if action == "publicity_end":
            _guard_publicity_over(application)
        status_before = application.status
        application.status = transition.target
        call_status_moved(application, before=status_before)
        application.save()
        audit_record(actor=actor, action=f"application.{action}", obj=application, before=before,
                     after={**snapshot(application, AUDIT_FIELDS), **extra}, reason=reason)
        _notify_after(application, action, reason)
    return application


def _corrections(application: Application, asked: list[dict] | None, content: dict) -> list[dict]:
    """Every correction at once, each pinned to a field, an achievement, a
    material or one file (by its name in ``content``)."""
    targets = {code for _group, rows in correction_targets(application) for code, _label in rows}
    items, seen = [], set()
    for item in asked or []:
        if not isinstance(item, dict):
            raise InvalidInput(_("Each correction names a target and a message."), field="corrections")
        message = str(item.get("message") or "").strip()
        target = str(item.get("target") or "").strip()
        if not message and not target:
            continue
        if not message:
            raise InvalidInput(_("Say what to correct for each target."), field="corrections")
        if target not in targets:
            raise InvalidInput(_("Pin each correction to a field, achievement or material of this application."),
                               field="corrections")
        if (target, message) in seen:
            continue
        seen.add((target, message))
        title = returns.item_title(target, content)
        items.append({"target": target, "message": message[:4000], **({"item": title} if title else {})})
    if not items:
        raise InvalidInput(_("List every correction at once, each with what to change."),
                           field="corrections")
    return items


def application_bulk_approve(*, actor: User, application_ids: list[int]) -> dict:
    """The employer approves several applications; each one on its own, so a
    refused one leaves the others approved. Returns the ids done and the
    messages of those refused."""
    done, refused = [], []
    for pk in dict.fromkeys(application_ids):
        try:
            application_decide(actor=actor, application_id=pk, action="employer_approve")
        except PortalError as error:
            refused.append({"id": pk, "detail": error.as_text()})
        else:
            done.append(pk)
    return {"approved": done, "refused": refused}


def _guard_publicity_over(application: Application) -> None:
    if application.publicity_ends_on and timezone.localdate() <= application.publicity_ends_on:
        raise RuleViolation(_("Unit publicity lasts until %(date)s (R5.5).")
                            % {"date": application.publicity_ends_on.isoformat()}, rule="R5.5")
    if application.unit_objections.filter(answered_at__isnull=True).exists():
        raise RuleViolation(_("Answer every objection before forwarding (R5.5)."), rule="R5.5")
    if application.unit_objections.filter(upheld=True).exists():
        raise RuleViolation(_("An objection was upheld; the application cannot be forwarded (R5.5)."), rule="R5.5")


def application_resubmit(*, actor: User, application_id: int) -> Application:
    """Send a corrected application back to the stage that returned it, once
    every correction is answered: what it names has changed, or the
    applicant wrote why not. The content as it comes back is frozen beside
    the content at the return (``CorrectionRound.content_after``)."""
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        workflow.APPLICATION_WORKFLOW.check(action="resubmit", current=application.status,
                                            roles={workflow.APPLICANT})
        _guard_integrity(application.applicant)
        now = timezone.now()
        content = returns.application_content(application)
        open_rounds = list(application.correction_rounds.filter(resubmitted_at__isnull=True)
                           .prefetch_related("corrections"))
        answers = {"changed": 0, "answered": 0}
        for correction_round in open_rounds:
            view = returns.round_view(correction_round, live_content=content)
            missing = [c.label for c in view.corrections if not c.done]
            if missing:
                raise RuleViolation(
                    _("Answer every correction before resubmitting: change what it names, or write why no change "
                      "is needed. Not answered yet: %(list)s.") % {"list": "; ".join(missing)}, field="corrections")
            answers["changed"] += sum(1 for c in view.corrections if c.changed)
            answers["answered"] += sum(1 for c in view.corrections if not c.changed)
            correction_round.content_after, correction_round.resubmitted_at = content, now
            correction_round.save(update_fields=["content_after", "resubmitted_at"])
        before = snapshot(application, AUDIT_FIELDS)
        status_before = application.status
        application.status = application.returned_from or S.EMPLOYER_REVIEW
        call_status_moved(application, before=status_before)
        application.returned_from = ""
        application.correction_due_on = None
        application.save()
        application.corrections.filter(resolved_at__isnull=True).update(resolved_at=now)
        receipt = receipt_issue(application=application, kind=SubmissionReceipt.Kind.RESUBMIT)
        audit_record(actor=actor, action="application.resubmit", obj=application, before=before,
                     after={**snapshot(application, AUDIT_FIELDS), "answers": answers, "receipt": receipt.number,
                            "receipt_digest": receipt.digest})
        _notify_next(application)
    return application


def correction_answer(*, actor: User, application_id: int, correction_id: int, answer: str) -> Correction:
    """The applicant answers one correction in words: how it was corrected,
    or why nothing needs to change. An empty answer takes it back."""
    answer = (answer or "").strip()
    if len(answer) > 4000:
        raise InvalidInput(_("Keep the answer under 4,000 characters."), field="answer")
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        correction = application.corrections.filter(pk=correction_id).first()
        if correction is None:
            raise NotFound()
        if application.status != S.RETURNED or correction.resolved_at is not None:
            raise RuleViolation(_("This correction is closed: the application was resubmitted."), field="answer")
        before = {"answer": correction.answer}
        correction.answer, correction.answered_at = answer, timezone.now() if answer else None
        correction.save(update_fields=["answer", "answered_at"])
        audit_record(actor=actor, action="application.correction_answer", obj=application,
                     before={"correction": correction.pk, **before},
                     after={"correction": correction.pk, "answer": answer})
    return correction


def application_withdraw(*, actor: User, application_id: int, reason: str = "") -> Application:
    with transaction.atomic():
        application = _lock_own(actor, application_id)
        transition = workflow.APPLICATION_WORKFLOW.check(action="withdraw", current=application.status,
                                                         roles={workflow.APPLICANT})
        before = snapshot(application, AUDIT_FIELDS)
        waiting = _waiting_on(application)
        status_before = application.status
        application.status = transition.target
        call_status_moved(application, before=status_before)
        application.correction_due_on = None
        application.save()
        audit_record(actor=actor, action="application.withdraw", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS), reason=(reason or "").strip())
        if waiting:
            name = application.applicant.real_name
            notification_send(recipients=waiting,
                              subject=lambda: _("An application was withdrawn: %(title)s")
                              % {"title": application.title_display},
                              body=lambda: _("%(name)s withdrew the application for %(title)s (%(call)s); it has "
                                             "left your queue and needs nothing more from you.")
                              % {"name": name, "title": application.title_display,
                                 "call": application.call.display_name})
    return application


# --- Unit publicity (R5.5) ---------------------------------------------------

def unit_objection_create(*, application_id: int, reason: str, contact: str) -> UnitObjection:
    """Anyone may object while an application is in unit publicity."""
    reason, contact = (reason or "").strip(), (contact or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("Describe the objection (at least 5 characters)."), field="reason")
    if not contact:
        raise InvalidInput(_("Leave a way to contact you."), field="contact")
    with transaction.atomic():
        application = _lock(application_id)
        if application.status != S.UNIT_PUBLICITY:
            raise NotFound()
        objection = UnitObjection.objects.create(application=application, reason=reason[:4000],
                                                 contact=contact[:64])
        audit_record(actor=None, action="application.unit_objection", obj=application,
                     after={"objection": objection.pk})
        notification_send(recipients=_members(application.sponsor_id, _HR_ROLES),
                          subject=lambda: _("An objection was raised during unit publicity"),
                          body=lambda: _("Someone objected to the application for %(title)s during unit publicity. "
                                         "Answer the objection on the application's review page; it cannot be "
                                         "forwarded before every objection is answered (R5.5).")
                          % {"title": application.title_display},
                          url=reverse("application-review", args=[application.pk]))
    return objection


def unit_objection_answer(*, actor: User, objection_id: int, answer: str, upheld: bool) -> UnitObjection:
    with transaction.atomic():
        objection = UnitObjection.objects.select_for_update(of=("self",)).select_related("application").filter(
            pk=objection_id).first()
        if objection is None:
            raise NotFound()
        if workflow.SPONSOR_HR not in application_roles(user=actor, application=objection.application):
            raise NotFound()
        if objection.answered_at:
            raise Conflict()
        if not (answer or "").strip():
            raise InvalidInput(_("Write the answer."), field="answer")
        objection.answer, objection.upheld, objection.answered_at = answer.strip()[:4000], bool(upheld), timezone.now()
        objection.save()
        audit_record(actor=actor, action="application.unit_objection_answer", obj=objection.application,
                     after={"objection": objection.pk, "upheld": bool(upheld)})
    return objection


def unit_publicity_close_due() -> int:
    """Celery beat: forward applications whose unit publicity is over and
    whose objections are all answered and dismissed. Idempotent."""
    today = timezone.localdate()
    due = list(Application.objects.filter(status=S.UNIT_PUBLICITY, publicity_ends_on__lt=today)
               .values_list("pk", flat=True))
    moved = 0
    for pk in due:
        with transaction.atomic():
            application = _lock(pk)
            if application.status != S.UNIT_PUBLICITY:
                continue
            try:
                _guard_publicity_over(application)
            except RuleViolation:
                continue
            transition = workflow.APPLICATION_WORKFLOW.check(action="publicity_end", current=application.status,
                                                             roles={workflow.SYSTEM})
            before = snapshot(application, AUDIT_FIELDS)
            status_before = application.status
            application.status = transition.target
            call_status_moved(application, before=status_before)
            application.save()
            audit_record(actor=None, action="application.publicity_end", obj=application, before=before,
                         after=snapshot(application, AUDIT_FIELDS))
            _notify_next(application)
            moved += 1
    return moved


# --- Deadline reminders (7, 3 and 1 days before) ----------------------------------

REMINDER_DAYS = (7, 3, 1)


def _reminder_threshold(days_left: int) -> int | None:
    """The reminder due for ``days_left``: 7 from a week before, then 3, then 1."""
    if days_left < 0:
        return None
    return min((d for d in REMINDER_DAYS if days_left <= d), default=None)


def deadline_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind applicants with drafts before their call closes, and applicants
    with a returned application before the correction falls due. Each
    reminder is recorded once (``Reminder``), so the task is idempotent and a
    day missed by beat is caught up with the nearest reminder."""
    from applications.models import Reminder

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(horizon, dt.time.max))
    candidates = []
    for application in (Application.objects.filter(status=S.DRAFT, call__closes_at__range=(start, end))
                        .select_related("call", "applicant")):
        candidates.append((application, Reminder.Kind.CALL_CLOSES, timezone.localtime(application.call.closes_at)
                           .date()))
    for application in (Application.objects.filter(status=S.RETURNED, correction_due_on__range=(today, horizon))
                        .select_related("applicant")):
        candidates.append((application, Reminder.Kind.CORRECTION_DUE, application.correction_due_on))
    sent = 0
    for application, kind, due in candidates:
        days_left = (due - today).days
        threshold = _reminder_threshold(days_left)
        if threshold is None:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(application=application, kind=kind, due_on=due, days_before=threshold)
                subject, body = _reminder_texts(application, kind, due, days_left)
                step = "submit" if kind == Reminder.Kind.CALL_CLOSES else "basics"
                notification_send(recipients=[application.applicant], subject=subject, body=body,
                                  topic=Topic.REMINDER, url=reverse("application-edit", args=[application.pk, step]))
        except IntegrityError:
            continue  # already reminded (another run got there first)
        sent += 1
    return sent


def _reminder_texts(application: Application, kind: str, due: dt.date, days_left: int):
    """What a deadline reminder says (rendered in the applicant's language): what, what to do, by when."""
    from applications.models import Reminder

    closes = timezone.localtime(application.call.closes_at).strftime("%Y-%m-%d %H:%M")

    def subject():
        if kind == Reminder.Kind.CALL_CLOSES:
            return _("%(n)d day(s) left: the call closes on %(date)s; your draft is not submitted") % {
                "n": days_left, "date": due.isoformat()}
        return _("%(n)d day(s) left to correct your application (due %(date)s)") % {
            "n": days_left, "date": due.isoformat()}

    def body():
        if kind == Reminder.Kind.CALL_CLOSES:
            return _("Your application for %(title)s in %(call)s is still a draft. Sign the pledge and submit it "
                     "before %(when)s (Beijing time); after that the call takes no more applications.") % {
                "title": application.title_display, "call": application.call.display_name, "when": closes}
        return _("Your application for %(title)s was returned for correction. Change what the corrections list and "
                 "resubmit it by %(date)s.") % {"title": application.title_display, "date": due.isoformat()}

    return subject, body


# --- Notifications ---------------------------------------------------------------

def _members(org_id: int | None, roles=None) -> list[User]:
    if not org_id:
        return []
    qs = Membership.objects.filter(organization_id=org_id, is_active=True)
    if roles:
        qs = qs.filter(role__in=roles)
    return [m.user for m in qs.select_related("user")]


def _waiting_on(application: Application) -> list[User]:
    """Who has the application in their queue now."""
    if application.status in (S.EMPLOYER_REVIEW, S.UNIT_PUBLICITY):
        return _members(application.sponsor_id, _HR_ROLES)
    if application.status == S.ACCEPTANCE:
        return _members(application.acceptance_body_id, (Membership.OrgRole.OFFICER,))
    if application.status == S.QUALIFICATION_AUDIT:
        return list(portal_selectors.bureau_officers_for_region(region=application.region_id))
    return []


def _notify_next(application: Application) -> None:
    """Tell whoever acts next."""
    if application.status not in (S.EMPLOYER_REVIEW, S.ACCEPTANCE, S.QUALIFICATION_AUDIT):
        return
    name = application.applicant.real_name
    notification_send(recipients=_waiting_on(application),
                      subject=lambda: _("An application awaits you: %(title)s") % {"title": application.title_display},
                      body=lambda: _("%(name)s's application for %(title)s (%(call)s) waits for your step: check it "
                                     "and approve, accept, return it for correction or reject it.")
                      % {"name": name, "title": application.title_display, "call": application.call.display_name},
                      url=reverse("application-review", args=[application.pk]))


def _notify_after(application: Application, action: str, reason: str) -> None:
    # The step is taken: the "awaits you" of everyone who could have taken it is settled.
    notification_settle(reverse("application-review", args=[application.pk]))
    status = application.status
    if status in (S.RETURNED, S.REJECTED, S.UNIT_PUBLICITY, S.QUALIFICATION_AUDIT, S.READY):
        corrections = list(application.corrections.filter(resolved_at__isnull=True).select_related("round"))

        def subject():
            return {
                S.RETURNED: _("Your application was returned for correction"),
                S.REJECTED: _("Your application was rejected"),
                S.UNIT_PUBLICITY: _("Your application is in unit publicity until %(date)s"),
                S.QUALIFICATION_AUDIT: _("Your application was accepted"),
                S.READY: _("Your application passed the qualification audit"),
            }[status] % {"date": application.publicity_ends_on.isoformat() if application.publicity_ends_on else ""}

        def body():
            lines = [_("Application for %(title)s (%(call)s).") % {"title": application.title_display,
                                                                    "call": application.call.display_name}]
            if reason:
                lines.append(_("Reason: %(reason)s") % {"reason": reason})
            if status == S.RETURNED:
                lines += [_("What to correct:")] + _correction_lines(corrections)
                lines.append(_("Open the application, change what is listed and resubmit it by %(date)s.")
                             % {"date": application.correction_due_on.isoformat()})
            elif status == S.REJECTED:
                lines.append(_("The application has ended. You may apply again in a later call."))
            elif status == S.UNIT_PUBLICITY:
                lines.append(_("Your employer approved it. Anyone in the unit may object until then (R5.5); "
                               "after that it is forwarded. Nothing to do for now."))
            elif status == S.QUALIFICATION_AUDIT:
                lines.append(_("The materials are complete. The HR bureau audits your qualification next (R6.1); "
                               "nothing to do for now."))
            else:
                lines.append(_("You are qualified for evaluation. The committee's office schedules the review; "
                               "you are told of each step."))
            return "\n".join(lines)

        def sms():
            # The SMS is short: the deadline first, then as much of what to correct as fits.
            return _("Your application for %(title)s was returned: correct it and resubmit by %(date)s. %(items)s") % {
                "title": application.title_display, "date": application.correction_due_on.isoformat(),
                "items": "；".join(c.message for c in corrections)}

        notification_send(recipients=[application.applicant], subject=subject, body=body,
                          topic=Topic.CORRECTION if status == S.RETURNED else Topic.RESULT,
                          sms=sms if status == S.RETURNED else None,
                          url=reverse("application-detail", args=[application.pk]))
    _notify_next(application)


def _correction_lines(corrections) -> list[str]:
    """The corrections in words for the applicant: each target by its name
    (a field's label, an achievement's title, a file's name), never a code."""
    return [f"· {returns.target_label(c.target, content=c.round.content_before if c.round else None, item_title=c.item_title)}: {c.message}"  # noqa: E501
            for c in corrections]


# --- Driven by the review app (layer above) -------------------------------------

REVIEW_ACTIONS = ("start_evaluation", "pass", "fail", "publicise_result", "withdraw_result", "grant", "reconsider")


def application_advance(*, actor: User | None, application_id: int, action: str, roles: set[str],
                        reason: str = "") -> Application:
    """A review step decided by the review app, which has checked that
    ``actor`` is the call's committee secretary or the bureau and passes the
    matching workflow roles. Locked, checked against the table, audited."""
    if action not in REVIEW_ACTIONS:
        raise InvalidInput(_("Unknown action."), field="action")
    with transaction.atomic():
        application = _lock(application_id)
        transition = workflow.APPLICATION_WORKFLOW.check(action=action, current=application.status, roles=roles)
        before = snapshot(application, AUDIT_FIELDS)
        status_before = application.status
        application.status = transition.target
        call_status_moved(application, before=status_before)
        application.save()
        if action == "grant":
            _title_held_from_grant(application)
        audit_record(actor=actor, action=f"application.{action}", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS), reason=reason)
    return application


def _title_held_from_grant(application: Application) -> None:
    """A title granted through the portal appears in the profile by itself (R5.1)."""
    from applications.models import TitleHeld

    committee = application.call.committee
    body = committee.name if committee is not None else (application.call.bureau.name if application.call.bureau
                                                          else "")
    TitleHeld.objects.get_or_create(
        user=application.applicant, series=application.series, level=application.level,
        granted_by_portal=True, title_name=application.title_name,
        defaults={"granted_on": timezone.localdate(), "granting_body": body[:128]},
    )


# --- Revocation for fraud (R6.3), driven by the integrity app (layer above) ------------

def title_revoke(*, actor: User, application_id: int, reason: str, case_reference: str) -> Application:
    """R6.3: a supervisor deciding an upheld fraud case revokes the title the
    application obtained (or stops the application wherever it stands). The
    title granted through the portal stops appearing as held. Idempotent: an
    application already revoked is returned unchanged."""
    from applications.models import TitleHeld
    from portal.models import Role

    reason = (reason or "").strip()
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SUPERVISOR):
        raise NotAllowed(_("Only a supervisor deciding an upheld fraud case may revoke a title (R6.3)."),
                         rule="R6.3")
    if not reason:
        raise InvalidInput(_("Record the reason for revoking the title (R6.3)."), field="reason")
    with transaction.atomic():
        application = _lock(application_id)
        if application.status == ApplicationStatus.REVOKED:
            return application
        transition = workflow.APPLICATION_WORKFLOW.check(action="revoke", current=application.status,
                                                         roles={workflow.SUPERVISOR_ON_CASE})
        before = snapshot(application, AUDIT_FIELDS)
        was_granted = application.status == ApplicationStatus.GRANTED
        status_before = application.status
        application.status = transition.target
        call_status_moved(application, before=status_before)
        application.save(update_fields=["status", "updated_at"])
        removed = []
        if was_granted:
            held = TitleHeld.objects.filter(user=application.applicant, series=application.series,
                                            level=application.level, title_name=application.title_name,
                                            granted_by_portal=True)
            removed = [{"id": t.pk, "title_name": t.title_name, "granted_on": t.granted_on.isoformat()}
                       for t in held]
            held.delete()
        audit_record(actor=actor, action="application.revoke", obj=application, before=before,
                     after={**snapshot(application, AUDIT_FIELDS), "titles_removed": removed,
                            "case": case_reference}, reason=reason)
    return application


# --- Refusals by the scope and duplicate guards, recorded for supervision (R2.1, R6.4) --------

#: Rules whose refusals are recorded: a committee outside its filed scope (R2.1)
#: and a second live application for a series and year (R6.4).
RECORDED_REFUSAL_RULES = ("R2.1", "R6.4")


@contextlib.contextmanager
def _refusal_recorded(*, applicant: User, call: Call, level: str, specialty: Specialty):
    """Record an ``application.refused`` audit event on the call when a scope
    guard (R2.1) or the duplicate guard (R6.4) refuses; the error propagates.
    Used outside the service's own transaction, so the record stays."""
    try:
        yield
    except RuleViolation as error:
        if error.rule in RECORDED_REFUSAL_RULES:
            audit_record(actor=applicant, action="application.refused", obj=call,
                         after={"rule": error.rule, "committee": call.committee_id, "level": level,
                                "specialty": specialty.pk if specialty else None}, reason=str(error.message))
        raise
