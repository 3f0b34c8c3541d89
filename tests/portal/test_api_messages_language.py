"""The API answers bad input in the caller's language, Uyghur included: DRF's own messages (DRF has
no Uyghur catalogue, and Django fell back to Chinese or English for them) and a body that is not
JSON (DRF answered with Python's English parser message)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from rest_framework.exceptions import NotAuthenticated, Throttled

from portal.drf_messages import DJANGO_OVERRIDES, MESSAGES

ARABIC = re.compile(r"[\u0600-\u06FF]")
CJK = re.compile(r"[\u4e00-\u9fff]")
BRACES = re.compile(r"\{\w+(?::\w+)?\}")
VERIFY = "/api/v1/certificates/verify/"


@pytest.mark.parametrize("message", MESSAGES + DJANGO_OVERRIDES)
def test_each_listed_message_is_in_uyghur_and_chinese_with_its_placeholders(message):
    for language, script in (("ug", ARABIC), ("zh-hans", CJK)):
        with translation.override(language):
            text = translation.gettext(message)
        assert script.search(text), (language, message, text)
        assert sorted(BRACES.findall(text)) == sorted(BRACES.findall(message)), (language, text)
        formatted = text.format_map(_Any())  # the placeholders still format, each filled in
        assert "{" not in formatted and ("7" in formatted) == bool(BRACES.search(message)), (language, formatted)


class _Any(dict):
    def __missing__(self, key):
        return 7


def test_the_list_names_messages_drf_really_gives():
    """A message DRF no longer has would sit in the catalogues for nothing: each one listed is in DRF's
    own (Chinese) catalogue, so a DRF upgrade that renames one shows here."""
    import gettext as gettext_module
    from pathlib import Path

    import rest_framework

    catalogue = gettext_module.GNUTranslations(
        (Path(rest_framework.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").open("rb"))
    assert [m for m in MESSAGES if catalogue.gettext(m) == m] == []


@pytest.mark.parametrize("wait, expected", [(1, "1 سېكۇنتتىن "), (30, "30 سېكۇنتتىن ")])
def test_the_throttle_wait_is_said_in_uyghur_in_both_plural_forms(wait, expected):
    with translation.override("ug"):
        detail = str(Throttled(wait=wait).detail)
    assert detail == f"تەلەپ بەك كۆپ بولۇپ كەتتى. {expected}كېيىن قايتا سىناڭ."


def test_not_authenticated_is_in_uyghur_for_a_uyghur_caller():
    with translation.override("ug"):
        assert str(NotAuthenticated().detail) == "سالاھىيەت دەلىللەش ئۇچۇرى تەمىنلەنمىدى."


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ug", "سالاھىيەت دەلىللەش ئۇچۇرى تەمىنلەنمىدى."),
    ("zh-hans", "身份认证信息未提供。"),
    ("en", "Authentication credentials were not provided."),
])
def test_an_anonymous_api_call_is_refused_in_the_callers_language(client, language, expected):
    response = client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (401, 403)
    assert response.json() == {"detail": expected}


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ug", "بۇ بۆلەكنى تولدۇرۇش زۆرۈر."),
    ("zh-hans", "该字段是必填项。"),
    ("en", "This field is required."),
])
def test_a_missing_field_is_named_in_the_callers_language(client, language, expected):
    response = client.post(VERIFY, data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"number": [expected], "name": [expected]}


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ug", "تەلەپنىڭ مەزمۇنى ئىناۋەتلىك JSON ئەمەس (1-قۇر، 12-ئورۇن)."),
    ("zh-hans", "请求内容不是有效的 JSON（第 1 行第 12 列）。"),
    ("en", "The request body is not valid JSON (line 1, column 12)."),
])
def test_a_body_that_is_not_json_is_answered_in_the_callers_language(client, language, expected):
    response = client.post(VERIFY, data='{"number": 布', content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"detail": expected}
    assert "布" not in response.content.decode() and "parse error" not in response.content.decode()


@pytest.mark.django_db
def test_a_body_that_is_not_utf8_is_answered_in_words_not_a_codec_error(client):
    response = client.post(VERIFY, data=b'{"number": "\xff\xfe"}', content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的 UTF-8 文本。"}
