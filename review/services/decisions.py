"""Recognition by a bureau (R4.4–R4.7), result publicity and objections
(R5.6, R6.10), filing with the bureau (备案, R2.4) and reconsideration (复查)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.application_services import application_advance
from applications.models import Application, ApplicationStatus, Call
from portal import calendar
from portal import selectors as portal_selectors
from portal.audit import audit_record
from portal.errors import Conflict, InvalidInput, NotFound, PortalError, RuleViolation
from portal.models import CommitteeMember, Organization, PolicySettings, Topic, User
from portal.notifications import notification_send, notification_settle
from portal.personal_data import mask_name
from review import workflow as wf
from review.models import (
    FilingItem,
    Objection,
    PublicityEntry,
    PublicityPeriod,
    RecognitionAssessment,
    Reconsideration,
    ResultFiling,
    ResultRecord,
    generated_publicity_title,
)
from review.services._common import (
    RECOGNITION_PATHWAYS,
    bureau_region_ids,
    is_bureau_for_committee,
    is_secretary,
    officer_bureaus,
    require_operational,
    today,
)
from review.services.committees import AFTER_THE_FACT_KINDS

S = ApplicationStatus
#: Certificate method by pathway (certificates.models.Certificate.Method).
CERTIFICATE_METHOD = {"regular": "review", "exceptional": "review", "green_channel": "green_channel",
                      "recognition": "recognition", "postdoc": "postdoc", "skills_crossover": "crossover",
                      "qualification": "qualification"}
RULE_OF_PATHWAY = {"recognition": "R4.4", "postdoc": "R4.5", "skills_crossover": "R4.6", "qualification": "R4.7"}


def _is_bureau_for_application(actor: User, application: Application) -> bool:
    regions = bureau_region_ids(actor)
    if application.region_id in regions:
        return True
    bureau = application.call.bureau
    return bureau is not None and bureau.region_id in regions


def _notify_secretaries(committee_id: int | None, subject, body="", url: str = "") -> None:
    """Subject and body: text or callables, rendered in each secretary's language."""
    if committee_id is None:
        return
    recipients = [m.user for m in CommitteeMember.objects.filter(committee_id=committee_id, is_active=True,
                                                                 role=CommitteeMember.Role.SECRETARY)
                  .select_related("user")]
    notification_send(recipients=recipients, subject=subject, body=body, url=url)


# --- Recognition (R4.4–R4.7) ------------------------------------------------------------

def recognition_decide(*, actor: User, application_id: int, decision: str, assessment: str,
                       checks: list | None = None) -> RecognitionAssessment:
    """考核认定: a bureau officer of the application's region decides an
    application on a recognition pathway, with an assessment record and no
    committee. The green channel is not recognised: it goes to a committee
    with a defence (R4.3)."""
    application = (Application.objects.select_related("call", "call__bureau", "applicant")
                   .filter(pk=application_id).first())
    if application is None or not _is_bureau_for_application(actor, application):
        raise NotFound()
    if application.pathway == "green_channel":
        raise RuleViolation(_("The green channel goes to a committee with a defence, not to recognition (R4.3)."),
                            rule="R4.3")
    if application.pathway not in RECOGNITION_PATHWAYS:
        raise RuleViolation(_("This application is decided by a committee, not by recognition (R4.4)."),
                            rule="R4.4")
    rule = RULE_OF_PATHWAY[application.pathway]
    if decision not in RecognitionAssessment.Decision.values:
        raise InvalidInput(_("Recognise or refuse."), field="decision")
    assessment = (assessment or "").strip()
    if len(assessment) < 10:
        raise InvalidInput(_("Write the assessment record (at least 10 characters) (%(rule)s).") % {"rule": rule},
                           rule=rule, field="assessment")
    if checks is not None and not isinstance(checks, list):
        raise InvalidInput(_("Conditions checked are a list."), field="checks")
    with transaction.atomic():
        if application.status == S.READY:
            application_advance(actor=actor, application_id=application.pk, action="start_evaluation",
                                roles={wf.BUREAU}, reason=f"recognition ({rule})")
        elif application.status != S.IN_EVALUATION:
            raise RuleViolation(_("Only an application that passed the qualification audit can be recognised "
                                  "(R6.1)."), rule="R6.1")
        granted = decision == RecognitionAssessment.Decision.GRANTED
        try:
            with transaction.atomic():
                record = RecognitionAssessment.objects.create(
                    application=application, decision=decision, assessment=assessment[:20000],
                    checks=checks if checks is not None else list(
                        (application.frozen_conditions or {}).get("conditions", [])),
                    decided_by=actor, decided_at=timezone.now())
        except IntegrityError:
            raise Conflict(_("This application has already been decided."))
        application_advance(actor=actor, application_id=application.pk, action="pass" if granted else "fail",
                            roles={wf.BUREAU}, reason=f"recognition ({rule}): {assessment[:200]}")
        ResultRecord.objects.create(application=application, source="recognition", decided_on=today(),
                                    outcome=ResultRecord.Outcome.PASSED if granted else ResultRecord.Outcome.FAILED)
        audit_record(actor=actor, action="recognition.decide", obj=application,
                     after={"decision": decision, "rule": rule}, reason=assessment[:2000])
        notification_send(recipients=[application.applicant], topic=Topic.RESULT,
                          subject=lambda: _("Recognition decided: %(title)s") % {"title": application.title_display},
                          body=lambda: _("Recognised. The result will be publicised; you are told when.") if granted
                          else _("Not recognised. You may request a reconsideration within %(days)d days on the "
                                 "results page.") % {"days": PolicySettings.load().reconsideration_days},
                          url=reverse("review-my-reviews"))
    return record


