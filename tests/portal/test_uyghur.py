"""Uyghur (ئۇيغۇرچە), the third language: pages right to left with Bootstrap's RTL stylesheet, the
switcher offering 中文 / ئۇيغۇرچە / English and remembering the choice per person, messages in
Uyghur for those who chose it, left-to-right pieces isolated, and the ug catalogue's checks.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal.models import Notification, Topic, User
from portal.notifications import notification_send
from tests.factories import UserFactory
from tests.portal.test_i18n import PLACEHOLDER, _messages, _translations, read_po

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale" / "ug" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
ARABIC = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def page(client, name="home", **headers) -> str:
    response = client.get(reverse(name), **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- Infrastructure ------------------------------------------------------------------------------

def test_uyghur_is_offered_by_its_own_name():
    assert ("ug", "ئۇيغۇرچە") in django_settings.LANGUAGES
    assert translation.get_language_info("ug")["bidi"] is True
    assert [code for code, _name in django_settings.LANGUAGES] == ["zh-hans", "ug", "en"]


@pytest.mark.parametrize("name", ["home", "login", "signup", "certificate-verify", "eligibility"])
def test_a_uyghur_page_is_right_to_left_with_bootstraps_rtl_stylesheet(client, settings, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    html = page(client, name)
    assert html_tag(html) == '<html lang="ug" dir="rtl">'
    assert "bootstrap/css/bootstrap.rtl.min.css" in html
    assert "bootstrap/css/bootstrap.min.css" not in html
    assert "portal/css/rtl.css" in html
    assert "شىنجاڭ كەسپىي ئۇنۋان سۇپىسى" in html  # the brand, in Uyghur


def test_uyghur_is_chosen_from_the_browser_too(client):
    html = page(client, HTTP_ACCEPT_LANGUAGE="ug,zh-CN;q=0.8")
    assert html_tag(html) == '<html lang="ug" dir="rtl">'
    assert ">كىرىش<" in html and ">Log in<" not in html and ">登录<" not in html


@pytest.mark.parametrize("code", ["zh-hans", "en"])
def test_chinese_and_english_pages_stay_left_to_right(client, settings, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    html = page(client)
    assert html_tag(html) == f'<html lang="{code}">'  # left to right, the default
    assert "bootstrap/css/bootstrap.min.css" in html and "bootstrap.rtl" not in html


@pytest.mark.parametrize("code", ["zh-hans", "ug", "en"])
def test_the_switcher_offers_all_three_languages_by_their_own_names(client, settings, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    html = page(client)
    switch = re.search(r'<form[^>]*data-testid="language-switch".*?</form>', html, re.S).group(0)
    buttons = re.findall(r'<button[^>]*value="([^"]+)" lang="[^"]+" dir="(\w+)"([^>]*)>([^<]+)</button>', switch)
    assert [(value, direction, label) for value, direction, _attrs, label in buttons] == [
        ("zh-hans", "ltr", "中文"), ("ug", "rtl", "ئۇيغۇرچە"), ("en", "ltr", "English")]
    current = [value for value, _direction, attrs, _label in buttons if "aria-current" in attrs]
    assert current == [code]


def test_switching_to_uyghur_is_remembered_for_the_person(client, settings):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ug", "next": reverse("home")})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "ug"
    # Another browser, one whose own language is English: after logging in, pages are in Uyghur.
    other = client.__class__()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    other.force_login(user)
    html = page(other, HTTP_ACCEPT_LANGUAGE="en")
    assert html_tag(html) == '<html lang="ug" dir="rtl">'


def test_a_person_who_chose_uyghur_gets_notifications_emails_and_sms_in_uyghur(deliver, settings):
    from django.utils.translation import gettext as _

    from tests.factories import sms_to

    settings.LANGUAGE_CODE = "zh-hans"
    ug = UserFactory(language="ug", real_name="买买提·艾力")
    zh = UserFactory(language="zh-hans")
    deliver(notification_send, recipients=[ug, zh], topic=Topic.SECURITY,
            subject=lambda: _("Your password was changed"),
            body=lambda: _("Your code: %(code)s") % {"code": "123456"})
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert by_user[ug.pk].subject == "پارولىڭىز ئۆزگەرتىلدى"
    assert by_user[ug.pk].body == "دەلىللەش كودىڭىز: 123456"
    assert by_user[zh.pk].subject == "您的密码已修改"
    [email] = [m for m in mail.outbox if m.to == [ug.email]]
    assert email.body.startswith("ھۆرمەتلىك 买买提·艾力:")
    assert "پارولىڭىز ئۆزگەرتىلدى" in email.subject
    [text] = sms_to(ug.mobile)
    assert "پارولىڭىز ئۆزگەرتىلدى" in text


def test_the_persons_name_is_isolated_in_the_navigation(client):
    user = UserFactory(language="ug", real_name="买买提·艾力")
    client.force_login(user)
    assert "<bdi>买买提·艾力</bdi>" in page(client)


def test_bdi_isolates_and_escapes():
    template = Template("{% load bidi %}{{ value|bdi }}|{{ empty|bdi }}")
    assert template.render(Context({"value": "<139****0000>", "empty": ""})) == "<bdi>&lt;139****0000&gt;</bdi>|"


def test_arrows_that_point_a_direction_are_marked_to_be_mirrored():
    """← and → do not mirror by themselves in right-to-left text (‹ › « » do): every one in a
    template sits in a ``dir-arrow`` span, which rtl.css flips on Uyghur pages."""
    templates = Path(django_settings.BASE_DIR) / "templates"
    bare = []
    for path in templates.rglob("*.html"):
        if "pdf" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'<span class="dir-arrow"[^>]*>(?:←|→|&larr;|&rarr;)</span>', "", text)
        if re.search(r"←|→|&larr;|&rarr;", text):
            bare.append(path.relative_to(templates))
    assert bare == []
    css = (Path(django_settings.BASE_DIR) / "static" / "portal" / "css" / "rtl.css").read_text()
    assert re.search(r'\[dir="rtl"\] \.dir-arrow \{[^}]*scaleX\(-1\)', css)


def test_the_web_font_stack_names_uyghur_fonts_and_loads_nothing_from_outside():
    css = (Path(django_settings.BASE_DIR) / "static" / "portal" / "css" / "rtl.css").read_text()
    assert '"UKIJ Tuz Tom"' in css and '"Noto Naskh Arabic"' in css
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


# --- The ug catalogue ---------------------------------------------------------------------------

def test_ug_po_header_declares_uyghur_with_two_plural_forms():
    header = next(entry for entry in read_po(PO_FILE) if entry["fields"].get("msgid") == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: ug\n" in header["fields"]["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["fields"]["msgstr"]
    assert "charset=UTF-8" in header["fields"]["msgstr"]


def _untranslated() -> list[str]:
    return [e["fields"]["msgid"] for e in _messages(read_po(PO_FILE)) if not all(_translations(e["fields"]))]


def test_every_ug_entry_is_translated_and_not_fuzzy():
    """No empty msgstr (nor an empty plural form) and no fuzzy flag. (It was an ``xfail`` while the
    catalogue was being translated, so an empty entry passed unseen; the catalogue is complete.)"""
    messages = _messages(read_po(PO_FILE))
    assert len(messages) > 500
    assert _untranslated() == []
    assert [e["fields"]["msgid"] for e in messages if "fuzzy" in e["flags"]] == []


def test_a_translation_wrapped_over_lines_is_no_empty_one():
    """``msgstr ""`` followed by continued lines is how a long translation is written, not an empty
    one: the QR code's message reads in Uyghur where it is shown."""
    entry = next(e for e in _messages(read_po(PO_FILE))
                 if e["fields"]["msgid"] == "Verification by QR code is off. Number and name still verify.")
    assert ARABIC.search(entry["fields"]["msgstr"])
    with translation.override("ug"):
        served = translation.gettext("Verification by QR code is off. Number and name still verify.")
    assert served == entry["fields"]["msgstr"] and served.startswith("QR كودى")


