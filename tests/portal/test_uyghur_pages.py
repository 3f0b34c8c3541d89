"""Issue 13: the Uyghur (right-to-left) pages of every demo role, rendered by the test client.

On the demo data (``manage.py demo_data``), each README demo login, in Uyghur, opens its home page and
the pages it links to (two levels, one page of each kind per role). Every page must be ``dir="rtl"``,
must show no date or number run (``2026-12-03 14:05``, ``2 / 7``, ``13900000000``) outside an isolate
(``<bdi>``, ``<time>``, ``dir``, class ``masked``), and no text of the portal's own in Chinese (a text of
the zh_Hans catalogue: a status, a label, a message built without the catalogue) outside an element of
its own direction: ``tests/bidi_check.py``. The browser walk (``tests/e2e/test_uyghur_browser.py``)
runs the same checks in CI; this one runs with the suite, in about a minute.
"""

from __future__ import annotations

import re
from collections import deque
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import Organization, User
from tests.bidi_check import chinese_catalogue_words, unisolated_runs
from tests.e2e.layout import SKIP_PATHS, page_key

pytestmark = pytest.mark.django_db

DEMO_LOGINS = {
    "visitor": None,
    "bureau-officer": "13900000001",
    "regional-officer": "13900000010",
    "hr-admin": "13900000002",
    "applicant": "13900000003",
    "auditor": "13900000007",
    "secretary": "13900001010",
    "chair": "13900002001",
    "expert-draft": "13900002002",
    "expert": "13900002003",
    "agency-officer": "13900001013",
    "applicant-returned": "13900001102",
    "applicant-objected": "13900002102",
    "supervisor": "13900000060",
}
DEPTH = 2
HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')


@pytest.fixture
def demo_in_uyghur(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("demo_data", stdout=StringIO())
    User.objects.update(language="ug")


def walk(client: Client, role: str, seen: set[str], words: frozenset[str]) -> tuple[int, list[str]]:
    """Open the role's pages from its home page; return how many were opened and their problems."""
    queue, mine, opened, problems = deque([("/", 0)]), set(), 0, []
    while queue:
        path, depth = queue.popleft()
        key = page_key(path.split("?")[0])
        if key in mine or SKIP_PATHS.search(path.split("?")[0]):
            continue
        mine.add(key)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="ug", follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        html = response.content.decode()
        if (role, key) not in seen and key not in seen:
            seen.add(key)
            if '<html lang="ug" dir="rtl"' not in html:
                problems.append(f"{role}: {path}: not a right-to-left Uyghur page")
            problems += [f"{role}: {path}: {line}" for line in unisolated_runs(html, words)]
        if depth < DEPTH:
            queue.extend((link.replace("&amp;", "&"), depth + 1) for link in HREF.findall(html))
    return opened, problems


def test_uyghur_pages_isolate_dates_and_numbers_and_show_no_portal_word_in_chinese(demo_in_uyghur):
    seen: set[str] = set()
    # An organisation's name (a bureau named as the catalogue names it) is the organisation's, not a word of the portal.
    words = chinese_catalogue_words() - set(Organization.objects.values_list("name", flat=True))
    problems, opened = [], {}
    for role, mobile in DEMO_LOGINS.items():
        client = Client()
        client.cookies["django_language"] = "ug"
        if mobile:
            client.force_login(User.objects.get(mobile=mobile))
        opened[role], found = walk(client, role, seen, words)
        problems += found
    assert all(count >= 2 for count in opened.values()), opened
    assert not problems, f"{len(problems)} problems on Uyghur pages:\n  " + "\n  ".join(problems)


def test_the_run_finder_finds_runs_outside_isolates_only():
    html = ('<html lang="ug" dir="rtl"><head><title>2026-12-03</title></head><body><main>'
            '<p>ۋاقتى 2026-12-03 14:05</p><p>نومۇرى <bdi>XJ-2026-00001</bdi></p>'
            '<span class="masked">139****0000</span><time>2026-12-03</time><td dir="auto">85.5</td>'
            '<p>3 تال</p><p>نومۇر 1390000000</p></main></body></html>')
    found = unisolated_runs(html)
    assert len(found) == 2, found
    assert "'2026-12-03 14:05'" in found[0] and "'1390000000'" in found[1]


def test_the_finder_finds_chinese_words_of_the_portal_but_not_a_persons_own_text():
    words = frozenset({"草稿", "待受理"})
    html = ('<html lang="ug" dir="rtl"><body><main><span class="badge">草稿</span><td>新疆大学</td>'
            '<div dir="auto">待受理</div><p>لايىھە</p></main></body></html>')
    assert unisolated_runs(html, words) == ["untranslated '草稿' in <body > main > span.badge>"]
