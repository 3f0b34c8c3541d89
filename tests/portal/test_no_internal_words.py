"""Issue 12 §1: no internal word reaches a person.

On the demo world (``manage.py demo_data``, what ``make run`` builds), log in as every demo login the
README lists and as a visitor, walk every page reachable by links in zh-hans, in English and in Uyghur,
read the portal's PDFs and spreadsheets met on the way, then every notification, email and SMS the demo sent;
fail on

* a code of the project (any ``TextChoices`` value or field choice with an underscore, a material or
  field key, ``achievement:11``) shown as text, in any language;
* an English word on a zh-hans page outside ``tests.crawler.ALLOWED_ENGLISH`` and outside what people
  typed (names, titles, addresses);
* Chinese on an English page outside what people typed (names, titles, addresses);
* Chinese or English on a Uyghur page outside what people typed: the portal's words and its reference
  data (regions, series, specialties) are in Uyghur there.

The certificate (a PDF) is an official Chinese document whatever the reader's language: it is read with
the zh-hans rules. The demo is built in zh-hans, as ``make run`` builds it (the rest of the suite
works in English).

``KNOWN_LEAKS`` (``known_leaks.json``) is empty since issue 12 §1 was finished: any leak fails the
test. ``KNOWN_LEAKS_WRITE=1`` (with ``-s``) prints every finding with where it was met and records them
there instead of failing, to see what a change broke; fix the code, never the list.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from portal.models import User
from tests import crawler

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"
#: Pages that are the same for everyone: read once per language (as the visitor), not once per login.
PUBLIC = re.compile(r"^/(?:eligibility|policies|publicity|verify|integrity/(?:report|status))(?:/|$)")
#: Official Chinese documents, read with the zh-hans rules in both languages.
CHINESE_DOCUMENTS = re.compile(r"/certificates/\d+/pdf/$")
#: The Chinese an English page may carry: the language switch names itself, and the notice the
#: portal implements is cited by its number.
CHINESE_PROPER_NAMES = ("中文", "新人社发〔2023〕70号")

#: What is still wrong, as [kind, word] pairs (issue 12): to be fixed, never to grow. With
#: ``KNOWN_LEAKS_WRITE=1`` the test writes what it found there instead of failing (to record fixes).
KNOWN_LEAKS_FILE = Path(__file__).with_name("known_leaks.json")
KNOWN_LEAKS: set[tuple[str, str]] = {tuple(pair) for pair in json.loads(KNOWN_LEAKS_FILE.read_text("utf-8"))}


def demo_logins() -> list[str]:
    return re.findall(r"^\| [^|]+\| (1\d{10}) \|", README.read_text(encoding="utf-8"), re.M)


class Findings:
    def __init__(self):
        self.codes = crawler.project_codes()
        self.pattern = crawler.code_pattern(self.codes)
        data = crawler.typed_data()
        self.zh_data = crawler.data_pieces(data, re.compile(r"[A-Za-z]"))
        self.en_data = [*crawler.data_pieces(data, crawler.CJK_LETTERS), *CHINESE_PROPER_NAMES]
        self.where: dict[tuple[str, str], set[str]] = defaultdict(set)

    def check(self, where: str, text: str, language: str) -> None:
        for word in crawler.code_leaks(text, self.pattern):
            self.where[("code", word)].add(where)
        if language == "zh-hans":
            for word in crawler.english_words(text, self.zh_data):
                self.where[("english on a Chinese page", word)].add(where)
        elif language == "ug":
            for word in crawler.english_words(text, self.zh_data):
                self.where[("English on a Uyghur page", word)].add(where)
            for run in crawler.chinese_runs(text, self.en_data):
                self.where[("Chinese on a Uyghur page", run)].add(where)
        else:
            for run in crawler.chinese_runs(text, self.en_data):
                self.where[("Chinese on an English page", run)].add(where)

    def report(self, keys) -> str:
        return "\n".join(f"{kind}: {word!r} in {sorted(self.where[(kind, word)])[:4]}" for kind, word in sorted(keys))


def test_crawler_finds_codes_english_and_chinese_where_they_do_not_belong():
    """The detectors can fail: each finds what it looks for and leaves data and allowed words alone."""
    pattern = crawler.code_pattern(crawler.project_codes())
    text, links = crawler.visible_text(
        '<main><h1>申报级别：deputy_senior</h1><p title="evidence">业绩成果 achievement:11</p>'
        '<script>var level = "junior_x";</script><a href="/applications/3/">PDF 下载</a>'
        '<input type="submit" value="Submit"><style>.x{}</style></main>')
    assert links == ["/applications/3/"]
    assert crawler.code_leaks(text, pattern) == ["deputy_senior", "achievement:11"]
    assert crawler.english_words(text) == ["deputy_senior", "evidence", "Submit"]
    assert crawler.english_words("张伟 Zhang Wei 上传了 licence.pdf，见 https://x.example/a", ["Zhang Wei"]) == []
    assert crawler.chinese_runs("Level: 副高级 (applicant 张伟)", ["张伟"]) == ["副高级"]


def test_no_internal_word_reaches_a_person(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        call_command("demo_data", stdout=StringIO())
    findings = Findings()
    # What the demo sent, in each recipient's language (before the walk changes anyone's language).
    for message in mail.outbox:
        findings.check(f"email to {message.to} «{message.subject}»", f"{message.subject}\n{message.body}", "zh-hans")
    from portal.sms.backends.filebased import read_messages

    for message in read_messages():
        findings.check(f"SMS to {message['to']}", message["text"], "zh-hans")
    from portal.models import Notification

    for subject, body, language in Notification.objects.values_list("subject", "body", "recipient__language"):
        findings.check(f"notification «{subject}»", f"{subject}\n{body}", language or settings.LANGUAGE_CODE)

    logins = demo_logins()
    assert len(logins) >= 22, "the README lists a login for every role"
    pages: dict[str, int] = {}
    for language in ("zh-hans", "en", "ug"):
        for mobile in [None, *logins]:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            if mobile is not None:
                user = User.objects.get(mobile=mobile)
                User.objects.filter(pk=user.pk).update(language=language)
                client.force_login(user)

            def visit(page: crawler.Visit, language=language, who=mobile or "visitor"):
                rules = "zh-hans" if CHINESE_DOCUMENTS.search(page.url) else language
                findings.check(f"{page.url} ({who}, {language})", page.text, rules)

            skip = None if mobile is None else PUBLIC
            walk = crawler.crawl(client, ["/"], visit, skip=skip)
            pages[f"{mobile}:{language}"] = len(walk.visited)
            errors = {url: status for url, status in walk.visited.items() if status >= 500}
            assert not errors, f"{mobile} ({language}) met server errors: {errors}"
    # Every login reached more than its home page (a broken login would pass every check vacuously).
    assert all(count >= 3 for count in pages.values()), pages

    found = set(findings.where)
    if os.environ.get("KNOWN_LEAKS_WRITE"):
        print("Found:\n" + findings.report(found))  # noqa: T201
        KNOWN_LEAKS_FILE.write_text(json.dumps(sorted(found), ensure_ascii=False, indent=0) + "\n", "utf-8")
        return
    stale = KNOWN_LEAKS - found
    if stale:
        print("Fixed, remove from KNOWN_LEAKS:", sorted(stale))  # noqa: T201
    new = found - KNOWN_LEAKS
    assert not new, "Internal words reach people:\n" + findings.report(new)
