"""Every write of the integrity app, one function per use case (R6.3).

The public reports (``fraud_report_create``); a supervisor triages
(``fraud_report_dismiss``, ``fraud_case_open``), investigates
(``fraud_case_investigate``, ``fraud_case_note_add``,
``fraud_case_evidence_add``) and decides (``fraud_case_decide``). An upheld
decision, in one transaction, revokes the title (``applications``), the
certificate(s) of that grant (``certificates``), records the integrity
record (``portal``) and, if chosen, sanctions the committee and cancels
experts (``review``); notifications leave on commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.application_services import title_revoke
from applications.models import Application
from certificates import numbering
from certificates import text as certificate_text
from certificates.models import Certificate
from certificates.services import certificate_revoke_for_fraud
from integrity import workflow as wf
from integrity.models import CaseNote, Evidence, FraudCase, FraudReport, TargetKind
from portal import personal_data
from portal import selectors as portal_selectors
from portal.audit import audit_record
from portal.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import PolicySettings, Role, Topic, User
from portal.notifications import notification_send, notification_settle
from portal.services import integrity_record_create
from portal.uploads import Document, clean_name, prepare_document
from review.models import Assignment, ExpertProfile, PublicityEntry
from review.services.committees import FRAUD_CASE_SANCTION_KINDS, committee_sanction_for_fraud
from review.services.experts import expert_deactivate_for_fraud

DESCRIPTION_MIN = 20
DESCRIPTION_MAX = 5000
CONTACT_MAX = 100
NAME_MAX = 64
REASON_MIN = 10
REASON_MAX = 4000
NOTE_MAX = 4000
#: 128 random bits, URL-safe: the reporter's only handle on the report.
REFERENCE_BYTES = 16
REFERENCE_RE = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


def max_report_files() -> int:
    return getattr(settings, "INTEGRITY_REPORT_MAX_FILES", 5)


def max_file_bytes() -> int:
    return min(settings.UPLOAD_MAX_BYTES, PolicySettings.load().max_file_mb * 1024 * 1024)


def max_total_bytes() -> int:
    return getattr(settings, "INTEGRITY_REPORT_MAX_TOTAL_BYTES", 20 * 1024 * 1024)


def reference_hash(reference: str) -> str:
    return hashlib.sha256(f"integrity-report:{reference}".encode()).hexdigest()


# --- Who may act ---------------------------------------------------------------------

def is_supervisor(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.SUPERVISOR))


def bureau_region_ids(user) -> set[int]:
    """Regions the user is an HR-bureau officer of (the autonomous region's
    officers cover its prefectures too)."""
    if user is None or not user.is_authenticated or not user.has_role(Role.BUREAU_OFFICER):
        return set()
    return portal_selectors.region_ids_covered_by_officer(user)


def case_roles(user, case: FraudCase) -> set[str]:
    roles = set()
    if is_supervisor(user):
        roles.add(wf.SUPERVISOR)
    if case.region_id in bureau_region_ids(user):
        roles.add(wf.BUREAU_OF_REGION)
    return roles


def _require_supervisor(actor) -> None:
    if not is_supervisor(actor):
        raise NotAllowed(_("Only a supervisor may do this (R6.3)."), rule="R6.3")


def supervisors() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR).distinct())


# --- The public report --------------------------------------------------------------

def certificate_by_number(number: str, holder_name: str) -> Certificate:
    """The certificate a reporter typed, with its holder's name, or a clear
    message: a typo is found by the ISO 7064 check character before anything
    is looked up. As on the public verification page, an unknown number and
    a wrong name answer alike, so the form does not tell which numbers
    exist."""
    if not (number or "").strip():
        raise InvalidInput(_("Enter the certificate number."), field="certificate_number")
    try:
        parsed = numbering.parse_number(number)
    except numbering.WrongCheckCharacter:
        raise InvalidInput(_("This certificate number is mistyped: its check character does not match. "
                             "Copy it again from the certificate."), field="certificate_number")
    except numbering.NumberError:
        raise InvalidInput(_("This is not a certificate number; it looks like 650100-2026-GCS-000123-X."),
                           field="certificate_number")
    if not (holder_name or "").strip():
        raise InvalidInput(_("Enter the holder's name as printed on the certificate."), field="holder_name")
    certificate = (Certificate.objects.filter(number=parsed.formatted)
                   .exclude(status=Certificate.Status.SUPERSEDED)
                   .select_related("holder", "granting_body_region").first())
    if certificate is None or not certificate_text.same_name(certificate.holder_name, holder_name[:NAME_MAX]):
        raise InvalidInput(_("No certificate in force matches this number and name. Check both against the "
                             "certificate."), field="certificate_number")
    return certificate


def publicity_entry_for_report(entry_id) -> PublicityEntry:
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose a result from the publicity list."), field="entry")
    entry = (PublicityEntry.objects.filter(pk=entry_id, status=PublicityEntry.Status.LISTED)
             .select_related("application", "application__applicant", "application__specialty", "period",
                             "period__call").first())
    if entry is None:
        raise InvalidInput(_("This result is not in the publicity list."), field="entry")
    return entry


def _mask_contact(contact: str) -> str:
    return personal_data.mask_contact(contact)


def _clean_files(files: Sequence) -> list[Document]:
    """Each file checked by content (an image bomb is refused, photos are
    stored upright, without EXIF, downscaled); their count and total size."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > max_report_files():
        raise InvalidInput(_("Attach at most %(n)d files.") % {"n": max_report_files()}, field="evidence")
    if sum(f.size for f in files) > max_total_bytes():
        raise InvalidInput(_("The files together are too large; the limit is %(mb)d MB.")
                           % {"mb": max_total_bytes() // (1024 * 1024)}, field="evidence")
    cleaned = []
    for upload in files:
        try:
            cleaned.append(prepare_document(upload, max_bytes=max_file_bytes()))
        except ValidationError as error:
            raise InvalidInput(_("%(name)s: %(problem)s")
                               % {"name": _safe_name(upload.name), "problem": " ".join(error.messages)},
                               field="evidence")
    return cleaned


def _safe_name(name: str) -> str:
    return clean_name(name, length=100)


def _store_evidence(*, files: Iterable[Document], report=None, case=None, uploaded_by=None) -> list:
    stored = []
    for document in files:
        evidence = Evidence(report=report, case=case, content_type=document.mime, size=document.size,
                            name=clean_name(document.name, length=100), uploaded_by=uploaded_by)
        evidence.file.save("upload", document.file, save=False)
        evidence.save()
        stored.append(evidence)
    return stored


def fraud_report_create(*, description: str, certificate_number: str = "", holder_name: str = "", entry_id=None,
                        contact: str = "", files: Sequence = (), source: str = "") -> tuple[FraudReport, str]:
    """Anyone (R6.3): report suspected fraud on a certificate (by number and
    holder's name) or on an application in result publicity (by its entry).
    Returns the report and its tracking reference, shown once and stored
    only hashed."""
    description = (description or "").strip()
    contact = (contact or "").strip()
    has_number, has_entry = bool((certificate_number or "").strip()), entry_id not in (None, "")
    if has_number == has_entry:
        raise InvalidInput(_("Report either a certificate (by its number) or a result in the publicity list."),
                           field="certificate_number")
    if len(description) < DESCRIPTION_MIN:
        raise InvalidInput(_("Describe what you suspect in at least %(n)d characters.") % {"n": DESCRIPTION_MIN},
                           field="description")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("The description is too long (at most %(n)d characters).") % {"n": DESCRIPTION_MAX},
                           field="description")
    if len(contact) > CONTACT_MAX:
        raise InvalidInput(_("The contact is too long."), field="contact")
    if has_number:
        certificate = certificate_by_number(certificate_number, holder_name)
        target = {"target_kind": TargetKind.CERTIFICATE, "certificate": certificate, "subject": certificate.holder,
                  "region": certificate.granting_body_region, "title_name": certificate.title_name}
    else:
        entry = publicity_entry_for_report(entry_id)
        application = entry.application
        target = {"target_kind": TargetKind.APPLICATION, "application": application,
                  "subject": application.applicant, "region_id": application.region_id,
                  "title_name": application.title_name}
    cleaned = _clean_files(files)
    reference = secrets.token_urlsafe(REFERENCE_BYTES)
    with transaction.atomic():
        report = FraudReport(reference_hash=reference_hash(reference), description=description,
                             contact_encrypted=personal_data.encrypt(contact) if contact else "",
                             contact_masked=_mask_contact(contact) if contact else "", source=source[:32], **target)
        report.full_clean(exclude=["subject", "region", "certificate", "application"])
        report.save()
        _store_evidence(files=cleaned, report=report)
        audit_record(actor=None, action="integrity.report", obj=report, object_label=f"R-{report.pk}",
                     after={"target_kind": report.target_kind, "certificate": report.certificate_id,
                            "application": report.application_id, "files": len(cleaned)})
        notification_send(recipients=supervisors(),
                          subject=lambda: _("New fraud report R-%(id)d") % {"id": report.pk},
                          body=lambda: _("A report came in from the public. Triage it: open a case or close it "
                                         "with a reason."),
                          url=reverse("integrity-report-detail", args=[report.pk]))
    return report, reference


#: What the public sees of a report: nothing about the person or the decision.
PUBLIC_RECEIVED, PUBLIC_INVESTIGATING, PUBLIC_CLOSED = "received", "under_investigation", "closed"


def public_status_label(code: str) -> str:
    return {PUBLIC_RECEIVED: _("Received"), PUBLIC_INVESTIGATING: _("Under investigation"),
            PUBLIC_CLOSED: _("Closed")}[code]


def fraud_report_public_status(*, reference: str) -> dict:
    """Anyone holding the tracking reference: received, under investigation or closed."""
    reference = (reference or "").strip()
    if not REFERENCE_RE.match(reference):
        raise NotFound(_("No report has this tracking reference."))
    report = (FraudReport.objects.filter(reference_hash=reference_hash(reference))
              .select_related("case").only("status", "created_at", "case__status").first())
    if report is None:
        raise NotFound(_("No report has this tracking reference."))
    if report.status == FraudReport.Status.RECEIVED:
        code = PUBLIC_RECEIVED
    elif report.status == FraudReport.Status.IN_CASE and report.case.status in (FraudCase.Status.OPEN,
                                                                                FraudCase.Status.INVESTIGATING):
        code = PUBLIC_INVESTIGATING
    else:
        code = PUBLIC_CLOSED
    return {"status": code, "label": public_status_label(code),
            "received_on": timezone.localtime(report.created_at).date()}


# --- Triage ------------------------------------------------------------------------------

def _clean_reason(reason: str, *, field: str = "reason", message=None) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN or len(reason) > REASON_MAX:
        raise InvalidInput(message or _("Record the reasons (%(min)d to %(max)d characters) (R6.3).")
                           % {"min": REASON_MIN, "max": REASON_MAX}, field=field)
    return reason


def fraud_report_dismiss(*, actor: User, report_id: int, reason: str) -> FraudReport:
    """A supervisor dismisses a report (unfounded, duplicate) with a reason."""
    _require_supervisor(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        report = FraudReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFound()
        transition = wf.REPORT_WORKFLOW.check(action="dismiss", current=report.status, roles={wf.SUPERVISOR})
        report.status = transition.target
        report.dismiss_reason, report.dismissed_by, report.dismissed_at = reason, actor, timezone.now()
        report.full_clean(exclude=["subject", "region", "certificate", "application", "case"])
        report.save(update_fields=["status", "dismiss_reason", "dismissed_by", "dismissed_at"])
        notification_settle(reverse("integrity-report-detail", args=[report.pk]))
        audit_record(actor=actor, action="integrity.report.dismiss", obj=report, object_label=f"R-{report.pk}",
                     before={"status": "received"}, after={"status": report.status}, reason=reason)
    return report


def _application_of(certificate: Certificate | None) -> Application | None:
    if certificate is None or not certificate.grant_key.startswith("application:"):
        return None
    try:
        pk = int(certificate.grant_key.split(":", 1)[1])
    except ValueError:
        return None
    return Application.objects.filter(pk=pk).select_related("call").first()


def fraud_case_open(*, actor: User, report_ids: Sequence[int], note: str = "") -> FraudCase:
    """A supervisor opens a case from one or more received reports about the same person."""
    _require_supervisor(actor)
    try:
        ids = sorted({int(pk) for pk in report_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the reports to take into the case."), field="reports")
    if not ids or len(ids) > 50:
        raise InvalidInput(_("Choose between 1 and 50 reports to take into the case."), field="reports")
    note = (note or "").strip()[:NOTE_MAX]
    with transaction.atomic():
        reports = list(FraudReport.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(reports) != len(ids):
            raise NotFound()
        for report in reports:
            wf.REPORT_WORKFLOW.check(action="take_into_case", current=report.status, roles={wf.SUPERVISOR})
        if len({r.subject_id for r in reports}) != 1:
            raise RuleViolation(_("The reports concern different people; open one case per person."),
                                field="reports")
        first = reports[0]
        certificate = next((r.certificate for r in reports if r.certificate_id), None)
        application = next((r.application for r in reports if r.application_id), None) or _application_of(
            certificate)
        if certificate is None and application is not None:
            certificate = (Certificate.objects.filter(grant_key=f"application:{application.pk}")
                           .exclude(status=Certificate.Status.SUPERSEDED).first())
        case = FraudCase(subject_id=first.subject_id, region_id=first.region_id, certificate=certificate,
                         application=application, title_name=first.title_name, opened_by=actor,
                         opened_at=timezone.now(),
                         committee_id=application.call.committee_id if application is not None else None)
        case.full_clean()
        case.save()
        FraudReport.objects.filter(pk__in=ids).update(status=FraudReport.Status.IN_CASE, case=case)
        # Triaged: the other supervisors' "new report" notifications are settled.
        notification_settle(*(reverse("integrity-report-detail", args=[pk]) for pk in ids))
        if note:
            CaseNote.objects.create(case=case, author=actor, text=note)
        audit_record(actor=actor, action="integrity.case.open", obj=case, object_label=case.reference,
                     after={"reports": ids, "subject": case.subject_id, "certificate": case.certificate_id,
                            "application": case.application_id, "status": case.status})
        notification_send(recipients=list(portal_selectors.bureau_officers_for_region(region=case.region)),
                          subject=lambda: _("Fraud case %(ref)s opened in your region") % {"ref": case.reference},
                          body=lambda: _("A supervisor opened the case; you can follow the investigation on its "
                                         "page."),
                          url=reverse("integrity-case-detail", args=[case.pk]))
    return case


# --- Investigation -------------------------------------------------------------------------

def _lock_case(actor: User, case_id: int) -> FraudCase:
    case = FraudCase.objects.select_for_update(of=("self",)).select_related("subject", "region").filter(
        pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def _require_live(case: FraudCase) -> None:
    if case.status not in (FraudCase.Status.OPEN, FraudCase.Status.INVESTIGATING):
        raise RuleViolation(_("This case is decided; nothing more can be added."))


def fraud_case_investigate(*, actor: User, case_id: int) -> FraudCase:
    _require_supervisor(actor)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        transition = wf.CASE_WORKFLOW.check(action="investigate", current=case.status, roles={wf.SUPERVISOR})
        before = case.status
        case.status = transition.target
        case.save(update_fields=["status"])
        audit_record(actor=actor, action="integrity.case.investigate", obj=case, object_label=case.reference,
                     before={"status": before}, after={"status": case.status})
    return case


def fraud_case_note_add(*, actor: User, case_id: int, text: str) -> CaseNote:
    _require_supervisor(actor)
    text = (text or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise InvalidInput(_("Write the note (at most %(n)d characters).") % {"n": NOTE_MAX}, field="text")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_live(case)
        note = CaseNote(case=case, author=actor, text=text)
        note.full_clean()
        note.save()
        audit_record(actor=actor, action="integrity.case.note", obj=case, object_label=case.reference,
                     after={"note": note.pk})
    return note


def fraud_case_evidence_add(*, actor: User, case_id: int, upload) -> Evidence:
    _require_supervisor(actor)
    if upload is None:
        raise InvalidInput(_("Please choose a file."), field="file")
    try:
        document = prepare_document(upload, max_bytes=max_file_bytes())
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="file")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_live(case)
        evidence = _store_evidence(files=[document], case=case, uploaded_by=actor)[0]
        audit_record(actor=actor, action="integrity.case.evidence", obj=case, object_label=case.reference,
                     after={"evidence": evidence.pk, "name": evidence.name, "size": evidence.size})
    return evidence


# --- The decision (R6.3) ---------------------------------------------------------------------

def expert_candidates(case: FraudCase):
    """Experts drawn for the case's application: those a decision may cancel."""
    if case.application_id is None:
        return ExpertProfile.objects.none()
    return (ExpertProfile.objects.filter(pk__in=Assignment.objects.filter(application_id=case.application_id)
                                         .values("expert_id"))
            .select_related("user", "committee").order_by("pk"))


def fraud_case_decide(*, actor: User, case_id: int, decision: str, reason: str, sanction_kind: str = "",
                      expert_ids: Sequence[int] = ()) -> FraudCase:
    """Decide a case with recorded reasons. ``uphold`` revokes the title and
    its live certificate(s), records the integrity record for the configured
    years, and applies the chosen sanction and expert cancellations, all in
    one transaction; the person and the bureau are notified on commit."""
    _require_supervisor(actor)
    if decision not in wf.DECISIONS:
        raise InvalidInput(_("Choose the decision."), field="decision")
    reason = _clean_reason(reason, message=_("A decision needs its recorded reasons (%(min)d to %(max)d "
                                             "characters) (R6.3).") % {"min": REASON_MIN, "max": REASON_MAX})
    sanction_kind = (sanction_kind or "").strip()
    try:
        expert_ids = sorted({int(pk) for pk in expert_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose experts from the list."), field="experts")
    if decision != "uphold" and (sanction_kind or expert_ids):
        raise InvalidInput(_("Sanctions follow only an upheld case."), field="sanction_kind")
    if sanction_kind and sanction_kind not in FRAUD_CASE_SANCTION_KINDS:
        raise InvalidInput(_("Choose the kind of sanction (R6.8)."), field="sanction_kind")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        transition = wf.CASE_WORKFLOW.check(action=decision, current=case.status, roles={wf.SUPERVISOR})
        before = {"status": case.status}
        ref = case.reference
        experts = list(expert_candidates(case).filter(pk__in=expert_ids)) if expert_ids else []
        if len(experts) != len(expert_ids):
            raise InvalidInput(_("Choose experts from the list of those drawn for the application."),
                               field="experts")
        if sanction_kind and case.committee_id is None:
            raise InvalidInput(_("No committee evaluated this title; there is none to sanction."),
                               field="sanction_kind")
        revoked_certificates: list[str] = []
        if decision == "uphold":
            if case.application_id:
                title_revoke(actor=actor, application_id=case.application_id, reason=reason, case_reference=ref)
            grant_filter = Q(pk=case.certificate_id) if case.certificate_id else Q(pk__in=[])
            if case.application_id:
                grant_filter |= Q(grant_key=f"application:{case.application_id}")
            for certificate in (Certificate.objects.filter(grant_filter, status=Certificate.Status.VALID)
                                .order_by("pk")):
                certificate_revoke_for_fraud(actor=actor, certificate_id=certificate.pk, reason=reason,
                                             case_reference=ref)
                revoked_certificates.append(certificate.number)
            case.integrity_record = integrity_record_create(
                actor=actor, user=case.subject, reason=_("%(ref)s, %(title)s: %(reason)s")
                % {"ref": ref, "title": case.title_name, "reason": reason})
            if sanction_kind:
                case.committee_sanction = committee_sanction_for_fraud(
                    actor=actor, committee_id=case.committee_id, kind=sanction_kind, reason=reason,
                    case_reference=ref)
            for expert in experts:
                expert_deactivate_for_fraud(actor=actor, expert_id=expert.pk, reason=reason, case_reference=ref)
        case.status = transition.target
        case.decision_reason, case.decided_by, case.decided_at = reason, actor, timezone.now()
        case.full_clean()
        case.save()
        if experts:
            case.experts_cancelled.add(*experts)
        after = {"status": case.status, "integrity_record": case.integrity_record_id,
                 "certificates_revoked": revoked_certificates, "application": case.application_id,
                 "sanction": case.committee_sanction_id, "experts_cancelled": [e.pk for e in experts]}
        audit_record(actor=actor, action=f"integrity.case.{decision}", obj=case, object_label=ref, before=before,
                     after=after, reason=reason)
        _notify_decision(case)
    return case


def _notify_decision(case: FraudCase) -> None:
    bureau = list(portal_selectors.bureau_officers_for_region(region=case.region))
    notification_send(recipients=bureau, subject=lambda: _("Fraud case %(ref)s decided: %(decision)s")
                      % {"ref": case.reference, "decision": case.get_status_display()},
                      body=lambda: _("The decision and its reasons are on the case's page."),
                      url=reverse("integrity-case-detail", args=[case.pk]))
    if case.status == FraudCase.Status.UPHELD:
        record = case.integrity_record
        notification_send(
            recipients=[case.subject], topic=Topic.RESULT,
            subject=lambda: _("An integrity record is entered against you (R6.3)"),
            body=lambda: _("Fraud was established in case %(ref)s (%(title)s). The title is revoked and you may not "
                           "apply for a professional title until %(date)s. Reasons: %(reason)s")
            % {"ref": case.reference, "title": case.title_name, "date": record.ends_on.isoformat(),
               "reason": case.decision_reason},
            url=reverse("integrity-my-records"))
