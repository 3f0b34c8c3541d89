"""The holder's certificate pages name the title in the page's language (``applications.title_names``);
the certificate itself — its stored name, the public verification — keeps the Chinese legal name."""

from __future__ import annotations

from django.urls import reverse

from tests.title_names_helpers import CHINESE, ENGLISH, UYGHUR, page, queries_by_language


def test_the_holder_s_certificate_pages_name_the_title_in_the_page_s_language(client, issue):
    certificate = issue()
    holder = certificate.holder
    for url in (reverse("my-certificates"), reverse("my-certificate-detail", args=[certificate.pk])):
        uyghur = page(client, holder, url, "ug")
        assert UYGHUR in uyghur and CHINESE not in uyghur, url
        english = page(client, holder, url, "en")
        assert ENGLISH in english and CHINESE not in english, url
        assert CHINESE in page(client, holder, url, "zh-hans"), url
    certificate.refresh_from_db()
    assert certificate.title_name == CHINESE  # the legal name is unchanged


def test_a_reissued_name_that_is_not_the_catalogue_s_stays_as_it_is(client, issue):
    certificate = issue(title_name="工程师（电气）")
    assert "工程师（电气）" in page(client, certificate.holder, reverse("my-certificates"), "ug")


def test_the_holder_s_list_costs_the_same_queries_in_uyghur(client, issue):
    holder = issue().holder
    for _ in range(3):
        issue(holder=holder)
    url = reverse("my-certificates")
    zh, ug = queries_by_language(client, holder, url)
    assert zh == ug