def test_ug_has_the_same_entries_as_zh_hans():
    """Both catalogues come from one makemessages run: no string is missing from the Uyghur one."""
    zh = {(e["fields"].get("msgctxt"), e["fields"]["msgid"]) for e in _messages(read_po(
        PO_FILE.parents[2] / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    ug = {(e["fields"].get("msgctxt"), e["fields"]["msgid"]) for e in _messages(read_po(PO_FILE))}
    assert zh - ug == set()


def test_no_translated_ug_entry_is_fuzzy():
    assert [e["fields"]["msgid"] for e in _messages(read_po(PO_FILE))
            if "fuzzy" in e["flags"] and all(_translations(e["fields"]))] == []


def test_ug_translations_keep_placeholders_and_rule_ids():
    wrong = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        expected = set(PLACEHOLDER.findall(fields["msgid"])) | set(PLACEHOLDER.findall(fields.get("msgid_plural", "")))
        rules = set(re.findall(r"R\d+\.\d+", fields["msgid"]))
        for text in _translations(fields):
            if not text:
                continue
            if set(PLACEHOLDER.findall(text)) != expected or set(re.findall(r"R\d+\.\d+", text)) != rules:
                wrong.append((fields["msgid"], text))
    assert wrong == []


def test_ug_translations_are_in_uyghur_script():
    """A translated entry carries Arabic-script Uyghur (not a copy of the English), except the
    few that are names or codes on purpose."""
    same_on_purpose = {"API", "%(value)s", "%(name)s"}
    wrong = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        for text in _translations(fields):
            if text and not ARABIC.search(text) and fields["msgid"] not in same_on_purpose \
                    and re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", fields["msgid"])):
                wrong.append((fields["msgid"], text))
    assert wrong == []


def test_ug_mo_is_compiled_from_the_current_po():
    with MO_FILE.open("rb") as handle:
        catalog = gettext_module.GNUTranslations(handle)._catalog
    stale = []
    for entry in _messages(read_po(PO_FILE)):
        fields = entry["fields"]
        if not all(_translations(fields)):
            continue
        msgid = fields["msgid"]
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            if catalog.get((msgid, 0)) != fields["msgstr[0]"]:
                stale.append(msgid)
        elif catalog.get(msgid) != fields["msgstr"]:
            stale.append(msgid)
    assert stale == []


def test_runtime_serves_the_uyghur_catalogue():
    with translation.override("ug"):
        from django.utils.translation import gettext

        assert gettext("Log in") == "كىرىش"
        assert gettext("ID number") == "كىملىك نومۇرى"
    assert User._meta.get_field("language").choices  # the settings page offers it (language_choices)


def test_an_sms_joins_a_uyghur_question_to_its_body_with_a_space(settings):
    from portal import delivery

    settings.SMS_SIGNATURE = "【新疆职称】"
    question = "پارولىڭىزنى ئۇنتۇپ قالدىڭىزمۇ؟"
    assert delivery.sms_text(question, "كود: 1") == f"【新疆职称】{question} كود: 1"
    assert delivery.sms_text("پارولىڭىز ئۆزگەرتىلدى", "كود: 1") == "【新疆职称】پارولىڭىز ئۆزگەرتىلدى: كود: 1"


def test_isolate_gives_each_piece_its_own_direction_on_uyghur_pages_only():
    template = Template("{% load bidi %}{{ zh|isolate }}|{{ ug|isolate }}|{{ number|isolate }}|"
                        "{% filter isolate %}<b>x</b>{% endfilter %}")
    context = Context({"zh": "不作论文要求（R3.1）。", "ug": "ئىسىم <1>", "number": "2026-12-03 14:05"})
    with translation.override("ug"):
        assert template.render(context) == (
            '<span class="iso-ltr" dir="ltr">不作论文要求（R3.1）。</span>|'
            '<span class="iso-rtl" dir="rtl">ئىسىم &lt;1&gt;</span>|'
            '<span class="iso-ltr" dir="ltr">2026-12-03 14:05</span>|'
            '<span class="iso-ltr" dir="ltr"><b>x</b></span>')
    with translation.override("zh-hans"):
        assert template.render(context) == "不作论文要求（R3.1）。|ئىسىم &lt;1&gt;|2026-12-03 14:05|<b>x</b>"


def test_a_person_keeps_their_name_in_uyghur_script_shown_on_uyghur_pages_only(client, settings):
    user = UserFactory(language="ug", real_name="买买提·艾力")
    client.force_login(user)
    response = client.post(reverse("my-settings"), {"language": "ug", "email": user.email,
                                                     "name_ug": "  مەمەت   ئەلى "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name_ug == "مەمەت ئەلى" and user.real_name == "买买提·艾力"
    assert '<bdi>买买提·艾力</bdi> · <bdi lang="ug">مەمەت ئەلى</bdi>' in page(client)
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    assert "مەمەت ئەلى" not in page(client)


@pytest.mark.parametrize("bad", ["Memet Eli", "买买提", "مەمەت<script>", "م" * 65])
def test_a_name_in_uyghur_script_that_is_not_one_is_refused_and_nothing_changes(client, bad):
    user = UserFactory(language="ug", name_ug="مەمەت ئەلى")
    client.force_login(user)
    response = client.post(reverse("my-settings"), {"language": "en", "email": user.email, "name_ug": bad},
                           follow=True)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.name_ug == "مەمەت ئەلى" and user.language == "ug"
    with translation.override("ug"):
        assert "Arabic letters" in response.content.decode() or "ئەرەب" in response.content.decode()
