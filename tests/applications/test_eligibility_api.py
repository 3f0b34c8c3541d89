"""POST /api/v1/eligibility/check/ and the /eligibility/ page: public, never a 500."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from applications.eligibility_models import EligibilityRoute
from portal.models import AuditEvent
from tests.factories import UserFactory

URL = "/api/v1/eligibility/check/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def post(client, payload, language="en"):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


FIRST_TIME_PRIVATE = {"private_enterprise": True, "first_time": True}


@pytest.mark.parametrize(("payload", "eligible"), [
    ({"level": "junior", "education": "bachelor", "years_since_graduation": 1}, True),
    ({"level": "junior", "education": "bachelor", "years_since_graduation": 0.9}, False),
    ({"level": "intermediate", "education": "master", "current_level": "junior", "years_at_current_level": 2}, True),
    ({"level": "intermediate", "education": "college", "current_level": "junior", "years_at_current_level": 3.9},
     False),
    ({"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
      "years_at_current_level": 5}, True),
    ({"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
      "years_at_current_level": 4.9}, False),
    ({"level": "deputy_senior", "education": "doctorate", "current_level": "intermediate",
      "years_at_current_level": 2}, True),
    ({"level": "senior", "education": "master", "current_level": "deputy_senior", "years_at_current_level": 5}, True),
    ({"level": "senior", "education": "college", "current_level": "deputy_senior", "years_at_current_level": 9},
     False),
])
def test_R3_5_api_engineering_cases(client, payload, eligible):
    response = post(client, {"series": "engineering", **FIRST_TIME_PRIVATE, **payload})
    assert response.status_code == 200
    data = response.json()
    assert data["eligible"] is eligible
    assert data["conditions"][0]["rule"] == "R3.5" and data["conditions"][0]["met"] is eligible


def test_R3_5_api_answer_has_the_contract_shape(client):
    data = post(client, {"series": "engineering", "level": "deputy_senior", "education": "bachelor",
                         "current_level": "intermediate", "years_at_current_level": 3}).json()
    assert set(data) == {"eligible", "conditions"}
    assert all(set(c) == {"rule", "met", "message"} for c in data["conditions"])
    assert data["eligible"] is False
    assert "requires 5 years holding Engineer (intermediate); you have 3" in data["conditions"][0]["message"]


def test_R3_5_api_absent_fields_mean_none_zero_false_and_regular(client):
    data = post(client, {"series": "engineering", "level": "junior"}).json()
    rules = [c["rule"] for c in data["conditions"]]
    assert rules == ["R3.5", "R3.3", "R3.1"]          # regular pathway, CE required (not first-time private)
    assert data["eligible"] is False
    nulls = {"series": "engineering", "level": "junior", "pathway": None, "education": None, "current_level": None,
             "qualification": None, "skill_level": None, "years_since_graduation": None, "private_enterprise": None,
             "first_time": None, "recommendations": None, "continuing_education_hours": None}
    assert post(client, nulls).json() == data


@pytest.mark.parametrize(("pathway", "payload"), [
    ("exceptional", {"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
                     "years_at_current_level": 1, "recommendations": 2}),
    ("green_channel", {"level": "senior"}),
    ("recognition", {"level": "intermediate", "education": "doctorate"}),
    ("postdoc", {"level": "deputy_senior", "education": "doctorate"}),
    ("skills_crossover", {"level": "intermediate", "skill_level": "technician", "skill_years": 3}),
    ("qualification", {"level": "intermediate", "qualification": "constructor_first_class"}),
])
def test_R4_api_every_pathway(client, pathway, payload):
    rule = {"exceptional": "R3.6", "green_channel": "R4.3", "recognition": "R4.4", "postdoc": "R4.5",
            "skills_crossover": "R4.6", "qualification": "R4.7"}[pathway]
    data = post(client, {"series": "engineering", "pathway": pathway, **FIRST_TIME_PRIVATE, **payload}).json()
    assert data["eligible"] is True
    assert data["conditions"][0]["rule"] == rule
    assert {"rule": "R3.1", "met": True, "message": "Papers are not required (R3.1)."} in data["conditions"]
    data = post(client, {"series": "engineering", "pathway": pathway, "private_enterprise": True, **payload}).json()
    assert data["eligible"] is False                   # not a first application: continuing education counts
    assert [c["rule"] for c in data["conditions"] if not c["met"]] == ["R3.3"]


def test_R3_6_api_exceptional_without_recommendations(client):
    data = post(client, {"series": "engineering", "pathway": "exceptional", "level": "deputy_senior",
                         "education": "bachelor", "current_level": "intermediate", "years_at_current_level": 1,
                         **FIRST_TIME_PRIVATE}).json()
    assert data["eligible"] is False
    assert any(c["rule"] == "R3.6" and not c["met"] and "2 recommendations" in c["message"]
               for c in data["conditions"])


def test_R3_3_api_first_time_private_line(client):
    data = post(client, {"series": "engineering", "level": "junior", "education": "master",
                         **FIRST_TIME_PRIVATE}).json()
    assert {"rule": "R3.3", "met": True, "message": "Continuing education is not required of a private-enterprise "
            "applicant applying for the first time (R3.3)."} in data["conditions"]
    assert data["eligible"] is True


def test_R3_5_api_other_series_answers_sensibly(client):
    response = post(client, {"series": "economics", "level": "senior", **FIRST_TIME_PRIVATE})
    assert response.status_code == 200
    assert response.json()["eligible"] is False
    assert "no conditions are configured" in response.json()["conditions"][0]["message"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"series": "nope", "level": "junior"}, "series"),
    ({"level": "junior"}, "series"),
    ({"series": "engineering"}, "level"),
    ({"series": "engineering", "level": "chief"}, "level"),
    ({"series": "engineering", "level": "junior", "pathway": "magic"}, "pathway"),
    ({"series": "engineering", "level": "junior", "education": "kindergarten"}, "education"),
    ({"series": "engineering", "level": "junior", "current_level": "emperor"}, "current_level"),
    ({"series": "engineering", "level": "junior", "skill_level": "wizard"}, "skill_level"),
    ({"series": "engineering", "level": "junior", "qualification": "astronaut"}, "qualification"),
    ({"series": "engineering", "level": "junior", "years_since_graduation": "five"}, "years_since_graduation"),
    ({"series": "engineering", "level": "junior", "years_since_graduation": -1}, "years_since_graduation"),
    ({"series": "engineering", "level": "junior", "years_since_graduation": True}, "years_since_graduation"),
    ({"series": "engineering", "level": "junior", "years_at_current_level": [3]}, "years_at_current_level"),
    ({"series": "engineering", "level": "junior", "skill_years": {"a": 1}}, "skill_years"),
    ({"series": "engineering", "level": "junior", "continuing_education_hours": "lots"}, "continuing_education_hours"),
    ({"series": "engineering", "level": "junior", "private_enterprise": "maybe"}, "private_enterprise"),
    ({"series": "engineering", "level": "junior", "first_time": [True]}, "first_time"),
    ({"series": "engineering", "level": "junior", "recommendations": 1.5}, "recommendations"),
    ({"series": ["engineering"], "level": "junior"}, "series"),
    ({"series": "engineering", "level": {"x": 1}}, "level"),
])
def test_R3_5_api_bad_input_is_a_400_naming_the_field(client, payload, field):
    response = post(client, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]


@pytest.mark.parametrize("body", ["[1, 2]", "null", "\"text\"", "{broken", "", "1e999"])
def test_R3_5_api_malformed_body_is_a_400(client, body):
    assert post(client, body).status_code == 400


def test_R3_5_api_years_beyond_float_range_is_a_400(client):
    response = post(client, '{"series": "engineering", "level": "junior", "years_since_graduation": 1e999}')
    assert response.status_code == 400
    assert "years_since_graduation" in response.json()


def test_R3_5_api_needs_no_login_and_no_csrf_token(client):
    client = Client(enforce_csrf_checks=True)
    assert post(client, {"series": "engineering", "level": "junior"}).status_code == 200
    client.force_login(UserFactory())
    assert post(client, {"series": "engineering", "level": "junior"}).status_code == 200


def test_R3_5_api_is_throttled(client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"eligibility_check": "2/minute"})
    payload = {"series": "engineering", "level": "junior"}
    assert [post(client, payload).status_code for _ in range(3)] == [200, 200, 429]


def test_R3_5_api_messages_in_chinese_with_accept_language(client):
    payload = {"series": "engineering", "level": "deputy_senior", "education": "bachelor",
               "current_level": "intermediate", "years_at_current_level": 3}
    english = post(client, payload, language="en").json()["conditions"][0]["message"]
    chinese = post(client, payload, language="zh-hans").json()["conditions"][0]["message"]
    assert "Engineer (intermediate)" in english
    assert "工程师" in chinese and "Engineer" not in chinese


def test_R3_5_api_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert URL in response.content.decode()


# --- Conditions edited in the admin change the answer ----------------------------

def test_R3_5_admin_edit_changes_the_outcome_and_is_audited(client):
    payload = {"series": "engineering", "level": "deputy_senior", "education": "bachelor",
               "current_level": "intermediate", "years_at_current_level": 3, **FIRST_TIME_PRIVATE}
    assert post(client, payload).json()["eligible"] is False
    route = EligibilityRoute.objects.get(code="eng-deputy-senior-bachelor-5y")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = f"/admin/applications/eligibilityroute/{route.pk}/change/"
    assert client.get(url).status_code == 200
    form = {"code": route.code, "series": route.series_id, "level": route.level, "pathway": route.pathway,
            "education": route.education, "years_since_graduation": "0", "required_level": route.required_level,
            "years_at_level": "3", "skill_level": "", "skill_years": "0", "rule": route.rule, "order": "0",
            "is_active": "on"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert post(client, payload).json()["eligible"] is True
    event = AuditEvent.objects.filter(action="eligibility.condition_changed").latest("seq")
    assert Decimal(event.before["years_at_level"]) == 5 and Decimal(event.after["years_at_level"]) == 3
    assert event.actor_id == admin.pk


def test_R3_5_admin_lists_need_staff(client):
    assert client.get("/admin/applications/eligibilityroute/").status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/applications/eligibilityroute/").status_code == 200
    assert client.get("/admin/applications/eligibilityrequirement/").status_code == 200


# --- The public page ---------------------------------------------------------------

def test_R3_5_page_renders_the_form(client):
    response = client.get("/eligibility/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="eligibility-form"' in html
    for name in ("series", "level", "pathway", "education", "years_since_graduation", "current_level",
                 "years_at_current_level", "skill_level", "skill_years", "qualification",
                 "continuing_education_hours", "recommendations", "private_enterprise", "first_time"):
        assert f'name="{name}"' in html
    assert 'data-testid="eligibility-result"' not in html


def test_R3_5_page_shows_each_condition_with_marks(client):
    response = client.post("/eligibility/", {"series": "engineering", "level": "deputy_senior",
                                              "education": "bachelor", "current_level": "intermediate",
                                              "years_at_current_level": "3", "pathway": "regular"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="eligibility-result"' in html
    assert "Not eligible yet" in html
    assert html.count('data-met="false"') == 2 and html.count('data-met="true"') == 1
    assert "✗" in html and "✓" in html
    assert "requires 5 years holding Engineer (intermediate); you have 3" in html
    assert "Papers are not required (R3.1)." in html


def test_R3_3_page_eligible_first_time_private(client):
    response = client.post("/eligibility/", {"series": "engineering", "level": "junior", "education": "master",
                                              "private_enterprise": "on", "first_time": "on"})
    html = response.content.decode()
    assert "Eligible: every condition is met." in html
    assert 'data-met="false"' not in html


@pytest.mark.parametrize("data", [
    {"series": "nope", "level": "junior"},
    {"series": "engineering", "level": "junior", "years_since_graduation": "-2"},
    {"series": "engineering", "level": "junior", "qualification": "astronaut"},
    {"series": "engineering", "level": "junior", "years_since_graduation": "NaN"},
    {},
])
def test_R3_5_page_bad_input_shows_the_form_again(client, data):
    response = client.post("/eligibility/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="eligibility-result"' not in html
    assert "invalid-feedback" in html


def test_R3_5_page_in_chinese(client):
    response = client.post("/eligibility/", {"series": "engineering", "level": "deputy_senior",
                                              "education": "bachelor", "current_level": "intermediate",
                                              "years_at_current_level": "3"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "工程师 (" in html or "工程师（" in html  # the level in brackets, half- or full-width by the catalog
