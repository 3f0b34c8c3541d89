"""The words of the two catalogues, read as a reader reads them: no English word left in the Chinese
(beyond codes, units, file formats and product names), Chinese punctuation in Chinese and Uyghur
punctuation in Uyghur, and Django's own messages our forms show in proper Chinese too.

Each allow-list names what may stay, with why; anything new that is not on it is a finding."""

from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from django.utils import translation

from tests.portal.test_i18n import _messages, _translations, _unquote, read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ZH = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
UG = LOCALE / "ug" / "LC_MESSAGES" / "django.po"

# Placeholders (%(name)s, %(value)r, %d, {input}, {code_point:X}) and HTML tags are not words.
PLACEHOLDERS = re.compile(r"%\(\w+\)[sdrif]|%[sd]|\{\w*(?::\w+)?\}|<[^>]*>")
CJK = "\u3400-\u9fff"
ARABIC = "\u0600-\u06ff"

#: Latin words a Chinese or Uyghur text keeps, being a code, a unit, a file format, a standard or a
#: product's name, or what a client types (an HTTP header, a JSON literal, a URL, a command).
ALLOWED_LATIN = {
    # file formats, standards, units, products
    "PDF", "JPEG", "PNG", "HEIC", "EXIF", "Excel", "xlsx", "xls", "WPS", "Word", "JSON", "UTF-8", "SHA-256",
    "JWS", "QR", "MB", "dpi", "GB", "GB/T", "API", "CSRF", "HTTP", "NUL",
    # Excel's column letters, the ID number's check letter, the format of a code point
    "A", "B", "X", "x", "U+",
    # examples of numbers people type: a certificate number, a grant key, a date's pattern
    "ENG-000123-K", "GCS-000123-X", "application", "YYYY-MM-DD", "R-",
    # what an API client or an operator types
    "Accept", "Authorization", "Token", "null", "true", "false", "pk", "cursor", "name_en", "name_ug",
    "accounts/register/confirm/", "accounts/password/reset/confirm/", "manage.py", "certificate_keys",
    "generate", "audit_sequencer", "docs/audit.md", "UPLOAD_MAX_BYTES",
}
RULE_ID = re.compile(r"R\d+\.\d+\.?")


def _latin_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9.\-_+/]*", PLACEHOLDERS.sub(" ", text))
            if w.rstrip(".") not in ALLOWED_LATIN and w not in ALLOWED_LATIN and not RULE_ID.fullmatch(w)]


@pytest.mark.parametrize("path", [ZH, UG], ids=["zh_hans", "ug"])
def test_no_english_word_is_left_in_a_translation(path):
    """A translated text has no English word in it beyond ``ALLOWED_LATIN`` (and rule ids)."""
    found = []
    for entry in _messages(read_po(path)):
        for text in _translations(entry["fields"]):
            if words := _latin_words(text):
                found.append((entry["fields"]["msgid"], words))
    assert found == []


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    """ASCII sentence punctuation where Chinese uses full-width: after a Chinese character, or before
    one (``.``, ``,``, ``:``, ``;``, ``?``, ``!``), or a sentence ending in an ASCII one after Chinese. A
    point inside a number or a file's extension (``.xlsx``) is no sentence punctuation."""
    text = PLACEHOLDERS.sub("0", text)
    return (re.findall(rf"[{CJK}）”]\s*[,:;?!]|[{CJK}）”]\s*\.(?![A-Za-z0-9])", text)
            + re.findall(rf"[.,:;?!]\s*[{CJK}]", re.sub(r"\.[A-Za-z]+", "", text)))


def test_zh_hans_translations_use_full_width_punctuation():
    found = []
    for entry in _messages(read_po(ZH)):
        for text in _translations(entry["fields"]):
            if hits := ascii_punctuation_in_chinese(text):
                found.append((entry["fields"]["msgid"], text, hits))
    assert found == []


#: Uyghur texts that keep an ASCII comma on purpose: none today. (A comma between digits, 10,000,
#: groups thousands and is allowed by the test itself.)
UG_ASCII_COMMA_ON_PURPOSE: set[str] = set()


def test_ug_translations_use_uyghur_comma_semicolon_and_question_mark():
    """Uyghur writes ، ؛ ؟: an ASCII , ; ? in a Uyghur text (not a comma between digits) is a slip,
    and so is Chinese punctuation (，。；：？、) carried over from the Chinese."""
    found = []
    for entry in _messages(read_po(UG)):
        msgid = entry["fields"]["msgid"]
        for text in _translations(entry["fields"]):
            bare = re.sub(r"(?<=\d),(?=\d{3})", "", PLACEHOLDERS.sub("0", text))
            if (msgid not in UG_ASCII_COMMA_ON_PURPOSE and re.search(r"[,;?]", bare)) \
                    or re.search(r"[，。；：？！、]", bare):
                found.append((msgid, text))
    assert found == []


