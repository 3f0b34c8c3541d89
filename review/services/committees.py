"""Committees (R2.1–R2.5, R2.3 lapse, R6.8 sanctions, R6.9 fees).

The ``portal.Committee`` row, its scope and members are written only here:
a bureau files a committee with its scope and members, changes members,
sanctions it (a suspension stops it, a withdrawal revokes it), lifts a
suspension, renews an expired filing; Celery beat lapses expired filings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.application_services import clean_translated_names, translated_names_set
from applications.models import Call, Level, Specialty, TitleSeries
from portal.audit import audit_record, snapshot
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import (
    Committee,
    CommitteeMember,
    CommitteeScope,
    Organization,
    PolicySettings,
    Region,
    Role,
    User,
)
from portal.notifications import notification_send
from review import workflow as wf
from review.models import CommitteeFee, CommitteeSanction
from review.services._common import (
    VOTING_ROLES,
    add_years,
    bureau_region_ids,
    is_bureau_for_committee,
    is_secretary,
    officer_bureaus,
    require_operational,
    today,
)

COMMITTEE_AUDIT_FIELDS = ("name", "kind", "organizer", "filed_by", "series", "filing_number", "filed_on",
                          "valid_until", "status")
SENIOR_LEVELS = (Level.DEPUTY_SENIOR, Level.SENIOR)
#: Kinds whose results the bureau files after the fact (R2.4).
AFTER_THE_FACT_KINDS = (Committee.Kind.ENTERPRISE, Committee.Kind.SOCIAL)
#: Kinds whose scope names member units rather than regions (R2.1, R2.2).
UNIT_KINDS = (Committee.Kind.ENTERPRISE, Committee.Kind.JOINT)


def _grant_group(user: User, role: str) -> None:
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if hasattr(user, "_role_names"):
        del user._role_names


def _committee_scope_snapshot(committee: Committee) -> dict:
    return {
        "scopes": [{"level": s.level, "specialty": s.specialty_id, "region": s.region_id, "unit": s.member_unit_id}
                   for s in committee.scopes.order_by("pk")],
        "members": [{"user": m.user_id, "role": m.role} for m in committee.members.filter(is_active=True)
                    .order_by("pk")],
    }


def _lock_committee(committee_id: int) -> Committee:
    committee = (Committee.objects.select_for_update(of=("self",)).select_related("filed_by", "series")
                 .filter(pk=committee_id).first())
    if committee is None:
        raise NotFound()
    return committee


def _require_bureau(actor: User, committee: Committee) -> None:
    if not is_bureau_for_committee(actor, committee):
        raise NotFound()


def _clean_scopes(series: TitleSeries, kind: str, scopes: list[dict]) -> list[CommitteeScope]:
    if not scopes:
        raise InvalidInput(_("A committee is filed with at least one scope row (R2.1)."), field="scopes")
    rows, seen = [], set()
    for n, raw in enumerate(scopes, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(_("Scope row %(n)d is not valid.") % {"n": n}, field="scopes")
        level = raw.get("level")
        if level not in Level.values:
            raise InvalidInput(_("Scope row %(n)d: choose a level.") % {"n": n}, field="scopes")
        specialty = region = unit = None
        if raw.get("specialty_id"):
            specialty = Specialty.objects.filter(pk=raw["specialty_id"]).first()
            if specialty is None or specialty.series_id != series.pk:
                raise RuleViolation(_("Scope row %(n)d: a committee covers one series only; the specialty is not "
                                      "in %(series)s (R2.1).") % {"n": n, "series": series.name},
                                    rule="R2.1", field="scopes")
        if raw.get("region_id"):
            region = Region.objects.filter(pk=raw["region_id"]).first()
            if region is None:
                raise InvalidInput(_("Scope row %(n)d: unknown region.") % {"n": n}, field="scopes")
        if raw.get("member_unit_id"):
            unit = Organization.objects.filter(pk=raw["member_unit_id"]).first()
            if unit is None:
                raise InvalidInput(_("Scope row %(n)d: unknown member unit.") % {"n": n}, field="scopes")
        if kind in UNIT_KINDS and unit is None:
            raise RuleViolation(_("Scope row %(n)d: an enterprise self-review or joint committee names the member "
                                  "units it reviews (R2.1, R2.2).") % {"n": n}, rule="R2.1", field="scopes")
        key = (level, getattr(specialty, "pk", None), getattr(region, "pk", None), getattr(unit, "pk", None))
        if key in seen:
            continue
        seen.add(key)
        rows.append(CommitteeScope(level=level, specialty=specialty, region=region, member_unit=unit))
    return rows


def _check_senior_size(scopes: list[CommitteeScope], voting_members: int, policy: PolicySettings) -> None:
    """R2.5: a senior committee has at least 25 experts when it covers a
    series, 11 when it covers one specialty (configurable), and an odd
    number of members."""
    if not any(s.level in SENIOR_LEVELS for s in scopes):
        return
    specialties = {s.specialty_id for s in scopes}
    one_specialty = len(specialties) == 1 and None not in specialties
    minimum = (policy.senior_committee_min_experts_specialty if one_specialty
               else policy.senior_committee_min_experts_series)
    if voting_members < minimum:
        raise RuleViolation(_("A senior committee covering %(what)s has at least %(n)d experts; this one has %(have)d "
                              "(R2.5).") % {"what": _("one specialty") if one_specialty else _("a series"),
                                            "n": minimum, "have": voting_members}, rule="R2.5", field="members")
    if voting_members % 2 == 0:
        raise RuleViolation(_("A senior committee has an odd number of members; this one has %(have)d (R2.5).")
                            % {"have": voting_members}, rule="R2.5", field="members")


def _clean_members(members: list[dict]) -> list[tuple[User, str]]:
    rows, seen = [], set()
    for n, raw in enumerate(members or [], start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(_("Member %(n)d is not valid.") % {"n": n}, field="members")
        role = raw.get("role") or CommitteeMember.Role.MEMBER
        if role not in CommitteeMember.Role.values:
            raise InvalidInput(_("Member %(n)d: unknown role.") % {"n": n}, field="members")
        user = User.objects.filter(pk=raw.get("user_id"), is_active=True).first() if raw.get("user_id") else None
        if user is None:
            raise InvalidInput(_("Member %(n)d: unknown user.") % {"n": n}, field="members")
        if (user.pk, role) in seen:
            continue
        seen.add((user.pk, role))
        rows.append((user, role))
    voting = {u.pk for u, r in rows if r in VOTING_ROLES}
    if not voting:
        raise InvalidInput(_("Name the committee's members (at least the chair or one member)."), field="members")
    if not any(r == CommitteeMember.Role.CHAIR for _u, r in rows):
        raise InvalidInput(_("Name the committee's chair."), field="members")
    return rows


def _check_validity(filed_on: dt.date, valid_until: dt.date, policy: PolicySettings) -> None:
    if not isinstance(filed_on, dt.date) or not isinstance(valid_until, dt.date):
        raise InvalidInput(_("Enter the filing date and the date the filing is valid until."), field="valid_until")
    if valid_until <= filed_on:
        raise InvalidInput(_("The filing must be valid after the day it is filed."), field="valid_until")
    limit = add_years(filed_on, policy.committee_filing_max_years)
    if valid_until > limit:
        raise RuleViolation(_("A filing is valid for at most %(n)d years: until %(date)s at the latest (R2.3).")
                            % {"n": policy.committee_filing_max_years, "date": limit.isoformat()},
                            rule="R2.3", field="valid_until")


def committee_file(*, actor: User, name: str, kind: str, organizer_id: int, series_id: int, filing_number: str,
                   filed_on: dt.date, valid_until: dt.date, scopes: list[dict], members: list[dict],
                   bureau_id: int | None = None, name_en: str = "", name_ug: str = "") -> Committee:
    """核准备案: a bureau files a committee with its scope and members. ``name`` is the filed (Chinese)
    name; ``name_en`` and ``name_ug``, optional, are shown on English and Uyghur pages."""
    bureaus = officer_bureaus(actor)
    bureau = bureaus.filter(pk=bureau_id).first() if bureau_id else bureaus.order_by("pk").first()
    if bureau is None:
        raise NotAllowed(_("Only an officer of an HR bureau files committees (R2.1)."), rule="R2.1")
    policy = PolicySettings.load()
    name, filing_number = (name or "").strip(), (filing_number or "").strip()
    if not name:
        raise InvalidInput(_("Name the committee."), field="name")
    if not filing_number:
        raise InvalidInput(_("Enter the filing number."), field="filing_number")
    if kind not in Committee.Kind.values:
        raise InvalidInput(_("Choose the kind of committee (R2.2)."), field="kind")
    series = TitleSeries.objects.filter(pk=series_id, is_active=True).first()
    if series is None:
        raise InvalidInput(_("Choose the one series the committee covers (R2.1)."), field="series")
    organizer = Organization.objects.filter(pk=organizer_id).first()
    if organizer is None:
        raise InvalidInput(_("Choose the organizer."), field="organizer")
    if kind == Committee.Kind.ENTERPRISE and organizer.kind != Organization.Kind.ENTERPRISE:
        raise RuleViolation(_("An enterprise self-review committee is organised by an enterprise (R2.2)."),
                            rule="R2.2", field="organizer")
    _check_validity(filed_on, valid_until, policy)
    scope_rows = _clean_scopes(series, kind, scopes)
    member_rows = _clean_members(members)
    _check_senior_size(scope_rows, len({u.pk for u, r in member_rows if r in VOTING_ROLES}), policy)
    if Committee.objects.filter(filing_number=filing_number).exists():
        raise InvalidInput(_("This filing number is already used."), field="filing_number")
    try:
        with transaction.atomic():
            committee = Committee(name=name[:128], name_en=(name_en or "").strip()[:128],
                                  name_ug=(name_ug or "").strip()[:128], kind=kind, organizer=organizer,
                                  filed_by=bureau, series=series,
                                  filing_number=filing_number[:64], filed_on=filed_on, valid_until=valid_until)
            committee.full_clean()
            committee.save()
            for row in scope_rows:
                row.committee = committee
            CommitteeScope.objects.bulk_create(scope_rows)
            CommitteeMember.objects.bulk_create([CommitteeMember(committee=committee, user=u, role=r)
                                                 for u, r in member_rows])
            for user, role in member_rows:
                _grant_group(user, Role.COMMITTEE_SECRETARY if role == CommitteeMember.Role.SECRETARY
                             else Role.EXPERT)
            audit_record(actor=actor, action="committee.file", obj=committee,
                         after={**snapshot(committee, COMMITTEE_AUDIT_FIELDS), **_committee_scope_snapshot(committee)})
            notification_send(recipients=[u for u, r in member_rows if r == CommitteeMember.Role.SECRETARY],
                              subject=lambda: _("Committee filed: %(name)s") % {"name": committee.display_name},
                              body=lambda: _("The filing is valid until %(date)s. You can now open calls within its "
                                             "scope (R2.1).") % {"date": committee.valid_until.isoformat()},
                              url=reverse("review-secretary-home"))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages))
    except IntegrityError:
        raise InvalidInput(_("This filing number is already used."), field="filing_number")
    return committee


def committee_rename_translations(*, actor: User, committee_id: int, name_en: str | None = None,
                                  name_ug: str | None = None) -> Committee:
    """Give a filed committee its English and Uyghur names (the filed Chinese ``name`` never changes
    here): the bureau that files, renews and sanctions it (``is_bureau_for_committee``). Audited with the
    two names before and after; nothing written when they are unchanged. A name given as None stays."""
    names = clean_translated_names(name_en=name_en, name_ug=name_ug)
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        before, after = translated_names_set(committee, names)
        if before == after:
            return committee
        committee.save(update_fields=["name_en", "name_ug"])
        audit_record(actor=actor, action="committee.rename_translations", obj=committee, before=before, after=after)
    return committee


def committee_member_add(*, actor: User, committee_id: int, user_id: int, role: str) -> CommitteeMember:
    if role not in CommitteeMember.Role.values:
        raise InvalidInput(_("Unknown role."), field="role")
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise InvalidInput(_("Unknown user."), field="user")
        member, created = CommitteeMember.objects.get_or_create(committee=committee, user=user, role=role)
        if not created and member.is_active:
            raise Conflict(_("This person already holds that role in the committee."))
        member.is_active = True
        member.save()
        _grant_group(user, Role.COMMITTEE_SECRETARY if role == CommitteeMember.Role.SECRETARY else Role.EXPERT)
        audit_record(actor=actor, action="committee.member_add", obj=committee,
                     after={"user": user.pk, "role": role})
    return member


def committee_member_remove(*, actor: User, committee_id: int, member_id: int, reason: str) -> CommitteeMember:
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason."), field="reason")
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        member = CommitteeMember.objects.filter(pk=member_id, committee=committee, is_active=True).first()
        if member is None:
            raise NotFound()
        member.is_active = False
        member.save(update_fields=["is_active"])
        scopes = list(committee.scopes.all())
        if member.role in VOTING_ROLES:
            remaining = committee.members.filter(is_active=True, role__in=VOTING_ROLES).values("user").distinct()
            _check_senior_size(scopes, remaining.count(), PolicySettings.load())
        audit_record(actor=actor, action="committee.member_remove", obj=committee,
                     before={"user": member.user_id, "role": member.role}, reason=reason.strip())
    return member


# --- Status: sanctions, reinstatement, renewal, lapse ---------------------------------

def _transition(committee: Committee, action: str, roles: set[str]) -> str:
    return wf.COMMITTEE_WORKFLOW.check(action=action, current=committee.status, roles=roles).target


def _notify_committee(committee: Committee, subject, body="") -> None:
    """Subject and body: text or callables, rendered in each secretary's language."""
    recipients = [m.user for m in committee.members.filter(is_active=True, role=CommitteeMember.Role.SECRETARY)
                  .select_related("user")]
    notification_send(recipients=recipients, subject=subject, body=body, url=reverse("review-secretary-home"))


