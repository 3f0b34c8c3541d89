"""The expert import (R2.6) reads specialties by their code or by any of the catalogue's names
(Chinese, Uyghur, English), names with spaces included, separated as people really type them, and
says in the reader's language which name is not one. Headers may be Chinese, Uyghur or English."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from review import services
from review.models import ExpertProfile
from review.services.experts import specialties_in, specialty_keys
from tests.factories import UserFactory
from tests.review.conftest import engineering

pytestmark = pytest.mark.django_db

ZH_HEADER = ("姓名", "手机号", "职称级别", "专业", "聘期开始", "聘期结束")
UG_HEADER = ("ئىسىم", "يانفون نومۇرى", "ئۇنۋان دەرىجىسى", "كەسىپلەر", "تەكلىپ مۇددىتى باشلىنىشى",
             "تەكلىپ مۇددىتى ئاخىرلىشىشى")
EN_HEADER = ("Name", "Mobile", "Level", "Specialties", "Term start", "Term end")
START, END = dt.date.today(), dt.date.today() + dt.timedelta(days=700)


def workbook(header, rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("experts.xlsx", out.getvalue(),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def expert_row(specialties: str, *, name: str = "李工"):
    user = UserFactory(real_name=name)
    return user, (name, user.mobile, "副高级", specialties, START, END)


def codes(user, committee) -> set[str]:
    return {s.code for s in ExpertProfile.objects.get(committee=committee, user=user).specialties.all()}


def test_R2_6_import_reads_uyghur_specialty_names_under_uyghur_headers(committee, secretary):
    """A Uyghur officer's sheet: Uyghur headers, Uyghur names of several words, separated by the
    Arabic-script comma and semicolon and by new lines."""
    first, row1 = expert_row("ئېلېكتر قۇرۇلۇشى، ئېلېكترون ئۇچۇر")
    second, row2 = expert_row("ماشىنىسازلىق قۇرۇلۇشى؛ كومپيۇتېر ۋە يۇمشاق دېتال\nقاتناش-توشۇش", name="ئەخمەت")
    with translation.override("ug"):
        report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                              upload=workbook(UG_HEADER, [row1, row2]))
    assert report.ok, report.as_dict()
    assert report.created == 2
    assert codes(first, committee) == {"electrical", "electronics"}
    assert codes(second, committee) == {"mechanical", "computing_software", "transport"}


def test_R2_6_import_reads_english_specialty_names_that_hold_spaces(committee, secretary):
    first, row1 = expert_row("Electrical Engineering; Computing and Software")
    second, row2 = expert_row("electrical engineering\r\nMECHANICAL ENGINEERING, Civil and Building Engineering",
                              name="王工")
    report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                          upload=workbook(EN_HEADER, [row1, row2]))
    assert report.ok, report.as_dict()
    assert codes(first, committee) == {"electrical", "computing_software"}
    assert codes(second, committee) == {"electrical", "mechanical", "civil_construction"}


@pytest.mark.parametrize(("cell", "expected"), [
    ("电气工程，电子信息", {"electrical", "electronics"}),
    ("电气工程、机械工程", {"electrical", "mechanical"}),
    ("electrical；electronics", {"electrical", "electronics"}),
    ("electrical, 电子信息 ; Mechanical Engineering", {"electrical", "electronics", "mechanical"}),
    ("electrical electronics", {"electrical", "electronics"}),  # codes typed with a space, as before
    ("电气工程 电子信息", {"electrical", "electronics"}),
    ("ｅｌｅｃｔｒｉｃａｌ", {"electrical"}),  # full-width Latin, as a Chinese keyboard types it
    ("\u2067ئېلېكتر قۇرۇلۇشى\u2069، electrical", {"electrical"}),  # copied with its isolate; named twice
])
def test_R2_6_import_reads_specialties_with_the_separators_people_type(cell, expected):
    found, unknown = specialties_in(cell, specialty_keys(engineering()))
    assert unknown == []
    assert {s.code for s in found} == expected
    assert len(found) == len(expected)


def test_R2_6_import_names_each_unknown_specialty_as_typed_and_keeps_the_known_ones_apart():
    found, unknown = specialties_in("电气工程、种花 养鱼; Electrical Engineering Gardening",
                                    specialty_keys(engineering()))
    assert [s.code for s in found] == ["electrical"]
    assert unknown == ["种花 养鱼", "Gardening"]


@pytest.mark.parametrize(("language", "header", "cell", "unknown", "words", "column"), [
    ("zh-hans", ZH_HEADER, "电气工程、种花", "种花", "不是", "专业"),
    ("ug", UG_HEADER, "ئېلېكتر قۇرۇلۇشى، گۈل تېرىش", "گۈل تېرىش", "كەسپى ئەمەس", "كەسىپلەر"),
])
def test_R2_6_import_says_in_the_readers_language_which_specialty_name_was_not_found(
        committee, secretary, language, header, cell, unknown, words, column):
    user, row = expert_row(cell)
    with translation.override(language):
        report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                              upload=workbook(header, [row]))
        [error] = report.errors
        assert error.row == 2 and error.column == "specialties" and error.label == column
    assert f"\u2068{unknown}\u2069" in error.message and words in error.message
    assert report.created == 0 and not ExpertProfile.objects.filter(user=user).exists()


def test_R2_6_a_specialty_of_another_series_is_not_taken_by_its_name(committee, secretary):
    from applications.models import Specialty

    elsewhere = Specialty.objects.exclude(series=committee.series).exclude(name__in=Specialty.objects.filter(
        series=committee.series).values("name")).first()
    user, row = expert_row(f"电气工程、{elsewhere.name}")
    report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                          upload=workbook(ZH_HEADER, [row]))
    assert [e.column for e in report.errors] == ["specialties"] and elsewhere.name in report.errors[0].message
    assert not ExpertProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(("language", "missing"), [("zh-hans", "聘期结束"), ("ug", "تەكلىپ مۇددىتى ئاخىرلىشىشى")])
def test_R2_6_import_names_the_missing_columns_by_their_header_in_the_readers_language(
        committee, secretary, language, missing):
    from portal.errors import InvalidInput

    with translation.override(language), pytest.raises(InvalidInput) as refused:
        services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                     upload=workbook(UG_HEADER[:-1], [expert_row("electrical")[1][:-1]]))
    assert missing in str(refused.value.message) and "term_end" not in str(refused.value.message)


@pytest.mark.parametrize(("language", "header", "column", "unknown"), [
    ("zh-hans", ZH_HEADER, "专业", "种花"),
    ("ug", UG_HEADER, "كەسىپلەر", "گۈل تېرىش"),
])
def test_R2_6_the_pool_page_reports_the_unknown_specialty_under_the_column_header_in_the_readers_language(
        client, committee, secretary, language, header, column, unknown):
    secretary.language = language
    secretary.save(update_fields=["language"])
    client.force_login(secretary)
    user, row = expert_row(f"electrical、{unknown}")
    url = reverse("review-expert-pool", args=[committee.pk])
    page = client.get(url).content.decode()
    assert column in page  # the help text lists the headers as the reader writes them
    response = client.post(url, {"action": "import", "file": workbook(header, [row])})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"<td>{column}</td>" in body and unknown in body and "<td>specialties</td>" not in body
    assert not ExpertProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(("language", "written", "level"), [
    ("ug", "مۇئاۋىن ئالىي دەرىجىلىك", "deputy_senior"), ("en", "Senior", "senior"),
    ("zh-hans", "副高", "deputy_senior"), ("zh-hans", "intermediate", "intermediate"),
])
def test_R2_6_import_reads_the_level_in_any_language(committee, secretary, language, written, level):
    user, row = expert_row("electrical")
    row = (row[0], row[1], written, *row[3:])
    with translation.override(language):
        report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                              upload=workbook(UG_HEADER, [row]))
    assert report.ok, report.as_dict()
    assert ExpertProfile.objects.get(committee=committee, user=user).level == level


@pytest.mark.parametrize(("language", "named"), [("zh-hans", "副高级"), ("ug", "مۇئاۋىن ئالىي دەرىجىلىك")])
def test_R2_6_an_unknown_level_is_answered_with_the_levels_named_in_the_readers_language(
        committee, secretary, language, named):
    _user, row = expert_row("electrical")
    row = (row[0], row[1], "大师级", *row[3:])
    with translation.override(language):
        report = services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                              upload=workbook(ZH_HEADER, [row]))
    [error] = report.errors
    assert error.column == "level" and named in error.message and "\u2068大师级\u2069" in error.message
