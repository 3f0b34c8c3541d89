"""The application's services: every transition of the workflow table and
every guard, with the rule ids of domain.md in the test names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from applications import application_services as svc
from applications import workflow
from applications.models import (
    Achievement,
    Application,
    Attachment,
    ContinuingEducation,
    Correction,
    EducationRecord,
    IntegrityPledge,
    Qualification,
    QualificationHeld,
    SkillRecord,
    TitleSeries,
    UnitObjection,
)
from portal.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent, Committee, Employment, IntegrityRecord, Notification, Organization, Region
from tests.applications.conftest import (
    acceptance_body,
    eligible_for_intermediate,
    make_call,
    make_committee,
    pdf,
    png,
    specialty,
)
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of


def events(application, action=None):
    qs = AuditEvent.objects.filter(object_type="applications.application", object_id=str(application.pk))
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("seq"))


def freeze(monkeypatch, day: dt.date):
    """Make "today" ``day`` for services (timezone.localdate and timezone.now)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- Channels and region (R1.1, R1.4, R1.7, R1.8) -----------------------------

def test_R1_1_region_comes_from_the_confirmed_employment(world):
    changji = Region.objects.get(code="652300")
    enterprise = EnterpriseFactory(region=changji)
    hr_admin_of(enterprise)
    user = world.another_applicant(enterprise)
    call = make_call(committee=make_committee(region_code=None))  # covers every region
    application = world.create(applicant=user, call=call)
    assert application.region == changji
    assert application.employer == enterprise == application.sponsor
    assert application.channel == "employer"
    assert application.private_enterprise is True
    assert application.acceptance_body.kind == Organization.Kind.HR_BUREAU
    assert application.acceptance_body.region == changji


def test_R1_1_no_confirmed_employment_is_refused(world):
    user = UserFactory()
    Employment.objects.create(user=user, employer=world.enterprise, start_date=dt.date(2020, 1, 1))  # pending
    with pytest.raises(RuleViolation) as error:
        world.create(applicant=user)
    assert error.value.rule == "R1.1"
    assert not Application.objects.filter(applicant=user).exists()


def test_R1_8_dispatched_over_a_year_applies_where_dispatched(world):
    kashgar = Region.objects.get(code="653100")
    Employment.objects.filter(user=world.applicant).update(dispatch_region=kashgar,
                                                           dispatch_start=timezone.localdate() - dt.timedelta(days=800))
    call = make_call(committee=make_committee(region_code="653100"))
    application = world.create(channel="dispatch", call=call)
    assert application.region == kashgar
    assert application.sponsor == world.enterprise
    assert application.acceptance_body.region == kashgar


def test_R1_8_dispatched_less_than_a_year_is_refused(world):
    kashgar = Region.objects.get(code="653100")
    Employment.objects.filter(user=world.applicant).update(dispatch_region=kashgar,
                                                           dispatch_start=timezone.localdate() - dt.timedelta(days=200))
    with pytest.raises(RuleViolation) as error:
        world.create(channel="dispatch", call=make_call(committee=make_committee(region_code="653100")))
    assert error.value.rule == "R1.8"


def test_R1_8_without_a_dispatch_is_refused(world):
    with pytest.raises(RuleViolation) as error:
        world.create(channel="dispatch")
    assert error.value.rule == "R1.8"


def _on_leave(world, *, years_ago: float):
    hami = Region.objects.get(code="650500")
    unit = Organization.objects.create(kind=Organization.Kind.INSTITUTION, name="哈密研究院", region=hami,
                                       status=Organization.Status.ACTIVE)
    Employment.objects.filter(user=world.applicant).update(
        original_unit=unit, leave_start=timezone.localdate() - dt.timedelta(days=int(365 * years_ago)))
    return unit


def test_R1_7_leave_for_entrepreneurship_applies_at_the_original_unit(world):
    unit = _on_leave(world, years_ago=2)
    application = world.create(channel="original_unit", call=make_call(committee=make_committee(region_code="650500")))
    assert application.region == unit.region
    assert application.sponsor == unit
    assert application.employer == world.enterprise  # the enterprise work counts


def test_R1_7_more_than_three_years_after_leaving_is_refused(world):
    _on_leave(world, years_ago=3.2)
    with pytest.raises(RuleViolation) as error:
        world.create(channel="original_unit", call=make_call(committee=make_committee(region_code="650500")))
    assert error.value.rule == "R1.7"


def test_R1_4_freelancer_applies_through_an_agency_and_skips_the_employer(world):
    agency, agency_officer = acceptance_body(kind=Organization.Kind.TALENT_AGENCY)
    freelancer = UserFactory()
    eligible_for_intermediate(freelancer)
    application = world.create(applicant=freelancer, channel="agency", sponsor_id=agency.pk)
    assert application.sponsor == agency == application.acceptance_body
    assert application.employer is None
    assert application.region == agency.region
    world.submit(world.complete(application))
    application.refresh_from_db()
    assert application.status == "acceptance"  # submit_direct: no employer review, no unit publicity
    assert Notification.objects.filter(recipient=agency_officer).exists()
    assert svc.application_roles(user=agency_officer, application=application) == {workflow.ACCEPTANCE}
    svc.application_decide(actor=agency_officer, application_id=application.pk, action="accept")
    application.refresh_from_db()
    assert application.status == "qualification_audit"


def test_R1_4_a_sponsor_that_is_not_an_agency_is_refused(world):
    freelancer = UserFactory()
    with pytest.raises(RuleViolation) as error:
        world.create(applicant=freelancer, channel="agency", sponsor_id=world.enterprise.pk)
    assert error.value.rule == "R1.4"


def test_R1_4_acceptance_body_by_region_and_series_scope(world):
    body, officer = acceptance_body(region_code="650100", series="engineering")
    application = world.create()
    assert application.acceptance_body == body


# --- Calls and committees (R2.1, R2.3) ------------------------------------------

def test_R2_1_level_outside_the_committee_scope_is_refused(world):
    committee = make_committee(levels=["junior", "intermediate"])
    call = make_call(committee=committee, levels=["junior", "intermediate", "deputy_senior"])
    with pytest.raises(RuleViolation) as error:
        world.create(call=call, level="deputy_senior")
    assert error.value.rule == "R2.1"


def test_R2_1_level_not_named_by_the_call_is_refused(world):
    call = make_call(committee=world.committee, levels=["junior"])
    with pytest.raises(RuleViolation) as error:
        world.create(call=call, level="intermediate")
    assert error.value.rule == "R2.1"


