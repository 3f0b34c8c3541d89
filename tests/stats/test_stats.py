"""Statistics: the aggregate tables agree with counts straight from the ORM on
the page, in the API and in Excel; scoping per role; flat query counts; bad
input; the refresh by Celery, command and button."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from portal.models import AuditEvent, Role
from stats import selectors
from stats.models import StatsCell, StatsRefresh
from stats.services import stats_refresh
from stats.tasks import refresh_stats
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, hr_admin_of
from tests.stats.conftest import MEASURES, make_applications, orm_counts, pick

URL = "/stats/"


@pytest.fixture
def refreshed(world):
    stats_refresh()
    return world


@pytest.fixture
def regional():
    return bureau_officer("650000")


def login(client, user):
    client.force_login(user)
    return client


def figures_for(user, **query):
    scope = selectors.stats_scope_for_user(user=user, prefecture=query.pop("prefecture", ""))
    refresh = selectors.latest_refresh()
    labels = selectors.stats_labels(refresh=refresh)
    filters = {"year": 0, "series": "", "level": "", "pathway": "", "ownership": ""} | query
    return selectors.stats_figures(scope=scope, filters=filters, labels=labels)


# --- Refresh correctness ------------------------------------------------------

def test_headline_matches_orm_counts_including_a_certificate_outside_applications(refreshed, regional):
    expected = orm_counts()
    assert orm_counts(ownership="unknown")["certificates"] == 1  # the imported one, under its own year and region
    assert pick(figures_for(regional, ownership="unknown")["headline"])["certificates"] == 1
    assert pick(figures_for(regional)["headline"]) == expected
    assert StatsRefresh.objects.get().source_applications == expected["applications"]


@pytest.mark.parametrize("query", [
    {}, {"year": 2024}, {"series": "economics"}, {"level": "intermediate"}, {"pathway": "recognition"},
    {"ownership": "private"}, {"ownership": "none"}, {"year": 2025, "series": "engineering", "ownership": "state"},
    {"year": 2024, "series": "accounting", "level": "junior", "pathway": "regular", "ownership": "private"},
])
def test_every_table_matches_orm_counts_under_filters(refreshed, regional, query):
    figures = figures_for(regional, **query)
    orm_filters = dict(query)
    for row in figures["tables"]["prefecture"]:
        assert pick(row) == orm_counts(region=row["key"], **orm_filters), row["key"]
    for name in ["series", "level", "pathway", "year", "ownership"]:
        for row in figures["tables"][name]:
            assert pick(row) == orm_counts(**{**orm_filters, name: row["key"]}), (name, row["key"])
    assert pick(figures["headline"]) == orm_counts(**orm_filters)


def test_drill_into_one_prefecture_matches_orm(refreshed, regional):
    figures = figures_for(regional, prefecture="650200", year=2025)
    assert pick(figures["headline"]) == orm_counts(region="650200", year=2025)
    for row in figures["tables"]["series"]:
        assert pick(row) == orm_counts(region="650200", year=2025, series=row["key"])


def test_reached_counts_distinct_persons_and_does_not_add_up(refreshed, regional):
    figures = figures_for(regional)
    rows = figures["tables"]["series"]
    assert figures["headline"]["reached"] == orm_counts()["reached"]
    assert sum(r["reached"] for r in rows) > figures["headline"]["reached"]  # one person, several series
    assert sum(r["applications"] for r in rows) == figures["headline"]["applications"]


def test_drafts_and_revoked_certificates_are_not_counted(refreshed, regional):
    from applications.models import Application
    from certificates.models import Certificate

    assert Application.objects.filter(submitted_at__isnull=True).exists()
    assert Certificate.objects.filter(status="revoked").exists()
    headline = figures_for(regional)["headline"]
    assert headline["applications"] == Application.objects.filter(submitted_at__isnull=False).count()
    assert headline["certificates"] == Certificate.objects.filter(status="valid").count()


def test_refresh_replaces_previous_contents(refreshed, regional):
    cells = StatsCell.objects.count()
    stats_refresh()
    assert StatsCell.objects.count() == cells
    make_applications(6, start=100)
    stats_refresh()
    assert figures_for(regional)["headline"]["applications"] == orm_counts()["applications"]
    assert StatsRefresh.objects.count() == 3


def test_celery_task_and_command_refresh(world, regional, capsys):
    assert refresh_stats.delay().get() > 0
    assert StatsRefresh.objects.count() == 1 and StatsRefresh.objects.get().requested_by is None
    call_command("refresh_stats")
    assert "cells from" in capsys.readouterr().out
    assert StatsRefresh.objects.count() == 2
    assert figures_for(regional)["headline"]["applications"] == orm_counts()["applications"]


def test_beat_refreshes_every_15_minutes(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "stats.tasks.refresh_stats"]
    assert len(entries) == 1 and entries[0]["schedule"].minute == set(range(0, 60, 15))


def test_empty_database_refreshes_to_zero(regional):
    stats_refresh()
    assert pick(figures_for(regional)["headline"]) == dict.fromkeys(MEASURES, 0)


# --- Pages --------------------------------------------------------------------

def test_page_for_the_regional_bureau_shows_orm_numbers_and_definitions(client, refreshed, regional):
    response = login(client, regional).get(URL, {"year": 2024})
    assert response.status_code == 200
    html = response.content.decode()
    expected = orm_counts(year=2024)
    assert re.search(rf'data-testid="card-applications">{expected["applications"]}<', html)
    assert re.search(rf'data-testid="card-passed">{expected["passed"]}<', html)
    assert re.search(rf'data-testid="card-reached">{expected["reached"]}<', html)
    assert "Figures as of" in html and "What is counted" in html
    for name in ["prefecture", "series", "level", "pathway", "ownership", "year"]:
        assert f'data-testid="table-{name}"' in html and f'/stats/export/{name}.xlsx?year=2024' in html
    assert 'data-testid="stats-refresh"' in html


def test_page_svg_charts_are_well_formed_and_accessible(client, refreshed, regional):
    html = login(client, regional).get(URL).content.decode()
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    ns = "{http://www.w3.org/2000/svg}"
    for svg in svgs:
        root = ET.fromstring(svg)  # noqa: S314 - our own page's markup
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
        assert root.findall(f".//{ns}text")
        assert " style=" not in svg
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_page_lists_no_person(client, refreshed, regional):
    from applications.models import Application

    html = login(client, regional).get(URL).content.decode()
    for application in Application.objects.select_related("applicant")[:10]:
        assert application.applicant.real_name not in html
        assert application.applicant.mobile not in html


def test_prefecture_officer_sees_only_own_prefecture(client, refreshed):
    officer = bureau_officer("650200")
    response = login(client, officer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    expected = orm_counts(region="650200")
    assert re.search(rf'data-testid="card-applications">{expected["applications"]}<', html)
    assert 'data-testid="table-prefecture"' not in html and 'data-testid="stats-refresh"' not in html
    assert login(client, officer).get(URL, {"prefecture": "650100"}).status_code == 404
    assert client.get("/stats/export/series.xlsx", {"prefecture": "650100"}).status_code == 404
    assert client.get(URL, {"prefecture": "650200"}).status_code == 200


def test_supervisor_sees_the_whole_region_and_drills_in(client, refreshed):
    supervisor = UserFactory(roles=[Role.SUPERVISOR])
    response = login(client, supervisor).get(URL, {"prefecture": "652300"})
    assert response.status_code == 200
    assert re.search(rf'data-testid="card-applications">{orm_counts(region="652300")["applications"]}<',
                     response.content.decode())


@pytest.mark.parametrize("who", ["applicant", "hr", "auditor", "expert"])
def test_page_refused_to_other_roles(client, refreshed, who):
    user = (hr_admin_of(EnterpriseFactory()) if who == "hr"
            else UserFactory(roles=[{"applicant": Role.APPLICANT, "auditor": Role.AUDITOR,
                                     "expert": Role.EXPERT}[who]]))
    login(client, user)
    assert client.get(URL).status_code == 403
    assert client.get("/stats/export/series.xlsx").status_code == 403
    assert client.post("/stats/refresh/").status_code == 403
    assert client.get("/api/v1/stats/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302
    assert client.get("/stats/export/series.xlsx").status_code == 302
    assert client.get("/api/v1/stats/").status_code in (401, 403)


def test_officer_without_a_bureau_is_refused(client, refreshed):
    login(client, UserFactory(roles=[Role.BUREAU_OFFICER]))
    assert client.get(URL).status_code == 403
    assert client.get("/api/v1/stats/").status_code == 403


def test_bad_filter_values_give_a_message_not_a_500(client, refreshed, regional):
    login(client, regional)
    response = client.get(URL, {"year": "abc", "series": "<script>", "level": "x" * 300, "pathway": "nope",
                                "ownership": "1'--"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ignored a filter with a value that is not valid" in html
    assert re.search(rf'data-testid="card-applications">{orm_counts()["applications"]}<', html)
    assert client.get(URL, {"year": "99999"}).status_code == 200
    assert client.get(URL, {"prefecture": "../etc"}).status_code == 404
    assert client.get(URL, {"prefecture": "659999"}).status_code == 404
    assert client.get("/stats/export/nonsense.xlsx").status_code == 404
    assert client.get("/stats/export/series.xlsx", {"year": "abc"}).status_code == 200


def test_page_query_count_is_flat(client, django_assert_num_queries, regional):
    make_applications(12)
    stats_refresh()
    login(client, regional)
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"year": 2024}).status_code == 200
    make_applications(120, start=500)
    stats_refresh()
    with django_assert_num_queries(len(few)):
        assert client.get(URL, {"year": 2024}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/stats/")
    make_applications(30, start=900)
    stats_refresh()
    with django_assert_num_queries(len(many)):
        client.get("/api/v1/stats/")
    # The figures come from the cube. On SQLite (small deployments) the freshness fingerprint counts the
    # source rows; on PostgreSQL it reads the table statistics and the request touches no source table.
    reads = [q["sql"] for q in many.captured_queries
             if "applications_application" in q["sql"] and "pg_stat_user_tables" not in q["sql"]]
    assert all(q.startswith("SELECT count(*), max(") for q in reads) and (connection.vendor == "sqlite" or not reads)


# --- Refresh button -----------------------------------------------------------

def test_refresh_button_for_the_regional_bureau_is_audited(client, world, regional, django_capture_on_commit_callbacks):
    login(client, regional)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/stats/refresh/")
    assert response.status_code == 302
    assert StatsRefresh.objects.get().requested_by == regional
    assert set(AuditEvent.objects.filter(actor=regional).values_list("action", flat=True)) >= {
        "stats.refresh_requested", "stats.refresh"}


def test_refresh_button_for_a_supervisor(client, world, django_capture_on_commit_callbacks):
    supervisor = UserFactory(roles=[Role.SUPERVISOR])
    with django_capture_on_commit_callbacks(execute=True):
        assert login(client, supervisor).post("/stats/refresh/").status_code == 302
    assert StatsRefresh.objects.count() == 1


def test_refresh_button_refused_to_a_prefecture_bureau(client, world):
    login(client, bureau_officer("650100"))
    assert client.post("/stats/refresh/").status_code == 403
    assert client.get("/stats/refresh/").status_code == 405
    assert not StatsRefresh.objects.exists()


# --- Excel --------------------------------------------------------------------

def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content)).active


@pytest.mark.parametrize("table", ["prefecture", "series", "level", "pathway", "ownership", "year"])
def test_excel_has_the_same_numbers_and_is_audited(client, refreshed, regional, table):
    login(client, regional)
    sheet = _sheet(client.get(f"/stats/export/{table}.xlsx", {"year": 2025, "ownership": "private"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Title statistics by")
    assert rows[2][1] == "Year: 2025; Enterprise ownership: Private"
    assert rows[3][0] == "Figures as of" and rows[3][1]
    figures = figures_for(regional, year=2025, ownership="private")
    header = rows.index(next(r for r in rows if r[1] == "Applications"))
    body = rows[header + 1:]
    assert len(body) == len(figures["tables"][table]) + 1
    for got, row in zip(body, figures["tables"][table] + [figures["headline"]], strict=True):
        assert list(got[1:]) == [row["applications"], row["passed"], row["failed"], row["pass_rate"],
                                 row["certificates"], row["private_applications"], row["reached"]]
    assert body[-1][1] == orm_counts(year=2025, ownership="private")["applications"]
    event = AuditEvent.objects.get(action="stats.export")
    assert event.actor == regional and event.object_id == table


def test_excel_speaks_the_readers_language_uyghur(client, refreshed, regional):
    """Headers and the series' names in Uyghur for a Uyghur reader (the labels are the catalogue's)."""
    from django.utils import translation

    from applications.models import TitleSeries

    regional.language = "ug"
    regional.save(update_fields=["language"])
    workbook = load_workbook(BytesIO(login(client, regional).get("/stats/export/series.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    with translation.override("ug"):
        assert workbook.active.title == translation.gettext("Statistics")
        assert any(r[1] == translation.gettext("Applications") for r in rows)
    labels = {r[0] for r in rows}
    ug_names = {s.name_ug for s in TitleSeries.objects.all()}
    assert labels & ug_names and not labels & {s.name for s in TitleSeries.objects.all()}


def test_excel_contains_no_personal_data(client, refreshed, regional):
    from applications.models import Application

    sheet = _sheet(login(client, regional).get("/stats/export/prefecture.xlsx"))
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    for application in Application.objects.select_related("applicant"):
        assert application.applicant.real_name not in text and application.applicant.mobile not in text


def test_excel_for_a_prefecture_officer_is_scoped(client, refreshed):
    officer = bureau_officer("652300")
    sheet = _sheet(login(client, officer).get("/stats/export/series.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Changji Hui Autonomous Prefecture"  # the scope named in the reader's language (English here)
    assert rows[-1][1] == orm_counts(region="652300")["applications"]


# --- API ----------------------------------------------------------------------

def test_api_overview_matches_orm(client, refreshed, regional):
    data = login(client, regional).get("/api/v1/stats/", {"series": "engineering"}).json()
    assert data["scope"]["whole_region"] is True and data["as_of"]
    assert data["filters"]["series"] == "engineering"
    assert pick(data["headline"]) == orm_counts(series="engineering")
    for row in data["tables"]["prefecture"]:
        assert pick(row) == orm_counts(series="engineering", region=row["key"])


def test_api_table_and_scoping(client, refreshed):
    officer = bureau_officer("650100")
    login(client, officer)
    data = client.get("/api/v1/stats/level/", {"year": 2024}).json()
    assert data["table"] == "level" and data["scope"]["prefecture"] == "650100"
    for row in data["rows"]:
        assert pick(row) == orm_counts(region="650100", year=2024, level=row["key"])
    assert client.get("/api/v1/stats/level/", {"prefecture": "650200"}).status_code == 404
    assert client.get("/api/v1/stats/nonsense/").status_code == 404


def test_api_supervisor_may(client, refreshed):
    login(client, UserFactory(roles=[Role.SUPERVISOR]))
    assert client.get("/api/v1/stats/year/").status_code == 200


def test_api_bad_filter_is_a_400_with_the_field(client, refreshed, regional):
    login(client, regional)
    response = client.get("/api/v1/stats/", {"level": "galactic"})
    assert response.status_code == 400
    assert response.json()["field"] == "level"
    assert client.get("/api/v1/stats/series/", {"year": "abc"}).status_code == 400


def test_api_schema_documents_the_stats_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["paths"]["/api/v1/stats/"]["get"]["summary"]
    assert schema["paths"]["/api/v1/stats/{table}/"]["get"]["summary"]


def test_nav_shows_statistics_to_bureau_and_supervisor_only(client, refreshed, regional):
    assert 'data-testid="nav-stats"' in login(client, regional).get(URL).content.decode()
    auditor = UserFactory(roles=[Role.AUDITOR])
    assert 'data-testid="nav-stats"' not in login(client, auditor).get("/supervision/audit/").content.decode()
