"""Supervision in the browser: a pass rate over its ceiling raises an alert (R6.7) — a supervisor sees the
call over its ceiling on the oversight pages, presses "Check now" and finds the alert; the bureau concerned
acknowledges it. The enterprise view (R5.4) shows an HR user their employees' titles.

Screenshots: ``tests/artifacts/supervision-*.png``.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from supervision.models import OversightAlert
from tests.e2e.conftest import login, logout, shot
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of
from tests.review.conftest import file_committee, make_call
from tests.supervision.conftest import closed_meeting

pytestmark = pytest.mark.browser


def test_R6_7_a_pass_rate_over_its_ceiling_raises_an_alert_in_the_browser(page, watch):
    officer = bureau_officer("650100")
    supervisor = UserFactory(roles=["supervisor"], real_name="赵刚")
    committee = file_committee(officer)
    call = make_call(committee, ceiling="0.6")
    closed_meeting(call, passed=4, failed=1, closed_days_ago=2)  # 80% against 60%
    with translation.override("zh-hans"):
        over = translation.gettext("over the ceiling")
        raised = translation.gettext("Pass rate over the ceiling")

    login(page, supervisor.mobile)
    page.locator("[data-testid=nav-supervision]").click()
    page.locator("[data-testid=nav-oversight]").click()
    page.locator("[data-testid=oversight-committees]").wait_for()
    assert "80.0%" in page.locator("[data-testid=oversight-committees]").inner_text()
    page.locator(f"[data-testid=oversight-committees] a[href$='/supervision/committees/{committee.pk}/']").click()
    assert page.locator("[data-testid=over-ceiling]").inner_text().strip() == over
    shot(page, "supervision-committee")
    page.locator(f"[data-testid=oversight-calls] a[href$='/supervision/calls/{call.pk}/']").click()
    page.locator("[data-testid=pass-rate] [data-testid=over-ceiling]").wait_for()
    shot(page, "supervision-call")

    page.goto("/supervision/alerts/")
    assert page.locator("[data-testid=alert-pass_rate_over_ceiling]").count() == 0
    with page.expect_navigation():
        page.locator("[data-testid=check-now]").click()
    alert = page.locator("[data-testid=alert-pass_rate_over_ceiling]")
    assert raised in alert.inner_text() and "80.0%" in alert.inner_text() and "60.0%" in alert.inner_text()
    shot(page, "supervision-alerts")
    assert OversightAlert.objects.filter(call=call, kind="pass_rate_over_ceiling").count() == 1
    watch.assert_clean()

    # The bureau concerned is notified and acknowledges the alert.
    logout(page)
    login(page, officer.mobile)
    page.goto("/supervision/alerts/?status=open")
    form = page.locator("[data-testid=alert-pass_rate_over_ceiling] form")
    form.locator("textarea[name=note]").fill("已约谈评委会负责人，责令说明情况")
    with page.expect_navigation():
        form.locator("[data-testid=acknowledge]").click()
    assert "已约谈评委会负责人" in page.locator("[data-testid=alert-pass_rate_over_ceiling]").inner_text()
    assert OversightAlert.objects.get(call=call, kind="pass_rate_over_ceiling").status == "acknowledged"
    watch.assert_clean()


def test_R5_4_hr_sees_employees_titles_and_exports_them(page, watch):
    enterprise = EnterpriseFactory(name="新疆天山智能装备有限公司")
    hr = hr_admin_of(enterprise, real_name="李华")
    employee_of(enterprise, real_name="阿依古丽")
    login(page, hr.mobile)
    page.locator("[data-testid=nav-staff-titles]").click()
    page.locator("[data-testid=staff]").wait_for()
    assert "阿依古丽" in page.locator("[data-testid=staff]").inner_text()
    shot(page, "supervision-enterprise-staff")
    # The export link (a download: fetched with the page's session rather than navigated to).
    href = page.locator("[data-testid=export]").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-disposition"] == 'attachment; filename="employees-titles.xlsx"'
    watch.assert_clean()
