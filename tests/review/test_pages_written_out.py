"""Issue 15: parts of the expert's dashboard and of the secretary's application page are written
out in Python (or kept once per language by ``{% shell %}``) instead of rendered node by node. Each
is checked here against the template text it replaced, byte for byte, in every language, with the
values that test escaping and formatting: names with ``<``, ``&`` and quotes, a Uyghur name with
its middle dot, empty and missing values, a zero total, blind calls, drafts and submitted scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from review import page_rows, services, views
from review.models import (
    Assignment,
    DefenceSession,
    DefenceSlot,
    Meeting,
    MeetingAttendance,
    MeetingCandidate,
    Reconsideration,
    Score,
)
from tests.factories import EnterpriseFactory, UserFactory
from tests.review.conftest import add_expert, make_application, make_call

LANGUAGES = ["zh-hans", "ug", "en"]
TOKEN = "tok<&>" + "x" * 58  # a CSRF token as the page's, escaped where it is written

# templates/review/expert_home.html's rows as they were rendered by the template engine.
EXPERT_ROWS = (
    '{% load i18n %}'
    '{% translate "(blind)" as blind_label %}{% translate "Score" context "button" as score_label %}'
    '{% translate "View" as view_label %}'
    '{% translate "Declare a conflict" as declare_label %}{% translate "What is the conflict of interest?" as '
    'conflict_label %}{% translate "Declare and step aside" as step_aside_label %}\n'
    '{% for a in rows %}<tr>\n'
    '  <td>{{ a.application_id }}</td>\n'
    '  <td>{% if a.blind %}<span class="text-secondary">{{ blind_label }}</span>{% else %}{{ a.applicant }}{% endif %}'
    '</td>\n'
    '  <td>{% if a.blind %}<span class="text-secondary">{{ blind_label }}</span>{% else %}'
    '{{ a.employer|default:"—" }}{% endif %}</td>\n'
    '  <td>{{ a.title_name }} · {{ a.specialty }}</td>\n'
    '  <td>{% if a.has_score %}{{ a.total|default:"—" }} · {{ a.status }}{% else %}—{% endif %}</td>\n'
    '  <td class="text-end">\n'
    '    <a class="btn btn-sm btn-danger" href="{{ a.url }}">{% if a.scored %}{{ view_label }}{% else %}'
    '{{ score_label }}{% endif %}</a>\n'
    '    {% if not a.scored %}<details class="d-inline-block text-start"><summary class="btn btn-sm '
    'btn-outline-secondary">{{ declare_label }}</summary>\n'
    '      <form method="post" class="mt-2">{% csrf_token %}<input type="hidden" name="assignment" value="{{ a.pk }}">'
    '<textarea class="form-control form-control-sm mb-1" name="reason" rows="2" required '
    'aria-label="{{ conflict_label }}"></textarea><button class="btn btn-sm btn-outline-danger">{{ step_aside_label }}'
    '</button></form></details>{% endif %}\n'
    '  </td>\n'
    '</tr>{% empty %}<tr><td colspan="6" class="text-secondary">{% translate "Nothing assigned to you." %}</td></tr>'
    '{% endfor %}')


def expert_rows() -> list[dict]:
    labels = dict(Score.Status.choices)
    base = {"title_name": "工程师", "specialty": "电气工程", "blind": False, "employer": "新疆<某>公司 & Co",
            "applicant": "张三", "has_score": False, "total": None, "status": "", "scored": False}
    variants = [
        {},
        {"applicant": 'ئەخمەت·قادىر "<b>"', "employer": None, "title_name": "O'Brien & <i>", "specialty": "a·b"},
        {"employer": "", "has_score": True, "status": labels[Score.Status.DRAFT]},
        {"has_score": True, "total": Decimal("85.50"), "status": labels[Score.Status.SUBMITTED], "scored": True},
        {"has_score": True, "total": Decimal("0.00"), "status": labels[Score.Status.SUBMITTED], "scored": True},
        {"has_score": True, "total": Decimal("100.00"), "status": labels[Score.Status.SUBMITTED], "scored": True,
         "blind": True},
        {"blind": True, "applicant": "<script>", "employer": None},
        {"applicant": None, "specialty": ""},
    ]
    return [{**base, **v, "pk": 1000 + i, "application_id": 123456 + i,
             "url": f"/review/expert/assignments/{1000 + i}/"} for i, v in enumerate(variants)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_expert_dashboard_rows_written_out_render_as_the_template_did(language):
    template = engines["django"].from_string(EXPERT_ROWS)
    with translation.override(language):
        for rows in (expert_rows(), expert_rows()[:1], []):
            expected = template.render({"rows": rows, "csrf_token": TOKEN})
            assert "\n" + page_rows.expert_rows_html(rows, TOKEN) == expected


# The two pages' templates as they were before issue 15's rewrite (copied in before_issue15/),
# rendered with each page's own context (and its request, so the same CSRF token) against what the
# page now serves.
BEFORE = Path(__file__).parent / "before_issue15"
ORIGINAL_EXPERT_HOME = (BEFORE / "expert_home.html").read_text(encoding="utf-8")
ORIGINAL_CALL_APPLICATION = (BEFORE / "call_application.html").read_text(encoding="utf-8")

NAME = 'ئەخمەت·قادىر <b>&"'


def _served_and_original(client, monkeypatch, url: str, language: str, original: str) -> tuple[str, str]:
    seen = []
    real = views.render
    monkeypatch.setattr(views, "render", lambda request, name, context, **kw: seen.append((request, context))
                        or real(request, name, context, **kw))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    request, context = seen[-1]
    with translation.override(language):
        return response.content.decode(), engines["django"].from_string(original).render(context, request)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_expert_dashboard_serves_what_its_template_rendered(client, committee, secretary, call, language,
                                                            monkeypatch):
    """Blind and open calls, a tricky name and employer, a draft, a zero and a submitted total, a
    meeting in session: the page byte for byte as the replaced template rendered it."""
    expert = add_expert(committee)
    blind_call = make_call(committee)
    services.review_setup_configure(actor=secretary, call_id=blind_call.pk, blind=True)
    now = timezone.now()
    apps = [make_application(call, applicant=UserFactory(real_name=NAME), employer=EnterpriseFactory(name="<&> Co")),
            make_application(call), make_application(call), make_application(blind_call)]
    mine = [Assignment.objects.create(application=a, expert=expert, expert_user_id=expert.user_id, drawn_at=now)
            for a in apps]
    Score.objects.create(assignment=mine[1], values={}, total=None, status=Score.Status.DRAFT, saved_at=now)
    for assignment, total in ((mine[2], "0"), (mine[3], "87.50")):
        Score.objects.create(assignment=assignment, values={}, total=total, verdict="recommend", comment="x",
                             status=Score.Status.SUBMITTED, saved_at=now, submitted_at=now)
        Assignment.objects.filter(pk=assignment.pk).update(scored=True)
    meeting = Meeting.objects.create(committee=committee, call=call, title="评审会 <1> & 2", scheduled_at=now,
                                     status=Meeting.Status.OPEN, opened_at=now, created_by=secretary)
    MeetingAttendance.objects.create(meeting=meeting, member=expert.user, recorded_by=secretary)
    client.force_login(expert.user)
    served, original = _served_and_original(client, monkeypatch, reverse("review-expert-home"), language,
                                            ORIGINAL_EXPERT_HOME)
    assert 'data-testid="votes"' in served and "ئەخمەت·قادىر &lt;b&gt;&amp;&quot;" in served
    assert served == original


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_secretarys_application_page_serves_what_its_template_rendered(client, committee, secretary, call,
                                                                       language, monkeypatch):
    """Submitted (zero and non-zero), draft, unscored and withdrawn assignments, comments and names to
    escape, defence slots with and without a score, closed and open meetings, a pending
    reconsideration (its crispy form) and a decided one: byte for byte as the replaced template."""
    experts = [add_expert(committee, user=UserFactory(real_name=f"{NAME}{i}")) for i in range(5)]
    now = timezone.now()

    def page(application):
        url = reverse("review-call-application", args=[call.pk, application.pk])
        served, original = _served_and_original(client, monkeypatch, url, language, ORIGINAL_CALL_APPLICATION)
        assert served == original
        return served

    client.force_login(secretary)
    empty = make_application(call)
    assert "text-secondary" in page(empty)
    application = make_application(call, applicant=UserFactory(real_name=NAME))
    drawn = [Assignment.objects.create(application=application, expert=e, expert_user_id=e.user_id, drawn_at=now)
             for e in experts]
    for assignment, total in ((drawn[0], "88.25"), (drawn[1], "0")):
        Score.objects.create(assignment=assignment, values={}, total=total, verdict="recommend",
                             comment="材料<扎实> & 完整", status=Score.Status.SUBMITTED, saved_at=now, submitted_at=now)
    Score.objects.create(assignment=drawn[2], values={}, total=None, status=Score.Status.DRAFT, saved_at=now)
    Assignment.objects.filter(pk=drawn[4].pk).update(status=Assignment.Status.WITHDRAWN, ended_at=now,
                                                     end_reason="同单位 <回避> & 其他")
    for i, (status, score) in enumerate(((Meeting.Status.CLOSED, "85.50"), (Meeting.Status.OPEN, None))):
        session = DefenceSession.objects.create(call=call, name=f"答辩<{i}>", mode="on_site", location="会议室",
                                                starts_at=now, created_by=secretary)
        DefenceSlot.objects.create(session=session, application=application, starts_at=now + dt.timedelta(hours=i),
                                   ends_at=now + dt.timedelta(hours=i, minutes=20), score=score,
                                   attendance=DefenceSlot.Attendance.PRESENT if score else
                                   DefenceSlot.Attendance.PENDING)
        meeting = Meeting.objects.create(committee=committee, call=call, title=f"评审会<{i}>", scheduled_at=now,
                                         status=status, created_by=secretary)
        MeetingCandidate.objects.create(meeting=meeting, application=application, yes_votes=7, no_votes=1,
                                        abstentions=1, outcome=MeetingCandidate.Outcome.PASSED)
    Reconsideration.objects.create(application=application, requested_by=application.applicant,
                                   reason="请求 <复查> & 说明", requested_at=now)
    served = page(application)
    assert served.count('value="redraw"') == 2 and 'value="reconsideration"' in served
    Reconsideration.objects.filter(application=application).update(
        status=Reconsideration.Status.DISMISSED, outcome="维持 <原> & 结果", decided_at=now)
    assert 'value="reconsideration"' not in page(application)


def test_the_experts_score_button_is_the_verb_in_uyghur():
    """The button that opens the scoring form says "to score" (نومۇر قويۇش, docs/glossary-ug.md), not
    the noun نومۇر that the secretary's column heading "Score" keeps."""
    row = expert_rows()[:1]
    with translation.override("ug"):
        html = page_rows.expert_rows_html(row, TOKEN)
        assert translation.gettext("Score") == "نومۇر"
    assert ">نومۇر قويۇش</a>" in html
    with translation.override("zh-hans"):
        assert ">评分</a>" in page_rows.expert_rows_html(row, TOKEN)