def test_R2_1_region_outside_the_committee_scope_is_refused(world):
    call = make_call(committee=make_committee(region_code="653100"))
    with pytest.raises(RuleViolation) as error:
        world.create(call=call)
    assert error.value.rule == "R2.1"


def test_R1_5_entrusted_call_accepts_the_entrusting_region(world):
    urumqi = Region.objects.get(code="650100")
    call = make_call(committee=make_committee(region_code="653100"), entrusted_by=urumqi)
    call.entrustment_note = "委托函 2026-1"
    call.save()
    assert world.create(call=call).region == urumqi


def test_R2_1_specialty_of_another_series_is_refused(world):
    with pytest.raises(RuleViolation) as error:
        svc.application_create(applicant=world.applicant, call_id=world.call.pk,
                               specialty_id=specialty("economics").pk, level="intermediate")
    assert error.value.rule == "R2.1"


def test_R2_3_closed_call_is_refused(world):
    now = timezone.now()
    closed = make_call(committee=world.committee, opens_at=now - dt.timedelta(days=40),
                       closes_at=now - dt.timedelta(days=1))
    with pytest.raises(RuleViolation) as error:
        world.create(call=closed)
    assert error.value.rule == "R2.3"


def test_R2_3_submitting_after_the_call_closed_is_refused(world, monkeypatch):
    application = world.complete(world.create())
    later = world.call.closes_at + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R2.3"
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.parametrize("status", [Committee.Status.SUSPENDED, Committee.Status.REVOKED, Committee.Status.LAPSED])
def test_R2_3_call_of_a_suspended_committee_is_refused(world, status):
    Committee.objects.filter(pk=world.committee.pk).update(status=status)
    with pytest.raises(RuleViolation) as error:
        world.create()
    assert error.value.rule == "R2.3"


def test_R2_3_committee_suspended_after_the_draft_blocks_submission(world):
    application = world.complete(world.create())
    Committee.objects.filter(pk=world.committee.pk).update(status=Committee.Status.SUSPENDED)
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R2.3"


def test_R2_3_committee_past_its_validity_is_refused(world):
    Committee.objects.filter(pk=world.committee.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(RuleViolation) as error:
        world.create()
    assert error.value.rule == "R2.3"


def test_R1_1_bureau_call_of_another_region_is_refused(world):
    call = make_call(bureau=Organization.objects.get(kind="hr_bureau", region__code="653100"),
                     pathways=["recognition"])
    with pytest.raises(RuleViolation) as error:
        world.create(call=call, pathway="recognition", level="junior")
    assert error.value.rule == "R1.1"


def test_R4_1_pathway_not_accepted_by_the_call_is_refused(world):
    call = make_call(committee=world.committee, pathways=["regular"])
    with pytest.raises(RuleViolation) as error:
        world.create(call=call, pathway="green_channel", level="deputy_senior")
    assert error.value.rule == "R4.1"


def test_create_refuses_bad_input_without_a_500(world):
    for kwargs in ({"level": "chief"}, {"pathway": "fast"}, {"channel": "friend"}):
        with pytest.raises(InvalidInput):
            world.create(**kwargs)
    with pytest.raises(InvalidInput):
        svc.application_create(applicant=world.applicant, call_id="x", specialty_id=1, level="junior")
    with pytest.raises(InvalidInput):
        svc.application_create(applicant=world.applicant, call_id=world.call.pk, specialty_id="x", level="junior")
    assert not Application.objects.exists()


# --- Calls opened by a secretary (R2.1, R2.3, R4.1) ------------------------------

def _open(actor, committee, **kwargs):
    now = timezone.now()
    values = {"name": "2026年工程系列", "series_id": committee.series_id, "levels": ["intermediate"], "year": 2026,
              "opens_at": now, "closes_at": now + dt.timedelta(days=30), "methods": ["review"],
              "committee_id": committee.pk}
    values.update(kwargs)
    return svc.call_open(actor=actor, **values)


def test_R2_1_call_open_by_the_secretary_inside_the_scope(world):
    secretary = world.committee.members.get(role="secretary").user
    call = _open(secretary, world.committee)
    assert call.committee == world.committee
    assert AuditEvent.objects.filter(action="call.open", object_id=str(call.pk)).exists()
    with pytest.raises(NotAllowed):
        _open(world.hr, world.committee)
    with pytest.raises(RuleViolation) as error:
        _open(secretary, world.committee, series_id=TitleSeries.objects.get(code="economics").pk)
    assert error.value.rule == "R2.1"


def test_R2_1_call_open_with_a_level_outside_the_scope_is_refused(world):
    committee = make_committee(levels=["intermediate"])
    secretary = UserFactory()
    committee.members.create(user=secretary, role="secretary")
    with pytest.raises(RuleViolation) as error:
        _open(secretary, committee, levels=["intermediate", "senior"])
    assert error.value.rule == "R2.1"


def test_R2_3_call_open_beyond_the_filing_or_by_a_suspended_committee(world):
    secretary = world.committee.members.get(role="secretary").user
    with pytest.raises(RuleViolation) as error:
        _open(secretary, world.committee, closes_at=timezone.now() + dt.timedelta(days=900))
    assert error.value.rule == "R2.3"
    Committee.objects.filter(pk=world.committee.pk).update(status=Committee.Status.SUSPENDED)
    with pytest.raises(RuleViolation) as error:
        _open(secretary, world.committee)
    assert error.value.rule == "R2.3"


def test_R4_1_call_open_names_its_methods(world):
    secretary = world.committee.members.get(role="secretary").user
    with pytest.raises(RuleViolation) as error:
        _open(secretary, world.committee, methods=[])
    assert error.value.rule == "R4.1"


# --- Achievements (R3.2) -----------------------------------------------------

def test_R3_2_achievements_are_first_class_with_their_own_fields(world):
    application = world.create()
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent",
                                 title="一种高效换热器", role="lead", number="ZL202310000001.X")
    standard = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="standard",
                                   title="团体标准", role="major", number="T/XJ 001-2025")
    transformation = svc.achievement_add(actor=world.applicant, application_id=application.pk,
                                         kind="transformation", title="成果转化", economic_benefit="350.5")
    assert transformation.economic_benefit == 350.5
    assert {a.kind for a in application.achievements.all()} == {"patent", "standard", "transformation"}
    assert patent.number and standard.role == "major"


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "patent", "title": "专利", "role": "lead"}, "number"),
    ({"kind": "standard", "title": "标准", "number": "GB 1"}, "role"),
    ({"kind": "transformation", "title": "转化"}, "economic_benefit"),
    ({"kind": "transformation", "title": "转化", "economic_benefit": "abc"}, "economic_benefit"),
    ({"kind": "transformation", "title": "转化", "economic_benefit": "-1"}, "economic_benefit"),
    ({"kind": "rumour", "title": "x"}, "kind"),
    ({"kind": "project", "title": "  "}, "title"),
    ({"kind": "project", "title": "x", "role": "boss"}, "role"),
])
def test_R3_2_achievement_missing_its_fields_is_refused(world, kwargs, field):
    application = world.create()
    with pytest.raises(InvalidInput) as error:
        svc.achievement_add(actor=world.applicant, application_id=application.pk, **kwargs)
    assert error.value.field == field
    assert not application.achievements.exists()


