"""The applications API: every action, with object permissions (an applicant
never sees another's application, an enterprise never another's, an
acceptance body only its region and series) and the guards by rule id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applications import application_services as svc
from applications.models import Application, Correction, UnitObjection
from portal.models import AuditEvent, IntegrityRecord
from tests.applications.conftest import acceptance_body, make_call, make_committee, pdf, png, specialty
from tests.applications.test_views import bulk
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, hr_admin_of


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def create_payload(world, **overrides):
    data = {"call": world.call.pk, "specialty": specialty().pk, "level": "intermediate", "pathway": "regular",
            "channel": "employer"}
    data.update(overrides)
    return data


# --- Applicant: create, autosave, achievements, files, submit -------------------------------

def test_api_full_flow_of_an_applicant(api, world):
    as_user(api, world.applicant)
    response = api.post("/api/v1/applications/", create_payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["region"]["code"] == "650100"
    assert body["applicant"]["id_number"] == world.applicant.id_number_masked
    response = api.patch(f"/api/v1/applications/{pk}/", {"summary": "自动保存的总结"}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == "自动保存的总结"
    response = api.post(f"/api/v1/applications/{pk}/achievements/", {
        "kind": "standard", "title": "行业标准", "role": "lead", "number": "JB/T 1-2025"}, format="json")
    assert response.status_code == 201
    achievement_id = response.json()["id"]
    response = api.post(f"/api/v1/applications/{pk}/attachments/", {"file": png(), "achievement": achievement_id},
                        format="multipart")
    assert response.status_code == 201 and response.json()["material"] == "evidence"
    response = api.post(f"/api/v1/applications/{pk}/attachments/", {"file": pdf(), "material": "work_summary"},
                        format="multipart")
    assert response.status_code == 201
    response = api.get(f"/api/v1/applications/{pk}/eligibility/")
    assert response.status_code == 200 and response.json()["eligible"] is True
    response = api.post(f"/api/v1/applications/{pk}/submit/", {"pledge_accepted": False}, format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R6.3"
    response = api.post(f"/api/v1/applications/{pk}/submit/", {"pledge_accepted": True}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "employer_review"
    assert response.json()["frozen_conditions"]["eligible"] is True
    timeline = api.get(f"/api/v1/applications/{pk}/timeline/").json()
    assert [e["action"] for e in timeline][-1] == "application.submit"
    assert api.get(f"/api/v1/applications/{pk}/form.pdf").content.startswith(b"%PDF")


def test_api_create_guards_carry_the_rule(api, world):
    as_user(api, world.applicant)
    closed = make_call(committee=world.committee, opens_at=timezone.now() - dt.timedelta(days=5),
                       closes_at=timezone.now() - dt.timedelta(days=1))
    response = api.post("/api/v1/applications/", create_payload(world, call=closed.pk), format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R2.3"
    narrow = make_call(committee=make_committee(levels=["junior"]), levels=["junior", "intermediate"])
    response = api.post("/api/v1/applications/", create_payload(world, call=narrow.pk), format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R2.1"
    for bad in ({"level": "emperor"}, {"call": "x"}, {"specialty": -1}, {"channel": None}):
        assert api.post("/api/v1/applications/", create_payload(world, **bad), format="json").status_code == 400
    assert not Application.objects.exists()


def test_R6_4_duplicate_through_the_api(api, world):
    world.submitted()
    as_user(api, world.applicant)
    other_call = make_call(committee=make_committee(region_code=None))
    response = api.post("/api/v1/applications/", create_payload(world, call=other_call.pk), format="json")
    assert response.status_code == 400
    assert response.json()["rule"] == "R6.4"


def test_R6_4_second_draft_submitted_through_the_api_is_refused(api, world):
    first = world.complete(world.create())
    second = world.complete(world.create(call=make_call(committee=make_committee(region_code=None))))
    as_user(api, world.applicant)
    assert api.post(f"/api/v1/applications/{first.pk}/submit/", {"pledge_accepted": True},
                    format="json").status_code == 200
    response = api.post(f"/api/v1/applications/{second.pk}/submit/", {"pledge_accepted": True}, format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R6.4"
    second.refresh_from_db()
    assert second.status == "draft"  # the refusal changed nothing ...
    # ... but is recorded on the call for supervision, as a refusal at creation is.
    event = AuditEvent.objects.get(action="application.refused", object_id=str(second.call_id))
    assert event.after["rule"] == "R6.4" and event.actor_id == world.applicant.pk


def test_R6_3_integrity_record_through_the_api(api, world):
    application = world.complete(world.create())
    today = timezone.localdate()
    IntegrityRecord.objects.create(user=world.applicant, reason="伪造材料", starts_on=today,
                                   ends_on=today + dt.timedelta(days=1000))
    as_user(api, world.applicant)
    response = api.post(f"/api/v1/applications/{application.pk}/submit/", {"pledge_accepted": True}, format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R6.3"
    response = api.post("/api/v1/applications/", create_payload(world, call=make_call(
        committee=make_committee(region_code=None)).pk), format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R6.3"


def test_api_bad_files_are_400(api, world):
    application = world.create()
    as_user(api, world.applicant)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(f"/api/v1/applications/{application.pk}/attachments/", {
        "file": SimpleUploadedFile("x.pdf", b"GIF89a....", content_type="application/pdf"),
        "material": "work_summary"}, format="multipart")
    assert response.status_code == 400 and response.json()["field"] == "file"
    response = api.post(f"/api/v1/applications/{application.pk}/attachments/", {"material": "work_summary"},
                        format="multipart")
    assert response.status_code == 400


def test_api_remove_achievement_and_attachment(api, world):
    application = world.create()
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="award",
                                      title="奖项")
    attachment = svc.attachment_add(actor=world.applicant, application_id=application.pk, material="other",
                                    upload=pdf())
    as_user(api, world.applicant)
    assert api.put(f"/api/v1/applications/{application.pk}/achievements/{achievement.pk}/",
                   {"kind": "award", "title": "省级奖项"}, format="json").json()["title"] == "省级奖项"
    assert api.delete(f"/api/v1/applications/{application.pk}/achievements/{achievement.pk}/").status_code == 204
    assert api.delete(f"/api/v1/applications/{application.pk}/attachments/{attachment.pk}/").status_code == 204
    as_user(api, world.another_applicant())
    assert api.delete(f"/api/v1/applications/{application.pk}/attachments/1/").status_code == 404


# --- Object permissions ----------------------------------------------------------------------

def test_applicant_never_sees_another_application(api, world):
    mine = world.submitted()
    other = world.another_applicant()
    as_user(api, other)
    assert api.get(f"/api/v1/applications/{mine.pk}/").status_code == 404
    assert api.get(f"/api/v1/applications/{mine.pk}/timeline/").status_code == 404
    assert api.get(f"/api/v1/applications/{mine.pk}/form.pdf").status_code == 404
    assert api.patch(f"/api/v1/applications/{mine.pk}/", {"summary": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/applications/{mine.pk}/withdraw/", {}, format="json").status_code == 404
    assert api.post(f"/api/v1/applications/{mine.pk}/decide/", {"action": "employer_approve"},
                    format="json").status_code == 404
    assert api.get("/api/v1/applications/").json()["results"] == []


def test_enterprise_never_sees_another_enterprises_applications(api, world, other_enterprise_hr):
    application = world.submitted()
    other_org = other_enterprise_hr.memberships.get().organization
    as_user(api, other_enterprise_hr)
    assert api.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert api.get(f"/api/v1/enterprises/{world.enterprise.pk}/applications/").status_code == 404
    assert api.post(f"/api/v1/enterprises/{world.enterprise.pk}/applications/approve/", {"ids": [application.pk]},
                    format="json").status_code == 404
    response = api.post(f"/api/v1/enterprises/{other_org.pk}/applications/approve/", {"ids": [application.pk]},
                        format="json")
    assert response.status_code == 200 and response.json()["approved"] == []
    assert api.get("/api/v1/applications/").json()["results"] == []
    application.refresh_from_db()
    assert application.status == "employer_review"


def test_enterprise_hr_lists_and_bulk_approves_its_employees(api, world):
    first = world.submitted()
    second = world.submitted(applicant=world.another_applicant())
    as_user(api, world.hr)
    listing = api.get(f"/api/v1/enterprises/{world.enterprise.pk}/applications/", {"status": "employer_review"})
    assert {r["id"] for r in listing.json()["results"]} == {first.pk, second.pk}
    response = api.post(f"/api/v1/enterprises/{world.enterprise.pk}/applications/approve/",
                        {"ids": [first.pk, second.pk]}, format="json")
    assert response.json() == {"approved": [first.pk, second.pk], "refused": []}
    assert api.post(f"/api/v1/enterprises/{world.enterprise.pk}/applications/approve/", {"ids": []},
                    format="json").status_code == 400


def test_acceptance_body_sees_only_its_region_and_series(api, world):
    body, officer = acceptance_body(region_code="650100", series="engineering")
    application = world.in_acceptance()
    assert application.acceptance_body == body
    _x, other_region = acceptance_body(region_code="653100", series="engineering")
    _y, other_series = acceptance_body(region_code="650100", series="economics")
    as_user(api, officer)
    assert [r["id"] for r in api.get("/api/v1/applications/queue/acceptance/").json()["results"]] == [application.pk]
    for outsider in (other_region, other_series):
        as_user(api, outsider)
        assert api.get("/api/v1/applications/queue/acceptance/").json()["results"] == []
        assert api.get(f"/api/v1/applications/{application.pk}/").status_code == 404
        assert api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "accept"},
                        format="json").status_code == 404
    as_user(api, officer)
    response = api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "accept"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "qualification_audit"


def test_queues_need_the_role(api, world):
    as_user(api, world.applicant)
    assert api.get("/api/v1/applications/queue/acceptance/").status_code == 403
    assert api.get("/api/v1/applications/queue/audit/").status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/v1/applications/queue/audit/").status_code in (401, 403)
    assert api.get("/api/v1/applications/").status_code in (401, 403)


def test_bureau_audits_through_the_api(api, world):
    application = world.in_audit()
    as_user(api, bureau_officer("653100"))
    assert api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "audit_approve"},
                    format="json").status_code == 404
    as_user(api, world.officer)
    assert [r["id"] for r in api.get("/api/v1/applications/queue/audit/").json()["results"]] == [application.pk]
    response = api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "audit_reject"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "audit_approve"},
                        format="json")
    assert response.json()["status"] == "ready"


def test_api_return_with_corrections_and_resubmit(api, world):
    application = world.submitted()
    as_user(api, world.hr)
    response = api.post(f"/api/v1/applications/{application.pk}/decide/", {
        "action": "return", "reason": "补正", "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "corrections": [{"target": "summary", "message": "补充业绩"},
                        {"target": "work_summary", "message": "盖章"}]}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert len(response.json()["corrections"]) == 2
    as_user(api, world.applicant)
    assert api.patch(f"/api/v1/applications/{application.pk}/", {"justification": "x"},
                     format="json").status_code == 400
    assert api.patch(f"/api/v1/applications/{application.pk}/", {"summary": "补充后"}, format="json").status_code == 200
    refused = api.post(f"/api/v1/applications/{application.pk}/resubmit/", format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "corrections"
    assert "Material: Work summary" in refused.json()["detail"] and "work_summary" not in refused.json()["detail"]
    stamp = Correction.objects.get(application=application, target="work_summary")
    response = api.post(f"/api/v1/applications/{application.pk}/corrections/{stamp.pk}/answer/",
                        {"answer": "原件已盖章，扫描件见第2页"}, format="json")
    assert response.status_code == 200 and response.json()["target_label"] == "Material: Work summary"
    response = api.post(f"/api/v1/applications/{application.pk}/resubmit/", format="json")
    assert response.json()["status"] == "employer_review"
    assert not Correction.objects.filter(application=application, resolved_at__isnull=True).exists()


def test_api_list_is_keyset_paginated_and_flat(api, world, django_assert_max_num_queries):
    bulk(world, 10)
    as_user(api, world.hr)
    with django_assert_max_num_queries(8) as ten:
        first = api.get("/api/v1/applications/").json()
    bulk(world, 60)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        first = api.get("/api/v1/applications/").json()
    assert len(first["results"]) == 25 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 25
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


# --- Public publicity and objections -----------------------------------------------------------

def test_api_unit_publicity_is_public_and_masked(api, world):
    application = world.approve(world.submitted())
    response = api.get("/api/v1/publicity/unit/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["id"] == application.pk and "*" in row["name"]
    assert application.applicant.real_name not in str(response.json())
    response = api.post(f"/api/v1/publicity/unit/{application.pk}/objections/",
                        {"reason": "业绩材料不实", "contact": "x@example.com"}, format="json")
    assert response.status_code == 201
    objection = UnitObjection.objects.get()
    as_user(api, world.hr)
    response = api.post(f"/api/v1/applications/{application.pk}/objections/{objection.pk}/answer/",
                        {"answer": "已核实", "upheld": False}, format="json")
    assert response.status_code == 200
    api.force_authenticate(None)
    assert api.post(f"/api/v1/publicity/unit/{world.create(applicant=world.another_applicant()).pk}/objections/",
                    {"reason": "业绩材料不实", "contact": "x"}, format="json").status_code == 404


def test_api_objection_is_throttled(api, world, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public_form": "2/hour"})
    application = world.approve(world.submitted())
    codes = [api.post(f"/api/v1/publicity/unit/{application.pk}/objections/",
                      {"reason": "业绩材料不实", "contact": "x"}, format="json").status_code for _i in range(3)]
    assert codes[-1] == 429


# --- Calls and profile ---------------------------------------------------------------------------

def test_api_open_calls(api, world):
    as_user(api, world.applicant)
    calls = api.get("/api/v1/calls/").json()
    assert [c["id"] for c in calls] == [world.call.pk]
    assert calls[0]["series"] == "engineering" and calls[0]["methods"] == ["review"]


def test_api_profile_add_list_remove(api, world):
    user = UserFactory()
    as_user(api, user)
    response = api.post("/api/v1/profile/education/", {"level": "bachelor", "school": "喀什大学", "major": "土木",
                                                       "graduated_on": "2018-07-01", "full_time": True},
                        format="json")
    assert response.status_code == 201
    record_id = response.json()["id"]
    assert api.post("/api/v1/profile/education/", {"level": "x"}, format="json").status_code == 400
    assert api.get("/api/v1/profile/").json()["education"][0]["school"] == "喀什大学"
    as_user(api, world.applicant)
    assert api.delete(f"/api/v1/profile/education/{record_id}/").status_code == 404
    as_user(api, user)
    assert api.delete(f"/api/v1/profile/education/{record_id}/").status_code == 204


def test_api_schema_is_valid(api):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_hr_staff_of_the_same_enterprise_may_approve(api, world):
    staff = hr_admin_of(world.enterprise, admin=False)
    application = world.submitted()
    as_user(api, staff)
    response = api.post(f"/api/v1/applications/{application.pk}/decide/", {"action": "employer_approve"},
                        format="json")
    assert response.status_code == 200


def test_other_region_enterprise_hr_sees_nothing(api, world):
    world.submitted()
    org = EnterpriseFactory()
    as_user(api, hr_admin_of(org))
    assert api.get(f"/api/v1/enterprises/{org.pk}/applications/").json()["results"] == []


def test_api_call_open_by_the_secretary_only(api, world):
    secretary = world.committee.members.get(role="secretary").user
    now = timezone.now()
    body = {"committee": world.committee.pk, "name": "API批次", "series": "engineering", "levels": ["intermediate"],
            "year": 2027, "opens_at": now.isoformat(), "closes_at": (now + dt.timedelta(days=20)).isoformat(),
            "methods": ["review", "defence"]}
    as_user(api, world.hr)
    assert api.post("/api/v1/calls/", body, format="json").status_code == 403
    as_user(api, secretary)
    response = api.post("/api/v1/calls/", body, format="json")
    assert response.status_code == 201 and response.json()["methods"] == ["review", "defence"]
    response = api.post("/api/v1/calls/", {**body, "methods": []}, format="json")
    assert response.status_code == 400
    response = api.post("/api/v1/calls/", {**body, "series": "economics"}, format="json")
    assert response.status_code == 400 and response.json()["rule"] == "R2.1"
