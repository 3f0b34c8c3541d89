"""Names written the Uyghur way (买买提·艾力) in the applications: the employer's search finds every
form of the dot, and R6.4 sees one person whatever form the name was typed in."""

from __future__ import annotations

import pytest

from applications import selectors
from portal.errors import RuleViolation
from tests.applications.conftest import make_call, make_committee

FORMS = ["买买提·艾力", "买买提.艾力", "买买提 艾力", "买买提•艾力", "买买提・艾力", "买买提．艾力", "艾力"]


def _named(world, name):
    world.applicant.real_name = name
    world.applicant.save(update_fields=["real_name"])
    return world.submitted()


@pytest.mark.parametrize("form", FORMS)
def test_the_employers_search_finds_every_form_of_the_name(world, form):
    application = _named(world, "买买提·艾力")
    assert list(selectors.hr_applications(organization=world.enterprise, name=form)) == [application]
    assert list(selectors.hr_applications(organization=world.enterprise, name="买买提·艾山")) == []


@pytest.mark.parametrize("form", ["买买提•艾力", "买买提．艾力", "买买提 艾力"])
def test_R6_4_one_person_whatever_form_of_the_dot_the_name_was_typed_in(world, form):
    application = _named(world, form)
    assert application.applicant.real_name == "买买提·艾力"
    other_call = make_call(committee=make_committee(region_code=None))
    with pytest.raises(RuleViolation) as error:
        world.create(call=other_call)
    assert error.value.rule == "R6.4"
