"""Services of the integrity app, per rule (R6.3, R6.8)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import application_services as app_services
from applications.models import ApplicationStatus, TitleHeld
from certificates.models import Certificate
from integrity import services
from integrity.models import Evidence, FraudCase, FraudReport
from portal.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent, IntegrityRecord, Notification, PolicySettings, Role
from portal.services import integrity_bar_last_day
from review.models import CommitteeSanction, ExpertProfile
from tests.factories import UserFactory, bureau_officer
from tests.integrity.conftest import DESCRIPTION, REASON, make_grant, open_case, report_on


def upheld(grant, supervisor, **kwargs):
    case = open_case(grant, supervisor)
    return services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON, **kwargs)


# --- Reporting ---------------------------------------------------------------------------

def test_R6_3_anyone_reports_a_certificate_and_gets_an_unguessable_reference(grant, png_file, pdf_file):
    report, reference = report_on(grant, contact="13912345678", files=[png_file(), pdf_file()])
    assert len(reference) >= 20 and reference not in report.reference_hash  # ≥ 128 bits, stored hashed
    assert report.subject == grant.holder and report.status == FraudReport.Status.RECEIVED
    assert report.contact_masked == "139****5678" and "13912345678" not in report.contact_encrypted
    assert Evidence.objects.filter(report=report).count() == 2
    assert services.fraud_report_public_status(reference=reference)["status"] == "received"
    event = AuditEvent.objects.filter(action="integrity.report").last()
    assert "13912345678" not in str(event.after) and "139****5678" not in str(event.after)


def test_R6_3_a_report_on_a_publicity_entry_targets_the_application(grant):
    report, _ref = services.fraud_report_create(description=DESCRIPTION, entry_id=grant.entry.pk)
    assert report.application == grant.application and report.subject == grant.holder


def test_R6_3_the_public_status_says_only_received_investigating_or_closed(grant, supervisor):
    report, reference = report_on(grant)
    case = services.fraud_case_open(actor=supervisor, report_ids=[report.pk])
    status = services.fraud_report_public_status(reference=reference)
    assert status["status"] == "under_investigation" and set(status) == {"status", "label", "received_on"}
    services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="not_uphold", reason=REASON)
    assert services.fraud_report_public_status(reference=reference)["status"] == "closed"
    with pytest.raises(NotFound):
        services.fraud_report_public_status(reference="A" * 22)


@pytest.mark.parametrize("number, message", [
    ("650100-2026-GCS-000001-Q", "mistyped"),
    ("hello", "not a certificate number"),
])
def test_R6_3_a_mistyped_or_malformed_number_gets_a_clear_message(grant, number, message):
    with pytest.raises(InvalidInput) as error:
        services.fraud_report_create(description=DESCRIPTION, certificate_number=number, holder_name="张三")
    assert message in str(error.value.message) and error.value.field == "certificate_number"
    assert not FraudReport.objects.exists()


def test_R6_3_a_mistyped_check_character_of_a_real_number_is_caught(grant):
    number = grant.certificate.number
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    with pytest.raises(InvalidInput, match="mistyped"):
        services.fraud_report_create(description=DESCRIPTION, certificate_number=wrong,
                                     holder_name=grant.certificate.holder_name)


def test_R6_3_an_unknown_number_and_a_wrong_name_are_refused_alike(grant):
    from certificates import numbering

    unknown = numbering.format_number("650100", 2026, "GCS", 999_999)
    answers = []
    for number, name in ((unknown, grant.certificate.holder_name), (grant.certificate.number, "张冒名")):
        with pytest.raises(InvalidInput, match="No certificate") as error:
            services.fraud_report_create(description=DESCRIPTION, certificate_number=number, holder_name=name)
        answers.append((str(error.value.message), error.value.field))
    assert answers[0] == answers[1]
    assert not FraudReport.objects.exists()


def test_R6_3_the_name_is_compared_as_on_the_verification_page(grant):
    """Spaces around and inside a name typed by a reporter do not matter."""
    number, name = grant.certificate.number, grant.certificate.holder_name
    report, _reference = services.fraud_report_create(description=DESCRIPTION, certificate_number=number,
                                                      holder_name=f" {name[0]} {name[1:]} ")
    assert report.certificate == grant.certificate


@pytest.mark.parametrize("kwargs, field", [
    ({"description": "too short"}, "description"),
    ({"description": "x" * 5001}, "description"),
    ({"contact": "x" * 101}, "contact"),
    ({"entry_id": 1}, "certificate_number"),  # both targets
    ({"certificate_number": ""}, "certificate_number"),  # no target
    ({"holder_name": ""}, "holder_name"),  # a certificate without its holder's name
])
def test_R6_3_bad_report_input_changes_nothing(grant, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        report_on(grant, **kwargs)
    assert error.value.field == field
    assert not FraudReport.objects.exists()


def test_R6_3_fake_huge_or_too_many_files_are_refused(grant, png_file, settings):
    fake = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(InvalidInput, match="PDF, JPEG or PNG"):
        report_on(grant, files=[fake])
    settings.UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    with pytest.raises(InvalidInput, match="limit"):
        report_on(grant, files=[big])
    with pytest.raises(InvalidInput, match="at most 5"):
        report_on(grant, files=[png_file() for _ in range(6)])
    assert not FraudReport.objects.exists() and not Evidence.objects.exists()


def test_R6_3_a_withdrawn_publicity_entry_cannot_be_reported(grant):
    grant.entry.status = "withdrawn"
    grant.entry.save()
    with pytest.raises(InvalidInput, match="not in the publicity list"):
        services.fraud_report_create(description=DESCRIPTION, entry_id=grant.entry.pk)


# --- Triage ------------------------------------------------------------------------------

def test_R6_3_a_supervisor_opens_one_case_from_several_reports_of_the_same_person(grant, supervisor):
    first, _r = report_on(grant)
    second, _r = services.fraud_report_create(description=DESCRIPTION, entry_id=grant.entry.pk)
    case = services.fraud_case_open(actor=supervisor, report_ids=[first.pk, second.pk], note="Two reports.")
    assert case.status == FraudCase.Status.OPEN and case.reports.count() == 2
    assert case.certificate == grant.certificate and case.application == grant.application
    assert case.committee == grant.committee and case.notes.count() == 1
    # The bureau of the region is told a case was opened.
    assert Notification.objects.filter(recipient=grant.officer, subject__contains=case.reference).exists()
    with pytest.raises(RuleViolation):  # already taken into a case
        services.fraud_case_open(actor=supervisor, report_ids=[first.pk])


def test_R6_3_reports_on_different_people_are_not_mixed(grant, supervisor):
    other = make_grant(officer=grant.officer, committee=grant.committee, holder_name="李四")
    a, _r = report_on(grant)
    b, _r = report_on(other)
    with pytest.raises(RuleViolation, match="different people"):
        services.fraud_case_open(actor=supervisor, report_ids=[a.pk, b.pk])
    assert FraudReport.objects.filter(status="received").count() == 2 and not FraudCase.objects.exists()


def test_R6_3_a_report_is_dismissed_only_with_a_reason(grant, supervisor):
    report, reference = report_on(grant)
    with pytest.raises(InvalidInput):
        services.fraud_report_dismiss(actor=supervisor, report_id=report.pk, reason=" ")
    report.refresh_from_db()
    assert report.status == "received"
    services.fraud_report_dismiss(actor=supervisor, report_id=report.pk, reason="Duplicate of an earlier report.")
    assert services.fraud_report_public_status(reference=reference)["status"] == "closed"


def test_R6_3_triage_by_one_supervisor_settles_the_others_new_report_notification(grant, supervisor):
    colleague = UserFactory(roles=[Role.SUPERVISOR], real_name="监督员乙")
    dismissed, _r = report_on(grant)
    taken, _r = report_on(grant)
    assert Notification.objects.filter(recipient=colleague, read_at__isnull=True).count() == 2
    services.fraud_report_dismiss(actor=supervisor, report_id=dismissed.pk, reason="Duplicate of an earlier report.")
    services.fraud_case_open(actor=supervisor, report_ids=[taken.pk])
    assert not Notification.objects.filter(recipient__in=[supervisor, colleague], read_at__isnull=True,
                                           url__startswith="/integrity/reports/").exists()


@pytest.mark.parametrize("who", ["applicant", "officer", "anonymous"])
def test_R6_3_only_a_supervisor_triages(grant, who):
    from django.contrib.auth.models import AnonymousUser

    actor = {"applicant": grant.holder, "officer": grant.officer, "anonymous": AnonymousUser()}[who]
    report, _r = report_on(grant)
    with pytest.raises(NotAllowed):
        services.fraud_case_open(actor=actor, report_ids=[report.pk])
    with pytest.raises(NotAllowed):
        services.fraud_report_dismiss(actor=actor, report_id=report.pk, reason="not founded at all")


# --- Investigation and decision ----------------------------------------------------------

def test_R6_3_the_case_workflow_moves_open_investigating_decided(grant, supervisor, pdf_file):
    case = open_case(grant, supervisor)
    services.fraud_case_investigate(actor=supervisor, case_id=case.pk)
    services.fraud_case_note_add(actor=supervisor, case_id=case.pk, text="Called the university.")
    services.fraud_case_evidence_add(actor=supervisor, case_id=case.pk, upload=pdf_file("letter.pdf"))
    case.refresh_from_db()
    assert case.status == "investigating" and case.notes.count() == 1 and case.evidence.count() == 1
    with pytest.raises(RuleViolation):  # investigating twice is not in the table
        services.fraud_case_investigate(actor=supervisor, case_id=case.pk)
    services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="close", reason=REASON)
    with pytest.raises(RuleViolation):
        services.fraud_case_note_add(actor=supervisor, case_id=case.pk, text="late")


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_R6_3_a_supervisor_cannot_revoke_without_a_recorded_reason(grant, supervisor, reason):
    case = open_case(grant, supervisor)
    with pytest.raises(InvalidInput, match="recorded reasons"):
        services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=reason)
    case.refresh_from_db()
    grant.certificate.refresh_from_db()
    grant.application.refresh_from_db()
    assert case.status == "open" and grant.certificate.status == "valid"
    assert grant.application.status == ApplicationStatus.GRANTED
    assert not IntegrityRecord.objects.exists()


def test_R6_3_upheld_revokes_title_and_certificate_and_records_the_bar(grant, supervisor,
                                                                       django_capture_on_commit_callbacks):
    PolicySettings.objects.update_or_create(pk=1, defaults={"integrity_bar_years": 3})
    assert TitleHeld.objects.filter(user=grant.holder, granted_by_portal=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = upheld(grant, supervisor)
    grant.certificate.refresh_from_db()
    grant.application.refresh_from_db()
    assert case.status == "upheld" and case.decision_reason == REASON
    assert grant.certificate.status == "revoked" and grant.certificate.revocation_category == "fraud"
    assert grant.application.status == ApplicationStatus.REVOKED
    assert not TitleHeld.objects.filter(user=grant.holder, granted_by_portal=True).exists()
    record = case.integrity_record
    today = timezone.localdate()
    assert record.user == grant.holder and record.starts_on == today
    assert record.ends_on == integrity_bar_last_day(starts_on=today, years=3)  # through the day before
    # The person and the bureau are told.
    assert Notification.objects.filter(recipient=grant.holder, subject__contains="integrity record").exists()
    assert Notification.objects.filter(recipient=grant.officer, subject__contains="decided").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"integrity.case.uphold", "application.revoke", "certificate.revoke",
            "integrity_record.create"} <= actions


def test_R6_3_the_bar_years_are_configurable(grant, supervisor):
    PolicySettings.objects.update_or_create(pk=1, defaults={"integrity_bar_years": 5})
    case = upheld(grant, supervisor)
    today = timezone.localdate()
    assert case.integrity_record.ends_on == integrity_bar_last_day(starts_on=today, years=5)


def test_R6_3_R6_8_upheld_can_sanction_the_committee_and_cancel_an_expert(grant, supervisor):
    expert = grant.experts[0]
    case = upheld(grant, supervisor, sanction_kind="public_criticism", expert_ids=[expert.pk])
    sanction = CommitteeSanction.objects.get(committee=grant.committee)
    assert case.committee_sanction == sanction and sanction.kind == "public_criticism"
    assert case.reference in sanction.reason
    expert.refresh_from_db()
    assert not expert.is_active and list(case.experts_cancelled.all()) == [expert]
    assert ExpertProfile.objects.get(pk=grant.experts[1].pk).is_active
    # The bureau of the committee's filing region is told about the sanction.
    assert Notification.objects.filter(recipient=grant.officer, subject__contains="Sanction").exists()


def test_R6_8_a_suspension_stays_with_the_bureau(grant, supervisor):
    case = open_case(grant, supervisor)
    with pytest.raises(InvalidInput):
        services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON,
                                   sanction_kind="suspension")
    with pytest.raises(InvalidInput):  # an expert not drawn for the application
        services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON,
                                   expert_ids=[999999])
    case.refresh_from_db()
    grant.certificate.refresh_from_db()
    assert case.status == "open" and grant.certificate.status == "valid"


def test_R6_3_deciding_twice_is_refused_and_changes_nothing(grant, supervisor):
    case = upheld(grant, supervisor)
    with pytest.raises(RuleViolation):
        services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON)
    assert IntegrityRecord.objects.count() == 1


def test_R6_3_the_lower_services_are_idempotent(grant, supervisor):
    from certificates.services import certificate_revoke_for_fraud

    upheld(grant, supervisor)
    again = app_services.title_revoke(actor=supervisor, application_id=grant.application.pk, reason=REASON,
                                      case_reference="IC-x")
    assert again.status == ApplicationStatus.REVOKED
    cert = certificate_revoke_for_fraud(actor=supervisor, certificate_id=grant.certificate.pk, reason=REASON,
                                        case_reference="IC-x")
    assert cert.status == "revoked"
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_R6_3_only_a_supervisor_decides(grant, supervisor, who):
    case = open_case(grant, supervisor)
    actor = grant.holder if who == "applicant" else grant.officer
    with pytest.raises(NotAllowed):
        services.fraud_case_decide(actor=actor, case_id=case.pk, decision="uphold", reason=REASON)
    from certificates.services import certificate_revoke_for_fraud

    with pytest.raises(NotAllowed):
        certificate_revoke_for_fraud(actor=actor, certificate_id=grant.certificate.pk, reason=REASON,
                                     case_reference="x")
    with pytest.raises(NotAllowed):
        app_services.title_revoke(actor=actor, application_id=grant.application.pk, reason=REASON,
                                  case_reference="x")
    grant.certificate.refresh_from_db()
    assert grant.certificate.status == Certificate.Status.VALID


def test_R6_3_an_application_still_in_publicity_is_revoked_too(supervisor):
    grant = make_grant(granted=False)
    report, _r = services.fraud_report_create(description=DESCRIPTION, entry_id=grant.entry.pk)
    case = services.fraud_case_open(actor=supervisor, report_ids=[report.pk])
    assert case.certificate is None
    services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON)
    grant.application.refresh_from_db()
    assert grant.application.status == ApplicationStatus.REVOKED


# --- The bar on applying (R6.3) -------------------------------------------------------------

def _try_to_apply(person, committee, year: int = 2026):
    from applications.models import Call, Specialty
    from tests.review.conftest import make_call

    call = make_call(committee)
    Call.objects.filter(pk=call.pk).update(year=year)
    return app_services.application_create(
        applicant=person, call_id=call.pk, specialty_id=Specialty.objects.get(series__code="engineering",
                                                                              code="electrical").pk,
        level="intermediate", pathway="regular", channel="employer",
        sponsor_id=person.employments.first().employer_id)


def test_R6_3_the_person_cannot_apply_while_the_record_is_in_force(grant, supervisor):
    upheld(grant, supervisor)
    with pytest.raises(RuleViolation) as error:
        _try_to_apply(grant.holder, grant.committee)
    assert error.value.rule == "R6.3" and "integrity record" in str(error.value.message)


def test_R6_3_the_person_may_apply_again_once_the_record_ends(grant, supervisor):
    case = upheld(grant, supervisor)
    record = case.integrity_record
    # Move the record into the past, as if the configured years had passed.
    past = record.ends_on - dt.timedelta(days=365 * 3 + 2)
    IntegrityRecord.objects.filter(pk=record.pk).update(starts_on=past - dt.timedelta(days=365 * 3),
                                                        ends_on=past)
    application = _try_to_apply(grant.holder, grant.committee, year=2029)  # a later year's call (R6.4)
    assert application.status == ApplicationStatus.DRAFT


def test_R6_3_integrity_record_create_is_for_supervisors_only(grant):
    from portal.services import integrity_record_create

    with pytest.raises(NotAllowed):
        integrity_record_create(actor=bureau_officer("650100"), user=grant.holder, reason="x")
    sup = UserFactory(roles=[Role.SUPERVISOR])
    with pytest.raises(InvalidInput):
        integrity_record_create(actor=sup, user=grant.holder, reason="  ")
    record = integrity_record_create(actor=sup, user=grant.holder, reason="Fraud.", starts_on=dt.date(2024, 2, 29),
                                     years=1)
    assert record.ends_on == dt.date(2025, 2, 28)


def test_R6_3_evidence_files_are_stored_under_random_names(grant, png_file):
    report, _r = report_on(grant, files=[png_file("my secret name.png")])
    evidence = report.evidence.get()
    assert "secret" not in evidence.file.name and evidence.name == "my secret name.png"
    assert BytesIO(evidence.file.read()).getvalue().startswith(b"\x89PNG")
