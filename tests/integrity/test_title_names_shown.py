"""Integrity reports and cases name the title reported in the page's language
(``applications.title_names``), from the certificate or application selected with them; the
stored name stays Chinese."""

from __future__ import annotations

from django.urls import reverse

from tests.integrity.conftest import open_case, report_on
from tests.title_names_helpers import CHINESE, ENGLISH, UYGHUR, page, queries_by_language


def test_reports_and_cases_name_the_title_in_the_page_s_language(client, grant, supervisor):
    case = open_case(grant, supervisor)
    report = case.reports.get()
    assert (report.title_name, case.title_name) == (CHINESE, CHINESE)
    for url in (reverse("integrity-report-list") + "?status=", reverse("integrity-report-detail", args=[report.pk]),
                reverse("integrity-case-list"), reverse("integrity-case-detail", args=[case.pk])):
        uyghur = page(client, supervisor, url, "ug")
        assert UYGHUR in uyghur, url
        english = page(client, supervisor, url, "en")
        assert ENGLISH in english and f">{CHINESE}<" not in english, url
        assert CHINESE in page(client, supervisor, url, "zh-hans"), url


def test_the_report_list_costs_the_same_queries_in_uyghur(client, grant, supervisor):
    for _ in range(3):
        report_on(grant)
    url = reverse("integrity-report-list")
    zh, ug = queries_by_language(client, supervisor, url)
    assert zh == ug


def test_the_public_report_form_names_the_result_s_title_in_the_page_s_language(client, grant):
    url = reverse("integrity-report") + f"?entry={grant.entry.pk}"
    uyghur = client.get(url, HTTP_ACCEPT_LANGUAGE="ug").content.decode()
    assert 'lang="ug"' in uyghur and UYGHUR in uyghur and CHINESE not in uyghur
    assert CHINESE in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