def committee_sanction(*, actor: User, committee_id: int, kind: str, reason: str) -> CommitteeSanction:
    """R6.8: reminder, interview, suspension, rectification, public
    criticism or withdrawal of authority, always with the reason. A
    suspension stops the committee; a withdrawal revokes its filing."""
    reason = (reason or "").strip()
    if kind not in CommitteeSanction.Kind.values:
        raise InvalidInput(_("Choose the kind of sanction (R6.8)."), field="kind")
    if not reason:
        raise InvalidInput(_("Give the reason for the sanction (R6.8)."), field="reason")
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        return _sanction(committee, actor=actor, kind=kind, reason=reason)


def _sanction(committee: Committee, *, actor: User, kind: str, reason: str, case_reference: str = "",
              recorded_reason: str | None = None) -> CommitteeSanction:
    """Record the sanction on the locked committee, with its effect (a
    suspension stops it, a withdrawal revokes its filing), audited; the
    committee's office is notified."""
    before = snapshot(committee, ("status",))
    action = {CommitteeSanction.Kind.SUSPENSION: "suspend", CommitteeSanction.Kind.WITHDRAWAL: "revoke"}.get(kind)
    if action:
        committee.status = _transition(committee, action, {wf.BUREAU})
        committee.save(update_fields=["status"])
    sanction = CommitteeSanction(committee=committee, kind=kind, reason=recorded_reason or reason,
                                 decided_by=actor, decided_at=timezone.now())
    sanction.full_clean()
    sanction.save()
    audit_record(actor=actor, action=f"committee.sanction.{kind}", obj=committee, before=before,
                 after={"status": committee.status, "sanction": sanction.pk, "kind": kind,
                        **({"case": case_reference} if case_reference else {})}, reason=reason)
    _notify_committee(committee, lambda: _("Sanction on %(name)s: %(kind)s")
                      % {"name": committee.display_name, "kind": sanction.get_kind_display()}, sanction.reason)
    return sanction