# --- Result publicity (R5.6) and objections (R6.10) ----------------------------------------

def _publicity_roles(actor: User, call: Call) -> tuple[str, Organization | None]:
    """``secretary`` for a committee's call, else ``bureau`` with the bureau."""
    if call.committee_id and is_secretary(actor, call.committee_id):
        return wf.SECRETARY, None
    regions = bureau_region_ids(actor)
    bureau = call.bureau or officer_bureaus(actor).order_by("pk").first()
    if bureau is not None and bureau.region_id in regions:
        return wf.BUREAU, bureau
    raise NotFound()


def result_publicise(*, actor: User, call_id: int, starts_on: dt.date | None = None,
                     application_ids: list[int] | None = None, title: str = "") -> PublicityPeriod:
    """Publish the passed results of a call for at least
    ``result_publicity_working_days`` working days by the official calendar
    (R5.6): the period runs from ``starts_on`` through ``ends_on``, the day
    on which that many working days after ``starts_on`` have passed."""
    call = Call.objects.select_related("committee", "bureau").filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    role, bureau = _publicity_roles(actor, call)
    if role == wf.SECRETARY:
        require_operational(call.committee)
    starts_on = starts_on or today()
    if not isinstance(starts_on, dt.date) or starts_on < today():
        raise InvalidInput(_("Publicity cannot start in the past."), field="starts_on")
    days = PolicySettings.load().result_publicity_working_days
    qs = Application.objects.filter(call=call, status=S.PASSED).select_related("applicant", "employer", "sponsor",
                                                                                 "specialty")
    qs = qs.filter(pathway__in=RECOGNITION_PATHWAYS) if role == wf.BUREAU else qs.exclude(
        pathway__in=RECOGNITION_PATHWAYS)
    if application_ids is not None:
        qs = qs.filter(pk__in=application_ids)
    with transaction.atomic():
        apps = list(qs.select_for_update(of=("self",)).order_by("pk"))
        if not apps:
            raise InvalidInput(_("No passed result awaits publicity."))
        typed = (title or "").strip()[:200]
        if not typed:
            # Named after the call: the record keeps the Chinese title, whatever the officer's own
            # language; pages show it in each reader's (``PublicityPeriod.title_display``).
            with translation.override("zh-hans"):
                typed = generated_publicity_title(call.name)
        period = PublicityPeriod.objects.create(
            title=typed, title_generated=not (title or "").strip(), call=call,
            committee=call.committee if role == wf.SECRETARY else None,
            bureau=bureau if role == wf.BUREAU else None, starts_on=starts_on,
            ends_on=calendar.add_working_days(starts_on, days), working_days=days, created_by=actor)
        entries = []
        for application in apps:
            employer = application.employer or application.sponsor
            entries.append(PublicityEntry(period=period, application=application,
                                          masked_name=mask_name(application.applicant.real_name),
                                          employer_name=employer.name if employer else "",
                                          title_name=application.title_name,
                                          specialty_name=application.specialty.name))
            application_advance(actor=actor, application_id=application.pk, action="publicise_result",
                                roles={role}, reason=f"publicity {period.pk}")
        PublicityEntry.objects.bulk_create(entries)
        audit_record(actor=actor, action="publicity.open", obj=period,
                     after={"starts_on": starts_on, "ends_on": period.ends_on, "working_days": days,
                            "applications": [a.pk for a in apps]})
        notification_send(recipients=[a.applicant for a in apps], topic=Topic.RESULT,
                          subject=lambda: _("Your result is publicised until %(date)s")
                          % {"date": period.ends_on.isoformat()},
                          body=lambda: _("Anyone may object until then (R5.6); after that the result is filed and "
                                         "the certificate issued. Nothing to do for now."),
                          url=reverse("review-my-reviews"))
    return period


