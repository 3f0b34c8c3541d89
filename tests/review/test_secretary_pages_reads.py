"""The secretary's call dashboard and application page (issue 15): what they show, read in a
fixed number of narrow queries whatever the number of assignments, slots, meetings and
reconsiderations, with the secretary's check kept exactly (a 404 for anyone else)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from review import selectors, services
from review.models import (
    Assignment,
    DefenceSession,
    DefenceSlot,
    Meeting,
    MeetingCandidate,
    PublicityPeriod,
    Reconsideration,
    ResultRecord,
    ReviewSetup,
    Score,
)
from tests.factories import UserFactory
from tests.review.conftest import add_expert, file_committee, make_application, make_call, secretary_of

pytestmark = pytest.mark.django_db

# Each page's own reads plus the logged-in page's (session, user, roles): the dashboard's call with
# its set-up and status counters, experts' counters, one page of rows, their reviews, meetings and
# publicity periods; the application with its call, assignments, slots, candidacies and
# reconsiderations.
DASHBOARD_QUERIES = 8
APPLICATION_QUERIES = 7


def capture(client, url: str) -> tuple[str, int]:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(context.captured_queries)


def _slot(application, session, minutes: int, **extra) -> DefenceSlot:
    starts = session.starts_at + dt.timedelta(minutes=minutes)
    return DefenceSlot.objects.create(session=session, application=application, starts_at=starts,
                                      ends_at=starts + dt.timedelta(minutes=20), **extra)


def scored_application(committee, call, secretary, *, total: Decimal, comment: str, slots: int):
    """An application of ``call`` with three experts: one score submitted (``total``, ``comment``), one
    draft, one not started; and ``slots`` of each thing ``_everything_for`` adds. (experts, application)."""
    experts = [add_expert(committee) for _ in range(3)]
    application = make_application(call)
    now = timezone.now()
    assignments = [Assignment.objects.create(application=application, expert=e, expert_user_id=e.user_id,
                                             drawn_at=now) for e in experts]
    Score.objects.create(assignment=assignments[0], values={}, total=total, verdict="recommend",
                         comment=comment, status=Score.Status.SUBMITTED, saved_at=now, submitted_at=now)
    Score.objects.create(assignment=assignments[1], values={}, total=None, status=Score.Status.DRAFT, saved_at=now)
    _everything_for(application, secretary, slots)
    return experts, application


def _everything_for(application, secretary, n: int) -> None:
    """``n`` defence slots and closed meetings with a tally, and a reconsideration, for ``application``."""
    now = timezone.now()
    for i in range(n):
        session = DefenceSession.objects.create(call=application.call, name=f"答辩场次{i}", mode="on_site",
                                                location="会议室", starts_at=now, created_by=secretary)
        _slot(application, session, 0, attendance=DefenceSlot.Attendance.PRESENT, score=Decimal("85.50"))
        meeting = Meeting.objects.create(committee=application.call.committee, call=application.call,
                                         title=f"评审会{i}", scheduled_at=now, status=Meeting.Status.CLOSED,
                                         created_by=secretary)
        MeetingCandidate.objects.create(meeting=meeting, application=application, yes_votes=7, no_votes=1,
                                        abstentions=1, outcome=MeetingCandidate.Outcome.PASSED)
    Reconsideration.objects.get_or_create(application=application, defaults={  # one per application
        "requested_by": application.applicant, "reason": "请求复查", "requested_at": now})


def test_the_secretarys_application_page_shows_every_part_in_flat_queries(client, committee, secretary, call):
    experts, application = scored_application(committee, call, secretary, total=Decimal("88"), comment="材料扎实",
                                              slots=1)
    client.force_login(secretary)
    url = reverse("review-call-application", args=[call.pk, application.pk])
    body, one = capture(client, url)
    assert call.name in body and application.applicant.real_name in body
    for expert in experts:
        assert expert.user.real_name in body
    assert "88" in body and "材料扎实" in body
    # The draft and the unscored assignment can be redrawn, the submitted one cannot.
    assert body.count('name="action" value="redraw"') == 2
    assert "答辩场次0" in body and "85.50" in body and "评审会0" in body
    assert re.search(r"7\s*/\s*\S+\s*1\s*/\s*\S+\s*1", body)
    assert "请求复查" in body and 'name="action" value="reconsideration"' in body
    _everything_for(application, secretary, 4)  # more of each: the same reads
    body, five = capture(client, url)
    assert "答辩场次4" not in body and "答辩场次3" in body and "评审会3" in body
    assert one == five <= APPLICATION_QUERIES


def test_the_secretarys_application_page_is_404_for_anyone_else(client, officer, committee, secretary, call):
    application = make_application(call)
    url = reverse("review-call-application", args=[call.pk, application.pk])
    other_call = make_call(committee)
    for user, target in ((secretary_of(file_committee(officer)), url), (application.applicant, url),
                         (secretary, reverse("review-call-application", args=[other_call.pk, application.pk]))):
        client.force_login(user)
        assert client.get(target).status_code == 404
    membership = committee.members.get(user=secretary, role="secretary")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    client.force_login(secretary)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "redraw"}).status_code == 404


def test_the_call_dashboard_reads_the_call_with_its_set_up_in_flat_queries(client, committee, secretary, call):
    assert not ReviewSetup.objects.filter(call=call).exists()
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    body, _ = capture(client, url)  # the first view creates the set-up with the default rubric
    setup = ReviewSetup.objects.select_related("rubric").get(call=call)
    assert setup.rubric.name in body and call.committee.name in body
    services.review_setup_configure(actor=secretary, call_id=call.pk, blind=True, experts_per_application=5)
    experts = [add_expert(committee) for _ in range(3)]
    now = timezone.now()

    def drawn_application():
        application = make_application(call)
        for e in experts:
            Assignment.objects.create(application=application, expert=e, expert_user_id=e.user_id, drawn_at=now)
        return application

    first = drawn_application()
    body, few = capture(client, url)
    assert 'value="5"' in body and 'id="id_blind" checked' in body
    assert f'href="/review/calls/{call.pk}/applications/{first.pk}/"' in body
    assert first.applicant.real_name in body and first.employer.name in body
    for _ in range(3):
        _everything_for(drawn_application(), secretary, 1)
    PublicityPeriod.objects.create(title="评审结果公示", call=call, committee=committee,
                                   starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 8), working_days=5,
                                   created_by=UserFactory())
    body, many = capture(client, url)
    assert "评审会0" in body and "评审结果公示" in body and "2026-05-04" in body
    assert few == many <= DASHBOARD_QUERIES


def test_the_call_dashboard_is_404_for_an_inactive_secretary(client, committee, secretary, call):
    url = reverse("review-call-dashboard", args=[call.pk])
    committee.members.filter(user=secretary, role="secretary").update(is_active=False)
    client.force_login(secretary)
    assert client.get(url).status_code == 404


def test_14_7_revoked_titles_on_the_dashboard_pages_only_where_the_committee_decided(client, secretary, call):
    """The rows are read without forwarded_to_committee's EXISTS unless the page holds a revoked
    title: then read again exactly. A revocation that never reached the committee is never listed,
    and the pages still hold 20 rows each."""
    from tests.review.test_pages_keyset import _pages

    apps = [make_application(call) for _ in range(8)]
    undecided = make_application(call, status="revoked")
    apps += [make_application(call) for _ in range(8)]
    decided = make_application(call, status="revoked")
    ResultRecord.objects.create(application=decided, outcome="passed", source="meeting",
                                decided_on=timezone.localdate())
    apps += [make_application(call) for _ in range(10)]
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    row = re.compile(rf'href="/review/calls/{call.pk}/applications/(\d+)/"')
    pages = _pages(client, url, row)
    assert [len(p) for p in pages] == [20, 7]
    assert sum(pages, []) == sorted([a.pk for a in apps] + [decided.pk])
    assert _pages(client, url + "?status=revoked", row) == [[decided.pk]]
    for application, code in ((decided, 200), (undecided, 404)):
        assert client.get(reverse("review-call-application", args=[call.pk, application.pk])).status_code == code


def test_the_call_dashboard_compiles_no_query_once_warm(client, committee, secretary, call, monkeypatch):
    """Its reads are compiled once per process (``portal.compiled_sql``, issue 15): a warm request
    of any page of it, filtered or not, runs the kept SQL and compiles none."""
    from django.db.models.sql.compiler import SQLCompiler

    experts = [add_expert(committee) for _ in range(2)]
    now = timezone.now()
    apps = [make_application(call) for _ in range(3)]
    for e in experts:
        Assignment.objects.create(application=apps[0], expert=e, expert_user_id=e.user_id, drawn_at=now)
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    pages = ["", "?status=in_evaluation", f"?after={apps[0].pk}", f"?status=in_evaluation&after={apps[1].pk}"]
    for page in pages:
        assert client.get(url + page).status_code == 200  # warm: the set-up made, the SQL kept
    compiled, as_sql = [], SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        compiled.append(self.query)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    for page in pages:
        body, queries = capture(client, url + page)
        assert queries <= DASHBOARD_QUERIES
    assert f'href="/review/calls/{call.pk}/applications/{apps[2].pk}/"' in body
    assert compiled == []


def _masked(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)


def test_the_call_dashboards_frame_holds_nothing_of_one_call_or_request(client, officer, committee, secretary, call,
                                                                      settings):
    """The page's frame is kept per language and status filter, its unbound forms per language and
    initial values (``{% shell %}``, issue 15): each call's name, committee, figures, rows, links,
    forms and token are its own, the active filter is the one asked for, and a page from a kept
    frame is the page rendered afresh."""
    from portal.templatetags.shell import forget_frames

    other = make_call(file_committee(officer))
    other.name = "另一批次 <b>&</b>"
    other.save(update_fields=["name"])
    mine, theirs = make_application(call), make_application(other)
    services.review_setup_configure(actor=secretary_of(other.committee), call_id=other.pk, blind=True,
                                    experts_per_application=5)
    services.review_setup_configure(actor=secretary, call_id=call.pk, blind=False, experts_per_application=3)
    meeting = Meeting.objects.create(committee=other.committee, call=other, title="会议", scheduled_at=timezone.now(),
                                     created_by=secretary_of(other.committee))
    period = PublicityPeriod.objects.create(title="公示", call=other, committee=other.committee,
                                            starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 8),
                                            working_days=5, created_by=secretary_of(other.committee))
    links = [f'href="{reverse("review-meeting-console", args=[meeting.pk])}"',
             f'href="{reverse("review-publicity-manage", args=[period.pk])}"']
    pages, tokens = {}, []
    for language in ("zh-hans", "en", "ug", "zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for user, shown, hidden, application in ((secretary, call, other, mine),
                                                 (secretary_of(other.committee), other, call, theirs)):
            client.force_login(user)
            for status in ("", "in_evaluation", "passed"):
                response = client.get(reverse("review-call-dashboard", args=[shown.pk]) + f"?status={status}")
                body = response.content.decode()
                token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
                assert len(token) >= 4 and len(set(token)) == 1  # the page's forms hold this request's token
                tokens.append(token[0])
                assert f'href="{reverse("review-defences", args=[shown.pk])}"' in body
                assert f'href="{reverse("review-meeting-new", args=[shown.pk])}"' in body
                assert f"/review/calls/{hidden.pk}/" not in body
                assert all((link in body) == (shown == other) for link in links)
                assert shown.committee.name in body and hidden.committee.name not in body
                assert (f'href="/review/calls/{shown.pk}/applications/{application.pk}/"' in body) == (
                    status != "passed")
                # The unbound forms are kept per language and initial values: each call's own.
                assert ('id="id_blind" checked' in body) == (shown == other)
                assert f'name="experts_per_application" value="{5 if shown == other else 3}"' in body
                assert f'name="starts_on" value="{timezone.localdate():%Y-%m-%d}"' in body
                active = re.findall(r'class="nav-link active bg-danger" href="\?([^"]*)"', body)
                assert active == [f"status={status}" if status else ""]
                pages[(language, user.pk, status)] = _masked(body)
    assert len(set(tokens)) == len(tokens)  # never a token kept from another request
    assert "另一批次 &lt;b&gt;&amp;&lt;/b&gt;" in pages[("en", secretary_of(other.committee).pk, "")]
    forget_frames()
    for (language, user_pk, status), body in pages.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        client.force_login(secretary if user_pk == secretary.pk else secretary_of(other.committee))
        shown = call if user_pk == secretary.pk else other
        fresh = client.get(reverse("review-call-dashboard", args=[shown.pk]) + f"?status={status}")
        assert _masked(fresh.content.decode()) == body


@pytest.mark.parametrize("value", ["<b>A & B</b>", "ئەخمەت·ئابدۇللا", "\"quoted\" 'single'", "", 0, 17, -3, True,
                                   Decimal("81.25"), None, "—", "<script>alert(1)</script>"])
def test_the_dashboards_rows_escape_as_the_template_does(value):
    """The rows built in the view escape each value exactly as ``conditional_escape`` (what the
    template and ``format_html`` apply): plain, lazy and already safe text alike."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy, override

    from review.views import _escaped

    assert _escaped(value) == conditional_escape(value)
    safe = mark_safe(f"<i>{value}</i>")  # noqa: S308 - safe text, left as it is
    assert _escaped(safe) == conditional_escape(safe) == f"<i>{value}</i>"
    with override("en"):
        lazy = gettext_lazy("Open")
        assert _escaped(lazy) == conditional_escape(lazy) == "Open"


