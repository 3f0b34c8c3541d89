"""No constraint name reaches a person: a profile row that breaks a database constraint is refused
with a sentence in the user's language, never Django's "Constraint “work_record_period_valid” is
violated." (shown on the profile page in Chinese as 约束 “work_record_period_valid” 是无效的)."""

from __future__ import annotations

import pytest
from django.db.models import CheckConstraint
from django.urls import reverse
from django.utils import translation

from applications.forms import PROFILE_FORMS
from applications.models import ContinuingEducation, WorkRecord
from portal.models import Employment
from tests.factories import UserFactory

#: Models people fill in themselves (the profile forms) and their employment.
PEOPLES_MODELS = sorted({form.Meta.model for form, _title in PROFILE_FORMS.values()} | {Employment},
                        key=lambda model: model.__name__)


@pytest.mark.parametrize("model", PEOPLES_MODELS, ids=lambda model: model.__name__)
def test_every_check_constraint_people_can_break_says_what_is_wrong_in_words(model):
    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint) and "__in" not in str(constraint.condition):
            message = constraint.get_violation_error_message()
            assert constraint.name not in message, (model.__name__, constraint.name)


@pytest.mark.parametrize("language, words", [("zh-hans", "结束日期不能早于开始日期"),
                                             ("ug", "ئاخىرلىشىش چېسلاسى"), ("en", "cannot be before")])
def test_a_work_period_ending_before_it_starts_is_refused_in_words(client, language, words):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile-add", args=["work"]), {
        "work-employer_name": "某公司", "work-position": "技术员", "work-started_on": "2020-01-01",
        "work-ended_on": "2019-01-01"}, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 400 and words in html and html.count(words) == 1
    form = next(section["form"] for section in response.context["sections"] if section["kind"] == "work")
    assert list(form.errors) == ["ended_on"]  # at the field people correct
    assert "work_record_period_valid" not in html and not WorkRecord.objects.filter(user=user).exists()


def test_negative_hours_of_continuing_education_are_refused_in_words(client):
    user = UserFactory()
    client.force_login(user)
    with translation.override("zh-hans"):
        response = client.post(reverse("profile-add", args=["continuing-education"]), {
            "continuing-education-year": "2025", "continuing-education-hours": "-5"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 400 and "学时不能为负数" in html
    form = next(section["form"] for section in response.context["sections"]
                if section["kind"] == "continuing-education")
    assert list(form.errors) == ["hours"]
    assert "continuing_education_hours_not_negative" not in html
    assert not ContinuingEducation.objects.filter(user=user).exists()


def test_the_api_refuses_a_work_period_ending_before_it_starts_in_words(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/api/v1/profile/work/", {"employer_name": "某公司", "started_on": "2020-01-01",
                                                     "ended_on": "2019-01-01"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 400 and "结束日期不能早于开始日期" in body
    assert "work_record_period_valid" not in body
