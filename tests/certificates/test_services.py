"""R5.3 issuing, R6.3 revocation, corrected re-issue and the holder's QR code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from applications.models import Specialty, TitleSeries
from certificates import services
from certificates.models import Certificate, NumberCounter
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent, Notification
from tests.certificates.conftest import grant_kwargs
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, region


def test_R5_3_issue_makes_a_valid_signed_certificate_and_tells_the_holder(issue, django_capture_on_commit_callbacks):
    holder = UserFactory(real_name="张三丰", email="zhang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(**grant_kwargs(holder=holder, grant_key="application:42"))
    certificate.refresh_from_db()
    assert certificate.status == "valid" and certificate.grant_key == "application:42"
    assert certificate.holder_name == "张三丰"
    assert certificate.holder_id_masked == holder.id_number_masked and "*" in certificate.holder_id_masked
    assert certificate.holder_id_hash == holder.id_number_hash
    assert certificate.series_name == "工程技术人员" and certificate.specialty_name == "电气工程"
    assert certificate.date_issued == dt.date.today()
    assert services.signature_checks(certificate)
    assert certificate.pdf_ready and certificate.qr_code_hash
    event = AuditEvent.objects.get(action="certificate.issue", object_id=str(certificate.pk))
    assert event.after["number"] == certificate.number and holder.id_number not in str(event.after)
    note = Notification.objects.get(recipient=holder)
    assert certificate.number in note.subject and note.url.endswith(f"/me/certificates/{certificate.pk}/")
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]


def test_R5_3_issuing_the_same_granted_title_again_returns_the_same_certificate(issue):
    kwargs = grant_kwargs(grant_key="application:7")
    first = services.certificate_issue(**kwargs)
    again = services.certificate_issue(**kwargs)
    assert again.pk == first.pk and again.number == first.number
    assert Certificate.objects.filter(grant_key="application:7").count() == 1
    assert NumberCounter.objects.get(region__code="650100", series_code="ENG").last_value == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_R5_3_the_database_refuses_a_second_live_certificate_for_a_title(issue):
    first = issue(grant_key="application:9")
    copy = Certificate.objects.get(pk=first.pk)
    copy.pk, copy.number, copy.serial, copy.qr_code_hash = None, first.number[:-1] + "0", 999, None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)


def test_R5_3_a_granted_title_belongs_to_one_holder(issue):
    issue(grant_key="application:11")
    with pytest.raises(Conflict):
        services.certificate_issue(**grant_kwargs(grant_key="application:11", holder=UserFactory()))


def test_R5_3_only_the_bureau_of_the_issuer_region_issues():
    with pytest.raises(NotAllowed) as error:
        services.certificate_issue(**grant_kwargs(actor=bureau_officer("652300")))
    assert error.value.rule == "R5.3"
    with pytest.raises(NotAllowed):
        services.certificate_issue(**grant_kwargs(actor=UserFactory(roles=["applicant"])))
    assert not Certificate.objects.exists()
    assert services.certificate_issue(**grant_kwargs(actor=bureau_officer("650100"))).pk
    assert services.certificate_issue(**grant_kwargs(actor=bureau_officer("650000"))).pk  # the autonomous region


@pytest.mark.parametrize("overrides, field", [
    ({"level": "grand_master"}, "level"),
    ({"method": "lottery"}, "method"),
    ({"specialty": "other-series"}, "specialty"),
    ({"date_granted": dt.date.today() + dt.timedelta(days=1)}, "date_granted"),
    ({"title_name": "  "}, "title_name"),
    ({"filing_number": "备\x00案"}, None),
    ({"grant_key": ""}, "grant_key"),
])
def test_R5_3_invalid_grants_are_refused_and_nothing_is_issued(overrides, field):
    if overrides.get("specialty") == "other-series":
        overrides["specialty"] = Specialty.objects.exclude(series__code="engineering").first()
    with pytest.raises(InvalidInput) as error:
        services.certificate_issue(**grant_kwargs(**overrides))
    if field:
        assert error.value.field == field
    assert not Certificate.objects.exists() and not NumberCounter.objects.filter(last_value__gt=0).exists()


def test_R5_3_a_holder_without_an_ID_number_gets_no_certificate():
    holder = UserFactory()
    type(holder).objects.filter(pk=holder.pk).update(id_number_hash=None, id_number_masked="",
                                                     id_number_encrypted="")
    holder.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.certificate_issue(**grant_kwargs(holder=holder))


@pytest.mark.parametrize("name, expected", [
    ("张\ue000丰", "GB 18030"),        # private use: not a character
    ("张\u200b三", "GB 18030"),        # zero-width space: format character
    ("王𪚥", "no certificate font"),   # CJK Ext B, in no installed font
])
def test_R5_3_names_that_cannot_be_printed_are_refused_with_a_clear_message(name, expected):
    with pytest.raises(InvalidInput) as error:
        services.certificate_issue(**grant_kwargs(holder=UserFactory(real_name=name)))
    assert expected in str(error.value.message) and "U+" in str(error.value.message)


def test_R5_3_rare_characters_and_uyghur_names_are_accepted():
    for name in ("王堃", "吉𠮷", "买买提·艾力", "ئەلى مەمەت"):
        assert services.certificate_issue(**grant_kwargs(holder=UserFactory(real_name=name))).holder_name == name


# --- Revocation (R6.3) -------------------------------------------------------------

def test_R6_3_a_bureau_officer_revokes_with_a_recorded_reason(issue):
    certificate = issue()
    officer = bureau_officer("650100")
    services.certificate_revoke(actor=officer, certificate_id=certificate.pk, reason="论文抄袭，经查属实",
                                reason_category="fraud")
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_at and certificate.revoked_by == officer
    assert certificate.revocation_category == "fraud"
    event = AuditEvent.objects.get(action="certificate.revoke")
    assert event.reason == "论文抄袭，经查属实" and event.actor_id == officer.pk
    assert event.before["status"] == "valid" and event.after["status"] == "revoked"
    assert Notification.objects.filter(recipient=certificate.holder, subject__contains="revoked").exists()
    result = services.certificate_verify_number(number=certificate.number, name="张三丰")
    assert result.status == "revoked" and "论文" not in str(result.public())


@pytest.mark.parametrize("reason, category", [("", "fraud"), ("理由", "because"), ("x" * 2001, "fraud")])
def test_R6_3_revocation_needs_a_reason_and_a_public_category(issue, reason, category):
    certificate = issue()
    with pytest.raises(InvalidInput):
        services.certificate_revoke(actor=bureau_officer(), certificate_id=certificate.pk, reason=reason,
                                    reason_category=category)
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_R6_3_others_may_not_revoke_and_nothing_changes(issue):
    certificate = issue()
    organization = EnterpriseFactory()
    events = AuditEvent.objects.count()
    for actor in (bureau_officer("652300"), employee_of(organization), certificate.holder):
        with pytest.raises(NotAllowed):
            services.certificate_revoke(actor=actor, certificate_id=certificate.pk, reason="理由",
                                        reason_category="fraud")
    with pytest.raises(NotFound):
        services.certificate_revoke(actor=bureau_officer(), certificate_id=999_999, reason="理由",
                                    reason_category="fraud")
    certificate.refresh_from_db()
    assert certificate.status == "valid" and AuditEvent.objects.count() == events


def test_R6_3_revoking_a_revoked_certificate_is_an_illegal_transition(issue):
    certificate = issue()
    officer = bureau_officer()
    services.certificate_revoke(actor=officer, certificate_id=certificate.pk, reason="一", reason_category="fraud")
    before = Certificate.objects.filter(pk=certificate.pk).values().get()
    with pytest.raises(RuleViolation):
        services.certificate_revoke(actor=officer, certificate_id=certificate.pk, reason="二",
                                    reason_category="other")
    assert Certificate.objects.filter(pk=certificate.pk).values().get() == before


def test_R6_3_a_corrected_reissue_gets_a_new_number_and_supersedes_the_old(issue, run_on_commit):
    old = issue(grant_key="application:5")
    officer = bureau_officer()
    new = run_on_commit(services.certificate_reissue, actor=officer, certificate_id=old.pk,
                        reason="资格名称错误", title_name="高级工程师", level="deputy_senior")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == "superseded" and old.superseded_at
    assert new.status == "valid" and new.number != old.number and new.replaces_id == old.pk
    assert new.grant_key == old.grant_key and new.title_name == "高级工程师" and new.level == "deputy_senior"
    assert new.serial == old.serial + 1
    assert services.signature_checks(new) and '"replaces":"' + old.number + '"' in new.record
    assert new.pdf_ready
    assert services.certificate_verify_number(number=old.number, name="张三丰").status == "superseded"
    assert services.certificate_verify_number(number=new.number, name="张三丰").status == "valid"
    assert AuditEvent.objects.filter(action="certificate.supersede", reason="资格名称错误").exists()
    assert AuditEvent.objects.filter(action="certificate.reissue", object_id=str(new.pk)).exists()
    with pytest.raises(RuleViolation):
        services.certificate_reissue(actor=officer, certificate_id=old.pk, reason="again")


def test_R6_3_a_reissue_that_fails_validation_changes_nothing(issue):
    old = issue()
    with pytest.raises(InvalidInput):
        services.certificate_reissue(actor=bureau_officer(), certificate_id=old.pk, reason="x", level="nonsense")
    old.refresh_from_db()
    assert old.status == "valid" and Certificate.objects.count() == 1


# --- QR code -------------------------------------------------------------------------

def test_R5_3_the_holder_turns_the_QR_code_off_and_on(issue):
    certificate = issue()
    services.certificate_qr_set(actor=certificate.holder, certificate_id=certificate.pk, enabled=False)
    certificate.refresh_from_db()
    assert not certificate.qr_enabled
    services.certificate_qr_set(actor=certificate.holder, certificate_id=certificate.pk, enabled=True)
    assert AuditEvent.objects.filter(action__in=["certificate.qr_disable", "certificate.qr_enable"]).count() == 2
    with pytest.raises(NotFound):
        services.certificate_qr_set(actor=UserFactory(), certificate_id=certificate.pk, enabled=False)


def test_R5_3_replacing_the_QR_code_renders_a_new_PDF_with_a_new_code(issue, run_on_commit):
    certificate = issue(render=True)
    old_hash, old_pdf, old_sha = certificate.qr_code_hash, certificate.pdf.name, certificate.pdf_sha256
    run_on_commit(services.certificate_qr_replace, actor=certificate.holder, certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_generation == certificate.pdf_requested_generation == 2
    assert certificate.qr_code_hash and certificate.qr_code_hash != old_hash
    assert certificate.pdf.name != old_pdf and certificate.pdf_sha256 != old_sha
    assert not certificate.pdf.storage.exists(old_pdf)
    assert certificate.number == Certificate.objects.get(pk=certificate.pk).number


def test_R5_3_rendering_twice_is_a_no_op(issue):
    certificate = issue(render=True)
    sha = certificate.pdf_sha256
    assert services.certificate_render_pdf(certificate_id=certificate.pk) is False
    certificate.refresh_from_db()
    assert certificate.pdf_sha256 == sha and certificate.pdf_generation == 1


def test_R5_3_series_other_than_engineering_and_no_specialty(issue):
    certificate = issue(series=TitleSeries.objects.get(code="accounting"), title_name="会计师", specialty=None,
                        granting_body_region=region("652300"))
    assert certificate.number.startswith("652300-") and "-ACC-" in certificate.number
    assert certificate.specialty_name == "" and services.signature_checks(certificate)