def test_R3_2_an_achievement_dated_in_the_future_or_worth_less_than_nothing_is_refused_in_words(world):
    """A patent dated 2099 (a slip of the date picker) was stored; a negative benefit was told to
    'enter it as a number'. Both are refused at their field with what is wrong, nothing stored."""
    application = world.create()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent", title="专利",
                            role="lead", number="ZL1", achieved_on=tomorrow)
    assert error.value.field == "achieved_on" and "不能晚于今天" in str(error.value)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="transformation",
                            title="转化", economic_benefit="-100")
    assert error.value.field == "economic_benefit" and "不能为负数" in str(error.value)
    assert not application.achievements.exists()
    patent = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent", title="专利",
                                 role="lead", number="ZL1", achieved_on=timezone.localdate())
    with pytest.raises(InvalidInput):
        svc.achievement_update(actor=world.applicant, application_id=application.pk, achievement_id=patent.pk,
                               kind="patent", title="专利", role="lead", number="ZL1", achieved_on=tomorrow)
    patent.refresh_from_db()
    assert patent.achieved_on == timezone.localdate()


def test_R3_2_each_achievement_needs_evidence_to_submit(world):
    application = world.complete(world.create())
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="breakthrough",
                                      title="关键技术攻关")
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R3.2"
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence", upload=png(),
                       achievement_id=achievement.pk)
    assert world.submit(application).status == "employer_review"


def test_R3_1_no_paper_is_needed_to_submit(world):
    application = world.submitted()
    assert not application.achievements.filter(kind="paper").exists()
    assert any(c["rule"] == "R3.1" and c["met"] for c in application.frozen_conditions["conditions"])


def test_achievement_update_and_remove_in_a_draft(world):
    application = world.create()
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project",
                                      title="旧题目")
    svc.achievement_update(actor=world.applicant, application_id=application.pk, achievement_id=achievement.pk,
                           kind="project", title="新题目")
    achievement.refresh_from_db()
    assert achievement.title == "新题目"
    svc.achievement_remove(actor=world.applicant, application_id=application.pk, achievement_id=achievement.pk)
    assert not application.achievements.exists()
    actions = [e.action for e in events(application)]
    assert "application.achievement_change" in actions and "application.achievement_remove" in actions


# --- Files by content, size and count ------------------------------------------

def test_files_refused_by_content_and_the_draft_keeps_everything_else(world):
    application = world.create()
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "十年经验"})
    good = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                              upload=pdf())
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    with pytest.raises(InvalidInput) as error:
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=fake)
    assert error.value.field == "file"
    assert "PDF, JPEG or PNG" in str(error.value.message)
    broken = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, content_type="image/png")
    with pytest.raises(InvalidInput):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=broken)
    application.refresh_from_db()
    assert application.summary == "十年经验"
    assert list(application.attachments.all()) == [good]


def test_files_refused_by_size_per_file_and_per_application(world):
    from portal.models import PolicySettings

    policy = PolicySettings.load()
    policy.max_file_mb, policy.max_application_mb = 1, 2
    policy.save()
    application = world.create()
    with pytest.raises(InvalidInput) as error:
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other",
                           upload=pdf(size=1024 * 1024 + 10))
    assert "limit" in str(error.value.message)
    for _i in range(2):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other",
                           upload=pdf(size=1000 * 1000))
    with pytest.raises(InvalidInput) as error:
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other",
                           upload=pdf(size=100 * 1000))
    assert "2 MB" in str(error.value.message)
    assert application.attachments.count() == 2


def test_files_refused_by_count(world):
    from portal.models import PolicySettings

    policy = PolicySettings.load()
    policy.max_files_per_application = 2
    policy.save()
    application = world.create()
    for _i in range(2):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=png())
    with pytest.raises(InvalidInput) as error:
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=png())
    assert "at most 2 files" in str(error.value.message)
    assert Attachment.objects.filter(application=application).count() == 2


def test_file_with_an_unknown_material_or_evidence_without_achievement_is_refused(world):
    application = world.create()
    with pytest.raises(InvalidInput):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="passport", upload=pdf())
    with pytest.raises(InvalidInput):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence", upload=pdf())


def test_file_removed_from_a_draft(world):
    application = world.create()
    attachment = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other",
                                    upload=pdf())
    svc.attachment_remove(actor=world.applicant, application_id=application.pk, attachment_id=attachment.pk)
    assert not application.attachments.exists()


def test_materials_checklist_by_pathway_blocks_submission(world):
    application = world.create()
    with pytest.raises(InvalidInput) as error:
        world.submit(application)
    assert error.value.field == "attachments"
    assert application.status == "draft"


# --- Submission: pledge, integrity, duplicates (R6.3, R6.4) -----------------------

def test_R6_3_pledge_is_required_to_submit(world):
    application = world.complete(world.create())
    for text, accepted in (("", True), (str(svc.PLEDGE_TEXT), False)):
        with pytest.raises(RuleViolation) as error:
            svc.application_submit(actor=world.applicant, application_id=application.pk, pledge_text=text,
                                   pledge_accepted=accepted)
        assert error.value.rule == "R6.3"
    assert not IntegrityPledge.objects.exists()
    world.submit(application)
    pledge = IntegrityPledge.objects.get(application=application)
    assert pledge.text == str(svc.PLEDGE_TEXT) and pledge.ip_address == "10.0.0.1" and pledge.signed_at


