"""Amounts and figures as people type them (``portal.numbers``): ``1,200.5`` and full-width digits
are read, on the forms and in the API; what could be read two ways is refused in the reader's language
and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from applications.forms import AchievementForm, ContinuingEducationForm, EligibilityCheckForm
from applications.models import Achievement
from portal.numbers import normalise_decimal
from tests.applications.test_api import create_payload

AMBIGUOUS = {"zh-hans": "有歧义", "ug": "بىرنەچچە خىل چۈشىنىشكە بولىدۇ"}


@pytest.mark.parametrize("typed, read", [
    ("1200.5", "1200.5"), (" 1,200.5 ", "1200.5"), ("1,200", "1200"), ("12,345,678.25", "12345678.25"),
    ("１２００.５", "1200.5"), ("１，２００．５", "1200.5"), ("1 200.5", "1200.5"), ("1\u00a0200", "1200"),
    ("-3", "-3"), (".5", ".5"), ("", ""), ("abc", "abc"),
])
def test_thousands_separators_and_full_width_digits_are_read(typed, read):
    assert normalise_decimal(typed) == read


@pytest.mark.parametrize("typed", ["1,2", "1 200,5", "1.200,5", "12,00", "1,200,5", "1,20.5", "１，２"])
def test_a_number_that_reads_two_ways_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_decimal(typed)
    assert refused.value.code == "ambiguous"


def test_numbers_sent_as_numbers_are_left_alone():
    assert normalise_decimal(Decimal("1.5")) == Decimal("1.5") and normalise_decimal(3) == 3


def _achievement(benefit):
    return {"kind": "transformation", "title": "成果转化", "role": "", "number": "", "achieved_on": "",
            "economic_benefit": benefit, "description": ""}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1,200.5", "１２００.５", "１，２００．５"])
def test_the_achievement_form_reads_an_amount_as_typed(typed):
    form = AchievementForm(_achievement(typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["economic_benefit"] == Decimal("1200.5")
    html = str(form["economic_benefit"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html  # a number box refuses "1,200.5"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_the_achievement_form_refuses_an_ambiguous_amount_in_the_readers_language(language):
    with translation.override(language):
        form = AchievementForm(_achievement("1 200,5"))
        assert not form.is_valid()
        message = form.errors["economic_benefit"][0]
        assert AMBIGUOUS[language] in message and "1 200,5" in message and "1,200.5" in message
        if language == "ug":  # what was typed stays left to right in the Uyghur sentence: 1 200,5, not 200,5 1
            assert "\u20661 200,5\u2069" in message


@pytest.mark.django_db
def test_the_other_figures_of_the_applications_forms_are_read_the_same_way():
    form = ContinuingEducationForm({"year": 2025, "hours": "７２.５"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours"] == Decimal("72.5")
    form = EligibilityCheckForm({"series": "x", "level": "intermediate", "continuing_education_hours": "1,200",
                                 "years_since_graduation": "６"})
    form.is_valid()
    assert "continuing_education_hours" not in form.errors and "years_since_graduation" not in form.errors
    assert form.cleaned_data["continuing_education_hours"] == Decimal(1200)
    assert form.cleaned_data["years_since_graduation"] == Decimal(6)


def _draft(api, world):
    api.force_authenticate(world.applicant)
    response = api.post("/api/v1/applications/", create_payload(world), format="json")
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.parametrize("typed", ["1,200.5", "１２００.５"])
def test_the_api_reads_an_amount_as_typed(world, typed):
    api = APIClient()
    pk = _draft(api, world)
    response = api.post(f"/api/v1/applications/{pk}/achievements/",
                        {"kind": "transformation", "title": "成果转化", "economic_benefit": typed}, format="json")
    assert response.status_code == 201, response.json()
    assert Achievement.objects.get(pk=response.json()["id"]).economic_benefit == Decimal("1200.5")


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_the_api_refuses_an_ambiguous_amount_in_the_callers_language(world, language):
    world.applicant.language = language
    world.applicant.save(update_fields=["language"])
    api = APIClient()
    pk = _draft(api, world)
    response = api.post(f"/api/v1/applications/{pk}/achievements/",
                        {"kind": "transformation", "title": "成果转化", "economic_benefit": "1,2"}, format="json",
                        HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert AMBIGUOUS[language] in str(response.json()), response.json()
    assert not Achievement.objects.filter(application_id=pk).exists()


def test_the_eligibility_api_reads_figures_as_typed(world):
    api = APIClient()
    api.force_authenticate(world.applicant)
    body = {"series": world.call.series.code if hasattr(world.call, "series") else "engineering",
            "level": "intermediate", "continuing_education_hours": "１,２００", "years_since_graduation": "６"}
    response = api.post("/api/v1/eligibility/check/", body, format="json")
    assert response.status_code == 200, response.json()
    response = api.post("/api/v1/eligibility/check/", {**body, "continuing_education_hours": "1,20"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and AMBIGUOUS["zh-hans"] in str(response.json())
