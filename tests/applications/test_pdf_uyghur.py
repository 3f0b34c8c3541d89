"""The application form (申报表) in Uyghur: right to left, in a Uyghur font, the letters joined and
in order; the applicant's Chinese name and Uyghur name both print."""

from __future__ import annotations

import shutil

import pytest
from django.utils import translation

from applications import selectors
from tests.uyghur_pdf import assert_joined, pdf_text, pypdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

SUMMARY = "شىركەتتە ئون يىل ئېلېكتر تورى لايىھەلىدىم"


def test_the_application_form_prints_uyghur_joined_and_in_order(world):
    application = world.submitted()
    application.summary = SUMMARY
    application.save(update_fields=["summary"])
    applicant = application.applicant
    applicant.real_name, applicant.name_ug = "买买提·艾力", "مەمەت ئەلى"
    applicant.save(update_fields=["real_name", "name_ug"])
    application.refresh_from_db()

    with translation.override("ug"):
        data = selectors.application_form_pdf(application=application)
        labels = [translation.gettext("ID number"), translation.gettext("Mobile")]
    text = pdf_text(data)
    assert labels[0] == "كىملىك نومۇرى"
    for expected in ("شىركەتتە ئون يىل ئېلېكتر تورى", "كىملىك نومۇرى", "买买提·艾力", "مەمەت ئەلى",
                     applicant.id_number_masked):
        assert expected in text, expected
    # The target title in Uyghur (the catalogue's), not the Chinese name kept with the application.
    assert "ئىنژېنېر" in text and "工程师" not in text
    assert SUMMARY in pypdf_text(data)  # with its lam-alef ligature (لا), which pdftotext writes reversed
    assert_joined(data, SUMMARY)
    assert_joined(data, "كىملىك نومۇرى")


def test_the_chinese_application_form_does_not_show_the_uyghur_name(world):
    application = world.submitted()
    applicant = application.applicant
    applicant.name_ug = "مەمەت ئەلى"
    applicant.save(update_fields=["name_ug"])
    application.refresh_from_db()
    with translation.override("zh-hans"):
        text = pdf_text(selectors.application_form_pdf(application=application))
    assert applicant.real_name in text and "مەمەت ئەلى" not in text
    assert application.title_name in text
