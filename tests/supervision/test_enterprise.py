"""Enterprise view (R5.4): an enterprise's HR sees its confirmed employees'
titles, applications in progress and certificates, filtered and exported
with masked ID numbers (the export audited); no one else does."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import ApplicationStatus, TitleHeld, TitleSeries
from certificates import services as certificate_services
from portal.models import AuditEvent, Employment
from tests.certificates.conftest import grant_kwargs
from tests.factories import EnterpriseFactory, UserFactory, employee_of, hr_admin_of
from tests.review.conftest import make_application, make_call
from tests.supervision.conftest import count_queries


def staff_member(enterprise, call, n: int):
    """An employee with a title held, an application in progress and a certificate."""
    person = employee_of(enterprise, real_name=f"员工{n}")
    engineering = TitleSeries.objects.get(code="engineering")
    TitleHeld.objects.create(user=person, series=engineering, level="junior", title_name="助理工程师",
                             granted_on=dt.date(2018, 7, 1), granting_body="乌鲁木齐市人社局")
    make_application(call, applicant=person, employer=enterprise, status=ApplicationStatus.QUALIFICATION_AUDIT)
    certificate_services.certificate_issue(**grant_kwargs(holder=person, grant_key=f"test:{person.pk}"))
    return person


@pytest.fixture
def enterprise():
    return EnterpriseFactory(name="新疆天山智能装备有限公司")


@pytest.fixture
def hr(enterprise):
    return hr_admin_of(enterprise)


@pytest.fixture
def staff_call(committee):
    return make_call(committee)


def test_R5_4_hr_sees_titles_applications_and_certificates_of_confirmed_employees(client, enterprise, hr,
                                                                                   staff_call):
    person = staff_member(enterprise, staff_call, 1)
    left = employee_of(enterprise, real_name="已离职员工")
    Employment.objects.filter(user=left).update(status=Employment.Status.ENDED)
    draft_only = employee_of(enterprise, real_name="草稿员工")
    make_application(staff_call, applicant=draft_only, employer=enterprise, status=ApplicationStatus.DRAFT)
    client.force_login(hr)
    response = client.get(reverse("supervision-enterprise-home"))
    assert response.status_code == 302 and response["Location"].endswith(f"/enterprises/{enterprise.pk}/staff-titles/")
    html = client.get(response["Location"]).content.decode()
    # The titles in the page's language (English): the title held, the title applied for.
    assert "员工1" in html and "Assistant Engineer" in html and "Qualification audit" in html and ">Engineer" in html
    assert person.id_number_masked in html and person.id_number not in html
    assert "已离职员工" not in html
    assert "草稿员工" in html and "Draft" not in html  # a draft is the employee's own


def test_R6_3_an_application_revoked_for_fraud_is_not_in_progress(client, enterprise, hr, staff_call):
    person = employee_of(enterprise, real_name="撤销员工")
    make_application(staff_call, applicant=person, employer=enterprise, status=ApplicationStatus.REVOKED)
    client.force_login(hr)
    html = client.get(reverse("supervision-enterprise-staff", args=[enterprise.pk])).content.decode()
    assert "撤销员工" in html and "Title revoked for fraud" not in html


def test_R5_4_other_enterprises_hr_applicants_and_anonymous_see_nothing(client, enterprise, hr, staff_call):
    staff_member(enterprise, staff_call, 1)
    url = reverse("supervision-enterprise-staff", args=[enterprise.pk])
    export = reverse("supervision-enterprise-staff-export", args=[enterprise.pk])
    assert client.get(url).status_code == 302
    other_hr = hr_admin_of(EnterpriseFactory())
    for user in (other_hr, UserFactory(roles=["applicant"]), UserFactory(roles=["bureau_officer"])):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(export).status_code == 404
    client.force_login(UserFactory(roles=["applicant"]))
    assert client.get(reverse("supervision-enterprise-home")).status_code == 404
    assert not AuditEvent.objects.filter(action="supervision.enterprise_staff.export").exists()


def test_R5_4_hr_staff_may_see_it_too(client, enterprise, staff_call):
    staff_member(enterprise, staff_call, 1)
    client.force_login(hr_admin_of(enterprise, admin=False))
    assert client.get(reverse("supervision-enterprise-staff", args=[enterprise.pk])).status_code == 200


def test_R5_4_filters_by_name_series_and_level(client, enterprise, hr, staff_call):
    staff_member(enterprise, staff_call, 1)
    other = employee_of(enterprise, real_name="财务王五")
    TitleHeld.objects.create(user=other, series=TitleSeries.objects.get(code="accounting"), level="intermediate",
                             title_name="会计师", granted_on=dt.date(2020, 1, 1))
    url = reverse("supervision-enterprise-staff", args=[enterprise.pk])
    client.force_login(hr)
    html = client.get(url, {"name": "财务"}).content.decode()
    assert "财务王五" in html and "员工1" not in html
    accounting = TitleSeries.objects.get(code="accounting").pk
    html = client.get(url, {"series": accounting}).content.decode()
    assert "Accountant" in html and "员工1" not in html
    html = client.get(url, {"level": "junior"}).content.decode()
    assert "员工1" in html and "Assistant Engineer" in html and "财务王五" not in html
    # Bad input: a clear message, no 500, nothing filtered away silently.
    response = client.get(url, {"level": "grand_master", "series": "abc"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_R5_4_enterprise_view_keeps_queries_flat(client, enterprise, hr, staff_call):
    staff_member(enterprise, staff_call, 1)
    url = reverse("supervision-enterprise-staff", args=[enterprise.pk])
    client.force_login(hr)
    few = count_queries(client, url)
    for n in range(2, 7):
        staff_member(enterprise, staff_call, n)
    assert count_queries(client, url) == few
    assert count_queries(client, url + "?level=junior&name=员工") == count_queries(client, url + "?level=junior")


def test_R5_4_export_is_masked_and_audited(client, enterprise, hr, staff_call):
    people = [staff_member(enterprise, staff_call, n) for n in (1, 2)]
    client.force_login(hr)
    response = client.get(reverse("supervision-enterprise-staff-export", args=[enterprise.pk]))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Titles held", "Applications in progress", "Certificates"]
    text = " ".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)
    for person in people:
        assert person.id_number_masked in text and person.id_number not in text
    event = AuditEvent.objects.get(action="supervision.enterprise_staff.export")
    assert event.object_id == str(enterprise.pk) and event.actor_id == hr.pk
    assert event.after["titles"] == 2 and event.after["applications"] == 2 and event.after["certificates"] == 2
    assert event.after["full"] is False


def test_R5_4_export_with_bad_filters_says_so_and_exports_nothing(client, enterprise, hr, staff_call):
    staff_member(enterprise, staff_call, 1)
    client.force_login(hr)
    response = client.get(reverse("supervision-enterprise-staff-export", args=[enterprise.pk]),
                          {"level": "grand_master"}, follow=True)
    assert response.status_code == 200
    assert "Check the filters" in response.content.decode()
    assert not AuditEvent.objects.filter(action="supervision.enterprise_staff.export").exists()
