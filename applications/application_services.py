"""Writes of an application from draft to "ready for evaluation" (issue 3).

Every function here checks who may act, runs in a transaction, locks the
application row when its status changes, checks ``APPLICATION_WORKFLOW``,
writes the audit event and notifies the people concerned after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import eligibility, workflow
from applications.choices import Channel, Pathway
from applications.models import (
    LIVE_STATUSES,
    Achievement,
    Application,
    ApplicationStatus,
    Attachment,
    Call,
    Correction,
    IntegrityPledge,
    Level,
    TitleName,
    UnitObjection,
)
from applications.profile import profile_facts
from portal import calendar
from portal.audit import audit_record, snapshot
from portal.errors import Conflict, InvalidInput, NotFound, RuleViolation
from portal.models import Employment, IntegrityRecord, Membership, Organization, PolicySettings, User
from portal.notifications import notification_send
from portal.uploads import validate_document

S = ApplicationStatus
AUDIT_FIELDS = ("status", "call", "specialty", "level", "pathway", "channel", "employer", "sponsor",
                "acceptance_body", "region", "returned_from", "publicity_ends_on")
EDITABLE_FIELDS = ("specialty", "summary", "justification")

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
    "work_summary": _("Work summary"), "recommendation": _("Recommendation letter"),
    "degree_certificate": _("Degree certificate"), "postdoc_evidence": _("Postdoctoral grant or project evidence"),
    "skill_certificate": _("Vocational skill certificate"), "qualification_certificate": _("Qualification certificate"),
    "evidence": _("Evidence of an achievement"), "other": _("Other material"),
}


# --- Reading the actor's relation to an application ------------------------

def application_roles(*, user: User, application: Application) -> set[str]:
    """The workflow roles ``user`` holds for ``application``."""
    roles: set[str] = set()
    if not user.is_authenticated:
        return roles
    if application.applicant_id == user.pk:
        roles.add(workflow.APPLICANT)
    org_ids = set(Membership.objects.filter(user=user, is_active=True).values_list("organization_id", flat=True))
    if application.sponsor_id and application.sponsor_id in org_ids and user.has_perm(
            "portal.work_organization", application.sponsor):
        roles.add(workflow.SPONSOR_HR)
    if application.acceptance_body_id and application.acceptance_body_id in org_ids:
        roles.add(workflow.ACCEPTANCE)
    if Organization.objects.filter(pk__in=org_ids, kind=Organization.Kind.HR_BUREAU, status="active",
                                   region_id=application.region_id).exists():
        roles.add(workflow.BUREAU)
    return roles


def _lock(application_id: int) -> Application:
    application = (Application.objects.select_for_update().select_related("call", "call__committee", "applicant")
                   .filter(pk=application_id).first())
    if application is None:
        raise NotFound()
    return application


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
        return {"region": employment.employer.region, "employer": employment.employer,
                "sponsor": employment.employer, "private": employment.employer.ownership == "private"}
    if channel == Channel.DISPATCH:
        if employment is None or employment.dispatch_region is None or employment.dispatch_start is None:
            raise RuleViolation(_("No confirmed dispatch is recorded for you (R1.8)."), rule="R1.8", field="channel")
        if (today - employment.dispatch_start).days < 365 * policy.dispatch_min_years:
            raise RuleViolation(_("You may apply where you are dispatched after more than %(n)d continuous year(s) "
                                  "there (R1.8).") % {"n": policy.dispatch_min_years}, rule="R1.8", field="channel")
        return {"region": employment.dispatch_region, "employer": employment.employer,
                "sponsor": employment.employer, "private": employment.employer.ownership == "private"}
    if channel == Channel.ORIGINAL_UNIT:
        if employment is None or employment.original_unit is None or employment.leave_start is None:
            raise RuleViolation(_("No approved leave for entrepreneurship is recorded for you (R1.7)."),
                                rule="R1.7", field="channel")
        if (today - employment.leave_start).days > 365 * policy.leave_for_entrepreneurship_years:
            raise RuleViolation(_("More than %(n)d years have passed since you left your original unit (R1.7).")
                                % {"n": policy.leave_for_entrepreneurship_years}, rule="R1.7", field="channel")
        unit = employment.original_unit
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

def call_check_open(*, call: Call, level: str, specialty, pathway: str, region, employer=None) -> None:
    """A call accepts an application: open, in scope (R2.1), committee in
    force (R2.3), level and pathway named by the call."""
    now = timezone.now()
    if not (call.opens_at <= now <= call.closes_at):
        raise RuleViolation(_("This call is not open for applications."), rule="R2.3", field="call")
    if level not in call.levels:
        raise RuleViolation(_("This call does not cover the level you chose."), rule="R2.1", field="level")
    if call.pathways and pathway not in call.pathways:
        raise RuleViolation(_("This call does not accept that pathway."), rule="R4.1", field="pathway")
    if specialty.series_id != call.series_id:
        raise RuleViolation(_("The specialty is not in the call's series."), rule="R2.1", field="specialty")
    specialty_ids = set(call.specialties.values_list("pk", flat=True))
    if specialty_ids and specialty.pk not in specialty_ids:
        raise RuleViolation(_("This call does not cover that specialty."), rule="R2.1", field="specialty")
    committee = call.committee
    if committee is not None:
        if not committee.is_operational():
            raise RuleViolation(_("The committee's filing is suspended, revoked or lapsed (R2.3)."), rule="R2.3")
        scope = committee.scopes.filter(level=level)
        scope = scope.filter(models_q_specialty(specialty))
        in_region = scope.filter(region__isnull=True, member_unit__isnull=True).exists() or scope.filter(
            region=region).exists() or (employer is not None and scope.filter(member_unit=employer).exists())
        if not in_region:
            raise RuleViolation(_("The level, specialty or region is outside the committee's filed scope (R2.1)."),
                                rule="R2.1", field="level")


def models_q_specialty(specialty):
    from django.db.models import Q

    return Q(specialty__isnull=True) | Q(specialty=specialty)


# --- Drafts -------------------------------------------------------------------

def application_create(*, applicant: User, call_id: int, specialty_id: int, level: str,
                       pathway: str = Pathway.REGULAR, channel: str = Channel.EMPLOYER,
                       sponsor_id: int | None = None) -> Application:
    """A new draft in an open call; the region follows the channel (R1.1)."""
    from applications.models import Specialty

    call = Call.objects.select_related("committee", "series").filter(pk=call_id).first()
    if call is None:
        raise InvalidInput(_("Choose an open call."), field="call")
    if level not in Level.values:
        raise InvalidInput(_("Choose a level."), field="level")
    if pathway not in Pathway.values:
        raise InvalidInput(_("Choose a pathway."), field="pathway")
    if channel not in Channel.values:
        raise InvalidInput(_("Choose how you apply."), field="channel")
    specialty = Specialty.objects.filter(pk=specialty_id, is_active=True).first()
    if specialty is None:
        raise InvalidInput(_("Choose a specialty."), field="specialty")
    sponsor = Organization.objects.filter(pk=sponsor_id).first() if sponsor_id else None
    where = resolve_channel(applicant=applicant, channel=channel, sponsor=sponsor)
    call_check_open(call=call, level=level, specialty=specialty, pathway=pathway, region=where["region"],
                    employer=where["employer"])
    title = TitleName.objects.filter(series=call.series, level=level).first()
    if title is None:
        raise RuleViolation(_("The series has no title at that level."), rule="R3.5", field="level")
    _guard_duplicate(applicant=applicant, series_id=call.series_id, year=call.year)
    with transaction.atomic():
        application = Application(
            applicant=applicant, call=call, series=call.series, year=call.year, specialty=specialty, level=level,
            title_name=title.name, pathway=pathway, channel=channel, employer=where["employer"],
            sponsor=where["sponsor"], region=where["region"], private_enterprise=where["private"],
            first_time=not Application.objects.filter(applicant=applicant, series=call.series,
                                                      status__in=LIVE_STATUSES).exists(),
            acceptance_body=acceptance_body_for(region=where["region"], series=call.series, channel=channel,
                                                sponsor=sponsor),
        )
        application.save()
        audit_record(actor=applicant, action="application.create", obj=application,
                     after=snapshot(application, AUDIT_FIELDS))
    return application


def application_update_draft(*, actor: User, application_id: int, data: dict) -> Application:
    """Save what the applicant typed (autosave). In a returned application only
    the fields named by a correction unlock (一次性告知)."""
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        unlocked = _unlocked_targets(application)
        before = {f: getattr(application, f"{f}_id" if f == "specialty" else f) for f in EDITABLE_FIELDS}
        for field, value in data.items():
            if field not in EDITABLE_FIELDS:
                raise InvalidInput(_("This field cannot be changed here."), field=field)
            if unlocked is not None and field not in unlocked:
                raise RuleViolation(_("Only the parts named in the return may change."), field=field)
            if field == "specialty":
                from applications.models import Specialty

                specialty = Specialty.objects.filter(pk=value, series_id=application.series_id).first()
                if specialty is None:
                    raise InvalidInput(_("Choose a specialty of the call's series."), field="specialty")
                application.specialty = specialty
            else:
                setattr(application, field, str(value)[:20000])
        application.save()
        after = {f: getattr(application, f"{f}_id" if f == "specialty" else f) for f in EDITABLE_FIELDS}
        if before != after:
            audit_record(actor=actor, action="application.edit", obj=application,
                         before={k: v for k, v in before.items() if before[k] != after[k]},
                         after={k: v for k, v in after.items() if before[k] != after[k]})
    return application


def _unlocked_targets(application: Application) -> set[str] | None:
    """None when everything is editable (draft); the correction targets when returned."""
    if application.status == S.DRAFT:
        return None
    if application.status == S.RETURNED:
        return set(application.corrections.filter(resolved_at__isnull=True).values_list("target", flat=True))
    raise RuleViolation(_("The application can no longer be edited."))


def achievement_add(*, actor: User, application_id: int, kind: str, title: str, role: str = "", number: str = "",
                    achieved_on: dt.date | None = None, economic_benefit: Decimal | None = None,
                    description: str = "") -> Achievement:
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        unlocked = _unlocked_targets(application)
        if unlocked is not None and "achievements" not in unlocked:
            raise RuleViolation(_("Only the parts named in the return may change."), field="achievements")
        if kind not in Achievement.Kind.values:
            raise InvalidInput(_("Choose the kind of achievement."), field="kind")
        if not (title or "").strip():
            raise InvalidInput(_("Give the achievement a title."), field="title")
        if kind in (Achievement.Kind.PATENT, Achievement.Kind.STANDARD) and not number.strip():
            raise InvalidInput(_("Patents and standards need their number (R3.2)."), field="number")
        if kind in (Achievement.Kind.PATENT, Achievement.Kind.STANDARD) and not role:
            raise InvalidInput(_("Say what your role was (R3.2)."), field="role")
        achievement = Achievement(application=application, kind=kind, title=title.strip(), role=role,
                                  number=number.strip(), achieved_on=achieved_on,
                                  economic_benefit=economic_benefit, description=description)
        try:
            achievement.full_clean(exclude=["application"])
        except ValidationError as e:
            raise InvalidInput(" ".join(e.messages))
        achievement.save()
        audit_record(actor=actor, action="application.achievement_add", obj=application,
                     after={"achievement": achievement.pk, "kind": kind, "title": achievement.title})
    return achievement


def attachment_add(*, actor: User, application_id: int, material: str, upload,
                   achievement_id: int | None = None) -> Attachment:
    """A file checked by content, size and count; a refused file changes nothing."""
    policy = PolicySettings.load()
    if material not in MATERIAL_NAMES:
        raise InvalidInput(_("Choose which material this file is."), field="material")
    try:
        mime = validate_document(upload, max_bytes=policy.max_file_mb * 1024 * 1024)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), field="file")
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        unlocked = _unlocked_targets(application)
        if unlocked is not None and material not in unlocked and "attachments" not in unlocked:
            raise RuleViolation(_("Only the parts named in the return may change."), field="file")
        existing = application.attachments.aggregate(total=Sum("size"))["total"] or 0
        if application.attachments.count() >= policy.max_files_per_application:
            raise InvalidInput(_("An application holds at most %(n)d files.")
                               % {"n": policy.max_files_per_application}, field="file")
        if existing + upload.size > policy.max_application_mb * 1024 * 1024:
            raise InvalidInput(_("The application's files may total at most %(n)d MB.")
                               % {"n": policy.max_application_mb}, field="file")
        achievement = None
        if achievement_id:
            achievement = application.achievements.filter(pk=achievement_id).first()
            if achievement is None:
                raise InvalidInput(_("Unknown achievement."), field="achievement")
        attachment = Attachment(application=application, achievement=achievement, material=material,
                                original_name=upload.name[-200:], content_type=mime, size=upload.size)
        attachment.file.save(upload.name[-80:], upload, save=False)
        attachment.save()
        audit_record(actor=actor, action="application.attachment_add", obj=application,
                     after={"attachment": attachment.pk, "material": material, "size": upload.size})
    return attachment


# --- Submission and its guards ------------------------------------------------

def _guard_integrity(applicant: User) -> None:
    today = timezone.localdate()
    record = IntegrityRecord.objects.filter(user=applicant, starts_on__lte=today, ends_on__gte=today).first()
    if record:
        raise RuleViolation(_("An integrity record bars you from applying until %(date)s (R6.3).")
                            % {"date": record.ends_on.isoformat()}, rule="R6.3")


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


def application_eligibility(application: Application) -> eligibility.EligibilityResult:
    facts = profile_facts(user=application.applicant, series=application.series, level=application.level,
                          pathway=application.pathway, private_enterprise=application.private_enterprise,
                          first_time=application.first_time)
    return eligibility.eligibility_check(facts=facts)


def application_submit(*, actor: User, application_id: int, pledge_text: str, pledge_accepted: bool,
                       ip_address: str | None = None) -> Application:
    """Submit with the integrity pledge (R6.3); freezes conditions and profile."""
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        direct = application.channel in (Channel.AGENCY, Channel.ASSOCIATION)
        action = "submit_direct" if direct else "submit"
        transition = workflow.APPLICATION_WORKFLOW.check(action=action, current=application.status,
                                                         roles={workflow.APPLICANT})
        if not pledge_accepted or not (pledge_text or "").strip():
            raise RuleViolation(_("Sign the integrity pledge to submit (R6.3)."), rule="R6.3", field="pledge")
        _guard_integrity(application.applicant)
        _guard_duplicate(applicant=application.applicant, series_id=application.series_id, year=application.year,
                         exclude_pk=application.pk)
        call = application.call
        if not (call.opens_at <= timezone.now() <= call.closes_at):
            raise RuleViolation(_("This call is closed."), rule="R2.3", field="call")
        if call.committee is not None and not call.committee.is_operational():
            raise RuleViolation(_("The committee's filing is suspended, revoked or lapsed (R2.3)."), rule="R2.3")
        missing = [row["name"] for row in application_checklist(application) if not row["complete"]]
        if missing:
            raise InvalidInput(_("Materials missing: %(list)s.") % {"list": "、".join(missing)}, field="attachments")
        if application.pathway == Pathway.GREEN_CHANNEL and not application.justification.strip():
            raise RuleViolation(_("The green channel needs a justification of special talent (R4.3)."),
                                rule="R4.3", field="justification")
        result = application_eligibility(application)
        if not result.eligible:
            unmet = "; ".join(f"[{c.rule}] {c.message}" for c in result.conditions if not c.met)
            raise RuleViolation(_("Not eligible: %(unmet)s") % {"unmet": unmet},
                                rule=next(c.rule for c in result.conditions if not c.met))
        before = snapshot(application, AUDIT_FIELDS)
        application.frozen_conditions = {"eligible": True, "conditions": [asdict(c) for c in result.conditions],
                                         "frozen_at": timezone.now().isoformat()}
        from applications.profile import profile_snapshot

        application.frozen_profile = profile_snapshot(user=application.applicant)
        application.status = transition.target
        application.submitted_at = timezone.now()
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise RuleViolation(_("You already have a live application in this series for this year, in another "
                                  "call or committee (R6.4)."), rule="R6.4")
        IntegrityPledge.objects.create(application=application, text=pledge_text.strip(), signed_at=timezone.now(),
                                       ip_address=ip_address)
        audit_record(actor=actor, action="application.submit", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS))
        _notify_next(application)
    return application


# --- Reviewing steps -----------------------------------------------------------

def application_decide(*, actor: User, application_id: int, action: str, reason: str = "",
                       corrections: list[dict] | None = None) -> Application:
    """One reviewing step: approve, accept, audit, or return with every
    correction at once (一次性告知), or reject with a reason."""
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
                "submit", "submit_direct", "resubmit", "withdraw"):
            raise InvalidInput(_("Unknown action."), field="action")
        transition = workflow.APPLICATION_WORKFLOW.check(action=action, current=application.status, roles=roles)
        before = snapshot(application, AUDIT_FIELDS)
        stage = application.status
        if transition.target == S.RETURNED:
            items = [c for c in (corrections or []) if (c.get("message") or "").strip()]
            if not items:
                raise InvalidInput(_("List every correction at once, each with what to change (一次性告知)."),
                                   field="corrections")
            for item in items:
                Correction.objects.create(application=application, stage=stage, target=(item.get("target")
                                          or "summary")[:64], message=item["message"].strip(), requested_by=actor)
            application.returned_from = stage
            application.correction_due_on = timezone.localdate() + dt.timedelta(days=14)
        if transition.target == S.REJECTED and not reason.strip():
            raise InvalidInput(_("Give the reason for rejection."), field="reason")
        if action == "employer_approve":
            days = PolicySettings.load().unit_publicity_working_days
            application.publicity_ends_on = calendar.add_working_days(timezone.localdate(), days)
        if action == "publicity_end":
            _guard_publicity_over(application)
        application.status = transition.target
        application.save()
        audit_record(actor=actor, action=f"application.{action}", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS), reason=reason)
        _notify_after(application, action, reason)
    return application


def _guard_publicity_over(application: Application) -> None:
    if application.publicity_ends_on and timezone.localdate() <= application.publicity_ends_on:
        raise RuleViolation(_("Unit publicity lasts until %(date)s (R5.5).")
                            % {"date": application.publicity_ends_on.isoformat()}, rule="R5.5")
    if application.unit_objections.filter(answered_at__isnull=True).exists():
        raise RuleViolation(_("Answer every objection before forwarding (R5.5)."), rule="R5.5")
    if application.unit_objections.filter(upheld=True).exists():
        raise RuleViolation(_("An objection was upheld; the application cannot be forwarded (R5.5)."), rule="R5.5")


def application_resubmit(*, actor: User, application_id: int) -> Application:
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        workflow.APPLICATION_WORKFLOW.check(action="resubmit", current=application.status,
                                            roles={workflow.APPLICANT})
        before = snapshot(application, AUDIT_FIELDS)
        application.status = application.returned_from or S.EMPLOYER_REVIEW
        application.returned_from = ""
        application.correction_due_on = None
        application.save()
        application.corrections.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        audit_record(actor=actor, action="application.resubmit", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS))
        _notify_next(application)
    return application


def application_withdraw(*, actor: User, application_id: int, reason: str = "") -> Application:
    with transaction.atomic():
        application = _lock(application_id)
        if application.applicant_id != actor.pk:
            raise NotFound()
        transition = workflow.APPLICATION_WORKFLOW.check(action="withdraw", current=application.status,
                                                         roles={workflow.APPLICANT})
        before = snapshot(application, AUDIT_FIELDS)
        application.status = transition.target
        application.save()
        audit_record(actor=actor, action="application.withdraw", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS), reason=reason)
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
        recipients = [m.user for m in Membership.objects.filter(organization=application.sponsor_id, is_active=True)
                      .select_related("user")]
        notification_send(recipients=recipients, subject=_("An objection was raised during unit publicity"),
                          url=reverse("hr-applications", args=[application.sponsor_id]))
    return objection


def unit_objection_answer(*, actor: User, objection_id: int, answer: str, upheld: bool) -> UnitObjection:
    with transaction.atomic():
        objection = UnitObjection.objects.select_for_update().select_related("application").filter(
            pk=objection_id).first()
        if objection is None:
            raise NotFound()
        if workflow.SPONSOR_HR not in application_roles(user=actor, application=objection.application):
            raise NotFound()
        if objection.answered_at:
            raise Conflict()
        if not (answer or "").strip():
            raise InvalidInput(_("Write the answer."), field="answer")
        objection.answer, objection.upheld, objection.answered_at = answer.strip(), upheld, timezone.now()
        objection.save()
        audit_record(actor=actor, action="application.unit_objection_answer", obj=objection.application,
                     after={"objection": objection.pk, "upheld": upheld})
    return objection


def unit_publicity_close_due() -> int:
    """Celery beat: forward applications whose unit publicity is over and
    whose objections are all answered and dismissed."""
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
            before = snapshot(application, AUDIT_FIELDS)
            application.status = workflow.APPLICATION_WORKFLOW.get("publicity_end").target
            application.save()
            audit_record(actor=None, action="application.publicity_end", obj=application, before=before,
                         after=snapshot(application, AUDIT_FIELDS))
            _notify_next(application)
            moved += 1
    return moved


# --- Notifications ---------------------------------------------------------------

def _members(org_id: int | None) -> list[User]:
    if not org_id:
        return []
    return [m.user for m in Membership.objects.filter(organization_id=org_id, is_active=True).select_related("user")]


def _notify_next(application: Application) -> None:
    """Tell whoever acts next."""
    if application.status == S.EMPLOYER_REVIEW:
        recipients = _members(application.sponsor_id)
    elif application.status == S.ACCEPTANCE:
        recipients = _members(application.acceptance_body_id)
    elif application.status == S.QUALIFICATION_AUDIT:
        bureau = Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, region=application.region_id).first()
        recipients = _members(bureau.pk if bureau else None)
    else:
        return
    notification_send(recipients=recipients,
                      subject=_("An application awaits you: %(title)s") % {"title": application.title_name},
                      url=reverse("application-review", args=[application.pk]))


def _notify_after(application: Application, action: str, reason: str) -> None:
    messages = {
        S.RETURNED: _("Your application was returned for correction"),
        S.REJECTED: _("Your application was rejected"),
        S.UNIT_PUBLICITY: _("Your application is in unit publicity until %(date)s"),
        S.QUALIFICATION_AUDIT: _("Your application was accepted"),
        S.READY: _("Your application passed the qualification audit"),
    }
    if application.status in messages:
        subject = messages[application.status]
        if application.status == S.UNIT_PUBLICITY:
            subject = subject % {"date": application.publicity_ends_on.isoformat()}
        notification_send(recipients=[application.applicant], subject=subject, body=reason,
                          url=reverse("application-detail", args=[application.pk]))
    _notify_next(application)


# --- Driven by the review app (layer above) -------------------------------------

REVIEW_ACTIONS = ("start_evaluation", "pass", "fail", "publicise_result", "withdraw_result", "grant")


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
        application.status = transition.target
        application.save()
        audit_record(actor=actor, action=f"application.{action}", obj=application, before=before,
                     after=snapshot(application, AUDIT_FIELDS), reason=reason)
    return application
