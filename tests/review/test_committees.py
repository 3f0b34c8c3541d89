"""Committees: filing with a scope (R2.1–R2.5), sanctions (R6.8), lapse (R2.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.errors import NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent, Committee, PolicySettings
from review import services
from review.models import CommitteeSanction
from review.tasks import lapse_expired_committees
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer
from tests.review.conftest import (
    bureau_of,
    engineering,
    file_committee,
    make_application,
    make_call,
    secretary_of,
    specialty,
    submit_drawn_scores,
)


def test_R2_1_a_bureau_files_a_committee_with_scope_members_and_secretary(officer):
    committee = file_committee(officer, members=9, levels=("intermediate", "junior"), specialty_code="electrical")
    assert committee.status == "active" and committee.filed_by == bureau_of()
    assert committee.scopes.count() == 2
    assert committee.members.filter(role__in=["chair", "member"]).count() == 9
    assert secretary_of(committee).has_role("committee_secretary")
    event = AuditEvent.objects.filter(action="committee.file", object_id=str(committee.pk)).get()
    assert len(event.after["scopes"]) == 2 and len(event.after["members"]) == 10


def test_R2_1_only_a_bureau_officer_files(officer):
    with pytest.raises(NotAllowed) as error:
        services.committee_file(actor=UserFactory(), name="x", kind="bureau", organizer_id=bureau_of().pk,
                                series_id=engineering().pk, filing_number="F-1", filed_on=dt.date.today(),
                                valid_until=dt.date.today() + dt.timedelta(days=30),
                                scopes=[{"level": "junior"}], members=[])
    assert error.value.rule == "R2.1"


def test_R2_1_one_series_per_committee(officer):
    from applications.models import Specialty

    other = Specialty.objects.exclude(series=engineering()).first()
    with pytest.raises(RuleViolation) as error:
        services.committee_file(actor=officer, name="x", kind="bureau", organizer_id=bureau_of().pk,
                                series_id=engineering().pk, filing_number="F-2", filed_on=dt.date.today(),
                                valid_until=dt.date.today() + dt.timedelta(days=30),
                                scopes=[{"level": "junior", "specialty_id": other.pk}],
                                members=[{"user_id": UserFactory().pk, "role": "chair"}])
    assert error.value.rule == "R2.1"
    assert not Committee.objects.filter(filing_number="F-2").exists()


def test_R2_3_validity_is_at_most_the_configured_years(officer):
    with pytest.raises(RuleViolation) as error:
        file_committee(officer, valid_years=4)
    assert error.value.rule == "R2.3"
    policy = PolicySettings.load()
    policy.committee_filing_max_years = 5
    policy.save()
    assert file_committee(officer, valid_years=4).status == "active"


def test_R2_5_senior_committee_needs_25_experts_for_a_series_and_an_odd_number(officer):
    with pytest.raises(RuleViolation) as error:
        file_committee(officer, members=23, levels=("deputy_senior",))
    assert error.value.rule == "R2.5"
    with pytest.raises(RuleViolation):
        file_committee(officer, members=26, levels=("deputy_senior",))  # even
    assert file_committee(officer, members=25, levels=("deputy_senior",)).status == "active"


def test_R2_5_senior_committee_of_one_specialty_needs_11(officer):
    with pytest.raises(RuleViolation):
        file_committee(officer, members=9, levels=("senior",), specialty_code="electrical")
    assert file_committee(officer, members=11, levels=("senior",), specialty_code="electrical")


def test_R2_2_enterprise_self_review_names_member_units(officer):
    enterprise = EnterpriseFactory()
    with pytest.raises(RuleViolation) as error:
        file_committee(officer, kind="enterprise", organizer=enterprise)
    assert error.value.rule == "R2.1"
    committee = file_committee(officer, kind="enterprise", organizer=enterprise, member_units=[enterprise])
    assert committee.scopes.get().member_unit == enterprise


def test_R6_8_suspension_stops_the_committee_and_is_recorded_with_reason(committee, officer):
    with pytest.raises(Exception):  # noqa: B017 - no reason
        services.committee_suspend(actor=officer, committee_id=committee.pk, reason=" ")
    sanction = services.committee_suspend(actor=officer, committee_id=committee.pk, reason="评审程序不规范")
    committee.refresh_from_db()
    assert committee.status == "suspended" and not committee.is_operational()
    assert sanction.kind == CommitteeSanction.Kind.SUSPENSION and sanction.reason == "评审程序不规范"
    services.committee_reinstate(actor=officer, committee_id=committee.pk, reason="整改完成")
    committee.refresh_from_db()
    assert committee.status == "active"
    assert CommitteeSanction.objects.get(pk=sanction.pk).lifted_at is not None


def test_R6_8_other_sanctions_are_recorded_without_stopping(committee, officer):
    for kind in ("reminder", "interview", "rectification", "public_criticism"):
        services.committee_sanction(actor=officer, committee_id=committee.pk, kind=kind, reason=f"理由 {kind}")
    committee.refresh_from_db()
    assert committee.status == "active" and committee.sanctions.count() == 4


def test_R6_8_withdrawal_revokes_for_good(committee, officer):
    services.committee_revoke(actor=officer, committee_id=committee.pk, reason="严重违规")
    committee.refresh_from_db()
    assert committee.status == "revoked"
    with pytest.raises(RuleViolation):
        services.committee_reinstate(actor=officer, committee_id=committee.pk, reason="x")


def test_R6_8_only_the_filing_bureau_sanctions(committee):
    other = bureau_officer("650200")
    with pytest.raises(NotFound):
        services.committee_suspend(actor=other, committee_id=committee.pk, reason="x")
    with pytest.raises(NotFound):
        services.committee_suspend(actor=secretary_of(committee), committee_id=committee.pk, reason="x")
    regional = bureau_officer("650000")  # the autonomous region's bureau supervises every committee
    services.committee_sanction(actor=regional, committee_id=committee.pk, kind="reminder", reason="提醒")


def test_R2_3_a_beat_task_lapses_expired_filings_once(committee):
    Committee.objects.filter(pk=committee.pk).update(filed_on=dt.date(2020, 1, 1), valid_until=dt.date(2022, 12, 31))
    assert lapse_expired_committees() == 1
    assert lapse_expired_committees() == 0  # idempotent
    committee.refresh_from_db()
    assert committee.status == "lapsed"
    assert AuditEvent.objects.filter(action="committee.lapse", object_id=str(committee.pk)).count() == 1


def test_R2_3_renewing_a_lapsed_filing(committee, officer):
    Committee.objects.filter(pk=committee.pk).update(status="lapsed", filed_on=dt.date(2020, 1, 1),
                                                     valid_until=dt.date(2022, 12, 31))
    today = dt.date.today()
    services.committee_renew(actor=officer, committee_id=committee.pk, filed_on=today,
                             valid_until=today + dt.timedelta(days=365))
    committee.refresh_from_db()
    assert committee.status == "active" and committee.is_operational()


@pytest.mark.parametrize("state", ["suspended", "revoked", "lapsed", "expired"])
def test_R2_3_a_non_operational_committee_is_refused_at_every_step(state, committee, officer, pool):
    from review.models import Meeting

    call = make_call(committee)
    ready = make_application(call, status="ready")
    in_evaluation = make_application(call)
    voted = make_application(call)
    secretary = secretary_of(committee)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    assignment = in_evaluation.review_assignments.first()
    submit_drawn_scores(voted)  # scored by its experts: ready for the vote (R5.2)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="m",
                                      scheduled_at=dt.datetime.now(dt.UTC))
    members = [m.user_id for m in committee.members.filter(role__in=["chair", "member"])]
    services.meeting_attendance_record(actor=secretary, meeting_id=meeting.pk, member_ids=members)
    open_meeting = services.meeting_open(actor=secretary, meeting_id=meeting.pk)
    if state == "expired":
        Committee.objects.filter(pk=committee.pk).update(filed_on=dt.date(2020, 1, 1),
                                                         valid_until=dt.date(2022, 12, 31))
    else:
        Committee.objects.filter(pk=committee.pk).update(status=state)
    steps = [
        lambda: services.committee_check_operational(committee_id=committee.pk),
        lambda: services.review_setup_configure(actor=secretary, call_id=call.pk, blind=True),
        lambda: services.evaluation_start(actor=secretary, call_id=call.pk),
        lambda: services.assignment_draw(actor=secretary, call_id=call.pk),
        lambda: services.score_save(actor=assignment.expert_user, assignment_id=assignment.pk,
                                    values={"ability": 20}),
        lambda: services.meeting_create(actor=secretary, call_id=call.pk, title="m2",
                                        scheduled_at=dt.datetime.now(dt.UTC)),
        lambda: services.ballot_cast(actor=committee.members.get(role="chair").user, meeting_id=open_meeting.pk,
                                     candidate_id=open_meeting.candidates.first().pk, choice="yes"),
        lambda: services.meeting_close(actor=secretary, meeting_id=open_meeting.pk),
    ]
    for step in steps:
        with pytest.raises(RuleViolation) as error:
            step()
        assert error.value.rule == "R2.3"
    ready.refresh_from_db()
    assert ready.status == "ready"
    assert Meeting.objects.filter(committee=committee).count() == 1
    assert open_meeting.candidates.first().markers.count() == 0


def test_R2_3_the_application_service_refuses_a_suspended_committees_call(committee, officer):
    """Opening/accepting in the applications app reads ``Committee.is_operational``."""
    from applications.application_services import call_check_open, call_open
    from applications.models import Call

    call = make_call(committee)
    services.committee_suspend(actor=officer, committee_id=committee.pk, reason="暂停")
    call = Call.objects.select_related("committee").get(pk=call.pk)
    with pytest.raises(RuleViolation) as error:
        call_check_open(call=call, level="intermediate", specialty=specialty(), pathway="regular",
                        region=bureau_of().region)
    assert error.value.rule == "R2.3"
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(RuleViolation) as error:
        call_open(actor=secretary_of(committee), name="x", series_id=engineering().pk, levels=["intermediate"],
                  year=2026, opens_at=now, closes_at=now + dt.timedelta(days=10), methods=["review"],
                  committee_id=committee.pk)
    assert error.value.rule == "R2.3"
