"""The publicity pages in the reader's language: the specialty named from the catalogue (its Uyghur or
English name, the published Chinese name on Chinese pages or when the catalogue has none), in the
list's own query; the search finds a title or specialty typed in any of the three languages; names,
titles and specialties carry the classes that keep them from breaking inside a word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from applications.models import Specialty
from review import services
from review.models import PublicityPeriod
from tests.review.conftest import make_application
from tests.review.test_pages import count_queries
from tests.title_names_helpers import UYGHUR, page

#: The electrical engineering specialty of the catalogue (``seed_reference_data``), in its three names.
SPECIALTY = {"zh-hans": "电气工程", "en": "Electrical Engineering", "ug": "ئېلېكتر قۇرۇلۇشى"}


def publicise(call, secretary, n: int = 2) -> PublicityPeriod:
    for _ in range(n):
        make_application(call, status="passed")
    return services.result_publicise(actor=secretary, call_id=call.pk)


def cell(html: str, testid: str) -> list[str]:
    """The texts of the cells marked ``data-testid=testid``."""
    return [text.strip() for text in re.findall(rf'data-testid="{testid}">([^<]*)<', html)]


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_public_publicity_list_names_the_specialty_in_the_page_s_language(client, committee, secretary, call,
                                                                         language):
    period = publicise(call, secretary)
    assert set(period.entries.values_list("specialty_name", flat=True)) == {SPECIALTY["zh-hans"]}
    html = page(client, None, reverse("review-publicity"), language)
    assert cell(html, "specialty") == [SPECIALTY[language]] * 2
    if language != "zh-hans":
        assert SPECIALTY["zh-hans"] not in html
    entry = period.entries.first()
    assert cell(page(client, None, reverse("review-objection", args=[entry.pk]), language),
                "specialty") == [SPECIALTY[language]]
    report = page(client, None, reverse("integrity-report") + f"?entry={entry.pk}", language)
    assert f" · {SPECIALTY[language]}" in report
    if language != "zh-hans":
        assert SPECIALTY["zh-hans"] not in report
    entry.refresh_from_db()
    assert entry.specialty_name == SPECIALTY["zh-hans"]  # the published record stays Chinese


@pytest.mark.parametrize("language", ["ug", "en"])
def test_officers_publicity_pages_name_the_specialty_in_the_page_s_language(client, officer, committee, secretary,
                                                                            call, language):
    period = publicise(call, secretary)
    manage = page(client, secretary, reverse("review-publicity-manage", args=[period.pk]), language)
    assert cell(manage, "specialty") == [SPECIALTY[language]] * 2 and SPECIALTY["zh-hans"] not in manage
    filing = page(client, officer, reverse("review-filing-detail", args=[period.pk]), language)
    assert cell(filing, "specialty") == [SPECIALTY[language]] * 2 and SPECIALTY["zh-hans"] not in filing


def test_publicity_specialty_without_a_translation_shows_the_published_name(client, committee, secretary, call):
    publicise(call, secretary, n=1)
    Specialty.objects.filter(series__code="engineering", code="electrical").update(name_ug="", name_en="")
    assert cell(page(client, None, reverse("review-publicity"), "ug"), "specialty") == [SPECIALTY["zh-hans"]]
    assert cell(page(client, None, reverse("review-publicity"), "en"), "specialty") == [SPECIALTY["zh-hans"]]


def test_publicity_list_queries_do_not_grow_with_rows_in_uyghur(client, committee, secretary, call):
    url = reverse("review-publicity")
    publicise(call, secretary, n=2)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    few = count_queries(client, url)
    for _ in range(8):
        make_application(call, status="passed")
    services.result_publicise(actor=secretary, call_id=call.pk)
    assert len(cell(client.get(url).content.decode(), "specialty")) == 10
    assert count_queries(client, url) == few
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert count_queries(client, url) == few


@pytest.mark.parametrize("query", ["电气", "Electrical", "ئېلېكتر", "工程师", "engineer", UYGHUR, "ئىنژېنې"])
def test_publicity_search_finds_a_title_or_specialty_typed_in_any_language(client, committee, secretary, call,
                                                                           query):
    publicise(call, secretary, n=2)
    for language in ("zh-hans", "ug", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("review-publicity"), {"q": query}).content.decode()
        assert len(cell(html, "specialty")) == 2, (query, language)
    nothing = client.get(reverse("review-publicity"), {"q": "木工"}).content.decode()
    assert cell(nothing, "specialty") == []


def test_publicity_names_and_titles_carry_the_classes_that_keep_words_whole(client, officer, committee, secretary,
                                                                            call):
    period = publicise(call, secretary, n=1)
    for user, url in ((None, reverse("review-publicity")),
                      (secretary, reverse("review-publicity-manage", args=[period.pk])),
                      (officer, reverse("review-filing-detail", args=[period.pk]))):
        html = page(client, user, url, "ug")
        assert re.search(r'<td class="masked">[^<]*\*[^<]*</td>', html), url
        assert f'<td class="keep-words">{UYGHUR}</td>' in html, url
        assert f'<td class="keep-words" data-testid="specialty">{SPECIALTY["ug"]}</td>' in html, url
        assert '<div class="table-responsive"><table' in html, url
    css = (Path(settings.BASE_DIR) / "static/portal/css/access.css").read_text(encoding="utf-8")
    assert re.search(r"main td\.masked, main td \.masked, main \.keep-words \{[^}]*word-break: keep-all", css)
    assert "main td.masked:not(.text-break), main span.masked:not(.text-break) { white-space: nowrap; }" in css


#: The button that opens the objection form, in each language: a verb ("raise an objection"), never the
#: audit table's noun "Object" (操作对象 / ئوبيېكت) that the button once shared its message with.
OBJECT_BUTTON = {"zh-hans": "提出异议", "ug": "ئېتىراز بىلدۈرۈش", "en": "Raise an objection"}


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R6_10_public_publicity_list_offers_to_raise_an_objection_in_words(client, committee, secretary, call,
                                                                           language):
    period = publicise(call, secretary, n=1)
    html = page(client, None, reverse("review-publicity"), language)
    assert cell(html, "object") == [OBJECT_BUTTON[language]]
    assert "操作对象" not in html and "ئوبيېكت" not in html and ">Object<" not in html
    assert reverse("review-objection", args=[period.entries.get().pk]) in html


#: The bureau's button that files a committee or a period's results: the verb (备案), never the noun
#: "File" (文件, a document) that the button once shared its message with.
FILE_BUTTON = {"zh-hans": "备案", "ug": "ئەنگە ئېلىش", "en": "File"}


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R2_1_R2_4_the_bureau_s_file_buttons_say_to_file_not_a_document(client, officer, committee, secretary,
                                                                       call, language, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from review.tasks import close_due_publicity

    period = publicise(call, secretary, n=1)
    later = period.ends_on + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    close_due_publicity()  # the form is offered once the publicity has closed
    filing = page(client, officer, reverse("review-filing-detail", args=[period.pk]), language)
    new = page(client, officer, reverse("review-committee-new"), language)
    assert cell(filing, "file-results") == [FILE_BUTTON[language]]
    assert cell(new, "file-committee") == [FILE_BUTTON[language]]
    assert ">文件<" not in filing + new and ">ھۆججەت<" not in filing + new


def test_officers_publicity_tables_head_the_entries_status_column_status(client, officer, committee, secretary,
                                                                         call):
    """The entries' status column is headed 状态, not 公示中 (the English "Listed" read as one of its values)."""
    period = publicise(call, secretary, n=1)
    for user, name in ((secretary, "review-publicity-manage"), (officer, "review-filing-detail")):
        html = page(client, user, reverse(name, args=[period.pk]), "zh-hans")
        head = re.search(r'data-testid="entries">\s*<thead>(.*?)</thead>', html, re.S).group(1)
        assert "<th>状态</th>" in head and "公示中" not in head, name


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "答复"), ("ug", "جاۋاب بېرىش"), ("en", "Answer")])
def test_R6_10_the_secretary_s_answer_button_is_a_verb(client, committee, secretary, call, language, label):
    """The button that answers an objection says "answer" as a verb (ug جاۋاب بېرىش), not the noun جاۋاب."""
    period = publicise(call, secretary, n=1)
    services.objection_create(entry_id=period.entries.get().pk, reason="需要核查的问题。", contact="13800138000")
    html = page(client, secretary, reverse("review-publicity-manage", args=[period.pk]), language)
    assert cell(html, "answer-objection") == [label]


def test_objection_reasons_keep_their_own_direction_on_uyghur_pages(client, officer, committee, secretary, call):
    """A Chinese objection on a right-to-left page is isolated (dir=auto), so its punctuation stays in place."""
    period = publicise(call, secretary, n=1)
    services.objection_create(entry_id=period.entries.get().pk, reason="专利号有误，请核实。", contact="13800138000")
    manage = page(client, secretary, reverse("review-publicity-manage", args=[period.pk]), "ug")
    assert '<div dir="auto" data-testid="objection-reason">专利号有误，请核实。</div>' in manage
    filing = page(client, officer, reverse("review-filing-detail", args=[period.pk]), "ug")
    assert '<bdi dir="auto">专利号有误，请核实。</bdi>' in filing
