"""The statistics pages in Chromium, as a new user would check them: the
regional bureau opens Supervision → Statistics, compares the cards with the
database, drills into a prefecture, downloads a table as Excel and refreshes;
a prefecture bureau sees only its own. No console error, no failed or
outside request (so no CSP violation from the SVG charts).

Screenshots: ``tests/artifacts/stats-<name>.png``.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import expect

from stats.services import stats_refresh
from tests.e2e.conftest import login, shot
from tests.factories import bureau_officer
from tests.stats.conftest import make_applications, orm_counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures():
    make_applications(36)
    stats_refresh()


def test_regional_bureau_reads_the_statistics_and_downloads_excel(page, watch, figures):
    officer = bureau_officer("650000")
    login(page, officer.mobile)
    page.locator("[data-testid=nav-supervision]").click()
    with page.expect_navigation():
        page.locator("[data-testid=nav-stats]").click()
    expected = orm_counts()
    expect(page.locator("[data-testid=card-applications]")).to_have_text(str(expected["applications"]))
    expect(page.locator("[data-testid=card-passed]")).to_have_text(str(expected["passed"]))
    expect(page.locator("[data-testid=card-reached]")).to_have_text(str(expected["reached"]))
    assert page.locator("svg.stats-chart").count() == 2
    shot(page, "stats-region")

    with page.expect_download() as info:
        page.locator("[data-testid=export-series]").click()
    rows = list(load_workbook(BytesIO(info.value.path().read_bytes())).active.iter_rows(values_only=True))
    with translation.override("zh-hans"):  # the site's language, as the browser sees it
        total = gettext("Total")
    assert rows[-1][0] == total and rows[-1][1] == expected["applications"]
    # A download ends its navigation request as "aborted" in Chromium: that is not a failure.
    watch.failed_requests[:] = [r for r in watch.failed_requests if not ("/stats/export/" in r and "ABORTED" in r)]

    with page.expect_navigation():
        page.locator("[data-testid=table-prefecture] a", has_text="克拉玛依市").click()
    expect(page.locator("[data-testid=stats-scope]")).to_have_text("克拉玛依市")
    expect(page.locator("[data-testid=card-applications]")).to_have_text(
        str(orm_counts(region="650200")["applications"]))
    page.locator("select[name=year]").select_option("2025")
    with page.expect_navigation():
        page.locator("[data-testid=stats-filters] button").click()
    expect(page.locator("[data-testid=card-applications]")).to_have_text(
        str(orm_counts(region="650200", year=2025)["applications"]))
    shot(page, "stats-prefecture")

    with page.expect_navigation():
        page.locator("[data-testid=stats-refresh]").click()
    expect(page.locator("main .alert-success")).to_be_visible()


def test_prefecture_bureau_sees_only_its_own(page, watch, figures):
    login(page, bureau_officer("652300").mobile)
    page.goto("/stats/")
    expect(page.locator("[data-testid=stats-scope]")).to_have_text("昌吉回族自治州")
    expect(page.locator("[data-testid=card-applications]")).to_have_text(
        str(orm_counts(region="652300")["applications"]))
    assert page.locator("[data-testid=table-prefecture]").count() == 0
    watch.allow_http_error(404, r"^/stats/\?prefecture=650100$")
    response = page.goto("/stats/?prefecture=650100")
    assert response.status == 404
