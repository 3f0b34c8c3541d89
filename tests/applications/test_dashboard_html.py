"""Issue 15: the applicant's dashboard writes its cards and open calls with ``format_html``
(``applications/dashboard.py``) and reads them in plain SQL (``selectors.applicant_dashboard``). The
HTML must stay the template's byte for byte: here the markup the page had (``REFERENCE_CARDS``,
``REFERENCE_CALLS``, with the partials ``_deadline.html``, ``_stages.html`` and ``_timeline.html``
that other pages still use) is rendered beside the functions for every status, channel, kind of
deadline and timeline, in each language, with text that must be escaped."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications import dashboard, selectors
from applications.models import Application, ApplicationStatus, TitleName
from applications.selectors import DashboardApplication, TimelineEvent
from portal.models import name_in_language
from tests.applications.conftest import make_call, make_committee

#: dashboard.html's cards and open calls as the template engine wrote them before issue 15.
REFERENCE_CARDS = """{% load i18n %}{% for row in rows %}{% with a=row.application %}
<div class="card mb-3" data-testid="application-card">
  <div class="card-body">
    <div class="d-flex justify-content-between flex-wrap gap-2">
      <div>
        <h2 class="h5 mb-1"><a href="{{ row.url }}">{{ a.title_display }}</a> <span class="text-secondary small">{{ a.series.display_name }} · {{ a.specialty.display_name }} · {{ a.call.display_name }}</span></h2>
        <span class="status-badge app-status-{{ a.status }}">{{ a.get_status_display }}</span> {% include "applications/_deadline.html" with deadline=row.deadline %}
      </div>
      <div class="text-end">
        {% if a.status == "draft" or a.status == "returned" %}<a class="btn btn-sm btn-outline-danger" href="{{ row.edit_url }}">{% if a.status == "returned" %}{% translate "Correct" %}{% else %}{% translate "Continue" %}{% endif %}</a>{% endif %}
        <a class="btn btn-sm btn-outline-secondary" href="{{ row.url }}">{% translate "Details" %}</a>
      </div>
    </div>
    <div class="mt-2">{% include "applications/_stages.html" with stages=row.stages %}</div>
    <details class="small"><summary>{% translate "Timeline" %}</summary>{% include "applications/_timeline.html" with timeline=row.timeline %}</details>
  </div>
