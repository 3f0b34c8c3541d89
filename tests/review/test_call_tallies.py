"""Issue 15: the secretary's call dashboard, the application page, the
expert's and the applicant's dashboards read maintained counters and never
count the call; the counters equal a recount after any sequence of services."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.application_services import application_advance, application_withdraw
from applications.models import ApplicationStatus, CallStatusCount
from applications.tallies import call_counts, call_status_recount
from portal.errors import PortalError
from review import services
from review import workflow as wf
from review.models import Assignment, ExpertCallTally, Score
from review.services.tallies import scored_stale, tallies_recount, tallies_stored
from tests.review.conftest import add_expert, make_application
from tests.review.test_pages import bulk_applications

FULL = {"ability": 25, "achievements": 24, "market_recognition": 15, "contribution": 16}
AGGREGATE = ("COUNT(", "SUM(", "AVG(", "MAX(", "MIN(", "GROUP BY")
CALL_TABLES = ('"applications_application"', '"review_assignment"', '"review_score"')


def scans_the_call(sql: str) -> bool:
    """An aggregate over the call's applications, assignments or scores."""
    upper = sql.upper()
    return any(a in upper for a in AGGREGATE) and any(t in sql for t in CALL_TABLES)


def capture(client, url: str) -> list[str]:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in context.captured_queries]


def test_call_pages_read_counters_flat_and_never_count_the_call(client, committee, secretary, call):
    experts = [add_expert(committee) for _ in range(6)]
    apps = bulk_applications(call, 10, experts)
    expert = experts[0].user
    applicant = apps[0].applicant
    pages = {
        secretary: [reverse("review-call-dashboard", args=[call.pk]),
                    reverse("review-call-dashboard", args=[call.pk]) + "?status=in_evaluation",
                    reverse("review-call-application", args=[call.pk, apps[0].pk]),
                    f"/api/v1/review/calls/{call.pk}/dashboard/"],
        expert: [reverse("review-expert-home")],
        applicant: [reverse("applications-dashboard")],
    }
    before = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            sql = capture(client, url)
            assert not [q for q in sql if scans_the_call(q)], url
            before[url] = len(sql)
    bulk_applications(call, 60, experts)
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            sql = capture(client, url)
            assert not [q for q in sql if scans_the_call(q)], url
            assert len(sql) == before[url] and len(sql) <= 15, (url, before[url], len(sql))
    client.force_login(secretary)
    body = client.get(pages[secretary][0]).content.decode()
    assert 'data-testid="missing">70<' in body  # 210 active assignments, 140 submitted
    api = client.get(pages[secretary][3]).json()
    assert api["count"] == 70 and api["results"][0]["submitted"] == 3 and api["results"][0]["mean"] is not None


def _random_step(rng: random.Random, *, secretary, call) -> None:
    active = list(Assignment.objects.filter(application__call=call, status="active",
                                            application__status="in_evaluation")
                  .select_related("score", "expert_user").order_by("pk"))
    step = rng.choice(["start", "draw", "save", "submit", "submit", "conflict", "redraw", "decide", "withdraw"])
    if step == "start":
        services.evaluation_start(actor=secretary, call_id=call.pk)
    elif step == "draw":
        services.assignment_draw(actor=secretary, call_id=call.pk, seed=rng.randrange(1000))
    elif step in ("save", "submit", "conflict") and active:
        a = rng.choice(active)
        if step == "save":
            services.score_save(actor=a.expert_user, assignment_id=a.pk, values={"ability": 20})
        elif step == "submit":
            services.score_submit(actor=a.expert_user, assignment_id=a.pk, values=FULL, verdict="recommend",
                                  comment="同意推荐")
        else:
            services.conflict_declare(actor=a.expert_user, assignment_id=a.pk, reason="同一单位")
    elif step == "redraw" and active:
        services.assignment_redraw(actor=secretary, assignment_id=rng.choice(active).pk, reason="专家出差",
                                   seed=rng.randrange(1000))
    elif step == "decide":
        app = call.applications.filter(status="in_evaluation").order_by("?").first()
        if app is not None:
            application_advance(actor=secretary, application_id=app.pk, action=rng.choice(["pass", "fail"]),
                                roles={wf.SECRETARY})
    elif step == "withdraw":
        app = call.applications.filter(status__in=["ready", "in_evaluation"]).order_by("?").first()
        if app is not None:
            application_withdraw(actor=app.applicant, application_id=app.pk, reason="个人原因")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counters_equal_a_recount_after_random_services(committee, secretary, call, seed):
    rng = random.Random(seed)
    for _ in range(8):
        add_expert(committee)
    for _ in range(6):
        make_application(call, status=ApplicationStatus.READY)
    make_application(call, status=ApplicationStatus.READY, pathway="recognition")  # never counted
    for _ in range(40):
        try:
            _random_step(rng, secretary=secretary, call=call)
        except PortalError:
            pass  # a refusal changes nothing, counters included
        assert call_counts(call_id=call.pk) == call_status_recount(call_id=call.pk)
        assert tallies_stored(call_id=call.pk) == tallies_recount(call_id=call.pk)
        assert not scored_stale(call_id=call.pk).exists()  # the expert dashboard's sort key
    assert Score.objects.filter(assignment__application__call=call).exists()


def test_tallies_rebuild_command_fills_and_checks(committee, secretary, call, capsys):
    make_application(call, status=ApplicationStatus.READY)
    services.evaluation_start(actor=secretary, call_id=call.pk)
    CallStatusCount.objects.filter(call=call).delete()
    ExpertCallTally.objects.filter(call=call).update(assigned=99)
    with pytest.raises(Exception, match="differ"):
        call_command("tallies_rebuild", "--check")
    call_command("tallies_rebuild")
    call_command("tallies_rebuild", "--check")
    assert call_counts(call_id=call.pk) == {"in_evaluation": 1}