def test_the_call_dashboards_invalid_forms_show_what_was_sent_not_a_kept_form(client, secretary, call):
    client.force_login(secretary)
    url = reverse("review-call-dashboard", args=[call.pk])
    assert "is-invalid" not in client.get(url).content.decode()  # the unbound forms kept
    body = client.post(url, {"action": "setup", "experts_per_application": "99"}).content.decode()
    assert 'name="experts_per_application" value="99"' in body
    assert 'aria-describedby="id_experts_per_application_error"' in body
    body = client.post(url, {"action": "publicise", "starts_on": "not a date"}).content.decode()
    assert 'name="starts_on" value="not a date"' in body and 'id="id_starts_on_error"' in body
    body = client.get(url).content.decode()
    assert "is-invalid" not in body and 'value="99"' not in body and "not a date" not in body


def test_the_call_dashboard_of_an_id_beyond_any_row_is_404(client, secretary, call):
    """An id past 64 bits (the URL takes any digits) is a 404, as the ORM answered it, on every
    database (the kept SQL would hand it to the database, which SQLite refuses)."""
    client.force_login(secretary)
    for pk in (2**63, 10**20):
        assert client.get(f"/review/calls/{pk}/").status_code == 404
    assert client.get(f"/review/calls/{call.pk}/").status_code == 200


