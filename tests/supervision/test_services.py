"""The oversight check (R6.7 pass rates, R2.4 late filings), acknowledging
alerts, and the refusals the scope and duplicate guards record (R2.1, R6.4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications import application_services
from applications.models import Application, ApplicationStatus
from portal.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from portal.models import AuditEvent, Notification, PolicySettings
from review.models import PublicityPeriod, ResultFiling
from supervision import selectors, services, tasks
from supervision.models import OversightAlert
from tests.factories import EnterpriseFactory, UserFactory, employee_of
from tests.review.conftest import file_committee, make_application, make_call
from tests.supervision.conftest import closed_meeting

# --- R6.7: pass rate over the ceiling --------------------------------------------------------


def test_R6_7_pass_rate_over_ceiling_raises_one_alert_and_notifies(call, officer, supervisor, other_officer,
                                                                  django_capture_on_commit_callbacks):
    closed_meeting(call, passed=3, failed=1)  # 75% against a ceiling of 50%
    with django_capture_on_commit_callbacks(execute=True):
        raised = services.oversight_check()
    assert [(a.kind, a.call_id) for a in raised] == [(OversightAlert.Kind.PASS_RATE_OVER_CEILING, call.pk)]
    alert = raised[0]
    assert alert.details == {"passes": 3, "candidates": 4, "pass_rate": "0.750", "ceiling": "0.500", "allowed": 2}
    assert alert.committee_id == call.committee_id and alert.status == "open"
    assert AuditEvent.objects.filter(action="oversight.alert.pass_rate_over_ceiling", object_id=str(alert.pk)).exists()
    notified = set(Notification.objects.filter(url="/supervision/alerts/").values_list("recipient", flat=True))
    assert {supervisor.pk, officer.pk} <= notified
    assert other_officer.pk not in notified
    # Idempotent: a second run (beat, or "check now") raises nothing more.
    assert services.oversight_check() == []
    assert OversightAlert.objects.count() == 1


def test_R6_7_pass_rate_at_the_ceiling_raises_nothing(call):
    closed_meeting(call, passed=2, failed=2)  # exactly 50%
    assert services.oversight_check() == []


def test_R6_7_candidates_excluded_by_the_ceiling_decision_do_not_count_as_passes(call):
    closed_meeting(call, passed=2, failed=1, excluded=1)  # 2 of 4 pass after the decision
    assert services.oversight_check() == []
    figures = selectors.calls_with_figures(call_ids=[call.pk])[0]
    assert (figures.n_passes, figures.n_candidates, figures.over_ceiling) == (2, 4, False)


def test_R6_7_the_beat_task_runs_the_check(call):
    closed_meeting(call, passed=4, failed=0)
    assert tasks.check_oversight_alerts.delay().get() == 1
    assert tasks.check_oversight_alerts.delay().get() == 0


def test_R6_7_a_meeting_closing_checks_the_pass_rate_at_once(call):
    from review.models import Meeting
    from review.signals import meeting_closed

    closed_meeting(call, passed=4, failed=0)  # rows written directly: no review service ran
    assert not OversightAlert.objects.exists()
    meeting_closed.send(sender=Meeting, meeting_id=0, call_id=call.pk, committee_id=call.committee_id)
    assert OversightAlert.objects.filter(kind=OversightAlert.Kind.PASS_RATE_OVER_CEILING, call=call).exists()


# --- R2.4: late filing -----------------------------------------------------------------------


def test_R2_4_results_not_filed_30_days_after_review_raise_a_late_filing_alert(call):
    closed_meeting(call, passed=1, failed=1, closed_days_ago=31)
    raised = services.oversight_check()
    assert [a.kind for a in raised] == [OversightAlert.Kind.LATE_FILING]
    assert raised[0].details["limit_days"] == 30 and raised[0].details["days_since_review"] == 31


def test_R2_4_the_late_filing_limit_is_configurable(call):
    policy = PolicySettings.load()
    policy.filing_late_days = 60
    policy.save()
    closed_meeting(call, passed=1, failed=1, closed_days_ago=31)
    assert services.oversight_check() == []


def test_R2_4_a_filed_call_or_a_recent_review_is_not_late(call, officer, committee):
    closed_meeting(call, passed=1, failed=1, closed_days_ago=5)
    assert services.oversight_check() == []
    filed = make_call(committee)
    closed_meeting(filed, passed=1, failed=1, closed_days_ago=40)
    today = timezone.localdate()
    period = PublicityPeriod.objects.create(title="公示", call=filed, committee=committee, starts_on=today,
                                            ends_on=today + dt.timedelta(days=7), working_days=5, created_by=officer,
                                            status="closed")
    ResultFiling.objects.create(period=period, bureau=committee.filed_by, approval_number="乌人社职〔2026〕1号",
                                filed_by=officer, filed_at=timezone.now(), granted_on=today)
    assert services.oversight_check() == []


# --- Check now and acknowledge -----------------------------------------------------------------


def test_R6_7_check_now_is_a_supervisors_and_is_audited(call, officer, supervisor):
    closed_meeting(call, passed=3, failed=0)
    with pytest.raises(NotAllowed):
        services.oversight_check_now(actor=officer)
    assert OversightAlert.objects.count() == 0
    raised = services.oversight_check_now(actor=supervisor)
    assert len(raised) == 1
    event = AuditEvent.objects.get(action="oversight.check")
    assert event.actor_id == supervisor.pk and event.after == {"raised": [raised[0].pk]}


@pytest.fixture
def alert(call):
    closed_meeting(call, passed=3, failed=0)
    return services.oversight_check()[0]


def test_R6_7_the_bureau_acknowledges_an_alert_with_a_note(alert, officer):
    done = services.alert_acknowledge(actor=officer, alert_id=alert.pk, note="已约谈评委会，责令说明情况")
    assert (done.status, done.acknowledged_by, done.note) == ("acknowledged", officer, "已约谈评委会，责令说明情况")
    assert AuditEvent.objects.filter(action="oversight.alert.acknowledge", object_id=str(alert.pk)).exists()
    with pytest.raises(RuleViolation):
        services.alert_acknowledge(actor=officer, alert_id=alert.pk, note="again")


def test_R6_7_acknowledging_without_a_note_changes_nothing(alert, supervisor):
    with pytest.raises(InvalidInput) as error:
        services.alert_acknowledge(actor=supervisor, alert_id=alert.pk, note="   ")
    assert "Say what is being done" in str(error.value)
    alert.refresh_from_db()
    assert alert.status == "open" and alert.acknowledged_at is None


@pytest.mark.parametrize("who", ["other_officer", "applicant"])
def test_R6_7_others_may_not_acknowledge(alert, other_officer, who):
    actor = other_officer if who == "other_officer" else UserFactory()
    with pytest.raises(NotFound):
        services.alert_acknowledge(actor=actor, alert_id=alert.pk, note="不是我的")
    alert.refresh_from_db()
    assert alert.status == "open"


# --- R2.1 and R6.4: the guards refuse, and their refusals are recorded --------------------------


def _employee():
    employer = EnterpriseFactory()
    return employee_of(employer)


def test_R2_1_an_application_outside_the_committees_scope_is_refused_and_recorded(call):
    applicant = _employee()
    specialty = Application._meta.get_field("specialty").related_model.objects.get(
        series__code="engineering", code="electrical")
    with pytest.raises(RuleViolation) as error:
        application_services.application_create(applicant=applicant, call_id=call.pk, specialty_id=specialty.pk,
                                                 level="senior")
    assert error.value.rule == "R2.1"
    assert not Application.objects.filter(applicant=applicant).exists()
    event = AuditEvent.objects.get(action="application.refused")
    assert (event.object_type, event.object_id, event.after["rule"]) == ("applications.call", str(call.pk), "R2.1")
    assert selectors.calls_with_figures(call_ids=[call.pk])[0].n_refusals == 1


def test_R6_4_the_guard_refuses_a_second_live_application_in_another_committee(call, officer):
    applicant = _employee()
    make_application(call, applicant=applicant, status=ApplicationStatus.ACCEPTANCE)
    other_call = make_call(file_committee(officer))
    specialty = Application._meta.get_field("specialty").related_model.objects.get(
        series__code="engineering", code="electrical")
    with pytest.raises(RuleViolation) as error:
        application_services.application_create(applicant=applicant, call_id=other_call.pk,
                                                 specialty_id=specialty.pk, level="intermediate")
    assert error.value.rule == "R6.4"
    assert Application.objects.filter(applicant=applicant).count() == 1
    assert AuditEvent.objects.filter(action="application.refused", object_id=str(other_call.pk),
                                     after__rule="R6.4").count() == 1
    assert selectors.duplicate_evaluations(user=UserFactory(roles=["supervisor"])) == []


def test_R6_4_report_finds_people_evaluated_by_two_committees_when_the_guard_is_bypassed(call, officer,
                                                                                            supervisor):
    applicant = _employee()
    first = make_application(call, applicant=applicant, status=ApplicationStatus.WITHDRAWN)
    other_call = make_call(file_committee(officer))
    second = make_application(other_call, applicant=applicant, status=ApplicationStatus.IN_EVALUATION)
    make_application(call)  # someone else, once
    groups = selectors.duplicate_evaluations(user=supervisor)
    assert len(groups) == 1
    group = groups[0]
    assert group["applicant"] == applicant and group["multi_committee"] and not group["multi_live"]
    assert [a.pk for a in group["applications"]] == [first.pk, second.pk]
    # The bureau of the region sees it; another region's bureau does not.
    assert len(selectors.duplicate_evaluations(user=officer)) == 1
    from tests.factories import bureau_officer

    assert selectors.duplicate_evaluations(user=bureau_officer("650200")) == []


def test_R6_4_the_database_refuses_two_live_applications_even_behind_the_services_back(call, officer):
    from django.db import IntegrityError, transaction

    applicant = _employee()
    make_application(call, applicant=applicant, status=ApplicationStatus.READY)
    other = make_application(make_call(file_committee(officer)), applicant=applicant,
                             status=ApplicationStatus.WITHDRAWN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=other.pk).update(status=ApplicationStatus.READY)
    # So the report's "several live applications" finding stays empty; the committees finding shows them.
    groups = selectors.duplicate_evaluations(user=officer)
    assert len(groups) == 1 and groups[0]["multi_committee"] and not groups[0]["multi_live"]
