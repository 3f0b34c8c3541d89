"""Issue 14.7: the committee secretary sees only the applications forwarded to
the committee (from ready for evaluation on); drafts, applications still with
the employer, the acceptance body or the bureau, returned, withdrawn and
rejected ones, and the bureau's own recognition pathways, never appear in a
review page or API, and asking for one by id answers as for an unknown id."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import ApplicationStatus as S
from portal.errors import InvalidInput
from review import services
from review.models import ResultRecord
from tests.factories import UserFactory
from tests.review.conftest import add_expert, file_committee, make_application, secretary_of

HIDDEN = [S.DRAFT, S.EMPLOYER_REVIEW, S.RETURNED, S.UNIT_PUBLICITY, S.ACCEPTANCE, S.QUALIFICATION_AUDIT, S.WITHDRAWN,
          S.REJECTED]
SHOWN = [S.READY, S.IN_EVALUATION, S.PASSED, S.FAILED, S.RESULT_PUBLICITY, S.GRANTED]


@pytest.fixture
def apps_by_status(call):
    """One application per status; a revoked title decided by the committee; a revocation that never reached it;
    a recognition pathway in evaluation (the bureau's, R4.4)."""
    rows = {status: make_application(call, status=status) for status in HIDDEN + SHOWN}
    judged = make_application(call, status=S.REVOKED)
    ResultRecord.objects.create(application=judged, outcome="passed", source="meeting", decided_on=timezone.localdate())
    rows["revoked_after_the_committee"] = judged
    rows["revoked_before_the_committee"] = make_application(call, status=S.REVOKED)
    rows["recognition"] = make_application(call, status=S.IN_EVALUATION, pathway="recognition")
    return rows


def _shown(apps_by_status):
    return {apps_by_status[s].pk for s in SHOWN} | {apps_by_status["revoked_after_the_committee"].pk}


def test_14_7_call_dashboard_lists_and_counts_only_forwarded_applications(client, secretary, call, apps_by_status):
    client.force_login(secretary)
    body = client.get(reverse("review-call-dashboard", args=[call.pk])).content.decode()
    listed = {int(pk) for pk in re.findall(r"applications/(\d+)/\"", body)}
    assert listed == _shown(apps_by_status)
    assert f'<div class="stat">{len(_shown(apps_by_status))}</div>' in body
    for status in HIDDEN:  # asking for a status tab of hidden ones shows nothing either
        page = client.get(reverse("review-call-dashboard", args=[call.pk]), {"status": status}).content.decode()
        assert str(apps_by_status[status].applicant.real_name) not in page


def test_14_7_call_dashboard_api_lists_only_forwarded_applications(secretary, call, apps_by_status):
    api = APIClient()
    api.force_authenticate(secretary)
    data = api.get(f"/api/v1/review/calls/{call.pk}/dashboard/", {"page_size": 100}).json()
    assert {row["id"] for row in data["results"]} == _shown(apps_by_status) and data["count"] == len(
        _shown(apps_by_status))
    for status in HIDDEN:
        filtered = api.get(f"/api/v1/review/calls/{call.pk}/dashboard/", {"status": status}).json()
        assert filtered["count"] == 0


def test_14_7_an_application_not_forwarded_is_404_on_the_application_page(client, secretary, call, apps_by_status):
    client.force_login(secretary)
    for key, application in apps_by_status.items():
        url = reverse("review-call-application", args=[call.pk, application.pk])
        expected = 200 if application.pk in _shown(apps_by_status) else 404
        assert client.get(url).status_code == expected, key
        if expected == 404:  # and nothing can be done to it by POST either
            assert client.post(url, {"action": "redraw", "assignment": 1, "reason": "x"}).status_code == 404


def test_14_7_the_secretary_home_counts_only_forwarded_applications(client, secretary, call, apps_by_status):
    client.force_login(secretary)
    body = client.get(reverse("review-secretary-home")).content.decode()
    row = re.search(re.escape(f"<td>{call.name}</td>") + r"<td>[^<]*</td><td>(\d+)</td>", body)
    assert row and int(row.group(1)) == len(_shown(apps_by_status))


def test_14_7_a_defence_slot_for_an_application_not_forwarded_answers_as_for_an_unknown_one(secretary, call,
                                                                                            apps_by_status):
    starts = timezone.now() + dt.timedelta(days=2)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="现场答辩", mode="on_site",
                                              starts_at=starts, location="乌鲁木齐市人社局三楼")
    answers = set()
    for application_id in (apps_by_status[S.DRAFT].pk, apps_by_status[S.WITHDRAWN].pk, 99999999):
        with pytest.raises(InvalidInput) as error:
            services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application_id,
                                      starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
        answers.add(str(error.value.message))
    assert len(answers) == 1 and not session.slots.exists()


def test_14_7_other_roles_see_none_of_the_calls_applications(client, officer, committee, call, apps_by_status):
    expert = add_expert(committee).user
    urls = [reverse("review-call-dashboard", args=[call.pk])] + [
        reverse("review-call-application", args=[call.pk, a.pk]) for a in apps_by_status.values()]
    for outsider in (secretary_of(file_committee(officer)), expert, officer, UserFactory()):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302
    api = APIClient()
    assert api.get(f"/api/v1/review/calls/{call.pk}/dashboard/").status_code in (401, 403)
    api.force_authenticate(secretary_of(file_committee(officer)))
    assert api.get(f"/api/v1/review/calls/{call.pk}/dashboard/").status_code == 404


def test_14_7_the_dashboard_query_count_stays_flat(client, secretary, call):
    make_application(call)
    make_application(call, status=S.DRAFT)
    url = reverse("review-call-dashboard", args=[call.pk])
    client.force_login(secretary)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for status in (S.IN_EVALUATION, S.DRAFT, S.WITHDRAWN, S.PASSED) * 5:
        make_application(call, status=status)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 15
