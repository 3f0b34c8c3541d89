"""The portal API: public reference data, registration, the bureau's decisions."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from applications.models import Specialty
from portal.account_services import api_token_issue
from portal.models import AuditEvent, Organization, User
from tests.api_contract import assert_matches_schema
from tests.factories import (
    EnterpriseFactory,
    UserFactory,
    bureau_officer,
    hr_admin_of,
    last_code,
    make_id_number,
    make_uscc,
    sms_to,
)


@pytest.fixture
def api():
    return APIClient()


def test_regions_are_public(api):
    response = api.get("/api/v1/regions/")
    assert response.status_code == 200
    codes = {r["code"] for r in response.json()}
    assert len(codes) == 15 and {"650000", "650100", "654300"} <= codes


def test_catalogue_series_is_public_with_27_series(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/catalogue/series/")
    assert response.status_code == 200
    series = {s["code"]: s for s in response.json()}
    assert len(series) == 27
    engineering = series["engineering"]
    assert [t["name"] for t in engineering["titles"]] == [
        "技术员", "助理工程师", "工程师", "高级工程师", "正高级工程师"]
    assert [t["level"] for t in engineering["titles"]] == [
        "assistant_junior", "junior", "intermediate", "deputy_senior", "senior"]


def test_catalogue_series_gives_every_name_in_uyghur_and_english(api):
    """A client reading in Uyghur or English finds every series, title and specialty name in its
    language in the catalogue (the applications and certificates carry the official Chinese name
    with the series code, level and specialty that point into it)."""
    series = {s["code"]: s for s in api.get("/api/v1/catalogue/series/").json()}
    engineering = series["engineering"]
    assert engineering["name_ug"] and engineering["name_en"]
    assert {t["level"]: (t["name_en"], t["name_ug"]) for t in engineering["titles"]}["intermediate"] == (
        "Engineer", "ئىنژېنېر")
    for entry in series.values():
        assert entry["name_ug"], entry["code"]
        for item in [*entry["titles"], *entry["specialties"]]:
            assert item["name_ug"] and item["name_en"], (entry["code"], item)
    specialty = Specialty.objects.filter(series__code="engineering", is_active=True).first()
    [found] = [s for s in engineering["specialties"] if s["id"] == specialty.pk]  # an application's specialty.id
    assert found["name_ug"] == specialty.name_ug


def test_account_register_api_confirms_the_mobile_with_a_code(api, deliver):
    number = make_id_number(birth="19560301")  # an older applicant: stdnum alone refuses 650102 before 1983
    response = deliver(api.post, "/api/v1/accounts/register/", {
        "real_name": "张三", "id_number": number.lower(), "mobile": "138 1111 2222", "password": "Secret#2026"},
        format="json")
    assert response.status_code == 202, response.content
    token = response.json()["token"]
    assert response.json()["expires_in"] == 600
    assert not User.objects.filter(mobile="13811112222").exists()  # nothing until the mobile is confirmed
    response = api.post("/api/v1/accounts/register/confirm/", {"token": token, "code": last_code("13811112222")},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "*" in body["id_number"] and body["mobile"] == "138****2222"
    assert User.objects.get(mobile="13811112222").id_number == number


def test_account_register_bad_input_is_400_with_every_field(api):
    response = api.post("/api/v1/accounts/register/", {
        "real_name": "张三", "id_number": "650102199001011235", "mobile": "1381111", "password": "short"},
        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "mobile"
    assert set(body["errors"]) == {"mobile", "id_number", "password"}
    assert "check digit" in body["errors"]["id_number"]


def test_account_register_api_answers_the_same_for_a_registered_mobile(api, deliver):
    owner = UserFactory(mobile="13811112222")
    fresh = deliver(api.post, "/api/v1/accounts/register/", {
        "real_name": "李四", "id_number": make_id_number(), "mobile": "13833334444", "password": "Secret#2026"},
        format="json")
    taken = deliver(api.post, "/api/v1/accounts/register/", {
        "real_name": "李四", "id_number": make_id_number(), "mobile": owner.mobile, "password": "Secret#2026"},
        format="json")
    assert fresh.status_code == taken.status_code == 202
    assert fresh.json()["detail"] == taken.json()["detail"]
    assert set(fresh.json()) == set(taken.json())
    assert len(last_code("13833334444")) == 6  # the new number gets its code
    # The owner of the registered number is told, and gets no code that could open a second account.
    [text] = sms_to(owner.mobile)
    assert "already have an account" in text
    assert not re.search(r"\d{6}", text)


def enterprise_payload(licence, **overrides):
    data = {"name": "API测试有限公司", "uscc": make_uscc(), "region": "650100", "ownership": "private",
            "size": "small", "contact_name": "李华", "contact_phone": "13900001111", "business_licence": licence}
    data.update(overrides)
    return data


def test_enterprise_register_needs_login(api, png_file):
    response = api.post("/api/v1/enterprises/", enterprise_payload(png_file()), format="multipart")
    assert response.status_code in (401, 403)


def test_enterprise_register_and_bureau_approve_with_token(api, png_file):
    user = UserFactory()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)[1]}")
    response = api.post("/api/v1/enterprises/", enterprise_payload(png_file()), format="multipart")
    assert response.status_code == 201, response.content
    org_id = response.json()["id"]
    assert response.json()["status"] == "pending" and response.json()["contact_phone"] == "139****1111"
    assert [o["id"] for o in api.get("/api/v1/enterprises/").json()] == [org_id]

    officer = bureau_officer("650100")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=officer)[1]}")
    queue = api.get("/api/v1/bureau/enterprises/").json()
    assert [o["id"] for o in queue["results"]] == [org_id]
    response = api.post(f"/api/v1/bureau/enterprises/{org_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "active"


def test_R1_3_api_bureau_of_other_region_is_refused(api):
    organization = EnterpriseFactory(status="pending")
    api.force_authenticate(bureau_officer("652300"))
    response = api.post(f"/api/v1/bureau/enterprises/{organization.pk}/approve/")
    assert response.status_code == 403 and response.json()["rule"] == "R1.3"
    organization.refresh_from_db()
    assert organization.status == "pending"


def test_api_approve_refused_to_hr_and_anonymous(api):
    organization = EnterpriseFactory(status="pending")
    assert api.post(f"/api/v1/bureau/enterprises/{organization.pk}/approve/").status_code in (401, 403)
    api.force_authenticate(hr_admin_of(organization))
    assert api.post(f"/api/v1/bureau/enterprises/{organization.pk}/approve/").status_code == 403
    organization.refresh_from_db()
    assert organization.status == "pending"


def test_api_reject_needs_reason(api):
    organization = EnterpriseFactory(status="pending")
    api.force_authenticate(bureau_officer("650100"))
    assert api.post(f"/api/v1/bureau/enterprises/{organization.pk}/reject/", {}, format="json").status_code == 400
    response = api.post(f"/api/v1/bureau/enterprises/{organization.pk}/reject/", {"reason": "执照过期"},
                        format="json")
    assert response.status_code == 200 and response.json()["rejection_reason"] == "执照过期"


@pytest.mark.parametrize("override, field", [
    ({"uscc": "91650100MA0000001X"}, "uscc"),
    ({"contact_phone": "12345"}, "contact_phone"),
    ({"region": "999999"}, "region"),
])
def test_api_enterprise_bad_input_is_400(api, png_file, override, field):
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/enterprises/", enterprise_payload(png_file(), **override), format="multipart")
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Organization.objects.filter(kind="enterprise").exists()
    assert not AuditEvent.objects.filter(action="enterprise.register").exists()


def test_api_hr_list_is_scoped_to_own_enterprises(api):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    api.force_authenticate(hr_admin_of(a))
    assert [o["id"] for o in api.get("/api/v1/enterprises/").json()] == [a.pk]
    assert b.pk


def test_bureau_api_queue_query_count_is_flat(api, django_assert_max_num_queries):
    api.force_authenticate(bureau_officer("650100"))
    region_id = EnterpriseFactory.build().region_id
    Organization.objects.bulk_create([
        Organization(kind="enterprise", name=f"企业{i}", uscc=make_uscc(), region_id=region_id,
                     status="pending", ownership="private", size="small") for i in range(200)])
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/bureau/enterprises/").status_code == 200


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower() and b"unpkg" not in response.content.lower()


def test_healthz_reports_database_and_broker(client):
    body = client.get("/healthz").json()
    assert body["database"] == "ok" and body["broker"] in ("ok", "eager")


def test_contract_regions_match_the_schema_with_a_null_parent(api):
    regions = assert_matches_schema(api.get("/api/v1/regions/"), "/api/v1/regions/")
    assert next(r for r in regions if r["code"] == "650000")["parent"] is None
    assert next(r for r in regions if r["code"] == "650100")["parent"] == "650000"


def test_contract_the_token_endpoint_answers_a_token_for_mobile_and_password(api):
    user = UserFactory()
    response = api.post("/api/v1/auth/token/", {"username": user.mobile, "password": "Passw0rd!x"}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["user"]["id"] == user.pk


@pytest.mark.parametrize("language,word", [("zh-hans", "字段"), ("en", "too many fields")])
def test_api_answers_a_body_of_too_many_fields_with_its_own_error_in_the_callers_language(api, language, word):
    """Django refuses a body of more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields; the API answers
    that as its other errors (JSON, the caller's language), not with Django's plain 400 page, and
    nothing is created."""
    body = "&".join(f"f{i}=x" for i in range(1001)) + "&real_name=张三&mobile=13811112222"
    response = api.post("/api/v1/accounts/register/", body, content_type="application/x-www-form-urlencoded",
                        HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "InvalidInput" and word in response.json()["detail"]
    assert not User.objects.filter(mobile="13811112222").exists()
