"""Oversight pages: each role that may (supervisor, the bureau concerned,
the regional bureau), those that may not, flat query counts, alerts from
data to page, sanctions with their effect on open calls, and the duplicate
report with its masked and full-data exports."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import ApplicationStatus
from portal.models import AuditEvent
from review import services as review_services
from review.models import CommitteeFee
from supervision.models import OversightAlert
from tests.factories import UserFactory
from tests.review.conftest import file_committee, make_application, make_call, secretary_of
from tests.supervision.conftest import closed_meeting, count_queries

# --- Permissions -----------------------------------------------------------------------------


@pytest.fixture
def urls(call):
    alert_call = call
    closed_meeting(alert_call, passed=1, failed=1)
    return {
        "committees": reverse("supervision-committees"),
        "committee": reverse("supervision-committee", args=[call.committee_id]),
        "call": reverse("supervision-call", args=[call.pk]),
        "alerts": reverse("supervision-alerts"),
        "duplicates": reverse("supervision-duplicates"),
        "duplicates-export": reverse("supervision-duplicates-export"),
    }


@pytest.mark.parametrize("name", ["committees", "committee", "call", "alerts", "duplicates", "duplicates-export"])
def test_R6_7_oversight_pages_for_supervisor_and_the_bureaus_concerned(client, urls, officer, regional_officer,
                                                                      supervisor, name):
    for user in (supervisor, officer, regional_officer):
        client.force_login(user)
        assert client.get(urls[name]).status_code == 200, user


@pytest.mark.parametrize("name", ["committees", "committee", "call", "alerts", "duplicates", "duplicates-export"])
def test_R6_7_oversight_pages_refuse_others(client, urls, name):
    response = client.get(urls[name])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]  # anonymous
    client.force_login(UserFactory(roles=["applicant"]))
    assert client.get(urls[name]).status_code == 403
    client.force_login(UserFactory(roles=["enterprise_hr"]))
    assert client.get(urls[name]).status_code == 403


def test_R6_7_another_regions_bureau_sees_neither_the_committee_nor_its_call(client, urls, other_officer, call):
    client.force_login(other_officer)
    assert client.get(urls["committee"]).status_code == 404
    assert client.get(urls["call"]).status_code == 404
    assert call.committee.name not in client.get(urls["committees"]).content.decode()


def test_R6_7_a_bureau_officer_role_without_a_bureau_gets_404(client, urls):
    client.force_login(UserFactory(roles=["bureau_officer"]))
    assert client.get(urls["committees"]).status_code == 404


# --- Figures and flat query counts ------------------------------------------------------------


def test_R6_9_committee_list_shows_figures_with_flat_queries(client, supervisor, officer, committee, call):
    closed_meeting(call, passed=1, failed=1)
    CommitteeFee.objects.create(committee=committee, call=call, description="评审费", amount="300.00",
                                basis="新发改价格〔2020〕1号", recorded_by=secretary_of(committee))
    url = reverse("supervision-committees")
    client.force_login(supervisor)
    few = count_queries(client, url)
    for _ in range(4):
        other = file_committee(officer)
        closed_meeting(make_call(other), passed=2, failed=1)
    assert count_queries(client, url) == few
    html = client.get(url).content.decode()
    assert committee.name in html and "300.00" in html and "50.0%" in html


def test_R6_7_committee_and_call_pages_keep_queries_flat(client, supervisor, committee, call):
    closed_meeting(call, passed=1, failed=1)
    committee_url = reverse("supervision-committee", args=[committee.pk])
    call_url = reverse("supervision-call", args=[call.pk])
    client.force_login(supervisor)
    few = (count_queries(client, committee_url), count_queries(client, call_url))
    for _ in range(3):
        closed_meeting(make_call(committee), passed=1, failed=1)
    closed_meeting(call, passed=3, failed=3)
    review_services.committee_sanction(actor=_bureau(committee), committee_id=committee.pk, kind="reminder",
                                       reason="材料审核不严")
    assert (count_queries(client, committee_url), count_queries(client, call_url)) == few


def _bureau(committee):
    from tests.factories import bureau_officer

    return bureau_officer(committee.filed_by.region.code)


def test_R6_2_call_page_shows_time_in_each_stage_from_the_audit_trail(client, supervisor, call):
    from applications import application_services

    application = make_application(call, status=ApplicationStatus.READY)
    application_services.application_advance(actor=supervisor, application_id=application.pk,
                                             action="start_evaluation", roles={"bureau"})
    client.force_login(supervisor)
    html = client.get(reverse("supervision-call", args=[call.pk])).content.decode()
    assert "In evaluation" in html and "No recorded steps yet." not in html


def test_R6_8_a_suspension_lists_the_open_calls_it_stops(client, officer, committee, call):
    make_application(call, status=ApplicationStatus.ACCEPTANCE)
    review_services.committee_sanction(actor=officer, committee_id=committee.pk, kind="suspension",
                                       reason="评审程序不规范")
    review_services.committee_sanction(actor=officer, committee_id=committee.pk, kind="interview",
                                       reason="约谈评委会负责人")
    client.force_login(officer)
    html = client.get(reverse("supervision-committee", args=[committee.pk])).content.decode()
    assert "Open calls stopped:" in html and call.name in html
    assert "1 application in progress" in html
    assert "Recorded; it does not stop the committee's calls." in html.replace("&#x27;", "'")
    # The bureau is sent to review's sanction form; a supervisor is not offered it.
    assert reverse("review-committee-detail", args=[committee.pk]) in html


# --- Alerts: from data to page ------------------------------------------------------------------


def test_R6_7_check_now_raises_the_alert_and_the_page_shows_it(client, supervisor, call):
    closed_meeting(call, passed=3, failed=1)
    url = reverse("supervision-alerts")
    client.force_login(supervisor)
    assert "data-testid=\"alert-pass_rate_over_ceiling\"" not in client.get(url).content.decode()
    response = client.post(url, {"action": "check"}, follow=True)
    html = response.content.decode().replace("&#x27;", "'")
    assert "The check raised 1 new alert." in html
    assert "3 of 4 candidates passed (75.0%), above the call's ceiling of 50.0%: at most 2 may pass." in html
    assert OversightAlert.objects.get().call == call


def test_R6_7_a_bureau_officer_cannot_run_the_check_from_the_page(client, officer, call):
    closed_meeting(call, passed=3, failed=1)
    client.force_login(officer)
    assert b"check-now" not in client.get(reverse("supervision-alerts")).content
    html = client.post(reverse("supervision-alerts"), {"action": "check"}, follow=True).content.decode()
    assert "Only a supervisor runs the oversight check." in html
    assert not OversightAlert.objects.exists()


def test_R6_7_alert_list_keeps_queries_flat(client, supervisor, officer, call):
    from supervision import services

    closed_meeting(call, passed=3, failed=0)
    services.oversight_check()
    url = reverse("supervision-alerts")
    client.force_login(supervisor)
    few = count_queries(client, url)
    for _ in range(4):
        closed_meeting(make_call(file_committee(officer), ceiling="0.5"), passed=2, failed=0, closed_days_ago=40)
    services.oversight_check()
    assert OversightAlert.objects.count() == 9
    assert count_queries(client, url) == few


def test_R6_7_acknowledge_from_the_page_and_bad_input(client, officer, other_officer, call):
    from supervision import services

    closed_meeting(call, passed=3, failed=0)
    alert = services.oversight_check()[0]
    url = reverse("supervision-alert-acknowledge", args=[alert.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 405
    html = client.post(url, {"note": ""}, follow=True).content.decode()
    assert "This field is required." in html
    alert.refresh_from_db()
    assert alert.status == "open"
    client.force_login(other_officer)
    assert client.post(url, {"note": "看看"}).status_code == 404
    client.force_login(officer)
    html = client.post(url, {"note": "已责令整改"}, follow=True).content.decode()
    assert "Alert acknowledged." in html
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.note == "已责令整改"


# --- Duplicate evaluation report (R6.4) ---------------------------------------------------------


@pytest.fixture
def bypassed(call, officer):
    """A person evaluated by two committees for one series and year (the guard bypassed)."""
    from tests.factories import EnterpriseFactory, employee_of

    applicant = employee_of(EnterpriseFactory(), real_name="重复申报人")
    make_application(call, applicant=applicant, status=ApplicationStatus.REJECTED)
    make_application(make_call(file_committee(officer)), applicant=applicant,
                     status=ApplicationStatus.IN_EVALUATION)
    return applicant


def test_R6_4_duplicate_report_is_empty_when_the_guards_hold(client, supervisor, call):
    make_application(call)
    client.force_login(supervisor)
    assert b"data-testid=\"no-duplicates\"" in client.get(reverse("supervision-duplicates")).content


def test_R6_4_duplicate_report_lists_the_bypass_with_masked_id_and_flat_queries(client, supervisor, officer,
                                                                                bypassed):
    url = reverse("supervision-duplicates")
    client.force_login(supervisor)
    few = count_queries(client, url)
    html = client.get(url).content.decode()
    assert "重复申报人" in html and bypassed.id_number_masked in html and bypassed.id_number not in html
    from tests.factories import EnterpriseFactory, employee_of

    for _ in range(3):
        other = employee_of(EnterpriseFactory())
        make_application(make_call(file_committee(officer)), applicant=other, status=ApplicationStatus.WITHDRAWN)
        make_application(make_call(file_committee(officer)), applicant=other, status=ApplicationStatus.PASSED)
    assert count_queries(client, url) == few
    assert client.get(url).content.decode().count('data-testid="duplicate"') == 4


def _sheet_text(content: bytes) -> str:
    workbook = load_workbook(BytesIO(content), read_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None) for ws in workbook for row in ws.iter_rows(
        values_only=True))


def test_R6_4_duplicate_export_is_masked_and_audited(client, officer, bypassed):
    client.force_login(officer)
    response = client.get(reverse("supervision-duplicates-export"))
    assert response.status_code == 200
    text = _sheet_text(response.content)
    assert bypassed.id_number_masked in text and bypassed.id_number not in text and bypassed.mobile not in text
    event = AuditEvent.objects.get(action="supervision.duplicates.export")
    assert event.actor_id == officer.pk and event.after["full"] is False and event.after["rows"] == 2


def test_R6_4_full_data_export_only_for_a_role_that_allows_it_and_audited(client, officer, supervisor, bypassed):
    url = reverse("supervision-duplicates-export") + "?full=1"
    client.force_login(officer)
    html = client.get(url, follow=True).content.decode()
    assert "Your role may export masked personal data only." in html
    assert not AuditEvent.objects.filter(action="supervision.duplicates.export").exists()
    client.force_login(supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert bypassed.id_number in _sheet_text(response.content)
    event = AuditEvent.objects.get(action="supervision.duplicates.export")
    assert event.actor_id == supervisor.pk and event.after["full"] is True
