"""Issue 15: the secretary's call dashboard and the expert's dashboard show
one page of rows read by keyset from an index (the expert's pending first
by the stored sort key ``Assignment.scored``), with the same queries on the
first page and the last, and the call dashboard's forms render without
crispy with their errors kept."""

from __future__ import annotations

import re

from django.urls import reverse

from review import services, views
from review.models import Assignment, Score
from review.services.tallies import scored_stale, tallies_rebuild
from tests.review.conftest import add_expert, make_application
from tests.review.test_call_tallies import FULL, capture, scans_the_call
from tests.review.test_pages import bulk_applications

OPEN = re.compile(r'href="/review/expert/assignments/(\d+)/"')


def _pages(client, url: str, pattern: re.Pattern, testid: str = "next-page") -> list[list[int]]:
    """Follow the "next page" links from ``url``: the ids each page shows."""
    pages = []
    while url:
        body = client.get(url).content.decode()
        pages.append([int(x) for x in pattern.findall(body)])
        found = re.search(rf'href="([^"]+)" data-testid="{testid}"', body)
        url = (url.split("?")[0] + found.group(1).replace("&amp;", "&")) if found else ""
        assert len(pages) < 20
    return pages


def test_R5_2_expert_dashboard_pending_first_by_keyset(client, committee, secretary, call):
    expert = add_expert(committee)
    bulk_applications(call, 30, [expert])  # 30 assignments, every score submitted
    mine = list(Assignment.objects.filter(expert_user=expert.user).order_by("pk"))
    Score.objects.filter(assignment__in=mine[5:]).delete()  # 25 pending, 5 scored
    tallies_rebuild(call_id=call.pk)
    client.force_login(expert.user)
    home = reverse("review-expert-home")
    pages = _pages(client, home, OPEN)
    assert [len(p) for p in pages] == [20, 10]
    assert sum(pages, []) == [a.pk for a in mine[5:]] + [a.pk for a in mine[:5]]  # pending first, then by id
    first = capture(client, home)
    last = capture(client, home + f"?after=0-{mine[24].pk}")
    assert len(first) == len(last) <= 15
    assert not [q for q in first + last if scans_the_call(q)]


def test_R5_2_expert_dashboard_reads_its_page_in_one_assignment_query(client, committee, secretary, call):
    """Issue 15: the pending and the scored rows in one keyset query (the row comparison on the
    (expert_user, scored, id) index), the applications with their call's blind flag in one more;
    a draft shows its status without a total, a submitted score its total."""
    expert = add_expert(committee)
    bulk_applications(call, 4, [expert])
    mine = list(Assignment.objects.filter(expert_user=expert.user).order_by("pk"))
    Score.objects.filter(assignment=mine[2]).update(status=Score.Status.DRAFT, total=None)
    Assignment.objects.filter(pk=mine[2].pk).update(scored=False)
    tallies_rebuild(call_id=call.pk)
    client.force_login(expert.user)
    home = reverse("review-expert-home")
    sql = capture(client, home)
    assert len(sql) <= 6  # user, roles; the page's assignments, applications, workload, meetings
    assert sum('FROM "review_assignment"' in q for q in sql) == 1
    assert [q for q in sql if '"review_reviewsetup"' in q] == [q for q in sql if 'FROM "applications_application"' in q]
    body = client.get(home).content.decode()
    assert [int(x) for x in OPEN.findall(body)] == [mine[2].pk, mine[0].pk, mine[1].pk, mine[3].pk]
    workload = body.split('data-testid="workload">')[1].split("</p>")[0]
    assert workload.startswith("To score: <strong>1</strong> (of which 1 draft(s) saved) · submitted: 3")
    rows = body.split('data-testid="assignments"')[1].split("<tr>")[2:]
    assert f"<td>— · {Score.Status.DRAFT.label}</td>" in rows[0] and 'name="assignment"' in rows[0]
    total = Score.objects.get(assignment=mine[0]).total
    assert f"<td>{total} · {Score.Status.SUBMITTED.label}</td>" in rows[1] and 'name="assignment"' not in rows[1]
    assert [int(x) for x in OPEN.findall(client.get(home + f"?after=1-{mine[0].pk}").content.decode())] == \
        [mine[1].pk, mine[3].pk]


