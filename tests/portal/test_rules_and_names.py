"""Issue 12 §1: rule numbers link to the rules' text (a public page, in each language), and reference
data (regions, series, specialties, qualifications) is named in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from applications.models import Qualification, Specialty, TitleSeries
from applications.templatetags.applications_tags import condition_message
from portal.models import Region, Role
from portal.rules import RULES, rule_link
from tests import crawler
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

APPS = ("portal", "applications", "review", "certificates", "integrity", "stats", "supervision")


def test_every_rule_the_code_cites_has_its_text_on_the_rules_page():
    cited = set()
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" not in path.parts:
                cited.update(re.findall(r"\bR[1-6]\.\d{1,2}\b", path.read_text(encoding="utf-8")))
    assert len(cited) > 30
    assert sorted(cited - set(RULES)) == []


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_rules_page_is_public_and_in_the_readers_language(client, language):
    response = client.get(reverse("rules"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="R3-3"' in html and 'id="R6-10"' in html
    text, _links = crawler.visible_text(html)
    if language == "en":
        assert "Continuing education is not required" in text
        assert crawler.chinese_runs(text, ["中文", "新人社发〔2023〕70号"]) == []  # the notice, cited by its number
    else:
        assert crawler.english_words(text) == []
        assert ("不作继续教育要求" in text) == (language == "zh-hans")


@pytest.mark.parametrize("role", list(Role))
def test_rules_page_is_open_to_every_role(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("rules")).status_code == 200


def test_a_rule_number_is_a_small_link_to_its_text():
    with translation.override("zh-hans"):
        link = str(rule_link("R3.3"))
    assert 'href="/rules/#R3-3"' in link and ">R3.3</a>" in link and "不作继续教育要求" in link
    assert rule_link("R9.9") == "R9.9"


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "乌鲁木齐市"), ("en", "Urumqi"),
                                                    ("ug", "ئۈرۈمچى شەھىرى")])
def test_reference_data_is_named_in_the_readers_language(language, expected):
    with translation.override(language):
        assert Region.objects.get(code="650100").display_name == expected
        assert str(Region.objects.get(code="650100")) == expected


def test_reference_data_without_a_translation_falls_back_to_chinese():
    region = Region(code="659999", name="某地区", name_en="", name_ug="")
    for language in ("en", "ug"):
        with translation.override(language):
            assert region.display_name == "某地区"


def test_every_seeded_region_series_specialty_and_qualification_has_english_and_uyghur_names():
    for model in (Region, TitleSeries, Specialty, Qualification):
        assert model.objects.exists()
        missing = list(model.objects.filter(name_en="").values_list("name", flat=True)) + list(
            model.objects.filter(name_ug="").values_list("name", flat=True))
        assert missing == [], model.__name__
        assert not model.objects.filter(name_ug__regex=r"[\u4e00-\u9fff]").exists()


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "符合：博士学位。"), ("en", "Met: doctorate."),
                                                    ("ug", "ماس كەلدى: دوكتور.")])
def test_a_frozen_condition_line_is_shown_in_the_readers_language(language, expected):
    line = {"rule": "R4.4", "met": True, "message": "符合：博士学位。", "message_zh": "符合：博士学位。",
            "message_en": "Met: doctorate.", "message_ug": "ماس كەلدى: دوكتور."}
    with translation.override(language):
        assert condition_message(line) == expected
    old = {"rule": "R4.4", "met": True, "message": "符合：博士学位。", "message_zh": "符合：博士学位。",
           "message_en": "Met: doctorate."}  # frozen before the Uyghur wording was kept
    with translation.override("ug"):
        assert condition_message(old) == "符合：博士学位。"
