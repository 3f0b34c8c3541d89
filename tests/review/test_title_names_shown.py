"""The review pages name an application's title in the page's language (``applications.title_names``):
the expert's dashboard and assignment, the secretary's application page, the applicant's results,
the public publicity list; Uyghur without the Chinese title, English when the catalogue has it,
Chinese unchanged, the stored name when the catalogue does not translate the title; as many queries
in Uyghur as in Chinese."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import title_names
from applications.models import TitleName
from review import services
from review.models import PublicityPeriod
from tests.review.conftest import add_expert, make_application
from tests.review.test_pages import bulk_applications
from tests.title_names_helpers import CHINESE, ENGLISH, UYGHUR, page


def queries(client: Client, url: str, language: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    return len(context.captured_queries)


def in_three_languages(client, user, url) -> None:
    uyghur = page(client, user, url, "ug")
    assert UYGHUR in uyghur and CHINESE not in uyghur, url
    english = page(client, user, url, "en")
    assert ENGLISH in english and CHINESE not in english, url
    assert CHINESE in page(client, user, url, "zh-hans"), url


def untranslated() -> None:
    TitleName.objects.filter(series__code="engineering", level="intermediate").update(name_en="", name_ug="")
    title_names.forget()  # as a committed change would make every process do


def test_expert_dashboard_and_assignment_name_the_title_in_the_page_s_language(client, committee, secretary, call,
                                                                               pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    assignment = application.review_assignments.first()
    for url in (reverse("review-expert-home"), reverse("review-expert-assignment", args=[assignment.pk])):
        in_three_languages(client, assignment.expert_user, url)
    untranslated()
    assert f"<td>{CHINESE} · " in page(client, assignment.expert_user, reverse("review-expert-home"), "ug")


def test_expert_dashboard_queries_stay_flat_in_uyghur(client, committee, secretary, call):
    expert = add_expert(committee)
    bulk_applications(call, 3, [expert])
    home = reverse("review-expert-home")
    page(client, expert.user, home, "zh-hans")
    chinese = queries(client, home, "zh-hans")
    page(client, expert.user, home, "ug")
    few = queries(client, home, "ug")
    bulk_applications(call, 20, [expert])
    assert few == chinese and queries(client, home, "ug") == few


def test_secretary_s_application_page_names_the_title_in_the_page_s_language(client, committee, secretary, call,
                                                                             pool):
    application = make_application(call)
    services.assignment_draw(actor=secretary, call_id=call.pk, seed=1)
    url = reverse("review-call-application", args=[call.pk, application.pk])
    in_three_languages(client, secretary, url)
    page(client, secretary, url, "zh-hans")
    chinese = queries(client, url, "zh-hans")
    page(client, secretary, url, "ug")
    assert queries(client, url, "ug") == chinese
    untranslated()
    assert CHINESE in page(client, secretary, url, "ug")


def test_applicant_s_results_name_the_title_in_the_page_s_language(client, committee, secretary, call):
    application = make_application(call, status="passed")
    in_three_languages(client, application.applicant, reverse("review-my-reviews"))


@pytest.mark.parametrize("language", ["ug", "en"])
def test_public_publicity_list_names_the_title_in_the_page_s_language(client, committee, secretary, call, language):
    for _ in range(2):
        make_application(call, status="passed")
    services.result_publicise(actor=secretary, call_id=call.pk)
    url = reverse("review-publicity")
    shown = {"ug": UYGHUR, "en": ENGLISH}[language]
    html = page(client, None, url, language)
    assert shown in html and CHINESE not in html
    assert CHINESE in page(client, None, url, "zh-hans")
    assert queries(client, url, language) == queries(client, url, "zh-hans")
    manage = reverse("review-publicity-manage", args=[PublicityPeriod.objects.get(call=call).pk])
    html = page(client, secretary, manage, language)
    assert shown in html and CHINESE not in html