def objection_create(*, entry_id: int, reason: str, contact: str, source: str = "") -> Objection:
    """Anyone may object to a listed result while its publicity runs."""
    reason, contact = (reason or "").strip(), (contact or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("Describe the objection (at least 5 characters)."), field="reason")
    if not contact:
        raise InvalidInput(_("Leave a way to contact you."), field="contact")
    with transaction.atomic():
        entry = (PublicityEntry.objects.select_for_update(of=("self",)).select_related("period")
                 .filter(pk=entry_id).first())
        if entry is None or entry.status != PublicityEntry.Status.LISTED:
            raise NotFound()
        period = entry.period
        if period.status != PublicityPeriod.Status.OPEN or not period.starts_on <= today() <= period.ends_on:
            raise RuleViolation(_("Objections are received during the publicity, from %(start)s to %(end)s (R5.6).")
                                % {"start": period.starts_on.isoformat(), "end": period.ends_on.isoformat()},
                                rule="R5.6")
        objection = Objection.objects.create(entry=entry, reason=reason[:4000], contact=contact[:64],
                                             source_hash=(source or "")[:32])
        audit_record(actor=None, action="publicity.objection", obj=period,
                     after={"objection": objection.pk, "entry": entry.pk})
        def subject():
            return _("An objection was raised during result publicity (R6.10)")

        def body():
            return _("Answer it on the publicity's page before the results are filed (R6.10).")

        if period.committee_id:
            _notify_secretaries(period.committee_id, subject, body,
                                url=reverse("review-publicity-manage", args=[period.pk]))
        elif period.bureau_id:
            notification_send(recipients=list(portal_selectors.bureau_officers_for_region(region=period.bureau.region)),
                              subject=subject, body=body, url=reverse("review-publicity-manage", args=[period.pk]))
    return objection


def _period_roles(actor: User, period: PublicityPeriod) -> set[str]:
    if period.committee_id and is_secretary(actor, period.committee_id):
        return {wf.SECRETARY}
    if period.bureau_id and period.bureau.region_id in bureau_region_ids(actor):
        return {wf.BUREAU}
    return set()


def objection_answer(*, actor: User, objection_id: int, answer: str, upheld: bool) -> Objection:
    """The secretary (the bureau, for recognition) answers an objection; an
    upheld objection withdraws the result (R6.10)."""
    answer = (answer or "").strip()
    probe = Objection.objects.select_related("entry__period__bureau").filter(pk=objection_id).first()
    if probe is None:
        raise NotFound()
    roles = _period_roles(actor, probe.entry.period)
    if not roles:
        raise NotFound()
    if not answer:
        raise InvalidInput(_("Write the answer (R6.10)."), field="answer")
    if not isinstance(upheld, bool):
        raise InvalidInput(_("Say whether the objection is upheld."), field="upheld")
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related("entry").get(pk=objection_id)
        if objection.answered_at is not None:
            raise Conflict(_("This objection has already been answered."))
        objection.answer, objection.upheld = answer[:4000], upheld
        objection.answered_by, objection.answered_at = actor, timezone.now()
        objection.save()
        entry = PublicityEntry.objects.select_for_update(of=("self",)).select_related("application__applicant").get(
            pk=objection.entry_id)
        if upheld and entry.status == PublicityEntry.Status.LISTED:
            entry.status = PublicityEntry.Status.WITHDRAWN
            entry.save(update_fields=["status"])
            application_advance(actor=actor, application_id=entry.application_id, action="withdraw_result",
                                roles=roles, reason=f"objection {objection.pk} upheld: {answer[:200]}")
            ResultRecord.objects.create(application_id=entry.application_id, source="objection",
                                        decided_on=today(), outcome=ResultRecord.Outcome.WITHDRAWN)
            notification_send(recipients=[entry.application.applicant], topic=Topic.RESULT,
                              subject=lambda: _("Your result was withdrawn after an objection (R6.10)"),
                              body=lambda: _("The answer to the objection: %(answer)s") % {"answer": answer},
                              url=reverse("review-my-reviews"))
        audit_record(actor=actor, action="publicity.objection_answer", obj=entry.period,
                     after={"objection": objection.pk, "upheld": upheld, "entry": entry.pk}, reason=answer[:2000])
        if not Objection.objects.filter(entry__period_id=entry.period_id, answered_at__isnull=True).exists():
            # Every objection of the period is answered: nobody is left to act on them.
            notification_settle(reverse("review-publicity-manage", args=[entry.period_id]))
    return objection