def test_R6_3_an_active_integrity_record_blocks_submission(world):
    application = world.complete(world.create())
    today = timezone.localdate()
    IntegrityRecord.objects.create(user=world.applicant, reason="材料造假", starts_on=today - dt.timedelta(days=10),
                                   ends_on=today + dt.timedelta(days=3 * 365))
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R6.3"
    application.refresh_from_db()
    assert application.status == "draft" and application.submitted_at is None


def test_R6_3_an_expired_integrity_record_does_not_block(world):
    today = timezone.localdate()
    IntegrityRecord.objects.create(user=world.applicant, reason="旧记录", starts_on=today - dt.timedelta(days=2000),
                                   ends_on=today - dt.timedelta(days=1))
    assert world.submitted().status == "employer_review"


@pytest.mark.parametrize(("starts_on", "years", "last_barred"), [
    (dt.date(2026, 12, 3), 3, dt.date(2029, 12, 2)),   # domain.md R6.3
    (dt.date(2028, 2, 29), 3, dt.date(2031, 2, 28)),   # leap day: 2031 has no 29 February; free on 1 March
    (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 28)),   # back on a leap year: free on 29 February 2032
    (dt.date(2027, 3, 1), 3, dt.date(2030, 2, 28)),
    (dt.date(2026, 1, 1), 1, dt.date(2026, 12, 31)),
])
def test_R6_3_a_bar_of_n_years_ends_the_day_before_the_same_date_n_years_later(starts_on, years, last_barred):
    from portal.services import integrity_bar_last_day

    assert integrity_bar_last_day(starts_on=starts_on, years=years) == last_barred


@pytest.mark.parametrize(("starts_on", "last_barred", "free"), [
    (dt.date(2026, 12, 3), dt.date(2029, 12, 2), dt.date(2029, 12, 3)),
    (dt.date(2028, 2, 29), dt.date(2031, 2, 28), dt.date(2031, 3, 1)),
])
def test_R6_3_a_record_bars_through_its_last_day_and_the_next_day_is_free(world, monkeypatch, starts_on,
                                                                          last_barred, free):
    """The guard at submission, on the record the supervisor's service writes, at both sides of the boundary."""
    from portal.services import integrity_record_create

    supervisor = UserFactory(roles=["supervisor"])
    record = integrity_record_create(actor=supervisor, user=world.applicant, reason="材料造假", starts_on=starts_on,
                                     years=3)
    assert record.ends_on == last_barred
    for day in (starts_on, last_barred):
        monkeypatch.setattr(svc.timezone, "localdate", lambda day=day: day)
        with pytest.raises(RuleViolation) as error:
            svc._guard_integrity(world.applicant)
        assert error.value.rule == "R6.3"
        assert last_barred.isoformat() in str(error.value.message) and free.isoformat() in str(error.value.message)
    monkeypatch.setattr(svc.timezone, "localdate", lambda: free)
    svc._guard_integrity(world.applicant)  # free: no error


def test_R6_3_a_record_from_exactly_three_years_ago_no_longer_bars_and_one_from_a_day_later_does(world):
    """Today, through the whole submission: the bar written three years ago to the day has ended; the one
    written a day later bars today, its last day."""
    from portal.services import integrity_bar_last_day, integrity_record_create

    today = timezone.localdate()
    supervisor = UserFactory(roles=["supervisor"])
    three_years_ago = today.replace(year=today.year - 3) if (today.month, today.day) != (2, 29) else \
        dt.date(today.year - 3, 2, 28)
    later = three_years_ago + dt.timedelta(days=1)
    application = world.complete(world.create())
    barring = integrity_record_create(actor=supervisor, user=world.applicant, reason="材料造假", starts_on=later,
                                      years=3)
    assert barring.ends_on == integrity_bar_last_day(starts_on=later, years=3) >= today
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R6.3"
    application.refresh_from_db()
    assert application.status == "draft"
    IntegrityRecord.objects.filter(pk=barring.pk).delete()
    ended = integrity_record_create(actor=supervisor, user=world.applicant, reason="材料造假",
                                    starts_on=three_years_ago, years=3)
    assert ended.ends_on < today
    assert world.submit(application).status == "employer_review"


def test_R6_4_duplicate_across_calls_and_committees_is_refused_by_the_service(world):
    world.submitted()
    other_call = make_call(committee=make_committee(region_code=None))  # another committee, same series and year
    with pytest.raises(RuleViolation) as error:
        world.create(call=other_call)
    assert error.value.rule == "R6.4"


def test_R6_4_two_drafts_only_one_may_be_submitted(world):
    first = world.complete(world.create())
    second = world.complete(world.create(call=make_call(committee=make_committee(region_code=None))))
    world.submit(first)
    with pytest.raises(RuleViolation) as error:
        world.submit(second)
    assert error.value.rule == "R6.4"
    second.refresh_from_db()
    assert second.status == "draft"


def test_R6_4_enforced_by_the_database_across_two_committees(world):
    """Two calls of two committees in the same series and year: the partial
    unique index refuses a second live application even when the service is
    bypassed."""
    call_a = make_call(committee=make_committee(region_code="650100"))
    call_b = make_call(committee=make_committee(region_code=None))
    assert call_a.committee_id != call_b.committee_id and call_a.series_id == call_b.series_id
    first = world.create(call=call_a)
    second = world.create(call=call_b)
    Application.objects.filter(pk=first.pk).update(status="employer_review")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(status="acceptance")
    # Another year or a dead application is fine.
    Application.objects.filter(pk=first.pk).update(status="withdrawn")
    Application.objects.filter(pk=second.pk).update(status="acceptance")


def test_R6_4_a_withdrawn_or_rejected_application_frees_the_year(world):
    application = world.submitted()
    svc.application_withdraw(actor=world.applicant, application_id=application.pk)
    assert world.submitted().status == "employer_review"


def test_R3_5_ineligible_profile_is_refused_with_the_rule(world):
    user = employee_of(world.enterprise)  # no education, no title
    application = world.complete(world.create(applicant=user))
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R3.5"
    assert "R3.5" in error.value.as_text()


def test_submit_freezes_conditions_profile_and_call(world):
    application = world.submitted()
    frozen = application.frozen_conditions
    assert frozen["eligible"] is True
    assert frozen["facts"]["education"] == "bachelor" and frozen["facts"]["current_level"] == "junior"
    assert frozen["call"]["id"] == world.call.pk
    assert application.frozen_profile["education"][0]["school"] == "新疆大学"
    # Later profile changes do not change what was frozen.
    application.applicant.education_records.all().delete()
    application.refresh_from_db()
    assert application.frozen_profile["education"]


