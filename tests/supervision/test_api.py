"""The supervision API: alerts list, check now, acknowledge — each role that
may and those that may not."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from supervision import services
from supervision.models import OversightAlert
from tests.api_contract import assert_matches_schema
from tests.factories import UserFactory
from tests.supervision.conftest import closed_meeting


def _alert(call):
    closed_meeting(call, passed=3, failed=0)
    return services.oversight_check()[0]


def test_R6_7_api_alert_list_scoped_to_the_caller(call, officer, other_officer, supervisor):
    _alert(call)
    api = APIClient()
    url = reverse("api-supervision-alerts")
    assert api.get(url).status_code in (401, 403)
    api.force_authenticate(UserFactory(roles=["applicant"]))
    assert api.get(url).status_code == 403
    for user, expected in ((supervisor, 1), (officer, 1), (other_officer, 0)):
        api.force_authenticate(user)
        response = api.get(url)
        assert response.status_code == 200 and response.json()["count"] == expected


def test_R6_7_api_check_now_for_a_supervisor_only(call, officer, supervisor):
    closed_meeting(call, passed=3, failed=0)
    api = APIClient()
    url = reverse("api-supervision-alert-check")
    api.force_authenticate(officer)
    response = api.post(url)
    assert response.status_code == 403 and not OversightAlert.objects.exists()
    api.force_authenticate(supervisor)
    response = api.post(url)
    assert response.status_code == 200 and [a["kind"] for a in response.json()["raised"]] == [
        "pass_rate_over_ceiling"]
    assert api.post(url).json() == {"raised": []}


def test_R6_7_api_acknowledge(call, officer, other_officer):
    alert = _alert(call)
    api = APIClient()
    url = reverse("api-supervision-alert-acknowledge", args=[alert.pk])
    api.force_authenticate(other_officer)
    assert api.post(url, {"note": "不是我的"}, format="json").status_code == 404
    api.force_authenticate(officer)
    response = api.post(url, {"note": ""}, format="json")
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.status == "open"
    response = api.post(url, {"note": "已约谈"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"


def test_contract_alert_list_is_the_page_the_schema_describes(call, supervisor):
    alert = _alert(call)
    api = APIClient()
    api.force_authenticate(supervisor)
    page = assert_matches_schema(api.get(reverse("api-supervision-alerts")), "/api/v1/supervision/alerts/")
    assert page["count"] == 1 and [a["id"] for a in page["results"]] == [alert.pk] and page["next"] is None
    open_only = api.get(reverse("api-supervision-alerts"), {"status": "open"})
    assert assert_matches_schema(open_only, "/api/v1/supervision/alerts/")["count"] == 1