</div>
{% endwith %}{% endfor %}"""  # noqa: E501

REFERENCE_CALLS = """{% load i18n bidi %}{% if open_calls %}<h2 class="h6 mt-4">{% translate "Open calls" %}</h2>
<div class="list-group" data-testid="open-calls">{% for call in open_calls %}<a class="list-group-item list-group-item-action d-flex flex-wrap justify-content-between gap-2" href="{{ call.url }}"><span><span class="fw-semibold">{{ call.name }}</span> · {{ call.series }}</span><span class="small text-secondary">{% translate "closes" %} {{ call.closes_at|date:"Y-m-d H:i"|bdi }} · <span class="text-danger">{% translate "Apply" %} <span class="dir-arrow" aria-hidden="true">→</span></span></span></a>{% endfor %}</div>{% endif %}"""  # noqa: E501

NASTY = '帕提古丽·热合曼 <b>&amp;</b> "x\'y"'


def _application(pk: int, status: str, *, channel: str = "employer", returned_from: str = "",
                 closes_at: dt.datetime | None = None, due: dt.date | None = None) -> DashboardApplication:
    return DashboardApplication(pk, f"工程师{pk} {NASTY}", channel, status, returned_from, due, due,
                                (f"批次 <{pk}> & co", f"Call <{pk}> & co", "" if pk % 3 else f"چاقىرىق <{pk}>"),
                                closes_at or timezone.now() + dt.timedelta(days=10),
                                ("工程<系列>", "Engineering & <R&D>", "ئىنژېنېرلىق · <ug>"),
                                ("机械", 'Mechanical "q"', ""))


def _events(now: dt.datetime) -> list[TimelineEvent]:
    after = {"round": 1, "corrections": [{"target": "summary", "message": "<b>more</b> & \"why\""},
                                         {"target": "attachment:9", "item": "总结 <1>.pdf", "message": "again"},
                                         {"target": "achievement:3", "item": "", "message": ""}]}
    return [
        TimelineEvent(now - dt.timedelta(days=3, minutes=7), NASTY, "application.create", {}, ""),
        TimelineEvent(now - dt.timedelta(days=2), "", "application.submit", None, "<script>alert(1)</script> & ok"),
        TimelineEvent(now - dt.timedelta(days=1), "李华", "application.employer_return", after, "请补充"),
        TimelineEvent(now, "x", "application.unknown_step", {"corrections": "not a list"}, ""),
    ]


def _cases() -> tuple[list[DashboardApplication], dict[int, list[TimelineEvent]]]:
    now = timezone.now()
    today = timezone.localdate()
    applications = []
    pk = 100
    for status in ApplicationStatus.values:
        for channel in ("employer", "agency"):
            pk += 1
            applications.append(_application(pk, status, channel=channel,
                                             returned_from="unit_publicity" if pk % 4 == 0 else "",
                                             due=today + dt.timedelta(days=pk % 7)))
    applications += [  # drafts whose call closes today, within three days, long after, and has closed
        _application(1, "draft", closes_at=now + dt.timedelta(hours=2)),
        _application(2, "draft", closes_at=now + dt.timedelta(days=2)),
        _application(3, "draft", closes_at=now + dt.timedelta(days=40)),
        _application(4, "draft", closes_at=now - dt.timedelta(days=1)),
        _application(5, "returned", due=today - dt.timedelta(days=2)),
        _application(6, "unit_publicity", due=today + dt.timedelta(days=1)),
        _application(7, "unit_publicity", due=None),
    ]
    events = {a.pk: (_events(now) if a.pk % 2 else []) for a in applications}
    return applications, events


def _reference(applications, events) -> str:
    detail = reverse("application-detail", args=[0]).removesuffix("0/")
    edit = reverse("application-edit", args=[0, "basics"]).removesuffix("0/edit/basics/")
    labels = dict(ApplicationStatus.choices)
    rows = []
    for a in applications:
        shown = SimpleNamespace(
            pk=a.pk, title_display=a.title_display, status=a.status,
            get_status_display=lambda a=a: str(labels[a.status]),
            series=SimpleNamespace(display_name=name_in_language(*a.series_names)),
            specialty=SimpleNamespace(display_name=name_in_language(*a.specialty_names)),
            call=SimpleNamespace(display_name=name_in_language(*a.call_names)))
        rows.append({"application": shown, "url": f"{detail}{a.pk}/", "edit_url": f"{edit}{a.pk}/edit/basics/",
                     "stages": selectors.stages_of(channel=a.channel, status=a.status, returned_from=a.returned_from),
                     "deadline": selectors.deadline_of(status=a.status, closes_at=a.call_closes_at,
                                                       correction_due_on=a.correction_due_on,
                                                       publicity_ends_on=a.publicity_ends_on),
                     "timeline": selectors.timeline_rows(events[a.pk], milestones_only=True)})
    return Template(REFERENCE_CARDS).render(Context({"rows": rows}))


@pytest.mark.parametrize("language", ["zh-hans", "en", "ug"])
def test_cards_are_the_templates_markup_byte_for_byte(language):
    applications, events = _cases()
    with translation.override(language):
        expected = _reference(applications, events)
        got = dashboard.cards_html(applications, events)
        again = dashboard.cards_html(applications, events)  # the stages kept per language
    assert got == expected and again == expected
    assert "&lt;script&gt;" in got and "<script>" not in got
    assert "帕提古丽·热合曼 &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;x&#x27;y&quot;" in got
    assert 'data-testid="deadline"' in got and "text-bg-danger" in got and "text-bg-warning" in got


def test_cards_follow_the_language_of_each_request():
    applications, events = _cases()
    with translation.override("en"):
        english = dashboard.cards_html(applications, events)
    with translation.override("zh-hans"):
        chinese = dashboard.cards_html(applications, events)
    assert "Details" in english and "Details" not in chinese
    assert "Engineering &amp; &lt;R&amp;D&gt;" in english and "工程&lt;系列&gt;" in chinese


def test_no_application_no_cards():
    assert dashboard.cards_html([], {}) == ""
    assert dashboard.open_calls_html([]) == ""


@pytest.mark.parametrize("language", ["zh-hans", "en", "ug"])
def test_open_calls_are_the_templates_markup_byte_for_byte(language):
    now = timezone.now()
    calls = [{"pk": pk, "name": f"Call <{pk}> & {NASTY}", "closes_at": now + dt.timedelta(days=pk, minutes=pk),
              "series": "Engineering & <R&D>"} for pk in (3, 17, 250)]
    start = reverse("application-start", args=[0]).removesuffix("0/")
    with translation.override(language):
        expected = Template(REFERENCE_CALLS).render(Context({"open_calls": [
            {**call, "url": f"{start}{call['pk']}/"} for call in calls]}))
        assert dashboard.open_calls_html(calls) == expected
    assert "&lt;3&gt;" in expected


def test_plain_sql_reads_what_the_orm_read(world):
    """``applicant_dashboard`` returns the applicant's own applications, newest first, and exactly
    the milestone events ``application_events(milestones_only=True)`` returns, in its order."""
    submitted = world.submitted()
    draft = world.create(call=make_call(committee=make_committee(region_code=None), year=2031))
    world.submitted(applicant=world.another_applicant())  # someone else's
    applications, events = selectors.applicant_dashboard(user=world.applicant, limit=50)
    assert [a.pk for a in applications] == [draft.pk, submitted.pk]
    expected = selectors.application_events(application_ids=[draft.pk, submitted.pk], milestones_only=True)
    for pk in (draft.pk, submitted.pk):
        assert [(e.created_at, e.actor_label, e.action, e.after, e.reason) for e in events[pk]] == \
               [(e.created_at, e.actor_label, e.action, e.after, e.reason) for e in expected[pk]]
    assert any(e.action == "application.submit" for e in events[submitted.pk])
    first = applications[1]
    stored = Application.objects.select_related("call", "series", "specialty").get(pk=submitted.pk)
    assert (first.title_name, first.status, first.channel, first.call_names, first.call_closes_at,
            first.series_names, first.specialty_names) == (
        stored.title_name, stored.status, stored.channel,
        (stored.call.name, stored.call.name_en, stored.call.name_ug), stored.call.closes_at,
        (stored.series.name, stored.series.name_en, stored.series.name_ug),
        (stored.specialty.name, stored.specialty.name_en, stored.specialty.name_ug))
    assert [a.pk for a in selectors.applicant_dashboard(user=world.applicant, limit=1)[0]] == [draft.pk]


def test_no_application_reads_no_events(world):
    newcomer = world.another_applicant()
    with CaptureQueriesContext(connection) as context:
        applications, events = selectors.applicant_dashboard(user=newcomer, limit=50)
    assert applications == [] and events == {}
    assert len(context.captured_queries) == 1


def test_page_shows_each_applicant_only_their_own_cards_in_their_language(client, world):
    """The frame is kept per language (``{% shell %}``); the cards are each request's own."""
    mine = world.create()
    Application.objects.filter(pk=mine.pk).update(title_name=f"工程师 {NASTY}")
    other = world.another_applicant()
    theirs = world.create(applicant=other)
    client.force_login(world.applicant)
    page = client.get(reverse("applications-dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/applications/{mine.pk}/"' in page and f'href="/applications/{theirs.pk}/"' not in page
    # An English page names the title in English (the catalogue's); the stored Chinese name is the
    # Chinese page's, escaped.
    english = TitleName.objects.get(series_id=mine.series_id, level=mine.level).name_en
    assert english and f">{english}</a>" in page and "帕提古丽" not in page
    assert "Continue" in page and "My applications" in page
    page = client.get(reverse("applications-dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "工程师 帕提古丽·热合曼 &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;x&#x27;y&quot;" in page
    client.force_login(other)
    page = client.get(reverse("applications-dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/applications/{theirs.pk}/"' in page and f'href="/applications/{mine.pk}/"' not in page
    assert NASTY not in page and "帕提古丽" not in page
    newcomer = world.another_applicant()
    client.force_login(newcomer)
    page = client.get(reverse("applications-dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have no applications yet." in page and 'data-testid="application-card"' not in page
    assert reverse("applicant-profile") in page


def test_open_calls_kept_per_language_and_calls_shown():
    now = timezone.now()
    calls = [{"pk": 5, "name": "Call A", "closes_at": now + dt.timedelta(days=3), "series": "Engineering"}]
    with translation.override("en"):
        first = dashboard.open_calls_html(calls)
        assert dashboard.open_calls_html([{**calls[0], "name": "Call B"}]).count("Call B") == 1
        later = dashboard.open_calls_html([{**calls[0], "closes_at": now + dt.timedelta(days=9)}])
        assert later != first and dashboard.open_calls_html(calls) == first
    with translation.override("zh-hans"):
        assert dashboard.open_calls_html(calls) != first
    with translation.override("en"), timezone.override("UTC"):  # the page's zone is Asia/Shanghai
        assert dashboard.open_calls_html(calls) != first