def test_the_secretarys_application_of_an_id_beyond_any_row_is_404(client, secretary, call):
    """The application page's compiled read too: a call or application id past 64 bits is a 404, on
    SQLite as on PostgreSQL (SQLite refused the number: a 500)."""
    client.force_login(secretary)
    application = make_application(call)
    for call_id, pk in ((call.pk, 2**63), (call.pk, 10**20), (2**63, application.pk)):
        assert client.get(f"/review/calls/{call_id}/applications/{pk}/").status_code == 404


def test_the_dashboards_page_of_experts_has_call_summarys_totals_and_rows(committee, call):
    """``call_summary_page`` (the dashboard's: totals summed by the database beside one page of
    experts) gives what ``call_summary`` gives and the page of its rows, on every page, past the
    last one too, and without experts."""
    assert selectors.call_summary_page(call=call.pk, experts_from=0, size=2) == {
        **selectors.call_summary(call=call.pk), "experts_more": False}
    experts = [add_expert(committee) for _ in range(5)]
    now = timezone.now()
    for i in range(6):
        application = make_application(call)
        for e in experts[:1 + i % 5]:
            a = Assignment.objects.create(application=application, expert=e, expert_user_id=e.user_id, drawn_at=now)
            if i % 2:
                Score.objects.create(assignment=a, values={}, total=Decimal("80"), verdict="recommend", comment="ok",
                                     status=Score.Status.SUBMITTED,
                                     saved_at=now, submitted_at=now)
    from review.services.tallies import tallies_rebuild

    tallies_rebuild(call_id=call.pk)
    full = selectors.call_summary(call=call.pk)
    assert len(full["experts"]) == 5 and full["reviews"]["submitted"] > 0
    for start in (0, 1, 2, 3, 4, 5, 6, 2**63 - 1):
        page = selectors.call_summary_page(call=call.pk, experts_from=start, size=2)
        assert page == {**full, "experts": full["experts"][start:start + 2], "experts_more": 5 > start + 2}
