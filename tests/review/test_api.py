"""The review API end to end, with the refusals of the issue's "bad input"
list: each refused with its rule id and changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application
from review.models import Assignment, MeetingCandidate, Score
from tests.api_contract import assert_matches_schema
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import bureau_of, engineering, make_application, make_call, specialty

FULL = {"ability": 25, "achievements": 24, "market_recognition": 15, "contribution": 16}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_whole_review_through_the_api(monkeypatch):
    officer = bureau_officer("650100")
    chair, m2, m3, m4, m5, m6 = (UserFactory() for _ in range(6))
    secretary = UserFactory()
    today = timezone.localdate()
    response = api(officer).post("/api/v1/review/committees/", {
        "name": "工程系列中级评委会", "kind": "bureau", "organizer_id": bureau_of().pk, "series_id": engineering().pk,
        "filing_number": "新人社职备〔2026〕77号", "filed_on": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=900)).isoformat(),
        "scopes": [{"level": "intermediate", "specialty_id": specialty().pk}],
        "members": [{"user_id": chair.pk, "role": "chair"}] + [{"user_id": u.pk, "role": "member"}
                                                               for u in (m2, m3, m4, m5, m6)]
        + [{"user_id": secretary.pk, "role": "secretary"}]}, format="json")
    assert response.status_code == 201, response.json()
    committee_id = response.json()["id"]
    assert api(secretary).get(f"/api/v1/review/committees/{committee_id}/").json()["operational"] is True
    for _ in range(4):
        expert = UserFactory()
        r = api(secretary).post(f"/api/v1/review/committees/{committee_id}/experts/", {
            "user_id": expert.pk, "level": "deputy_senior", "specialty_ids": [specialty().pk],
            "term_start": today.isoformat(), "term_end": (today + dt.timedelta(days=700)).isoformat()},
            format="json")
        assert r.status_code == 201, r.json()
    from portal.models import Committee

    call = make_call(Committee.objects.get(pk=committee_id), ceiling="1")
    apps = [make_application(call, status="ready") for _ in range(2)]
    assert api(secretary).post(f"/api/v1/review/calls/{call.pk}/start/", {}, format="json").json() == {"count": 2}
    draw = api(secretary).post(f"/api/v1/review/calls/{call.pk}/assignments/draw/", {}, format="json").json()
    assert draw["drawn"] == 6 and draw["short"] == []
    # Experts score and submit.
    for assignment in Assignment.objects.filter(application__in=apps):
        client = api(assignment.expert_user)
        url = f"/api/v1/review/expert/assignments/{assignment.pk}/score/"
        assert client.get(url).json()["rubric"][0]["code"] == "ability"
        bad = client.patch(url, {"values": {"ability": 31}}, format="json")
        assert bad.status_code == 400 and bad.json()["rule"] == "R5.2"
        assert client.patch(url, {"values": {"ability": 20}, "version": 0}, format="json").json()["version"] == 1
        done = client.post(url + "submit/", {"values": FULL, "verdict": "recommend", "comment": "同意"},
                           format="json")
        assert done.status_code == 200 and done.json()["total"] == "80.00"
        locked = client.patch(url, {"values": {"ability": 1}}, format="json")
        assert locked.status_code == 400 and locked.json()["rule"] == "R5.2"
    dashboard = api(secretary).get(f"/api/v1/review/calls/{call.pk}/dashboard/").json()
    assert {r["missing"] for r in dashboard["results"]} == {0}
    # Meeting: 4 of 6 present (exactly 2/3).
    r = api(secretary).post(f"/api/v1/review/calls/{call.pk}/meetings/", {
        "title": "评审会", "scheduled_at": timezone.now().isoformat()}, format="json")
    meeting = r.json()
    members = [chair, m2, m3, m4]
    out = api(m2).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/", {
        "candidate_id": meeting["candidates"][0]["id"], "choice": "yes"}, format="json")
    assert out.status_code in (400, 403) and out.json()["rule"] == "R6.5"  # vote outside a meeting
    api(secretary).post(f"/api/v1/review/meetings/{meeting['id']}/attendance/",
                        {"member_ids": [u.pk for u in members[:3]]}, format="json")
    low = api(secretary).post(f"/api/v1/review/meetings/{meeting['id']}/open/")
    assert low.status_code == 400 and low.json()["rule"] == "R6.5"
    api(secretary).post(f"/api/v1/review/meetings/{meeting['id']}/attendance/",
                        {"member_ids": [u.pk for u in members]}, format="json")
    opened = api(secretary).post(f"/api/v1/review/meetings/{meeting['id']}/open/").json()
    assert opened["status"] == "open" and opened["present_total"] == 4 and opened["members_total"] == 6
    first, second = (c["id"] for c in opened["candidates"])
    for member, choice in zip(members, ["yes", "yes", "no", "abstain"], strict=True):  # 2 of 4: fails
        assert api(member).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/",
                                {"candidate_id": first, "choice": choice}, format="json").status_code == 201
    for member, choice in zip(members, ["yes", "yes", "yes", "no"], strict=True):  # 3 of 4: passes
        api(member).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/",
                         {"candidate_id": second, "choice": choice}, format="json")
    again = api(chair).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/",
                            {"candidate_id": second, "choice": "no"}, format="json")
    assert again.status_code == 409 and again.json()["rule"] == "R6.5"
    proxy = api(chair).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/",
                            {"candidate_id": second, "choice": "yes", "member_id": m5.pk}, format="json")
    assert proxy.status_code == 403 and proxy.json()["rule"] == "R6.5"
    absent = api(m5).post(f"/api/v1/review/meetings/{meeting['id']}/ballots/",
                          {"candidate_id": second, "choice": "yes"}, format="json")
    assert absent.status_code == 403 and absent.json()["rule"] == "R6.5"
    live = api(chair).get(f"/api/v1/review/meetings/{meeting['id']}/").json()
    assert all(c["tally"] is None for c in live["candidates"])  # no tallies while voting
    closed = api(secretary).post(f"/api/v1/review/meetings/{meeting['id']}/close/").json()
    tallies = {c["id"]: (c["outcome"], c["tally"]) for c in closed["candidates"]}
    assert tallies[first] == ("failed", {"yes": 2, "no": 1, "abstain": 1})
    assert tallies[second] == ("passed", {"yes": 3, "no": 1, "abstain": 0})
    # Publicity and objection.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 9, 30))
    period = api(secretary).post(f"/api/v1/review/calls/{call.pk}/publicity/", {}, format="json").json()
    assert period["ends_on"] == "2026-10-13"
    entry = api().get("/api/v1/publicity/").json()["results"][0]
    objection = api().post(f"/api/v1/publicity/{entry['id']}/objections/",
                           {"reason": "业绩材料需要核实。", "contact": "13900002222"}, format="json")
    assert objection.status_code == 201
    early = api(officer).post(f"/api/v1/review/publicity/{period['id']}/file/", {"approval_number": "X"},
                              format="json")
    assert early.status_code == 400 and early.json()["rule"] == "R5.6"
    answer = api(secretary).post(f"/api/v1/review/objections/{objection.json()['id']}/answer/",
                                 {"answer": "经核查属实无误。", "upheld": False}, format="json")
    assert answer.status_code == 200
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 10, 14))
    from review.tasks import close_due_publicity

    assert close_due_publicity() == 1
    filed = api(officer).post(f"/api/v1/review/publicity/{period['id']}/file/",
                              {"approval_number": "乌人社职〔2026〕12号"}, format="json")
    assert filed.status_code == 201, filed.json()
    passed_app = MeetingCandidate.objects.get(pk=second).application
    assert filed.json()["granted"] == [passed_app.pk]
    assert Application.objects.get(pk=passed_app.pk).status == "granted"
    twice = api(officer).post(f"/api/v1/review/publicity/{period['id']}/file/", {"approval_number": "Y"},
                              format="json")
    assert twice.status_code == 409
    # Reconsideration of the failed one.
    failed_app = MeetingCandidate.objects.get(pk=first).application
    r = api(failed_app.applicant).post(f"/api/v1/review/applications/{failed_app.pk}/reconsideration/",
                                       {"reason": "我的专利成果未被充分考虑。"}, format="json")
    assert r.status_code == 201
    d = api(secretary).post(f"/api/v1/review/reconsiderations/{r.json()['id']}/decide/",
                            {"upheld": False, "outcome": "经复查维持原结果。"}, format="json")
    assert d.json()["status"] == "dismissed"


def test_R6_6_api_refuses_unassigned_and_recused_experts(committee, secretary, call, pool):
    application = make_application(call)
    from review import services

    services.assignment_draw(actor=secretary, call_id=call.pk, seed=4)
    assignment = application.review_assignments.first()
    stranger = api(UserFactory()).patch(f"/api/v1/review/expert/assignments/{assignment.pk}/score/",
                                        {"values": {"ability": 1}}, format="json")
    assert stranger.status_code == 404 and stranger.json()["rule"] == "R6.6"
    expert = api(assignment.expert_user)
    assert expert.post(f"/api/v1/review/expert/assignments/{assignment.pk}/conflict/",
                       {"reason": "前同事"}, format="json").status_code == 200
    recused = expert.patch(f"/api/v1/review/expert/assignments/{assignment.pk}/score/", {"values": {"ability": 1}},
                           format="json")
    assert recused.status_code == 404 and recused.json()["rule"] == "R6.6"
    assert not Score.objects.exists()
    assert expert.get("/api/v1/review/expert/assignments/").json()["count"] == 0


def test_api_permissions_per_role(committee, secretary, call, officer):
    anonymous = api()
    for url in ("/api/v1/review/committees/", f"/api/v1/review/calls/{call.pk}/dashboard/",
                "/api/v1/review/expert/assignments/", "/api/v1/review/me/"):
        assert anonymous.get(url).status_code in (401, 403)
    assert api(UserFactory()).get("/api/v1/review/committees/").status_code == 403
    assert api(officer).get("/api/v1/review/committees/").json()["count"] == 1
    assert api(bureau_officer("650200")).get("/api/v1/review/committees/").json()["count"] == 0
    other_secretary = UserFactory(roles=["committee_secretary"])
    assert api(other_secretary).get(f"/api/v1/review/calls/{call.pk}/dashboard/").status_code == 404
    assert api(secretary).get(f"/api/v1/review/calls/{call.pk}/dashboard/").status_code == 200
    suspend = api(officer).post(f"/api/v1/review/committees/{committee.pk}/sanctions/",
                                {"kind": "suspension", "reason": "违规"}, format="json")
    assert suspend.status_code == 201
    refused = api(secretary).post(f"/api/v1/review/calls/{call.pk}/assignments/draw/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["rule"] == "R2.3"
    bad = api(officer).post(f"/api/v1/review/committees/{committee.pk}/sanctions/", {"kind": "spanking",
                                                                                      "reason": "x"}, format="json")
    assert bad.status_code == 400


@pytest.mark.parametrize("payload", [{}, {"scopes": "x"}, {"name": "x" * 500}, {"members": [{"user_id": "a"}]},
                                     {"filed_on": "yesterday"}])
def test_bad_committee_input_is_a_400_never_a_500(payload, officer):
    assert api(officer).post("/api/v1/review/committees/", payload, format="json").status_code == 400


def test_bad_score_inputs_are_4xx(committee, secretary, call, pool):
    application = make_application(call)
    from review import services

    services.assignment_draw(actor=secretary, call_id=call.pk, seed=4)
    assignment = application.review_assignments.first()
    client = api(assignment.expert_user)
    url = f"/api/v1/review/expert/assignments/{assignment.pk}/score/"
    for payload in ({"values": "x"}, {"values": {"ability": [1]}}, {"values": {"ability": {"a": 1}}},
                    {"version": "abc"}, {"verdict": "great"}, {"values": {"ability": "1e999"}}):
        assert client.patch(url, payload, format="json").status_code in (400, 409), payload


def test_contract_committee_and_expert_lists_are_the_pages_the_schema_describes(committee, secretary, officer,
                                                                              pool):
    committees = assert_matches_schema(api(officer).get("/api/v1/review/committees/"), "/api/v1/review/committees/")
    assert committees["count"] == 1 and committees["results"][0]["id"] == committee.pk
    experts_path = "/api/v1/review/committees/{id}/experts/"
    experts = assert_matches_schema(api(secretary).get(f"/api/v1/review/committees/{committee.pk}/experts/"),
                                    experts_path)
    assert experts["count"] == len(pool) and len(experts["results"]) == len(pool)
    beyond = api(secretary).get(f"/api/v1/review/committees/{committee.pk}/experts/", {"page": 99})
    assert beyond.status_code == 404
