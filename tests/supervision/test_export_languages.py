"""The Excel exports of supervision (R5.4 enterprise staff, R6.4 duplicate evaluation) in the
reader's language: column headers, sheet names and the catalogue's names (series, titles, status
words) in Uyghur or English where the catalogue has them; what a person typed stays as typed and
never starts a formula (issue: exports were Chinese for every reader)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.models import TitleHeld, TitleName, TitleSeries
from portal.models import Employment
from tests.factories import EnterpriseFactory, employee_of, hr_admin_of
from tests.review.conftest import make_call
from tests.supervision.test_enterprise import staff_member
from tests.supervision.test_pages import bypassed  # noqa: F401 - the fixture


def _in(language: str, text: str, context: str = "") -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.pgettext(context, text) if context else translation.gettext(text)

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(BytesIO(content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook}


def _engineering():
    series = TitleSeries.objects.get(code="engineering")
    junior = TitleName.objects.get(series=series, level="junior")
    assert series.name_ug and series.name_en and junior.name_ug and junior.name_en
    return series, junior


@pytest.mark.parametrize("language", ["ug", "en"])
def test_R5_4_staff_export_speaks_the_readers_language(client, committee, language):
    enterprise = EnterpriseFactory()
    hr = hr_admin_of(enterprise, language=language)
    staff_member(enterprise, make_call(committee), 1)
    series, junior = _engineering()
    client.force_login(hr)
    response = client.get(reverse("supervision-enterprise-staff-export", args=[enterprise.pk]))
    assert response.status_code == 200
    sheets = _rows(response.content)
    names = {"ug": (series.name_ug, junior.name_ug), "en": (series.name_en, junior.name_en)}[language]
    titles = next(rows for title, rows in sheets.items() if names[0] in {r[3] for r in rows[1:]})
    assert titles[1][3] == names[0] and titles[1][5] == names[1]
    text = " ".join(str(v) for rows in sheets.values() for row in rows for v in row if v is not None)
    assert series.name not in text and "助理工程师" not in text and "工程师" not in text.replace(
        "乌鲁木齐市人社局", "")
    assert all(len(title) <= 31 for title in sheets)
    assert list(sheets) == [_in(language, "Titles held"),
                            _in(language, "Applications in progress", "spreadsheet tab"),
                            _in(language, "Certificates")]
    assert titles[0][:4] == tuple(_in(language, w) for w in ("Name", "ID number", "Position", "Series"))
    if language == "ug":
        assert titles[0][0] != "Name" and list(sheets)[0] != "Titles held"


def test_R5_4_staff_export_keeps_a_typed_title_and_never_starts_a_formula(client, committee):
    enterprise = EnterpriseFactory()
    hr = hr_admin_of(enterprise, language="en")
    person = employee_of(enterprise, real_name="=HYPERLINK(1)")
    Employment.objects.filter(user=person).update(position="+1+cmd|' /C calc'!A0")
    TitleHeld.objects.create(user=person, series=TitleSeries.objects.get(code="engineering"), level="junior",
                             title_name="@SUM(1)", granted_on=dt.date(2018, 7, 1), granting_body="-2+3",
                             certificate_number="=1+1")
    client.force_login(hr)
    rows = _rows(client.get(reverse("supervision-enterprise-staff-export", args=[enterprise.pk])).content)
    row = rows["Titles held"][1]
    assert row[0] == "'=HYPERLINK(1)" and row[2] == "'+1+cmd|' /C calc'!A0"
    assert row[5] == "'@SUM(1)" and row[7] == "'=1+1" and row[8] == "'-2+3"
    workbook = load_workbook(BytesIO(client.get(
        reverse("supervision-enterprise-staff-export", args=[enterprise.pk])).content))
    assert not [c for ws in workbook for r in ws.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("language", ["ug", "en"])
def test_R6_4_duplicate_export_speaks_the_readers_language(client, officer, request, language):
    person = request.getfixturevalue("bypassed")
    officer.language = language
    officer.save(update_fields=["language"])
    series = person.applications.first().series
    client.force_login(officer)
    response = client.get(reverse("supervision-duplicates-export"))
    assert response.status_code == 200
    (title, rows), = _rows(response.content).items()
    assert len(title) <= 31
    wanted = series.name_ug if language == "ug" else series.name_en
    assert wanted and all(row[3] == wanted for row in rows[1:]) and len(rows) > 1
    assert title == _in(language, "Duplicate evaluation") and rows[0][3] == _in(language, "Series")
    if language == "ug":
        assert rows[0][3] not in ("Series", _in("zh-hans", "Series"))
