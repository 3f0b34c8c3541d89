"""The eligibility engine: E16 engineering (R3.5), every pathway (R3.6, R4.3–R4.7),
R3.1 and R3.3 lines, and the conditions being data."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from applications import eligibility_data
from applications.eligibility import (
    CatalogueFacts,
    EligibilityInput,
    TitleFacts,
    eligibility_check,
    eligibility_evaluate,
    eligibility_seed,
)
from applications.eligibility_models import EligibilityRequirement, EligibilityRoute
from applications.models import TitleSeries
from portal.errors import InvalidInput


def check(series="engineering", *, private_enterprise=True, first_time=True, **facts):
    """By default a first-time private-enterprise applicant, so R3.3 never decides."""
    for name in ("years_since_graduation", "years_at_current_level", "skill_years", "continuing_education_hours"):
        if name in facts:
            facts[name] = Decimal(str(facts[name]))
    return eligibility_check(facts=EligibilityInput(series=series, private_enterprise=private_enterprise,
                                                    first_time=first_time, **facts))


def line(result, rule):
    lines = [c for c in result.conditions if c.rule == rule]
    assert lines, f"no {rule} line in {result.conditions}"
    return lines[0]


# --- R3.5: engineering from E16 ------------------------------------------------

E16_CASES = [
    # (target level, facts, eligible)
    ("assistant_junior", {"education": "bachelor"}, True),
    ("assistant_junior", {"education": "secondary_vocational", "years_since_graduation": 1}, True),
    ("assistant_junior", {"education": "college", "years_since_graduation": 0.5}, False),
    ("assistant_junior", {"years_since_graduation": 10}, False),
    ("junior", {"education": "master"}, True),
    ("junior", {"education": "doctorate"}, True),
    ("junior", {"education": "bachelor", "years_since_graduation": 1}, True),
    ("junior", {"education": "bachelor", "years_since_graduation": 0.9}, False),
    ("junior", {"education": "college", "current_level": "assistant_junior", "years_at_current_level": 2}, True),
    ("junior", {"education": "college", "current_level": "assistant_junior", "years_at_current_level": 1.9}, False),
    ("junior", {"education": "college", "years_since_graduation": 10}, False),
    ("junior", {"education": "secondary_vocational", "current_level": "assistant_junior",
                "years_at_current_level": 4}, True),
    ("junior", {"education": "secondary_vocational", "current_level": "assistant_junior",
                "years_at_current_level": 3.9}, False),
    ("junior", {"education": "secondary_vocational", "current_level": "assistant_junior",
                "years_at_current_level": 2}, False),
    ("intermediate", {"education": "doctorate"}, True),
    ("intermediate", {"education": "master"}, False),
    ("intermediate", {"education": "master", "current_level": "junior", "years_at_current_level": 2}, True),
    ("intermediate", {"education": "master", "current_level": "junior", "years_at_current_level": 1.9}, False),
    ("intermediate", {"education": "bachelor", "current_level": "junior", "years_at_current_level": 4}, True),
    ("intermediate", {"education": "bachelor", "current_level": "junior", "years_at_current_level": 3.9}, False),
    ("intermediate", {"education": "bachelor", "current_level": "junior", "years_at_current_level": 2}, False),
    ("intermediate", {"education": "college", "current_level": "junior", "years_at_current_level": 4}, True),
    ("intermediate", {"education": "secondary_vocational", "current_level": "junior",
                      "years_at_current_level": 10}, False),
    ("intermediate", {"education": "bachelor", "current_level": "assistant_junior",
                      "years_at_current_level": 10}, False),
    ("deputy_senior", {"education": "doctorate", "current_level": "intermediate", "years_at_current_level": 2}, True),
    ("deputy_senior", {"education": "doctorate", "current_level": "intermediate",
                       "years_at_current_level": 1.9}, False),
    ("deputy_senior", {"education": "master", "current_level": "intermediate", "years_at_current_level": 5}, True),
    ("deputy_senior", {"education": "master", "current_level": "intermediate", "years_at_current_level": 4.9}, False),
    ("deputy_senior", {"education": "bachelor", "current_level": "intermediate", "years_at_current_level": 5}, True),
    ("deputy_senior", {"education": "bachelor", "current_level": "intermediate",
                       "years_at_current_level": 4.9}, False),
    ("deputy_senior", {"education": "college", "current_level": "intermediate", "years_at_current_level": 12}, False),
    ("deputy_senior", {"education": "doctorate", "current_level": "junior", "years_at_current_level": 9}, False),
    ("deputy_senior", {"education": "doctorate"}, False),
    ("senior", {"education": "bachelor", "current_level": "deputy_senior", "years_at_current_level": 5}, True),
    ("senior", {"education": "bachelor", "current_level": "deputy_senior", "years_at_current_level": 4.9}, False),
    ("senior", {"education": "doctorate", "current_level": "deputy_senior", "years_at_current_level": 5}, True),
    ("senior", {"education": "college", "current_level": "deputy_senior", "years_at_current_level": 10}, False),
    ("senior", {"education": "bachelor", "current_level": "intermediate", "years_at_current_level": 15}, False),
]


@pytest.mark.parametrize(("level", "facts", "eligible"), E16_CASES,
                         ids=[f"{c[0]}-{'-'.join(f'{k}={v}' for k, v in c[1].items())}" for c in E16_CASES])
def test_R3_5_engineering_e16(level, facts, eligible):
    result = check(level=level, **facts)
    assert result.eligible is eligible
    assert line(result, "R3.5").met is eligible


def test_R3_5_unmet_years_explained_in_words():
    result = check(level="deputy_senior", education="bachelor", current_level="intermediate",
                   years_at_current_level=3)
    message = line(result, "R3.5").message
    assert "requires 5 years holding Engineer (intermediate); you have 3" in message
    # the route the bachelor's degree allows is explained first
    assert message.index("5 years") < message.index("doctorate")


def test_R3_5_unmet_title_and_education_explained():
    message = line(check(level="intermediate", education="bachelor"), "R3.5").message
    assert "requires 4 years holding Assistant Engineer (junior); you hold no title of this series" in message
    message = line(check(level="junior", education="college", years_since_graduation=3), "R3.5").message
    assert "requires 2 years holding Technician (assistant junior)" in message
    message = line(check(level="junior"), "R3.5").message
    assert "no education entered" in message


def test_R3_5_met_route_is_described():
    message = line(check(level="intermediate", education="bachelor", current_level="junior",
                         years_at_current_level=6), "R3.5").message
    assert message == "Met: a college diploma or higher + 4 years holding Assistant Engineer (junior)."


@pytest.mark.parametrize(("qualification", "years", "eligible"), [
    ("constructor_first_class", 5, True),      # 一级建造师 counts as 工程师 (R4.7 table)
    ("constructor_first_class", 4.9, False),
    ("constructor_second_class", 9, False),    # 二级建造师 is 助理工程师, not 工程师
    ("certified_public_accountant", 9, False),  # another series' qualification does not count
])
def test_R3_5_qualification_counts_as_holding_the_level(qualification, years, eligible):
    result = check(level="deputy_senior", education="bachelor", qualification=qualification,
                   years_at_current_level=years)
    assert result.eligible is eligible


def test_R3_5_series_without_conditions_answers_not_eligible():
    result = check(series="economics", level="intermediate", education="doctorate")
    assert result.eligible is False
    assert "no conditions are configured" in line(result, "R3.5").message


def test_R3_5_level_the_series_lacks_is_explained():
    result = check(series="higher_education", level="assistant_junior", education="doctorate")
    assert result.eligible is False
    assert "has no title at the assistant junior level" in result.conditions[0].message


def test_R3_5_unknown_codes_raise_invalid_input_naming_the_field():
    for field, facts in [("series", {"series": "nope", "level": "junior"}),
                         ("level", {"series": "engineering", "level": "chief"}),
                         ("pathway", {"series": "engineering", "level": "junior", "pathway": "magic"}),
                         ("education", {"series": "engineering", "level": "junior", "education": "phd"}),
                         ("qualification", {"series": "engineering", "level": "junior", "qualification": "x"}),
                         ("years_since_graduation", {"series": "engineering", "level": "junior",
                                                     "years_since_graduation": Decimal(-1)})]:
        with pytest.raises(InvalidInput) as info:
            eligibility_check(facts=EligibilityInput(**facts))
        assert info.value.field == field


# --- R3.6 exceptional --------------------------------------------------------------

def test_R3_6_exceptional_waives_years_with_two_recommendations():
    facts = {"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
             "years_at_current_level": 1}
    assert check(**facts).eligible is False                      # regular: 5 years needed
    result = check(pathway="exceptional", recommendations=2, **facts)
    assert result.eligible is True
    assert all(c.met for c in result.conditions if c.rule == "R3.6")


def test_R3_6_exceptional_needs_two_full_senior_recommendations():
    result = check(level="deputy_senior", pathway="exceptional", education="bachelor", current_level="intermediate",
                   years_at_current_level=1, recommendations=1)
    assert result.eligible is False
    unmet = [c for c in result.conditions if not c.met]
    assert len(unmet) == 1 and unmet[0].rule == "R3.6"
    assert "2 recommendations from full-senior experts are required; you have 1" in unmet[0].message


def test_R3_6_exceptional_may_not_skip_a_level():
    result = check(level="deputy_senior", pathway="exceptional", education="doctorate", current_level="junior",
                   years_at_current_level=9, recommendations=2)
    assert result.eligible is False
    messages = " ".join(c.message for c in result.conditions if not c.met)
    assert "No level may be skipped" in messages
    assert "the highest level you may apply for is Engineer (intermediate)" in messages


def test_R3_6_exceptional_keeps_the_education_of_the_route():
    result = check(level="deputy_senior", pathway="exceptional", education="college", current_level="intermediate",
                   years_at_current_level=1, recommendations=2)
    assert result.eligible is False


# --- R4.3 green channel --------------------------------------------------------------

@pytest.mark.parametrize("level", ["deputy_senior", "senior"])
def test_R4_3_green_channel_goes_directly_to_senior_titles_without_years(level):
    result = check(level=level, pathway="green_channel")
    assert result.eligible is True
    informational = [c for c in result.conditions if c.rule == "R4.3" and "checked on the application" in c.message]
    assert len(informational) == 2 and all(c.met for c in informational)


def test_R4_3_green_channel_requires_a_private_enterprise():
    result = check(level="senior", pathway="green_channel", private_enterprise=False,
                   continuing_education_hours=100)
    assert result.eligible is False
    assert [c.message for c in result.conditions if not c.met] == [
        "This pathway is open only to professionals of private enterprises."]


def test_R4_3_green_channel_does_not_lead_to_junior_titles():
    assert check(level="intermediate", pathway="green_channel").eligible is False


# --- R4.4 recognition --------------------------------------------------------------

@pytest.mark.parametrize(("level", "facts", "eligible"), [
    ("junior", {"education": "bachelor", "years_since_graduation": 1}, True),
    ("junior", {"education": "bachelor", "years_since_graduation": 0.9}, False),
    ("junior", {"education": "master"}, True),
    ("junior", {"education": "college", "years_since_graduation": 9}, False),
    ("intermediate", {"education": "master", "years_since_graduation": 3}, True),
    ("intermediate", {"education": "master", "years_since_graduation": 2.9}, False),
    ("intermediate", {"education": "doctorate"}, True),
    ("intermediate", {"education": "bachelor", "years_since_graduation": 20}, False),
    ("deputy_senior", {"education": "doctorate", "years_since_graduation": 20}, False),
])
def test_R4_4_recognition(level, facts, eligible):
    result = check(level=level, pathway="recognition", **facts)
    assert result.eligible is eligible
    assert line(result, "R4.4").met is eligible


def test_R4_4_recognition_applies_to_every_series():
    assert check(series="economics", level="junior", pathway="recognition", education="master").eligible is True


# --- R4.5 postdoc --------------------------------------------------------------

def test_R4_5_postdoc_is_recognised_at_deputy_senior():
    result = check(level="deputy_senior", pathway="postdoc", education="doctorate")
    assert result.eligible is True
    assert any("Postdoctoral Science Foundation" in c.message for c in result.conditions if c.rule == "R4.5")


@pytest.mark.parametrize(("level", "education"), [("deputy_senior", "master"), ("senior", "doctorate"),
                                                  ("intermediate", "doctorate")])
def test_R4_5_postdoc_needs_a_doctorate_and_leads_only_to_deputy_senior(level, education):
    assert check(level=level, pathway="postdoc", education=education).eligible is False


# --- R4.6 high-skill crossover ------------------------------------------------------

@pytest.mark.parametrize(("level", "skill_level", "skill_years", "eligible"), [
    ("junior", "senior_worker", 2, True),
    ("junior", "senior_worker", 1.9, False),
    ("intermediate", "technician", 3, True),
    ("intermediate", "technician", 2.9, False),
    ("intermediate", "senior_worker", 10, False),
    ("deputy_senior", "senior_technician", 4, True),
    ("deputy_senior", "senior_technician", 3.9, False),
    ("deputy_senior", "technician", 10, False),
    ("junior", None, 10, False),
])
def test_R4_6_skills_crossover(level, skill_level, skill_years, eligible):
    result = check(level=level, pathway="skills_crossover", skill_level=skill_level, skill_years=skill_years)
    assert result.eligible is eligible


def test_R4_6_unmet_skill_explained():
    message = line(check(level="intermediate", pathway="skills_crossover", skill_level="technician",
                         skill_years=1), "R4.6").message
    assert "requires 3 years as technician or higher; you have 1" in message


# --- R4.7 qualification -----------------------------------------------------------

@pytest.mark.parametrize(("series", "level", "qualification", "eligible"), [
    ("engineering", "intermediate", "constructor_first_class", True),
    ("engineering", "junior", "constructor_first_class", False),
    ("engineering", "junior", "constructor_second_class", True),
    ("engineering", "intermediate", None, False),
    ("economics", "intermediate", "constructor_first_class", False),
    ("accounting", "intermediate", "certified_public_accountant", True),
])
def test_R4_7_qualification_must_match_series_and_level(series, level, qualification, eligible):
    result = check(series=series, level=level, pathway="qualification", qualification=qualification)
    assert result.eligible is eligible
    assert line(result, "R4.7").met is eligible


def test_R4_7_mismatch_explained():
    message = line(check(level="intermediate", pathway="qualification", qualification="constructor_second_class"),
                   "R4.7").message
    assert "Second-class Constructor corresponds to Assistant Engineer (junior)" in message


# --- R3.1 papers, R3.3 continuing education ---------------------------------------

@pytest.mark.parametrize("pathway", ["regular", "exceptional", "recognition", "green_channel", "postdoc",
                                     "skills_crossover", "qualification"])
def test_R3_1_papers_never_required(pathway):
    for result in (check(level="intermediate", pathway=pathway), check(series="economics", level="senior",
                                                                         pathway=pathway)):
        papers = line(result, "R3.1")
        assert papers.met is True
        assert papers.message == "Papers are not required (R3.1)."


def test_R3_3_first_time_private_enterprise_applicant_needs_no_continuing_education():
    result = check(level="junior", education="master", continuing_education_hours=0)
    ce = line(result, "R3.3")
    assert ce.met is True and "not required" in ce.message
    assert result.eligible is True


@pytest.mark.parametrize(("private_enterprise", "first_time", "hours", "met"), [
    (True, False, 0, False),
    (False, True, 0, False),
    (False, False, 89.9, False),
    (False, False, 90, True),
    (True, False, 96, True),
])
def test_R3_3_continuing_education_minimum_otherwise(private_enterprise, first_time, hours, met):
    result = check(level="junior", education="master", private_enterprise=private_enterprise, first_time=first_time,
                   continuing_education_hours=hours)
    assert line(result, "R3.3").met is met
    assert result.eligible is met


def test_R3_3_minimum_hours_are_data():
    EligibilityRequirement.objects.filter(kind="continuing_education").update(value=40)
    result = check(level="junior", education="master", private_enterprise=False, first_time=False,
                   continuing_education_hours=45)
    assert line(result, "R3.3").met is True
    assert "40 hours required; you have 45" in line(result, "R3.3").message


# --- Conditions are data (R3.4, R3.5) --------------------------------------------

def test_R3_5_changed_years_in_data_change_the_outcome():
    facts = {"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
             "years_at_current_level": 3}
    assert check(**facts).eligible is False
    EligibilityRoute.objects.filter(code="eng-deputy-senior-bachelor-5y").update(years_at_level=3)
    assert check(**facts).eligible is True


def test_R3_5_inactive_route_no_longer_counts():
    assert check(level="junior", education="master").eligible is True
    EligibilityRoute.objects.filter(code="eng-junior-master").update(is_active=False)
    assert check(level="junior", education="master").eligible is False


def test_R3_4_bureau_adds_conditions_for_another_series():
    economics = TitleSeries.objects.get(code="economics")
    assert check(series="economics", level="intermediate", education="doctorate").eligible is False
    EligibilityRoute.objects.create(code="econ-intermediate-doctorate", series=economics, level="intermediate",
                                    pathway="regular", education="doctorate", rule="R3.5")
    result = check(series="economics", level="intermediate", education="doctorate")
    assert result.eligible is True
    assert "Met: a doctorate." == line(result, "R3.5").message


def test_R4_4_series_rows_replace_generic_rows():
    engineering = TitleSeries.objects.get(code="engineering")
    assert check(level="junior", pathway="recognition", education="master").eligible is True
    EligibilityRoute.objects.create(code="eng-recognition-junior-doctorate", series=engineering, level="junior",
                                    pathway="recognition", education="doctorate", rule="R4.4")
    assert check(level="junior", pathway="recognition", education="master").eligible is False
    assert check(series="economics", level="junior", pathway="recognition", education="master").eligible is True


def test_R3_5_seed_is_idempotent_and_keeps_bureau_edits():
    routes, requirements = EligibilityRoute.objects.count(), EligibilityRequirement.objects.count()
    assert routes == len(eligibility_data.ROUTES) and requirements == len(eligibility_data.REQUIREMENTS)
    EligibilityRoute.objects.filter(code="eng-senior-bachelor-5y").update(years_at_level=4)
    assert eligibility_seed() == {"routes": 0, "requirements": 0}
    assert EligibilityRoute.objects.count() == routes
    assert EligibilityRoute.objects.get(code="eng-senior-bachelor-5y").years_at_level == 4
    EligibilityRoute.objects.filter(code="eng-senior-bachelor-5y").delete()
    assert eligibility_seed() == {"routes": 1, "requirements": 0}


def test_R3_5_seeded_rows_are_valid():
    for row in [*EligibilityRoute.objects.all(), *EligibilityRequirement.objects.all()]:
        row.full_clean()


def test_R3_5_check_uses_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        check(level="deputy_senior", education="bachelor", qualification="constructor_first_class",
              years_at_current_level=5)


# --- The pure engine --------------------------------------------------------------

def _route(**values):
    defaults = {"code": "r", "series_id": None, "level": "intermediate", "pathway": "regular", "education": "",
                "years_since_graduation": Decimal(0), "required_level": "", "years_at_level": Decimal(0),
                "skill_level": "", "skill_years": Decimal(0), "qualification_match": False, "rule": "R3.5",
                "order": 0, "is_active": True}
    return SimpleNamespace(**{**defaults, **values})


def test_R3_5_engine_is_pure_over_the_rows(django_assert_num_queries):
    catalogue = CatalogueFacts(series_id=7, series_code="demo", series_name="示例",
                               titles={"junior": TitleFacts("助理示例师", "Assistant Demo"),
                                       "intermediate": TitleFacts("示例师", "Demo")})
    routes = [_route(code="a", education="master", required_level="junior", years_at_level=Decimal(2)),
              _route(code="b", education="bachelor", required_level="junior", years_at_level=Decimal(6),
                     series_id=8),  # another series: ignored
              _route(code="c", education="bachelor", pathway="recognition")]  # another pathway: ignored
    facts = EligibilityInput(series="demo", level="intermediate", education="master", current_level="junior",
                             years_at_current_level=Decimal("1.5"))
    with django_assert_num_queries(0):
        result = eligibility_evaluate(facts, catalogue=catalogue, routes=routes, requirements=[])
    assert result.as_dict() == {"eligible": False, "conditions": [
        {"rule": "R3.5", "met": False,
         "message": "Not met: requires 2 years holding Assistant Demo (junior); you have 1.5."},
        {"rule": "R3.1", "met": True, "message": "Papers are not required (R3.1)."},
    ]}
    facts = EligibilityInput(series="demo", level="intermediate", education="master", current_level="junior",
                             years_at_current_level=Decimal(2))
    assert eligibility_evaluate(facts, catalogue=catalogue, routes=routes, requirements=[]).eligible is True


# --- Language ---------------------------------------------------------------------

def test_R3_5_messages_follow_the_active_language():
    facts = {"level": "deputy_senior", "education": "bachelor", "current_level": "intermediate",
             "years_at_current_level": 3}
    english = line(check(**facts), "R3.5").message
    assert "Engineer (intermediate)" in english and "工程师" not in english
    with translation.override("zh-hans"):
        chinese = line(check(**facts), "R3.5").message
    assert "工程师" in chinese and "Engineer" not in chinese