def test_R3_3_first_time_private_enterprise_needs_no_continuing_education(world):
    user = employee_of(world.enterprise)
    EducationRecord.objects.create(user=user, level="bachelor", school="石河子大学", major="电气",
                                   graduated_on=dt.date(2020, 7, 1))
    application = world.submitted(applicant=user, level="junior")
    assert application.first_time is True and application.private_enterprise is True
    line = next(c for c in application.frozen_conditions["conditions"] if c["rule"] == "R3.3")
    assert line["met"] is True


def test_R3_3_holding_a_title_is_not_a_first_application(world):
    ContinuingEducation.objects.filter(user=world.applicant).delete()
    application = world.complete(world.create())
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R3.3"


def test_R3_6_exceptional_pathway_counts_recommendation_letters(world):
    application = world.create(pathway="exceptional", level="intermediate")
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary", upload=pdf())
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="recommendation", upload=pdf())
    with pytest.raises(InvalidInput):  # checklist: two letters
        world.submit(application)
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="recommendation", upload=pdf())
    assert world.submit(application).status == "employer_review"


def test_R4_3_green_channel_needs_a_justification(world):
    application = world.complete(world.create(pathway="green_channel", level="deputy_senior"))
    with pytest.raises(RuleViolation) as error:
        world.submit(application)
    assert error.value.rule == "R4.3"
    svc.application_update_draft(actor=world.applicant, application_id=application.pk,
                                 data={"justification": "主持国家级项目，填补区内空白"})
    assert world.submit(application).status == "employer_review"


def test_R4_6_skills_crossover_from_the_profile(world):
    user = employee_of(world.enterprise)
    SkillRecord.objects.create(user=user, level="technician", occupation="钳工",
                               obtained_on=timezone.localdate() - dt.timedelta(days=4 * 366))
    application = world.complete(world.create(applicant=user, pathway="skills_crossover", level="intermediate"))
    assert world.submit(application).status == "employer_review"


def test_R4_7_qualification_from_the_profile(world):
    user = employee_of(world.enterprise)
    qualification = Qualification.objects.filter(series__code="engineering", level="intermediate").first()
    QualificationHeld.objects.create(user=user, qualification=qualification, obtained_on=dt.date(2020, 1, 1))
    application = world.complete(world.create(applicant=user, pathway="qualification", level="intermediate"))
    assert world.submit(application).status == "employer_review"


def test_only_the_applicant_acts_on_a_draft(world):
    application = world.complete(world.create())
    stranger = UserFactory()
    for call in (
        lambda: svc.application_update_draft(actor=stranger, application_id=application.pk, data={"summary": "x"}),
        lambda: svc.attachment_add(actor=stranger, application_id=application.pk, material="other", upload=pdf()),
        lambda: svc.achievement_add(actor=stranger, application_id=application.pk, kind="project", title="x"),
        lambda: svc.application_submit(actor=stranger, application_id=application.pk, pledge_text="x",
                                       pledge_accepted=True),
        lambda: svc.application_withdraw(actor=stranger, application_id=application.pk),
        lambda: svc.application_decide(actor=stranger, application_id=application.pk, action="employer_approve"),
    ):
        with pytest.raises(NotFound):
            call()
    application.refresh_from_db()
    assert application.status == "draft" and application.summary == ""


def test_update_draft_refuses_unknown_fields_and_changes_level_in_a_draft(world):
    application = world.create()
    with pytest.raises(InvalidInput):
        svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"status": "ready"})
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"level": "junior"})
    application.refresh_from_db()
    assert application.level == "junior" and application.title_name == "助理工程师"
    assert events(application, "application.edit")[0].after == {"level": "junior"}


# --- Employer review and unit publicity (R5.5) -------------------------------------

def test_employer_approve_starts_unit_publicity(world):
    application = world.approve(world.submitted())
    assert application.status == "unit_publicity"
    assert application.publicity_ends_on > timezone.localdate()
    assert Notification.objects.filter(recipient=world.applicant, subject__contains="unit publicity").exists()


def test_R5_5_unit_publicity_lasts_five_working_days_across_national_day(world, monkeypatch):
    application = world.submitted()
    freeze(monkeypatch, dt.date(2026, 9, 30))  # Wednesday before the National Day holiday
    application = world.approve(application)
    # Oct 1–7 are holidays; Oct 8, 9, 10 (adjusted Saturday), 12, 13 are the five working days.
    assert application.publicity_ends_on == dt.date(2026, 10, 13)
    freeze(monkeypatch, dt.date(2026, 10, 13))
    with pytest.raises(RuleViolation) as error:
        svc.application_decide(actor=world.hr, application_id=application.pk, action="publicity_end")
    assert error.value.rule == "R5.5"
    assert svc.unit_publicity_close_due() == 0
    freeze(monkeypatch, dt.date(2026, 10, 14))
    assert svc.unit_publicity_close_due() == 1
    application.refresh_from_db()
    assert application.status == "acceptance"
    assert events(application, "application.publicity_end")[0].actor_id is None  # by the system
    assert svc.unit_publicity_close_due() == 0  # idempotent


def test_R5_5_working_days_are_configurable(world, monkeypatch):
    from portal.models import PolicySettings

    policy = PolicySettings.load()
    policy.unit_publicity_working_days = 7
    policy.save()
    application = world.submitted()
    freeze(monkeypatch, dt.date(2026, 9, 30))
    assert world.approve(application).publicity_ends_on == dt.date(2026, 10, 15)