def test_R5_2_score_submit_keeps_the_dashboard_sort_key(committee, secretary, call):
    expert = add_expert(committee)
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    assignment = Assignment.objects.get(application=application, expert_user=expert.user)
    assert assignment.scored is False
    services.score_save(actor=expert.user, assignment_id=assignment.pk, values={"ability": 20})
    assignment.refresh_from_db()
    assert assignment.scored is False  # a draft is still pending
    services.score_submit(actor=expert.user, assignment_id=assignment.pk, values=FULL, verdict="recommend",
                          comment="同意推荐")
    assignment.refresh_from_db()
    assert assignment.scored is True
    assert not scored_stale(call_id=call.pk).exists()
    Assignment.objects.filter(pk=assignment.pk).update(scored=False)  # written outside the services
    assert scored_stale(call_id=call.pk).exists()
    tallies_rebuild(call_id=call.pk)
    assert not scored_stale(call_id=call.pk).exists()


def test_call_dashboard_pages_applications_by_keyset_flat(client, committee, secretary, call):
    experts = [add_expert(committee) for _ in range(3)]
    apps = bulk_applications(call, 45, experts)
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    row = re.compile(rf'href="/review/calls/{call.pk}/applications/(\d+)/"')
    pages = _pages(client, url + "?status=in_evaluation", row)
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sum(pages, []) == sorted(a.pk for a in apps)
    first = capture(client, url)
    last = capture(client, url + f"?status=in_evaluation&after={pages[1][-1]}")
    assert len(first) == len(last) <= 15
    assert not [q for q in first + last if scans_the_call(q)]
    assert "?status=passed" in client.get(url + "?status=passed").content.decode()
    assert len(_pages(client, url + "?status=passed", row)) == 1  # none passed: one empty page


def test_call_dashboard_pages_expert_progress(client, committee, secretary, call, monkeypatch):
    monkeypatch.setattr(views, "EXPERT_ROWS", 2)
    experts = [add_expert(committee) for _ in range(3)]
    bulk_applications(call, 4, experts)
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    names = {e.user.real_name for e in experts}
    shown = []
    body = client.get(url).content.decode()
    for page in (body, client.get(url + "?experts_from=2").content.decode()):
        table = page.split('data-testid="expert-progress"')[1].split("</table>")[0]
        shown.append([n for n in names if f"<td>{n}</td>" in table])
    assert [len(s) for s in shown] == [2, 1] and set(sum(shown, [])) == names
    assert 'href="?experts_from=2"' in body


def test_call_dashboard_forms_keep_their_errors_without_crispy(client, committee, secretary, call):
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    body = client.get(url).content.decode()
    assert 'name="experts_per_application"' in body and 'name="starts_on"' in body and 'type="date"' in body
    body = client.post(url, {"action": "setup", "experts_per_application": "99"}).content.decode()
    assert 'value="99"' in body and "is-invalid" in body and 'id="id_experts_per_application_error"' in body
    body = client.post(url, {"action": "publicise", "starts_on": "不是日期"}).content.decode()
    assert 'id="id_starts_on_error"' in body


def test_expert_dashboard_compiles_no_query_once_warm(client, committee, secretary, call, monkeypatch):
    """Issue 15: the dashboard's reads are compiled once per process (``portal.compiled_sql``); a
    later load runs their SQL with its own parameters and asks the ORM to compile nothing, on the
    first page and the next."""
    from django.db.models.sql.compiler import SQLCompiler

    expert = add_expert(committee)
    bulk_applications(call, 25, [expert])
    client.force_login(expert.user)
    home = reverse("review-expert-home")
    first = client.get(home).content.decode()
    after = re.search(r'href="\?after=([^"]+)" data-testid="next-page"', first).group(1)
    client.get(home + "?after=" + after)
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query) or real(self, *a, **k))
    assert OPEN.findall(client.get(home).content.decode())
    assert OPEN.findall(client.get(home + "?after=" + after).content.decode())
    assert compiled == []
