"""The expert pool import (R2.6) behind the shared spreadsheet guard: a
300 KB workbook that unpacks to 300 MB is refused before it is parsed, on
the page and the API; NUL in a cell never reaches the database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from portal.errors import InvalidInput
from review import services
from review.models import ExpertProfile
from tests.factories import make_id_number, make_mobile
from tests.uploads_helpers import no_parsing, nul_in_every_text_cell, xlsx_bomb_300mb  # noqa: F401

HEADER = ("姓名", "手机号", "身份证号", "职称级别", "职称", "专业", "工作单位", "聘期开始", "聘期结束")


def sheet_bytes(rows) -> bytes:
    book = Workbook()
    book.active.append(list(HEADER))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_R2_6_expert_import_page_refuses_an_xlsx_bomb_before_parsing_with_a_400(
        client, committee, secretary, xlsx_bomb_300mb, no_parsing):  # noqa: F811 - fixtures
    client.force_login(secretary)
    response = client.post(reverse("review-expert-pool", args=[committee.pk]),
                           {"action": "import", "file": SimpleUploadedFile("experts.xlsx", xlsx_bomb_300mb)})
    assert response.status_code == 400 and "unpacks to 300.0" in response.content.decode()
    assert not ExpertProfile.objects.filter(committee=committee).exists()


def test_R2_6_expert_import_api_refuses_an_xlsx_bomb_before_parsing_with_a_400(
        committee, secretary, xlsx_bomb_300mb, no_parsing):  # noqa: F811 - fixtures
    api = APIClient()
    api.force_authenticate(secretary)
    response = api.post(f"/api/v1/review/committees/{committee.pk}/experts/import/",
                        {"file": SimpleUploadedFile("experts.xlsx", xlsx_bomb_300mb)}, format="multipart")
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert "unpacks to" in response.json()["detail"]


def test_R2_6_expert_import_caps_rows_before_parsing_them(committee, secretary, monkeypatch):
    monkeypatch.setattr(services.experts, "MAX_IMPORT_ROWS", 3)
    today = dt.date.today()
    rows = [(f"专家{n}", make_mobile(), make_id_number(), "副高级", "", "electrical", "", today,
             today + dt.timedelta(days=300)) for n in range(4)]
    with pytest.raises(InvalidInput) as error:
        services.expert_import_excel(actor=secretary, committee_id=committee.pk,
                                     upload=SimpleUploadedFile("x.xlsx", sheet_bytes(rows)))
    assert "At most 3 rows" in str(error.value.message)
    assert not ExpertProfile.objects.filter(committee=committee).exists()


def test_R2_6_nul_in_a_cell_is_stripped_before_it_reaches_the_database(committee, secretary, monkeypatch):
    """A NUL in text is refused by PostgreSQL (a 500 before the guard): the
    guard strips it from every cell, whatever the reader gives."""
    nul_in_every_text_cell(monkeypatch, around=True)
    today = dt.date.today()
    mobile = make_mobile()
    report = services.expert_import_excel(
        actor=secretary, committee_id=committee.pk, upload=SimpleUploadedFile("x.xlsx", sheet_bytes([
            ("努尔兰", mobile, make_id_number(), "副高级", "高级工程师", "electrical", "新疆电力公司",
             today.isoformat(), (today + dt.timedelta(days=300)).isoformat())])))
    assert report.created == 1, report.as_dict()
    expert = ExpertProfile.objects.get(committee=committee)
    assert expert.user.real_name == "努尔兰" and expert.employer_name == "新疆电力公司"
    assert expert.title_name == "高级工程师" and expert.user.mobile == mobile