def test_R5_5_objection_must_be_answered_and_an_upheld_one_stops_forwarding(world, monkeypatch):
    application = world.approve(world.submitted())
    objection = svc.unit_objection_create(application_id=application.pk, reason="业绩材料与实际不符",
                                          contact="13800000000")
    Application.objects.filter(pk=application.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert svc.unit_publicity_close_due() == 0  # unanswered
    with pytest.raises(NotFound):
        svc.unit_objection_answer(actor=world.officer, objection_id=objection.pk, answer="x", upheld=False)
    svc.unit_objection_answer(actor=world.hr, objection_id=objection.pk, answer="经核实属实", upheld=True)
    assert svc.unit_publicity_close_due() == 0
    with pytest.raises(RuleViolation):
        svc.application_decide(actor=world.hr, application_id=application.pk, action="publicity_end")
    with pytest.raises(InvalidInput):  # a reason is needed
        svc.application_decide(actor=world.hr, application_id=application.pk, action="publicity_reject")
    application = svc.application_decide(actor=world.hr, application_id=application.pk, action="publicity_reject",
                                         reason="异议属实")
    assert application.status == "rejected"


def test_R5_5_dismissed_objection_lets_the_application_go_on(world):
    application = world.approve(world.submitted())
    objection = svc.unit_objection_create(application_id=application.pk, reason="有人举报不实", contact="匿名电话")
    svc.unit_objection_answer(actor=world.hr, objection_id=objection.pk, answer="经核实不成立", upheld=False)
    Application.objects.filter(pk=application.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    application = svc.application_decide(actor=world.hr, application_id=application.pk, action="publicity_end")
    assert application.status == "acceptance"


def test_R5_5_objection_only_during_unit_publicity_and_with_content(world):
    application = world.submitted()
    with pytest.raises(NotFound):
        svc.unit_objection_create(application_id=application.pk, reason="不实材料举报", contact="x")
    world.approve(application)
    with pytest.raises(InvalidInput):
        svc.unit_objection_create(application_id=application.pk, reason="短", contact="x")
    with pytest.raises(InvalidInput):
        svc.unit_objection_create(application_id=application.pk, reason="足够长的理由", contact=" ")
    assert not UnitObjection.objects.exists()


# --- Acceptance and qualification audit (R6.1) -------------------------------------

def test_R6_1_acceptance_then_bureau_audit_to_ready(world):
    application = world.ready()
    assert application.status == "ready"
    actions = [e.action for e in events(application)]
    assert actions == ["application.create", "application.attachment_add", "application.submit",
                       "application.employer_approve", "application.publicity_end", "application.accept",
                       "application.audit_approve"]
    assert Notification.objects.filter(recipient=world.applicant, subject__contains="qualification audit").exists()


def test_R6_1_the_step_taken_settles_the_awaiting_notifications_of_those_who_could_take_it(world):
    application = world.in_audit()
    waiting = Notification.objects.filter(url=f"/applications/{application.pk}/review/", read_at__isnull=True)
    assert waiting.filter(recipient=world.officer).exists()
    svc.application_decide(actor=world.officer, application_id=application.pk, action="audit_approve")
    assert not waiting.exists()  # nobody is left with work already done
    assert Notification.objects.filter(recipient=world.applicant, read_at__isnull=True,
                                       subject__contains="qualification audit").exists()


def test_R6_1_bureau_rejects_with_a_reason(world):
    application = world.in_audit()
    with pytest.raises(InvalidInput):
        svc.application_decide(actor=world.officer, application_id=application.pk, action="audit_reject")
    application = svc.application_decide(actor=world.officer, application_id=application.pk, action="audit_reject",
                                         reason="学历与证书不符")
    assert application.status == "rejected"
    assert events(application, "application.audit_reject")[0].reason == "学历与证书不符"


def test_acceptance_body_of_another_region_or_series_may_not_accept(world):
    application = world.in_acceptance()
    _body, other_region_officer = acceptance_body(region_code="653100")
    _body2, other_series_officer = acceptance_body(series="economics")
    other_bureau = bureau_officer("653100")
    for actor in (other_region_officer, other_series_officer, other_bureau, world.hr, UserFactory()):
        with pytest.raises((NotFound, NotAllowed)):
            svc.application_decide(actor=actor, application_id=application.pk, action="accept")
    application.refresh_from_db()
    assert application.status == "acceptance"


def test_wrong_role_or_wrong_stage_changes_nothing(world):
    application = world.submitted()
    count = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):  # the bureau cannot approve for the employer
        svc.application_decide(actor=world.officer, application_id=application.pk, action="employer_approve")
    with pytest.raises(RuleViolation):  # the employer cannot approve twice
        world.approve(application)
        world.approve(application)
    with pytest.raises(InvalidInput):
        svc.application_decide(actor=world.hr, application_id=application.pk, action="grant")
    with pytest.raises(InvalidInput):
        svc.application_decide(actor=world.hr, application_id=application.pk, action="fly")
    application.refresh_from_db()
    assert application.status == "unit_publicity"
    assert AuditEvent.objects.count() == count + 1  # the one approval


def test_nobody_reviews_their_own_application(world):
    """The HR admin applying through their own enterprise is only the applicant."""
    eligible_for_intermediate(world.hr)
    Employment.objects.create(user=world.hr, employer=world.enterprise, start_date=dt.date(2015, 1, 1),
                              status=Employment.Status.CONFIRMED)
    application = world.submitted(applicant=world.hr)
    assert svc.application_roles(user=world.hr, application=application) == {workflow.APPLICANT}
    with pytest.raises(NotAllowed):
        svc.application_decide(actor=world.hr, application_id=application.pk, action="employer_approve")


def test_other_enterprise_hr_has_no_role(world, other_enterprise_hr):
    application = world.submitted()
    assert svc.application_roles(user=other_enterprise_hr, application=application) == set()
    with pytest.raises(NotFound):
        svc.application_decide(actor=other_enterprise_hr, application_id=application.pk, action="employer_approve")


def test_hr_staff_without_work_permission_has_no_role(world):
    from guardian.shortcuts import remove_perm

    staff = hr_admin_of(world.enterprise, admin=False)
    application = world.submitted()
    assert svc.application_roles(user=staff, application=application) == {workflow.SPONSOR_HR}
    remove_perm("portal.work_organization", staff, world.enterprise)
    staff = type(staff).objects.get(pk=staff.pk)
    assert svc.application_roles(user=staff, application=application) == set()


def test_bulk_approve_approves_each_and_reports_the_refused(world):
    first = world.submitted()
    second = world.submitted(applicant=world.another_applicant())
    draft = world.create(applicant=world.another_applicant())
    result = svc.application_bulk_approve(actor=world.hr, application_ids=[first.pk, second.pk, draft.pk, 999999])
    assert result["approved"] == [first.pk, second.pk]
    assert {r["id"] for r in result["refused"]} == {draft.pk, 999999}
    assert set(Application.objects.filter(status="unit_publicity").values_list("pk", flat=True)) == {first.pk,
                                                                                                    second.pk}


# --- Return with corrections (一次性告知) and resubmission ------------------------------

def _return(world, application, actor, corrections, **kwargs):
    return svc.application_decide(actor=actor, application_id=application.pk, action="return",
                                  corrections=corrections, **kwargs)


def test_return_lists_every_correction_and_unlocks_only_those_parts(world):
    application = world.submitted()
    achievement_id = None
    application = _return(world, application, world.hr, [
        {"target": "summary", "message": "补充近五年主要业绩"},
        {"target": "work_summary", "message": "工作总结需单位盖章"},
    ], reason="材料不全")
    assert application.status == "returned" and application.returned_from == "employer_review"
    assert application.correction_due_on == timezone.localdate() + dt.timedelta(days=14)
    assert Correction.objects.filter(application=application, resolved_at__isnull=True).count() == 2
    notice = Notification.objects.get(recipient=world.applicant, subject__contains="returned")
    assert "补充近五年主要业绩" in notice.body and "工作总结需单位盖章" in notice.body
    # Unlocked: the summary and the work summary material.
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "新的总结"})
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="work_summary",
                       upload=pdf("stamped.pdf"))
    # Locked: everything else.
    with pytest.raises(RuleViolation):
        svc.application_update_draft(actor=world.applicant, application_id=application.pk,
                                     data={"specialty": application.specialty_id})
    with pytest.raises(RuleViolation):
        svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"level": "junior"})
    with pytest.raises(RuleViolation):
        svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project", title="x",
                            achieved_on=achievement_id)
    with pytest.raises(RuleViolation):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other", upload=pdf())
    application = svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    assert application.status == "employer_review"  # back to the stage that returned it
    assert application.correction_due_on is None and application.returned_from == ""
    assert not Correction.objects.filter(application=application, resolved_at__isnull=True).exists()
    assert Correction.objects.filter(application=application).count() == 2  # the history is kept
    # Submitted again: locked.
    with pytest.raises(RuleViolation):
        svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "x"})


