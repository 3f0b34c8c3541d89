"""The Simplified Chinese UI: pages render in Chinese by default, the English
switch works, and the zh_Hans catalogue is complete and compiled.

``tests/conftest.py`` forces English for every test; these tests switch the
site language back to zh-hans themselves.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

# Page -> (Chinese labels that must appear, English labels that must not).
PAGES = {
    "home": (["登录", "注册", "企业注册", "新疆职称申报评审平台"],
             ["Log in", "Sign up", "Register an enterprise", "Xinjiang Professional Title Portal"]),
    "login": (["登录", "手机号码或居民身份证号码", "密码", "还没有账号？"],
              ["Log in", "Mobile number or ID number", "No account yet?"]),
    "enterprise-register": (["统一社会信用代码", "企业名称", "营业执照", "提交审核", "单位管理员"],
                            ["Unified social credit code", "Enterprise name", "Business licence",
                             "Submit for approval"]),
    "eligibility": (["申报条件自测", "职称系列", "申报级别", "最高学历"],
                    ["Eligibility self-check", "Title series", "Highest education"]),
}


@pytest.fixture
def chinese(settings):
    """Undo the suite-wide English of ``tests/conftest.py`` for one test."""
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def page(client, name, **headers):
    response = client.get(reverse(name), **headers)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def assert_chinese(html, name):
    present, absent = PAGES[name]
    for label in present:
        assert label in html, f"{name}: {label!r} missing"
    for label in absent:
        assert label not in html, f"{name}: English {label!r} shown"
    assert '<html lang="zh-hans">' in html


def assert_english(html, name):
    present, absent = PAGES[name]
    for label in absent:
        assert label in html, f"{name}: {label!r} missing"
    for label in present:
        assert label not in html, f"{name}: Chinese {label!r} shown"
    assert '<html lang="en">' in html


# --- Pages ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PAGES))
def test_pages_in_chinese_by_accept_language(client, chinese, name):
    assert_chinese(page(client, name, HTTP_ACCEPT_LANGUAGE="zh-hans"), name)


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_in_chinese_by_default(client, chinese, name):
    """No Accept-Language header: LANGUAGE_CODE (zh-hans) decides."""
    assert_chinese(page(client, name), name)


@pytest.mark.parametrize("name", list(PAGES))
def test_language_cookie_zh_hans_wins_over_browser_english(client, chinese, settings, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert_chinese(page(client, name, HTTP_ACCEPT_LANGUAGE="en"), name)


def test_switch_to_english_and_back(client, chinese):
    html = page(client, "home", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert_chinese(html, "home")
    assert 'name="language" value="en"' in html  # the switch is offered

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    for name in PAGES:
        assert_english(page(client, name, HTTP_ACCEPT_LANGUAGE="zh-hans"), name)
    assert 'name="language" value="zh-hans"' in page(client, "home")

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    for name in PAGES:
        assert_chinese(page(client, name, HTTP_ACCEPT_LANGUAGE="en"), name)


def test_login_error_in_chinese(client, chinese):
    response = client.post(reverse("login"), {"username": "13900000000", "password": "wrong-Password-1"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "手机号码/居民身份证号码或密码错误" in html
    assert "the password is wrong" not in html


def test_runtime_catalogue_is_chinese(chinese):
    from django.utils.translation import gettext, ngettext, pgettext

    assert gettext("Unified social credit code") == "统一社会信用代码"
    assert gettext("Log in") == "登录"
    assert gettext("HR administrator") == "单位管理员"
    assert pgettext("link", "Open") == "查看"
    assert ngettext("%(years)s year", "%(years)s years", 3) % {"years": 3} == "3年"


# --- The catalogue ------------------------------------------------------------

def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r'\\(.)', lambda m: escapes[m.group(1)], body[1:-1])


def read_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry with its flags and fields
    (``msgid``, ``msgid_plural``, ``msgctxt``, ``msgstr``, ``msgstr[0]`` …);
    obsolete (``#~``) entries are skipped."""
    entries, current, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current and current["fields"]:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {"flags": set(), "fields": {}, "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current["fields"][key] += _unquote(line)
        else:
            key, _space, value = line.partition(" ")
            current["fields"][key] = _unquote(value)
    return [entry for entry in entries if not entry["obsolete"]]


def _messages(entries):
    return [entry for entry in entries if entry["fields"].get("msgid")]


def _translations(fields):
    return [value for key, value in fields.items() if key.startswith("msgstr")]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def test_po_header_declares_chinese_with_one_plural_form():
    header = next(entry for entry in read_po(PO_FILE) if entry["fields"].get("msgid") == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: zh_Hans\n" in header["fields"]["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["fields"]["msgstr"]
    assert "charset=UTF-8" in header["fields"]["msgstr"]


def test_every_entry_is_translated_and_not_fuzzy():
    messages = _messages(read_po(PO_FILE))
    assert len(messages) > 500
    untranslated = [e["fields"]["msgid"] for e in messages if not all(_translations(e["fields"]))]
    fuzzy = [e["fields"]["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_placeholders():
    wrong = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        expected = set(PLACEHOLDER.findall(fields["msgid"])) | set(PLACEHOLDER.findall(fields.get("msgid_plural", "")))
        for translation_text in _translations(fields):
            if set(PLACEHOLDER.findall(translation_text)) != expected:
                wrong.append((fields["msgid"], translation_text))
    assert wrong == []


def test_translations_keep_rule_ids():
    """Rule ids such as (R1.3) are kept as they are."""
    wrong = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        rules = set(re.findall(r"R\d+\.\d+", fields["msgid"]))
        for translation_text in _translations(fields):
            if set(re.findall(r"R\d+\.\d+", translation_text)) != rules:
                wrong.append((fields["msgid"], translation_text))
    assert wrong == []


def test_mo_is_compiled_from_the_current_po():
    """Every translation of the .po is in the .mo: compilemessages was run."""
    with MO_FILE.open("rb") as handle:
        catalog = gettext_module.GNUTranslations(handle)._catalog
    stale = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        msgid = fields["msgid"]
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            if catalog.get((msgid, 0)) != fields["msgstr[0]"]:
                stale.append(msgid)
        elif catalog.get(msgid) != fields["msgstr"]:
            stale.append(msgid)
    assert stale == []


def test_runtime_uses_every_project_translation(chinese):
    """What Django serves in zh-hans is what the project catalogue says: the
    .mo is fresh and no app catalogue shadows it."""
    from django.utils.translation import gettext, ngettext, pgettext

    wrong = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        if "msgid_plural" in fields:
            served = ngettext(fields["msgid"], fields["msgid_plural"], 1)
            expected = fields["msgstr[0]"]
        elif "msgctxt" in fields:
            served, expected = pgettext(fields["msgctxt"], fields["msgid"]), fields["msgstr"]
        else:
            served, expected = gettext(fields["msgid"]), fields["msgstr"]
        if served != expected:
            wrong.append((fields["msgid"], served, expected))
    assert wrong == []


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_every_password_rule_speaks_the_users_language(language):
    """Django 5.2.x changed the msgid of the too-short message to ``%d`` and its zh_Hans catalogue
    lags behind: a Chinese page said "This password is too short…" in English at sign-up."""
    from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
    from django.core.exceptions import ValidationError

    from portal.models import User

    with translation.override(language):
        messages = list(password_validators_help_texts())
        for password in ("abc", "12345678", "mamat12345"):
            try:
                validate_password(password, user=User(real_name="mamat12345", mobile="13800138000"))
            except ValidationError as error:
                messages += error.messages
    assert len(messages) > 6
    english = [m for m in messages if re.search(r"[A-Za-z]{4,}", m)]
    assert not english, english


def test_django_messages_people_meet_are_all_in_chinese(chinese):
    """Every message of Django's forms, validators and accounts has a Chinese translation, from
    Django's catalogue or from ours (a Django upgrade that changes a msgid fails here)."""
    import django

    base = Path(django.__file__).parent
    untranslated = []
    for domain in ("conf/locale", "contrib/auth/locale"):
        text = (base / domain / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        for match in re.finditer(r'^(msgctxt .*\n)?msgid ((?:".*"\n)+)(msgid_plural ((?:".*"\n)+))?', text, re.M):
            msgid = "".join(_unquote(line) for line in match.group(2).splitlines())
            if match.group(1) or not re.search(r"[a-z]{3}", re.sub(r"%\(\w+\)\w", "", msgid)):
                continue  # (a month's abbreviation in its context; a text of placeholders only)
            if match.group(3):
                plural = "".join(_unquote(line) for line in match.group(4).splitlines())
                translated = translation.ngettext(msgid, plural, 2)
                if translated in (msgid, plural):
                    untranslated.append(msgid)
            elif translation.gettext(msgid) == msgid:
                untranslated.append(msgid)
    assert not untranslated, untranslated