def objection_contact_reveal(*, actor: User, objection_id: int) -> str:
    """The objector's contact in full, for the secretary (the bureau, for recognition) who answers
    the objection. Pages show it masked; each look at the full contact is an audit event, so that a
    supervisor can see who read whose contact and when."""
    objection = Objection.objects.select_related("entry__period__bureau").filter(pk=objection_id).first()
    if objection is None or not _period_roles(actor, objection.entry.period):
        raise NotFound()
    with transaction.atomic():
        audit_record(actor=actor, action="publicity.objection_contact_view", obj=objection.entry.period,
                     after={"objection": objection.pk, "entry": objection.entry_id})
    return objection.contact


def _close(period: PublicityPeriod, actor: User | None, roles: set[str]) -> None:
    period.status = wf.PUBLICITY_WORKFLOW.check(action="close", current=period.status, roles=roles).target
    period.closed_at = timezone.now()
    period.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="publicity.close", obj=period, before={"status": "open"},
                 after={"status": period.status, "ends_on": period.ends_on})
    region = period.committee.filed_by.region if period.committee_id else period.bureau.region
    notification_send(recipients=list(portal_selectors.bureau_officers_for_region(region=region)),
                      subject=lambda: _("Results await filing: %(title)s") % {"title": period.title_display},
                      body=lambda: _("The publicity has ended. Check the results and file them; filing issues the "
                                     "certificates."),
                      url=reverse("review-filing-detail", args=[period.pk]))


def publicity_close_due(*, on: dt.date | None = None) -> int:
    """Celery beat: close the periods whose last day has passed. Idempotent."""
    on = on or today()
    closed = 0
    for pk in PublicityPeriod.objects.filter(status=PublicityPeriod.Status.OPEN, ends_on__lt=on).values_list(
            "pk", flat=True):
        with transaction.atomic():
            period = (PublicityPeriod.objects.select_for_update(of=("self",))
                      .select_related("call", "committee__filed_by__region", "bureau__region").filter(pk=pk).first())
            if period is None or period.status != PublicityPeriod.Status.OPEN or period.ends_on >= on:
                continue
            _close(period, None, {wf.SYSTEM})
            closed += 1
    return closed


# --- Filing (备案, R2.4) ----------------------------------------------------------------------

def _filing_bureau(actor: User, period: PublicityPeriod) -> Organization:
    if period.committee_id:
        if not is_bureau_for_committee(actor, period.committee):
            raise NotFound()
        return period.committee.filed_by
    if period.bureau_id and period.bureau.region_id in bureau_region_ids(actor):
        return period.bureau
    raise NotFound()


def _grant_spec(application: Application, period: PublicityPeriod, approval_number: str,
                granted_on: dt.date) -> dict:
    committee = period.committee
    body = committee.name if committee else period.bureau.name
    region = committee.filed_by.region if committee else period.bureau.region
    return {"grant_key": f"application:{application.pk}", "holder": application.applicant_id,
            "series": application.series_id, "specialty": application.specialty_id, "level": application.level,
            "title_name": application.title_name, "method": CERTIFICATE_METHOD.get(application.pathway, "review"),
            "granting_body_name": body, "granting_body_region": region.pk,
            "filing_number": committee.filing_number if committee else approval_number,
            "approval_number": approval_number, "date_granted": granted_on}