def test_the_checks_find_what_they_are_for():
    assert _latin_words("请上传PDF文件（R3.2），或者 upload it later") == ["upload", "it", "later"]
    assert ascii_punctuation_in_chinese("确认小数不超过 %(max)s 位.") == ["位."]
    assert ascii_punctuation_in_chinese("不允许使用代理字符: U+{code_point:X}。") == ["符:"]
    assert ascii_punctuation_in_chinese("请另存为.xlsx格式，例如 1,200.5。") == []


# --- Django's own messages, as our forms show them ------------------------------------------------

#: Django's zh_Hans catalogue writes these with ASCII punctuation; ours overrides them (as it does the
#: password-too-short message). Each is checked below in Chinese and in Uyghur.
DJANGO_OVERRIDDEN = [
    ("Ensure that there are no more than %(max)s decimal place.",
     "Ensure that there are no more than %(max)s decimal places."),
    ("Ensure that there are no more than %(max)s digit in total.",
     "Ensure that there are no more than %(max)s digits in total."),
    ("Please correct the duplicate data for %(field)s, which must be unique.", None),
    ("Please correct the duplicate data for %(field_name)s which must be unique for the %(lookup)s in "
     "%(date_field)s.", None),
    ("Please correct the duplicate values below.", None),
    ("CSRF verification failed. Request aborted.", None),
    ("Set password: %s", None),
]

#: Django texts that are no sentence: the ``yesno`` filter's default (split on its ASCII commas),
#: a.m./p.m., and a separator list.
DJANGO_NOT_SENTENCES = {"yes,no,maybe", "a.m.", "p.m.", ":?.!", ":"}


def _django_messages():
    base = Path(django.__file__).parent
    for domain in ("conf/locale", "contrib/auth/locale"):
        text = (base / domain / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        for match in re.finditer(r'^(msgctxt .*\n)?msgid ((?:".*"\n)+)(msgid_plural ((?:".*"\n)+))?', text, re.M):
            msgid = "".join(_unquote(line) for line in match.group(2).splitlines())
            if match.group(1) or not msgid or msgid in DJANGO_NOT_SENTENCES:
                continue
            plural = "".join(_unquote(line) for line in match.group(4).splitlines()) if match.group(3) else None
            yield msgid, plural


def test_django_messages_in_chinese_use_full_width_punctuation():
    """"确认小数不超过 2 位." — Django's Chinese for a decimal field, shown on our forms — ended in an
    ASCII point. Every message of Django's forms, validators and accounts, as served in zh-hans, is
    checked; a poor one is overridden in our catalogue (``DJANGO_OVERRIDDEN``)."""
    found = []
    with translation.override("zh-hans"):
        for msgid, plural in _django_messages():
            text = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
            if ascii_punctuation_in_chinese(text):
                found.append((msgid, text))
    assert found == []


@pytest.mark.parametrize("msgid, plural", DJANGO_OVERRIDDEN)
@pytest.mark.parametrize("language, script", [("zh-hans", CJK), ("ug", ARABIC)])
def test_django_messages_we_override_are_ours_in_both_languages(msgid, plural, language, script):
    with translation.override(language):
        text = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
    assert re.search(f"[{script}]", text), text
    assert text[-1] not in ".," or language == "ug"


def test_a_decimal_fields_message_reads_in_chinese_on_a_form():
    from django import forms

    class Form(forms.Form):
        amount = forms.DecimalField(max_digits=12, decimal_places=2)

    with translation.override("zh-hans"):
        assert list(Form({"amount": "1.234"}).errors["amount"]) == ["请确认小数不超过 2 位。"]


def test_drf_messages_in_chinese_use_full_width_punctuation():
    """The API's own refusals (DRF's catalogue, or ours where we override it) as served in zh-hans."""
    import gettext as gettext_module

    import rest_framework

    path = Path(rest_framework.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        msgids = [key for key in gettext_module.GNUTranslations(handle)._catalog if isinstance(key, str) and key]
    assert len(msgids) > 50
    with translation.override("zh-hans"):
        found = [(m, translation.gettext(m)) for m in msgids if ascii_punctuation_in_chinese(translation.gettext(m))]
    assert found == []
