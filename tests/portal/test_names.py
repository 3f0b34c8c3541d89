"""Names written the Uyghur way in Chinese (买买提·艾力): every form of the middle dot — · U+00B7,
• U+2022, ・ U+30FB, ． U+FF0E, . and spaces — is one name, for signing up, search, duplicate checks
(R6.4), expert imports and public verification. One normalisation: ``portal.names``."""

from __future__ import annotations

import pytest

from portal.names import name_clean, name_key, same_name
from tests.factories import UserFactory, bureau_officer

CANONICAL = "买买提·艾力"
FORMS = ["买买提·艾力", "买买提•艾力", "买买提・艾力", "买买提．艾力", "买买提.艾力", "买买提 艾力", "买买提 · 艾力",
         " 买买提 • 艾力 ", "买买提･艾力", "买买提‧艾力"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_the_dot_is_stored_as_the_middle_dot(form):
    assert name_clean(form) == CANONICAL
    assert name_key(form) == name_key(CANONICAL) and same_name(form, CANONICAL)


def test_plain_chinese_names_and_latin_names():
    assert name_clean(" 张 三 ") == "张三"
    assert name_clean("欧阳 娜娜") == "欧阳娜娜"
    assert name_clean("Ali   Mamat") == "Ali Mamat"
    assert same_name("ＡＬＩ mamat", "Ali Mamat")
    assert not same_name("买买提·艾力", "买买提·艾山") and not same_name("", "")


@pytest.mark.parametrize("form", FORMS)
def test_an_account_keeps_the_one_form_of_the_name(form):
    user = UserFactory(real_name=form)
    user.refresh_from_db()
    assert user.real_name == CANONICAL and user.name_key == name_key(CANONICAL)


@pytest.mark.parametrize("form", FORMS)
def test_public_verification_accepts_every_form_of_the_name(form):
    from certificates import services
    from tests.certificates.conftest import grant_kwargs

    certificate = services.certificate_issue(**grant_kwargs(holder=UserFactory(real_name="买买提•艾力")))
    assert certificate.holder_name == CANONICAL
    result = services.certificate_verify_number(number=certificate.number, name=form)
    assert result.found and result.certificate.pk == certificate.pk
    assert not services.certificate_verify_number(number=certificate.number, name="买买提·艾山").found


@pytest.mark.parametrize("form", FORMS)
def test_the_bureaus_certificate_search_finds_every_form(form):
    from certificates import selectors, services
    from tests.certificates.conftest import grant_kwargs

    certificate = services.certificate_issue(**grant_kwargs(holder=UserFactory(real_name=CANONICAL)))
    found = selectors.certificates_for_bureau(user=bureau_officer("650100"), query=form)
    assert list(found) == [certificate]


@pytest.mark.parametrize("form", ["买买提.艾力", "买买提 艾力", "买买提・艾力"])
def test_an_expert_import_finds_the_account_whatever_form_of_the_dot(form):
    """The expert list names the person with another form of the dot: the same account, not
    "someone with another name"."""
    from review.services.experts import _resolve_user

    user = UserFactory(real_name=CANONICAL)
    errors = []
    found, created = _resolve_user({"mobile": user.mobile, "id_number": "", "name": form}, errors, 2)
    assert errors == [] and found == user and not created
    errors = []
    assert _resolve_user({"mobile": user.mobile, "id_number": "", "name": "买买提·艾山"}, errors, 2) == (None, False)
    assert len(errors) == 1


#: Dots found by typing names on phones and Chinese keyboards that were first stored as typed.
MORE_FORMS = ["买买提⸱艾力", "买买提ꞏ艾力", "买买提ᐧ艾力", "买买提。艾力", "买买提｡艾力", "买买提⸳艾力",
              "买买提 ⸱ 艾力"]


@pytest.mark.parametrize("form", MORE_FORMS)
def test_word_separator_and_other_dots_are_the_one_middle_dot(form):
    """⸱ U+2E31 (word separator middle dot), ꞏ U+A78F (sinological dot), ᐧ U+1427, 。 of a Chinese
    keyboard: one name with 买买提·艾力, stored once and found by every spelling."""
    assert name_clean(form) == CANONICAL
    assert same_name(form, CANONICAL)
    user = UserFactory(real_name=form)
    user.refresh_from_db()
    assert user.real_name == CANONICAL and user.name_key == name_key(CANONICAL)


def test_names_stored_with_a_new_dot_are_cleaned_again_by_migration_0022():
    import importlib

    from django.apps import apps

    from portal.models import User

    user = UserFactory(real_name="买买提·艾力")
    User.objects.filter(pk=user.pk).update(real_name="买买提⸱艾力", name_key="买买提⸱艾力")
    other = UserFactory(real_name="张三")
    migration = importlib.import_module("portal.migrations.0022_names_with_more_forms_of_the_dot")
    migration.clean_names(apps, None)
    user.refresh_from_db()
    other.refresh_from_db()
    assert (user.real_name, user.name_key) == (CANONICAL, name_key(CANONICAL))
    assert other.real_name == "张三"


def test_a_name_in_uyghur_script_keeps_its_letters_and_spaces():
    assert name_clean(" ئابدۇرېھىم   ئەلى ") == "ئابدۇرېھىم ئەلى"
    assert same_name("ئابدۇرېھىم ئەلى", "ئابدۇرېھىم  ئەلى")
