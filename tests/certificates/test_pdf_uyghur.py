"""Uyghur on the certificate: names and the bilingual certificate print in a Uyghur font, shaped
(the letters joined) and in order; the Chinese stays the legal text of the signed record; a missing
Uyghur font refuses the name instead of printing boxes."""

from __future__ import annotations

import json
import shutil

import pytest

from certificates import fonts
from portal.errors import PortalError
from portal.models import Organization
from tests.certificates.test_pdf import pdf_bytes, pdf_fonts
from tests.factories import UserFactory
from tests.uyghur_pdf import assert_joined, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def bilingual(on: bool = True) -> None:
    Organization.objects.filter(kind=Organization.Kind.HR_BUREAU, region__code="650100").update(
        certificate_bilingual=on)


def test_R5_3_a_uyghur_script_name_prints_joined_and_in_order_in_the_uyghur_font(issue):
    certificate = issue(render=True, holder=UserFactory(real_name="مۇھەممەت ئىمىن"))
    data = pdf_bytes(certificate)
    assert "مۇھەممەت ئىمىن" in pdf_text(data)
    assert "UKIJ-Tuz-Tom" in pdf_fonts(data)
    assert_joined(data, "مۇھەممەت ئىمىن")  # م initial in مۇ, medial in ئىمىن


def test_R5_3_certificates_are_chinese_only_by_default(issue):
    certificate = issue(render=True, holder=UserFactory(real_name="买买提·艾力", name_ug="مەمەت ئەلى"))
    text = pdf_text(pdf_bytes(certificate))
    assert "买买提·艾力" in text and "工程师" in text
    assert "گۇۋاھنامىسى" not in text and "مەمەت ئەلى" not in text


def test_R5_3_a_bureau_turns_on_bilingual_certificates_title_and_name_in_uyghur(issue):
    bilingual()
    certificate = issue(render=True, holder=UserFactory(real_name="买买提·艾力", name_ug="مەمەت ئەلى"))
    data = pdf_bytes(certificate)
    text = pdf_text(data)
    for expected in ("职 称 证 书", "كەسپىي ئۇنۋان گۇۋاھنامىسى", "买买提·艾力", "مەمەت ئەلى", "工程师", "ئىنژېنېر",
                     "本证书以中文文本为准", "بۇ گۇۋاھنامىدە خەنزۇچە تېكىست ئاساس قىلىنىدۇ"):
        assert expected in text, expected
    assert_joined(data, "كەسپىي ئۇنۋان گۇۋاھنامىسى")
    assert_joined(data, "مەمەت ئەلى")
    # The signed record keeps the Chinese, the legal text; nothing Uyghur is signed.
    record = json.loads(certificate.record)
    assert "工程师" in certificate.record and "买买提·艾力" in certificate.record
    assert not any("\u0600" <= c <= "\u06ff" for c in certificate.record), record
    from certificates import services

    assert services.certificate_verify_file(data=data).outcome == "valid"


def test_R5_3_a_bilingual_certificate_without_a_uyghur_title_name_prints_the_chinese_only(issue):
    from applications.models import TitleName

    bilingual()
    TitleName.objects.filter(series__code="engineering", level="intermediate").update(name_ug="")
    certificate = issue(render=True)
    text = pdf_text(pdf_bytes(certificate))
    assert "كەسپىي ئۇنۋان گۇۋاھنامىسى" in text and "工程师" in text and "ئىنژېنېر" not in text


def test_R5_3_without_a_uyghur_font_a_uyghur_name_is_refused_not_printed_as_boxes(issue, monkeypatch):
    cjk_only = fonts.FontSet({"primary": {"family": "Noto Serif CJK SC"},
                              "fallbacks": [{"family": "Noto Serif CJK SC"}]})
    monkeypatch.setattr(fonts, "_fontset", cjk_only)
    assert fonts.uncovered("ئەلى") == ["ئ", "ە", "ل", "ى"]
    with pytest.raises(PortalError, match="no certificate font can print"):
        issue(holder=UserFactory(real_name="ئەلى مەمەت"))