def result_file(*, actor: User, period_id: int, approval_number: str, granted_on: dt.date | None = None,
                note: str = "") -> ResultFiling:
    """备案: the bureau files the results of a closed publicity period; the
    titles are granted and the certificates issued. Results of enterprise
    self-review and social-organisation committees are filed after the fact
    (R2.4). Refused before the publicity closed (R5.6) or while an objection
    is unanswered (R6.10); a second filing of the period is refused."""
    approval_number = (approval_number or "").strip()
    probe = (PublicityPeriod.objects.select_related("committee__filed_by__region", "bureau__region", "call")
             .filter(pk=period_id).first())
    if probe is None:
        raise NotFound()
    bureau = _filing_bureau(actor, probe)
    if not approval_number or len(approval_number) > 64:
        raise InvalidInput(_("Enter the approval number of the filing."), field="approval_number")
    granted_on = granted_on or today()
    if not isinstance(granted_on, dt.date) or granted_on > today():
        raise InvalidInput(_("The date granted cannot be in the future."), field="granted_on")
    try:
        with transaction.atomic():
            period = (PublicityPeriod.objects.select_for_update(of=("self",))
                      .select_related("committee__filed_by__region", "bureau__region", "call").get(pk=period_id))
            if ResultFiling.objects.filter(period=period).exists():
                raise Conflict(_("These results have already been filed."))
            if period.status != PublicityPeriod.Status.CLOSED:
                raise RuleViolation(_("The publicity runs until %(date)s; results are filed after it closes (R5.6).")
                                    % {"date": period.ends_on.isoformat()}, rule="R5.6")
            if Objection.objects.filter(entry__period=period, answered_at__isnull=True).exists():
                raise RuleViolation(_("Every objection is answered before the results are filed (R6.10)."),
                                    rule="R6.10")
            if granted_on < period.ends_on:
                raise InvalidInput(_("The date granted cannot be before the last day of the publicity, %(date)s: "
                                     "enter that day or a later one.") % {"date": period.ends_on.isoformat()},
                                   field="granted_on")
            entries = list(period.entries.filter(status=PublicityEntry.Status.LISTED)
                           .select_related("application").order_by("pk"))
            filing = ResultFiling.objects.create(
                period=period, bureau=bureau, approval_number=approval_number, filed_by=actor,
                filed_at=timezone.now(), granted_on=granted_on, note=(note or "").strip()[:4000],
                after_the_fact=bool(period.committee_id and period.committee.kind in AFTER_THE_FACT_KINDS))
            items, specs = [], []
            for entry in entries:
                application = entry.application
                if application.status != S.RESULT_PUBLICITY:
                    continue
                application_advance(actor=actor, application_id=application.pk, action="grant", roles={wf.BUREAU},
                                    reason=f"filing {approval_number}")
                items.append(FilingItem(filing=filing, application=application, title_name=application.title_name,
                                        grant_key=f"application:{application.pk}"))
                specs.append(_grant_spec(application, period, approval_number, granted_on))
            FilingItem.objects.bulk_create(items)
            ResultRecord.objects.bulk_create([ResultRecord(application_id=i.application_id, source="filing",
                                                           decided_on=granted_on,
                                                           outcome=ResultRecord.Outcome.GRANTED) for i in items])
            if specs:
                filing.certificate_batch = _issue_certificates(specs, label=f"{approval_number} · {period.title}")
                filing.save(update_fields=["certificate_batch"])
            notification_settle(reverse("review-filing-detail", args=[period.pk]))
            audit_record(actor=actor, action="result.file", obj=period,
                         after={"filing": filing.pk, "approval_number": approval_number, "granted": len(items),
                                "after_the_fact": filing.after_the_fact,
                                "batch": filing.certificate_batch_id})
            notification_send(recipients=[i.application.applicant for i in items], topic=Topic.RESULT,
                              subject=lambda: _("Your title is granted; the certificate is being issued"),
                              body=lambda: _("The result is filed (approval number %(number)s). You are told when "
                                             "the electronic certificate is ready to download.")
                              % {"number": approval_number},
                              url=reverse("review-my-reviews"))
    except IntegrityError:
        raise Conflict(_("These results have already been filed."))
    return filing


def _issue_certificates(specs: list[dict], *, label: str):
    """Ask ``certificates`` to issue (one batch per filing, one task each)."""
    from certificates.services import certificate_issue_batch

    try:
        return certificate_issue_batch(grant_specs=specs, actor=None, label=label[:200])
    except PortalError as error:
        raise InvalidInput(_("The certificates cannot be issued: %(error)s") % {"error": error.as_text()})