@pytest.mark.parametrize("stage", ["acceptance", "qualification_audit"])
def test_resubmission_goes_back_to_the_returning_stage(world, stage):
    application = world.in_acceptance() if stage == "acceptance" else world.in_audit()
    application = _return(world, application, world.officer, [{"target": "summary", "message": "补充"}])
    assert application.returned_from == stage
    expected = "application.acceptance_return" if stage == "acceptance" else "application.audit_return"
    assert events(application, expected)
    svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "补充后"})
    application = svc.application_resubmit(actor=world.applicant, application_id=application.pk)
    assert application.status == stage
    assert Notification.objects.filter(recipient=world.officer, subject__contains="awaits you").count() >= 2


def test_return_pinned_to_one_achievement_unlocks_it_and_its_evidence(world):
    application = world.create()
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="patent",
                                      title="专利", role="lead", number="ZL1")
    other = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project", title="项目")
    for a in (achievement, other):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence", upload=pdf(),
                           achievement_id=a.pk)
    world.submit(world.complete(application))
    _return(world, application, world.hr, [{"target": f"achievement:{achievement.pk}", "message": "专利号有误"}])
    svc.achievement_update(actor=world.applicant, application_id=application.pk, achievement_id=achievement.pk,
                           kind="patent", title="专利", role="lead", number="ZL2")
    svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence", upload=png(),
                       achievement_id=achievement.pk)
    with pytest.raises(RuleViolation):
        svc.achievement_remove(actor=world.applicant, application_id=application.pk, achievement_id=other.pk)
    with pytest.raises(RuleViolation):
        svc.attachment_add(actor=world.applicant, application_id=application.pk, material="evidence", upload=png(),
                           achievement_id=other.pk)


def test_return_needs_corrections_pinned_to_known_targets(world):
    application = world.submitted()
    for corrections in (None, [], [{"target": "summary", "message": " "}], [{"target": "salary", "message": "x"}],
                        ["not a dict"]):
        with pytest.raises(InvalidInput):
            _return(world, application, world.hr, corrections)
    with pytest.raises(InvalidInput):
        _return(world, application, world.hr, [{"target": "summary", "message": "x"}],
                due_on=timezone.localdate())
    application.refresh_from_db()
    assert application.status == "employer_review"
    assert not Correction.objects.exists()


def test_return_with_a_due_date(world):
    due = timezone.localdate() + dt.timedelta(days=5)
    application = _return(world, world.submitted(), world.hr, [{"target": "summary", "message": "补充"}],
                          due_on=due)
    assert application.correction_due_on == due


def test_returned_application_audit_lists_the_corrections(world):
    application = _return(world, world.submitted(), world.hr, [{"target": "summary", "message": "补充"}])
    event = events(application, "application.employer_return")[0]
    assert event.after["corrections"] == [{"target": "summary", "message": "补充"}]
    assert event.after["round"] == application.correction_rounds.get().pk
    assert event.before["status"] == "employer_review" and event.after["status"] == "returned"


def test_only_the_applicant_resubmits(world):
    application = _return(world, world.submitted(), world.hr, [{"target": "summary", "message": "补充"}])
    with pytest.raises(NotFound):
        svc.application_resubmit(actor=world.hr, application_id=application.pk)
    with pytest.raises(RuleViolation):  # not returned
        other = world.another_applicant()
        svc.application_resubmit(actor=other, application_id=world.create(applicant=other).pk)


# --- Withdraw -----------------------------------------------------------------------

@pytest.mark.parametrize("stage", ["draft", "employer_review", "returned", "unit_publicity", "acceptance",
                                   "qualification_audit", "ready"])
def test_withdraw_before_evaluation(world, stage):
    if stage == "draft":
        application = world.create()
    elif stage == "employer_review":
        application = world.submitted()
    elif stage == "returned":
        application = _return(world, world.submitted(), world.hr, [{"target": "summary", "message": "补"}])
    elif stage == "unit_publicity":
        application = world.approve(world.submitted())
    elif stage == "acceptance":
        application = world.in_acceptance()
    elif stage == "qualification_audit":
        application = world.in_audit()
    else:
        application = world.ready()
    application = svc.application_withdraw(actor=world.applicant, application_id=application.pk, reason="个人原因")
    assert application.status == "withdrawn"
    assert events(application, "application.withdraw")[0].reason == "个人原因"


