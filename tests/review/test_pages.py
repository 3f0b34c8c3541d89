"""Pages of the review app: each role that may, those that may not (404 or
login), flat query counts, no personal data on public pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from portal.models import Committee
from review import services
from review.models import Assignment, Score
from review.services.tallies import tallies_rebuild
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import (
    add_expert,
    bureau_of,
    engineering,
    file_committee,
    make_application,
    make_call,
    secretary_of,
    specialty,
    submit_drawn_scores,
    voting_members,
)

FULL = {"ability": 25, "achievements": 24, "market_recognition": 15, "contribution": 16}


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def bulk_applications(call, n: int, experts) -> list[Application]:
    """``n`` applications in evaluation with three assignments each, some scored."""
    apps = [make_application(call) for _ in range(n)]
    now = timezone.now()
    rows = [Assignment(application=a, expert=experts[(i + k) % len(experts)],
                       expert_user_id=experts[(i + k) % len(experts)].user_id, drawn_at=now)
            for i, a in enumerate(apps) for k in range(min(3, len(experts)))]
    Assignment.objects.bulk_create(rows)
    scored = Assignment.objects.filter(application__in=apps).order_by("pk")[: n * 2]
    Score.objects.bulk_create([Score(assignment=a, values={}, total=70 + a.pk % 20, verdict="recommend",
                                     comment="ok", status="submitted", saved_at=now) for a in scored])
    tallies_rebuild(call_id=call.pk)  # written directly: the counters as the services would keep them
    return apps


# --- Bureau ---------------------------------------------------------------------------------

def test_R2_1_bureau_registry_permissions_and_flat_queries(client, officer):
    file_committee(officer)
    url = reverse("review-committee-registry")
    assert client.get(url).status_code == 302  # anonymous: login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(officer)
    one = count_queries(client, url)
    for _ in range(3):
        file_committee(officer)
    assert count_queries(client, url) == one
    assert one <= 15


def test_R2_1_bureau_files_a_committee_through_the_form(client, officer):
    chair, member, member2, secretary = (UserFactory() for _ in range(4))
    client.force_login(officer)
    response = client.post(reverse("review-committee-new"), {
        "name": "乌鲁木齐市工程系列中级评委会", "kind": "bureau", "organizer": bureau_of().pk,
        "series": engineering().pk, "filing_number": "乌人社职备〔2026〕9号", "filed_on": "2026-11-01",
        "valid_until": "2029-10-31", "levels": ["intermediate"], "specialties": [specialty().pk],
        "chair": chair.mobile, "members": f"{member.mobile}\n{member2.mobile}", "secretaries": secretary.mobile})
    committee = Committee.objects.get(filing_number="乌人社职备〔2026〕9号")
    assert response.status_code == 302 and committee.members.count() == 4
    too_long = client.post(reverse("review-committee-new"), {
        "name": "x", "kind": "bureau", "organizer": bureau_of().pk, "series": engineering().pk,
        "filing_number": "X-2", "filed_on": "2026-11-01", "valid_until": "2030-11-01", "levels": ["junior"],
        "chair": chair.mobile, "secretaries": secretary.mobile})
    assert too_long.status_code == 200 and "R2.3" in too_long.content.decode()


def test_R6_8_committee_detail_sanction_and_other_bureau(client, committee, officer):
    url = reverse("review-committee-detail", args=[committee.pk])
    client.force_login(bureau_officer("650200"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "sanction", "kind": "suspension", "reason": "x"}).status_code == 404
    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "sanction", "kind": "suspension", "reason": "程序违规"})
    committee.refresh_from_db()
    assert committee.status == "suspended"
    assert client.post(url, {"action": "explode"}).status_code == 404


# --- Secretary: call dashboard (≤15 queries, flat) --------------------------------------------

def test_R5_2_call_dashboard_flat_queries_and_permissions(client, officer, committee, secretary, call):
    experts = [add_expert(committee) for _ in range(6)]
    bulk_applications(call, 50, experts)
    url = reverse("review-call-dashboard", args=[call.pk])
    assert client.get(url).status_code == 302
    for outsider in (secretary_of(file_committee(officer)), experts[0].user, officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(secretary)
    at_50 = count_queries(client, url)
    bulk_applications(call, 150, experts)
    at_200 = count_queries(client, url)
    assert at_50 == at_200 and at_200 <= 15
    body = client.get(url).content.decode()
    assert 'data-testid="missing">200<' in body  # 600 assignments, 400 submitted
    api = client.get(f"/api/v1/review/calls/{call.pk}/dashboard/")
    assert api.status_code == 200 and api.json()["count"] == 200
    first = api.json()["results"][0]
    assert first["missing"] == 0 and first["submitted"] == 3 and first["mean"] is not None


def test_secretary_pages_render_and_refuse_outsiders(client, officer, committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    submit_drawn_scores(application)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会",
                                      scheduled_at=timezone.now())
    urls = [reverse("review-secretary-home"), reverse("review-expert-pool", args=[committee.pk]),
            reverse("review-call-application", args=[call.pk, application.pk]),
            reverse("review-defences", args=[call.pk]), reverse("review-meeting-new", args=[call.pk]),
            reverse("review-meeting-console", args=[meeting.pk])]
    client.force_login(secretary)
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(secretary_of(file_committee(officer)))
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url
    client.force_login(application.review_assignments.first().expert_user)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_R6_6_secretary_redraws_from_the_application_page(client, committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    assignment = application.review_assignments.first()
    client.force_login(secretary)
    url = reverse("review-call-application", args=[call.pk, application.pk])
    client.post(url, {"action": "redraw", "assignment": assignment.pk, "reason": "专家回避"})
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn"
    assert application.review_assignments.filter(status="active").count() == 3


# --- Experts -------------------------------------------------------------------------------------

def test_R6_6_an_expert_sees_only_own_active_assignments_others_are_404(client, committee, secretary, call, pool):
    mine, theirs = make_application(call), make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=5)
    assignment = mine.review_assignments.first()
    expert = assignment.expert_user
    other = theirs.review_assignments.exclude(expert_user=expert).first()
    url = reverse("review-expert-assignment", args=[assignment.pk])
    assert client.get(url).status_code == 302
    client.force_login(expert)
    assert client.get(url).status_code == 200
    assert client.get(reverse("review-expert-assignment", args=[other.pk])).status_code == 404
    assert client.get(reverse("review-expert-assignment", args=[999999])).status_code == 404
    client.post(reverse("review-expert-home"), {"assignment": assignment.pk, "reason": "同一单位"})
    assert client.get(url).status_code == 404  # recused
    assert client.get(f"/api/v1/review/expert/assignments/{assignment.pk}/score/").status_code == 404
    assert str(mine.pk) not in re.findall(r"<td>(\d+)</td>", client.get(reverse("review-expert-home"))
                                          .content.decode())


def test_R5_2_expert_dashboard_and_scoring_form_flat_queries(client, committee, secretary, call):
    expert = add_expert(committee)
    experts = [expert]
    bulk_applications(call, 5, experts)
    client.force_login(expert.user)
    home = reverse("review-expert-home")
    few = count_queries(client, home)
    bulk_applications(call, 40, experts)
    assert count_queries(client, home) == few and few <= 6
    assignment = Assignment.objects.filter(expert_user=expert.user).first()
    form = reverse("review-expert-assignment", args=[assignment.pk])
    assert count_queries(client, form) <= 5


def test_R5_2_autosave_endpoint(client, committee, secretary, call, pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=9)
    assignment = application.review_assignments.first()
    url = reverse("review-score-autosave", args=[assignment.pk])
    client.force_login(assignment.expert_user)
    ok = client.post(url, json.dumps({"values": {"ability": "20"}, "version": 0}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 1
    bad = client.post(url, json.dumps({"values": {"ability": "99"}, "version": 1}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["rule"] == "R5.2"
    assert client.post(url, "nonsense", content_type="application/json").status_code == 400
    assert client.post(url, json.dumps([1]), content_type="application/json").status_code == 400
    stale = client.post(url, json.dumps({"values": {"ability": "1"}, "version": 0}), content_type="application/json")
    assert stale.status_code == 409
    client.force_login(UserFactory())
    assert client.post(url, json.dumps({"values": {}}), content_type="application/json").status_code == 404
    client.force_login(assignment.expert_user)
    page = reverse("review-expert-assignment", args=[assignment.pk])
    client.post(page, {"action": "submit", **{f"c_{k}": v for k, v in FULL.items()}, "verdict": "recommend",
                       "comment": "同意推荐"})
    assert Score.objects.get(assignment=assignment).status == "submitted"
    locked = client.post(url, json.dumps({"values": {"ability": "1"}}), content_type="application/json")
    assert locked.status_code == 400
    assert b'data-testid="locked"' in client.get(page).content


def test_R5_2_blind_mode_hides_name_and_employer(client, committee, secretary, call, pool):
    application = make_application(call)
    services.review_setup_configure(actor=secretary, call_id=call.pk, blind=True)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=3)
    assignment = application.review_assignments.first()
    client.force_login(assignment.expert_user)
    for url in (reverse("review-expert-home"), reverse("review-expert-assignment", args=[assignment.pk])):
        body = client.get(url).content.decode()
        assert application.applicant.real_name not in body and application.employer.name not in body
    api = client.get("/api/v1/review/expert/assignments/").json()["results"][0]["application"]
    assert api["applicant"] is None and api["employer"] is None


# --- Meetings -----------------------------------------------------------------------------------

def test_R6_5_meeting_console_and_ballot_pages(client, officer):
    committee = file_committee(officer, members=3)
    call = make_call(committee, ceiling="1")
    secretary = secretary_of(committee)
    make_application(call, scored=True)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=timezone.now())
    members = voting_members(committee)
    console = reverse("review-meeting-console", args=[meeting.pk])
    client.force_login(secretary)
    client.post(console, {"action": "attendance", "present": [members[0].pk]})
    client.post(console, {"action": "open"})
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    client.post(console, {"action": "attendance", "present": [m.pk for m in members[:2]]})
    client.post(console, {"action": "open"})
    meeting.refresh_from_db()
    assert meeting.status == "open"
    vote = reverse("review-meeting-vote", args=[meeting.pk])
    candidate = meeting.candidates.get()
    client.force_login(members[2])  # absent
    assert client.get(vote).status_code == 404
    assert f'href="{vote}"' not in client.get(reverse("review-expert-home")).content.decode()
    client.force_login(members[0])  # present: the dashboard links to the ballot
    votes = client.get(reverse("review-expert-home")).content.decode().split('data-testid="votes"')[1]
    assert f'href="{vote}">' in votes.split("</div>")[0] and "评审会" in votes.split("</div>")[0]
    for member in members[:2]:
        client.force_login(member)
        assert client.get(vote).status_code == 200
        client.post(vote, {"candidate": candidate.pk, "choice": "yes"})
        client.post(vote, {"candidate": candidate.pk, "choice": "no"})  # refused
        assert b'data-testid="voted"' in client.get(vote).content
    candidate.refresh_from_db()
    assert (candidate.yes_votes, candidate.no_votes) == (2, 0)
    client.force_login(secretary)
    assert b"Yes</th>" not in client.get(console).content  # no tallies while open
    client.post(console, {"action": "close"})
    candidate.refresh_from_db()
    assert candidate.outcome == "passed"
    assert client.get(console).status_code == 200


# --- Public publicity and objections ---------------------------------------------------------------

def test_R5_6_public_publicity_page_masks_personal_data_and_rate_limits_objections(client, committee, secretary,
                                                                                     call, settings):
    apps = [make_application(call, status="passed") for _ in range(3)]
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    body = client.get(reverse("review-publicity")).content.decode()
    for application in apps:
        user = application.applicant
        assert user.real_name not in body and user.mobile not in body and user.id_number not in body
        assert user.mobile_masked not in body and user.id_number_masked not in body
    api = client.get("/api/v1/publicity/").json()
    assert api["count"] == 3 and set(api["results"][0]) == {"id", "masked_name", "employer_name", "title_name",
                                                             "specialty_name", "period"}
    entry = period.entries.first()
    url = reverse("review-objection", args=[entry.pk])
    settings.REVIEW_OBJECTION_LIMIT = (2, 3600)
    assert client.post(url, {"reason": "材料造假，有证据。", "contact": "13900001111"}).status_code == 200
    assert entry.objections.count() == 1
    assert client.post(url, {"reason": "短", "contact": ""}).status_code == 200
    assert client.post(url, {"reason": "再次提出异议内容", "contact": "x"}).status_code == 429
    assert entry.objections.count() == 1
    assert client.get(reverse("review-objection", args=[999999])).status_code == 404
    manage = reverse("review-publicity-manage", args=[period.pk])
    assert client.get(manage).status_code == 302
    client.force_login(UserFactory())
    assert client.get(manage).status_code == 404
    client.force_login(secretary)
    body = client.get(manage).content.decode()
    assert "13900001111" not in body and "139****1111" in body  # masked where it is shown


def test_R5_6_the_secretary_sees_an_objectors_contact_in_full_only_on_asking_and_it_is_audited(
        client, committee, secretary, call):
    from portal.models import AuditEvent

    make_application(call, status="passed")
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    objection = services.objection_create(entry_id=period.entries.first().pk, reason="业绩材料存疑，请核查。",
                                          contact="13900001111")
    manage = reverse("review-publicity-manage", args=[period.pk])
    reveal = {"action": "reveal", "objection": objection.pk}
    for outsider in (None, UserFactory()):  # a visitor, and someone with no part in the period
        client.logout()
        if outsider:
            client.force_login(outsider)
        response = client.post(manage, reveal)
        assert response.status_code in (302, 404) and "13900001111" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="publicity.objection_contact_view").exists()
    client.force_login(secretary)
    response = client.post(manage, reveal)
    assert response.status_code == 200 and "13900001111" in response.content.decode()
    event = AuditEvent.objects.get(action="publicity.objection_contact_view")
    assert event.actor_id == secretary.pk and "13900001111" not in repr(event.after)
    assert "13900001111" not in client.get(manage).content.decode()  # shown once, for that answer


# --- Applicant -------------------------------------------------------------------------------------

def test_the_applicant_sees_the_defence_slot(client, committee, secretary, call):
    application = make_application(call)
    starts = timezone.now() + dt.timedelta(days=3)
    session = services.defence_session_create(actor=secretary, call_id=call.pk, name="远程答辩", mode="remote",
                                              starts_at=starts, meeting_link="https://meeting.example.cn/42")
    services.defence_slot_add(actor=secretary, session_id=session.pk, application_id=application.pk,
                              starts_at=starts, ends_at=starts + dt.timedelta(minutes=20))
    client.force_login(application.applicant)
    body = client.get(reverse("review-my-reviews")).content.decode()
    assert "https://meeting.example.cn/42" in body and 'data-testid="defence-slot"' in body
    api = client.get("/api/v1/review/me/").json()["results"][0]
    assert api["defence_slots"][0]["meeting_link"] == "https://meeting.example.cn/42"
    client.force_login(UserFactory())
    assert "meeting.example.cn" not in client.get(reverse("review-my-reviews")).content.decode()


# --- Bureau: recognition and filing pages ----------------------------------------------------------

def test_R4_4_recognition_pages(client, officer):
    call = make_call(None, bureau=bureau_of(), pathways=("recognition",))
    application = make_application(call, status="ready", pathway="recognition")
    url = reverse("review-recognition-detail", args=[application.pk])
    client.force_login(bureau_officer("650200"))
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("review-recognition-queue")).status_code == 200
    client.post(url, {"decision": "granted", "assessment": "硕士研究生学历，经考核符合认定条件。"})
    application.refresh_from_db()
    assert application.status == "passed"


def test_R4_4_R4_5_the_recognition_page_opens_the_evidence_the_decision_rests_on(client, officer):
    """The bureau decides a recognition (考核认定) on evidence: the page lists the application's files, each
    opening for the officer, and links the whole application (facts, history). Another region's officer
    and the applicant open neither."""
    from django.core.files.base import ContentFile

    from applications.models import Attachment

    call = make_call(None, bureau=bureau_of(), pathways=("postdoc",))
    application = make_application(call, status="ready", pathway="postdoc")
    type(application).objects.filter(pk=application.pk).update(submitted_at=timezone.now())  # as submitted
    grant = Attachment.objects.create(application=application, material="postdoc_evidence",
                                      file=ContentFile(b"%PDF-1.4 grant", name="grant.pdf"),
                                      original_name="博士后基金资助证明.pdf", content_type="application/pdf", size=14)
    url = reverse("review-recognition-detail", args=[application.pk])
    file_url = reverse("application-file", args=[application.pk, grant.pk])
    client.force_login(officer)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "博士后基金资助证明.pdf" in html and file_url in html
    assert reverse("application-review", args=[application.pk]) in html and "查看完整申报" in html
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 grant"
    assert client.get(reverse("application-review", args=[application.pk])).status_code == 200
    client.force_login(bureau_officer("650200"))
    assert client.get(url).status_code == 404 and client.get(file_url).status_code == 404
    client.force_login(application.applicant)
    assert client.get(url).status_code in (403, 404)

def test_filing_pages(client, committee, secretary, call, officer, monkeypatch):
    make_application(call, status="passed")
    period = services.result_publicise(actor=secretary, call_id=call.pk)
    client.force_login(officer)
    assert client.get(reverse("review-filing-queue")).status_code == 200
    url = reverse("review-filing-detail", args=[period.pk])
    response = client.post(url, {"approval_number": "乌人社职〔2026〕8号", "granted_on": timezone.localdate()})
    assert response.status_code == 200 and "R5.6" in response.content.decode()
    later = period.ends_on + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    services.publicity_close_due()
    early = period.ends_on - dt.timedelta(days=1)
    # what is wrong and what to do, with the day to write (it said "The date granted is after the publicity.")
    for language, said in (("en", "The date granted cannot be before the last day of the publicity, {}: enter "
                                  "that day or a later one."),
                           ("zh-hans", "取得日期不能早于公示期最后一天（{}），请填写该日或之后的日期。")):
        response = client.post(url, {"approval_number": "乌人社职〔2026〕8号", "granted_on": early.isoformat()},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert said.format(period.ends_on.isoformat()) in response.content.decode()
    assert not type(period).objects.filter(pk=period.pk, filing__isnull=False).exists()
    response = client.post(url, {"approval_number": "乌人社职〔2026〕8号", "granted_on": later.isoformat()})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.filing.items.count() == 1
    client.force_login(secretary)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["review-committee-registry", "review-filing-queue", "review-recognition-queue",
                                  "review-secretary-home", "review-expert-home", "review-my-reviews"])
def test_role_pages_need_login(client, name):
    assert client.get(reverse(name)).status_code == 302