# --- Reconsideration (复查) ------------------------------------------------------------------

def reconsideration_request(*, actor: User, application_id: int, reason: str) -> Reconsideration:
    """The applicant disputes a failed result within
    ``PolicySettings.reconsideration_days`` days of the decision."""
    reason = (reason or "").strip()
    application = Application.objects.select_related("call").filter(pk=application_id, applicant=actor).first()
    if application is None:
        raise NotFound()
    if application.status != S.FAILED:
        raise RuleViolation(_("Only a result that did not pass can be reconsidered."), rule="R6.2")
    if len(reason) < 10:
        raise InvalidInput(_("Explain why the result should be reconsidered (at least 10 characters)."),
                           field="reason")
    days = PolicySettings.load().reconsideration_days
    last = (ResultRecord.objects.filter(application=application, outcome__in=[ResultRecord.Outcome.FAILED,
                                                                              ResultRecord.Outcome.WITHDRAWN])
            .order_by("-decided_on", "-pk").first())
    decided_on = last.decided_on if last else timezone.localtime(application.updated_at).date()
    if today() > decided_on + dt.timedelta(days=days):
        raise RuleViolation(_("Reconsideration is requested within %(n)d days of the decision (until %(date)s).")
                            % {"n": days, "date": (decided_on + dt.timedelta(days=days)).isoformat()}, rule="R6.2")
    try:
        with transaction.atomic():
            request = Reconsideration.objects.create(application=application, requested_by=actor, reason=reason[:4000],
                                                     requested_at=timezone.now())
            audit_record(actor=actor, action="reconsideration.request", obj=application,
                         after={"reconsideration": request.pk}, reason=reason[:2000])
            _notify_secretaries(application.call.committee_id, lambda: _("A reconsideration was requested"),
                                lambda: _("%(name)s asks for a reconsideration of the result for %(title)s. Decide it "
                                          "on the call's page.") % {"name": application.applicant.real_name,
                                                                    "title": application.title_display},
                                url=reverse("review-call-dashboard", args=[application.call_id]))
    except IntegrityError:
        raise Conflict(_("A reconsideration of this result is already pending."))
    return request


def reconsideration_decide(*, actor: User, reconsideration_id: int, upheld: bool, outcome: str) -> Reconsideration:
    """The secretary (the bureau, for recognition) records the outcome."""
    outcome = (outcome or "").strip()
    probe = (Reconsideration.objects.select_related("application__call", "application__call__bureau")
             .filter(pk=reconsideration_id).first())
    if probe is None:
        raise NotFound()
    application = probe.application
    roles = set()
    if application.pathway not in RECOGNITION_PATHWAYS and is_secretary(actor, application.call.committee_id):
        roles.add(wf.SECRETARY)
    if application.pathway in RECOGNITION_PATHWAYS and _is_bureau_for_application(actor, application):
        roles.add(wf.BUREAU)
    if not roles:
        raise NotFound()
    if not outcome:
        raise InvalidInput(_("Record the outcome."), field="outcome")
    if not isinstance(upheld, bool):
        raise InvalidInput(_("Say whether the request is upheld."), field="upheld")
    with transaction.atomic():
        request = Reconsideration.objects.select_for_update().get(pk=reconsideration_id)
        request.status = wf.RECONSIDERATION_WORKFLOW.check(action="uphold" if upheld else "dismiss",
                                                           current=request.status, roles=roles).target
        request.outcome, request.decided_by, request.decided_at = outcome[:4000], actor, timezone.now()
        request.save()
        if upheld:
            # The failed result is reopened: the application goes back into evaluation.
            application_advance(actor=actor, application_id=application.pk, action="reconsider", roles=roles,
                                reason=outcome[:2000])
        audit_record(actor=actor, action="reconsideration.decide", obj=application,
                     after={"reconsideration": request.pk, "status": request.status}, reason=outcome[:2000])
        notification_send(recipients=[request.requested_by], topic=Topic.RESULT,
                          subject=lambda: _("Your reconsideration request is decided"),
                          body=lambda: _("Decision: %(outcome)s") % {"outcome": outcome},
                          url=reverse("review-my-reviews"))
    return request


__all__ = ["objection_answer", "objection_contact_reveal", "objection_create", "publicity_close_due",
           "recognition_decide",
           "reconsideration_decide", "reconsideration_request", "result_file", "result_publicise"]