def test_withdraw_is_refused_once_in_evaluation(world):
    application = world.ready()
    svc.application_advance(actor=world.officer, application_id=application.pk, action="start_evaluation",
                            roles={workflow.BUREAU})
    with pytest.raises(RuleViolation):
        svc.application_withdraw(actor=world.applicant, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "in_evaluation"


def test_withdrawn_application_cannot_be_acted_on(world):
    application = svc.application_withdraw(actor=world.applicant, application_id=world.submitted().pk)
    with pytest.raises(RuleViolation):
        world.approve(application)
    with pytest.raises(RuleViolation):
        svc.application_update_draft(actor=world.applicant, application_id=application.pk, data={"summary": "x"})


# --- Driven by the review app ----------------------------------------------------------

def test_application_advance_follows_the_table(world):
    application = world.ready()
    with pytest.raises(NotAllowed):
        svc.application_advance(actor=None, application_id=application.pk, action="start_evaluation",
                                roles={workflow.APPLICANT})
    with pytest.raises(InvalidInput):
        svc.application_advance(actor=None, application_id=application.pk, action="accept", roles={workflow.BUREAU})
    for action, status in (("start_evaluation", "in_evaluation"), ("pass", "passed"),
                           ("publicise_result", "result_publicity"), ("grant", "granted")):
        application = svc.application_advance(actor=world.officer, application_id=application.pk, action=action,
                                              roles={workflow.BUREAU})
        assert application.status == status


def test_application_advance_fail_and_withdraw_result(world):
    first = world.ready()
    for action in ("start_evaluation", "fail"):
        first = svc.application_advance(actor=None, application_id=first.pk, action=action, roles={workflow.SECRETARY})
    assert first.status == "failed"
    second = world.ready(applicant=world.another_applicant())
    for action in ("start_evaluation", "pass", "publicise_result", "withdraw_result"):
        second = svc.application_advance(actor=None, application_id=second.pk, action=action,
                                         roles={workflow.SECRETARY})
    assert second.status == "failed"


def test_every_transition_of_the_table_is_exercised():
    """Documentation of coverage: each action of the table appears in a test above."""
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    for action in workflow.APPLICATION_WORKFLOW.transitions:
        assert action in source, action


def test_R6_3_revoke_takes_back_a_granted_title_once_and_only_for_a_supervisor(world):
    from django.contrib.auth.models import Group

    from applications.models import TitleHeld
    from portal.models import Role

    application = world.ready()
    for action in ("start_evaluation", "pass", "publicise_result", "grant"):
        application = svc.application_advance(actor=world.officer, application_id=application.pk, action=action,
                                              roles={workflow.BUREAU})
    assert TitleHeld.objects.filter(user=world.applicant, granted_by_portal=True).exists()
    with pytest.raises(NotAllowed):
        svc.title_revoke(actor=world.officer, application_id=application.pk, reason="x", case_reference="C-1")
    supervisor = UserFactory()
    supervisor.groups.add(Group.objects.get_or_create(name=Role.SUPERVISOR)[0])
    with pytest.raises(InvalidInput):
        svc.title_revoke(actor=supervisor, application_id=application.pk, reason=" ", case_reference="C-1")
    revoked = svc.title_revoke(actor=supervisor, application_id=application.pk, reason="伪造业绩",
                               case_reference="C-1")
    assert revoked.status == "revoked"
    assert not TitleHeld.objects.filter(user=world.applicant, granted_by_portal=True).exists()
    again = svc.title_revoke(actor=supervisor, application_id=application.pk, reason="again", case_reference="C-1")
    assert again.status == "revoked"
    assert AuditEvent.objects.filter(action="application.revoke", object_id=str(application.pk)).count() == 1


def test_models_ordering_of_achievements(world):
    application = world.create()
    svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project", title="b")
    svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="award", title="a")
    assert [a.kind for a in Achievement.objects.filter(application=application)] == ["award", "project"]


def test_R5_1_granted_title_appears_in_the_profile(world):
    from applications.models import TitleHeld

    application = world.ready()
    for action in ("start_evaluation", "pass", "publicise_result", "grant"):
        application = svc.application_advance(actor=world.officer, application_id=application.pk, action=action,
                                              roles={workflow.BUREAU})
    held = TitleHeld.objects.get(user=world.applicant, granted_by_portal=True)
    assert (held.series_id, held.level, held.title_name) == (application.series_id, "intermediate", "工程师")


def test_upheld_reconsideration_reopens_a_failed_result(world):
    application = world.ready()
    for action in ("start_evaluation", "fail"):
        application = svc.application_advance(actor=None, application_id=application.pk, action=action,
                                              roles={workflow.SECRETARY})
    application = svc.application_advance(actor=None, application_id=application.pk, action="reconsider",
                                          roles={workflow.SECRETARY}, reason="复查成立")
    assert application.status == "in_evaluation"
    with pytest.raises(RuleViolation):  # only a failed result can be reconsidered
        svc.application_advance(actor=None, application_id=application.pk, action="reconsider",
                                roles={workflow.SECRETARY})


@pytest.mark.parametrize("step", ["accept", "audit_approve"])
def test_R2_3_suspended_committee_stops_acceptance_and_audit(world, step):
    application = world.in_acceptance() if step == "accept" else world.in_audit()
    world.committee.status = "suspended"
    world.committee.save(update_fields=["status"])
    with pytest.raises(RuleViolation) as error:
        svc.application_decide(actor=world.officer, application_id=application.pk, action=step)
    assert error.value.rule == "R2.3"
    application.refresh_from_db()
    assert application.status == ("acceptance" if step == "accept" else "qualification_audit")


def test_rubric_in_force_is_frozen_with_the_application(world):
    """The call's rubric at submission is kept; later edits do not change it."""
    from review.models import ReviewSetup, Rubric, RubricCriterion

    rubric = Rubric.objects.create(name="工程系列评分标准")
    RubricCriterion.objects.create(rubric=rubric, code="ability", name="专业能力", weight=60, max_score=60)
    RubricCriterion.objects.create(rubric=rubric, code="achievements", name="业绩成果", weight=40, max_score=40)
    ReviewSetup.objects.create(call=world.call, rubric=rubric)
    application = world.submitted()
    frozen = application.frozen_conditions["rubric"]
    assert [(c["code"], c["weight"]) for c in frozen] == [("ability", 60), ("achievements", 40)]
    RubricCriterion.objects.filter(code="ability").update(weight=50)
    application.refresh_from_db()
    assert application.frozen_conditions["rubric"][0]["weight"] == 60