def committee_suspend(*, actor: User, committee_id: int, reason: str) -> CommitteeSanction:
    return committee_sanction(actor=actor, committee_id=committee_id, kind=CommitteeSanction.Kind.SUSPENSION,
                              reason=reason)


def committee_revoke(*, actor: User, committee_id: int, reason: str) -> CommitteeSanction:
    return committee_sanction(actor=actor, committee_id=committee_id, kind=CommitteeSanction.Kind.WITHDRAWAL,
                              reason=reason)


def committee_reinstate(*, actor: User, committee_id: int, reason: str) -> Committee:
    """Lift a suspension once rectified; an expired filing stays stopped (R2.3)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for lifting the suspension."), field="reason")
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        target = _transition(committee, "reinstate", {wf.BUREAU})
        if committee.valid_until < today():
            raise RuleViolation(_("The filing expired on %(date)s; renew it instead (R2.3).")
                                % {"date": committee.valid_until.isoformat()}, rule="R2.3")
        committee.status = target
        committee.save(update_fields=["status"])
        CommitteeSanction.objects.filter(committee=committee, kind=CommitteeSanction.Kind.SUSPENSION,
                                         lifted_at__isnull=True).update(lifted_at=timezone.now(), lifted_by=actor,
                                                                        lift_reason=reason)
        audit_record(actor=actor, action="committee.reinstate", obj=committee, before={"status": "suspended"},
                     after={"status": committee.status}, reason=reason)
        _notify_committee(committee, lambda: _("The suspension of %(name)s is lifted")
                          % {"name": committee.display_name}, reason)
    return committee


def committee_renew(*, actor: User, committee_id: int, filed_on: dt.date, valid_until: dt.date,
                    reason: str = "") -> Committee:
    """File an active or lapsed committee again with a new validity (R2.3)."""
    policy = PolicySettings.load()
    _check_validity(filed_on, valid_until, policy)
    if valid_until < today():
        raise InvalidInput(_("The new validity has already ended."), field="valid_until")
    with transaction.atomic():
        committee = _lock_committee(committee_id)
        _require_bureau(actor, committee)
        target = _transition(committee, "renew", {wf.BUREAU})
        before = snapshot(committee, ("status", "filed_on", "valid_until"))
        committee.status, committee.filed_on, committee.valid_until = target, filed_on, valid_until
        committee.full_clean()
        committee.save(update_fields=["status", "filed_on", "valid_until"])
        audit_record(actor=actor, action="committee.renew", obj=committee, before=before,
                     after=snapshot(committee, ("status", "filed_on", "valid_until")), reason=reason)
    return committee


def committee_lapse_expired(*, on: dt.date | None = None) -> int:
    """Celery beat: filings past their validity lapse (R2.3). Idempotent."""
    on = on or today()
    due = list(Committee.objects.filter(status__in=[Committee.Status.ACTIVE, Committee.Status.SUSPENDED],
                                        valid_until__lt=on).values_list("pk", flat=True))
    lapsed = 0
    for pk in due:
        with transaction.atomic():
            committee = Committee.objects.select_for_update().filter(pk=pk).first()
            if committee is None or committee.valid_until >= on or committee.status not in (
                    Committee.Status.ACTIVE, Committee.Status.SUSPENDED):
                continue
            before = committee.status
            committee.status = _transition(committee, "lapse", {wf.SYSTEM})
            committee.save(update_fields=["status"])
            audit_record(actor=None, action="committee.lapse", obj=committee, before={"status": before},
                         after={"status": committee.status}, reason=f"valid until {committee.valid_until}")
            _notify_committee(committee, lambda c=committee: _("The filing of %(name)s has lapsed (R2.3)")
                              % {"name": c.display_name},
                              lambda: _("It may not open calls, accept or review until the bureau files it again."))
            lapsed += 1
    return lapsed


# --- Fees (R6.9) ------------------------------------------------------------------------

def committee_fee_record(*, actor: User, committee_id: int, description: str, amount, basis: str,
                         call_id: int | None = None) -> CommitteeFee:
    """R6.9: the secretary records a fee the committee charges; the bureau sees it."""
    committee = Committee.objects.select_related("filed_by").filter(pk=committee_id).first()
    if committee is None or not is_secretary(actor, committee.pk):
        raise NotFound()
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter the amount in yuan."), field="amount")
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
        raise InvalidInput(_("Enter the amount in yuan."), field="amount")
    if not (description or "").strip() or not (basis or "").strip():
        raise InvalidInput(_("Say what the fee is for and which approval allows it (R6.9)."), field="basis")
    call = None
    if call_id:
        call = Call.objects.filter(pk=call_id, committee=committee).first()
        if call is None:
            raise InvalidInput(_("Unknown call."), field="call")
    with transaction.atomic():
        fee = CommitteeFee.objects.create(committee=committee, call=call, description=description.strip()[:200],
                                          amount=amount.quantize(Decimal("0.01")), basis=basis.strip()[:200],
                                          recorded_by=actor)
        audit_record(actor=actor, action="committee.fee", obj=committee,
                     after={"fee": fee.pk, "amount": str(fee.amount), "description": fee.description})
    return fee


def committee_check_operational(*, committee_id: int) -> Committee:
    """For other steps (calls, acceptance): raise R2.3 unless in force."""
    committee = Committee.objects.filter(pk=committee_id).first()
    if committee is None:
        raise NotFound()
    require_operational(committee)
    return committee


__all__ = [
    "AFTER_THE_FACT_KINDS", "committee_check_operational", "committee_fee_record", "committee_file",
    "committee_lapse_expired", "committee_member_add", "committee_member_remove", "committee_reinstate",
    "committee_rename_translations",
    "committee_renew", "committee_revoke", "committee_sanction", "committee_suspend", "bureau_region_ids",
]


# --- Sanctions decided on an upheld fraud case (integrity app, R6.3, R6.8) ---------------

#: Sanctions a supervisor may impose on an upheld fraud case; a suspension or
#: withdrawal of authority changes the filing and stays with the bureau.
FRAUD_CASE_SANCTION_KINDS = (CommitteeSanction.Kind.REMINDER, CommitteeSanction.Kind.INTERVIEW,
                             CommitteeSanction.Kind.RECTIFICATION, CommitteeSanction.Kind.PUBLIC_CRITICISM)


def committee_sanction_for_fraud(*, actor: User, committee_id: int, kind: str, reason: str,
                                 case_reference: str) -> CommitteeSanction:
    """R6.3/R6.8: a supervisor upholding a fraud case sanctions the committee
    that evaluated the title (reminder, interview, rectification or public
    criticism). The sanction shows in the bureau's registry and committee
    page at once, and the bureau officers of the filing region and the
    committee's secretaries are notified (the bureau may suspend it)."""
    reason = (reason or "").strip()
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SUPERVISOR):
        raise NotAllowed(_("Only a supervisor deciding an upheld fraud case may sanction for it (R6.3)."),
                         rule="R6.3")
    if kind not in FRAUD_CASE_SANCTION_KINDS:
        raise InvalidInput(_("Choose the kind of sanction (R6.8)."), field="kind")
    if not reason:
        raise InvalidInput(_("Give the reason for the sanction (R6.8)."), field="reason")
    from portal.selectors import bureau_officers_for_region

    with transaction.atomic():
        committee = _lock_committee(committee_id)
        sanction = _sanction(committee, actor=actor, kind=kind, reason=reason, case_reference=case_reference,
                             recorded_reason=f"[{case_reference}] {reason}")
        notification_send(recipients=list(bureau_officers_for_region(region=committee.filed_by.region)),
                          subject=lambda: _("Sanction on %(name)s: %(kind)s")
                          % {"name": committee.display_name, "kind": sanction.get_kind_display()},
                          body=sanction.reason, url=reverse("review-committee-detail", args=[committee.pk]))
    return sanction
