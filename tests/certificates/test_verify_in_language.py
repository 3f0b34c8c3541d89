"""The public verification result names the title, the series and the specialty in the reader's
language (the catalogue's Uyghur or English names; the certificate's Chinese names on Chinese pages and
where the catalogue has none), while the verify API keeps the certificate's Chinese record; a Uyghur or
English page reads one look-up more than the public columns, a Chinese page none."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import title_names
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHOWN = {
    "zh-hans": {"title": "工程师", "series": "工程技术人员", "specialty": "电气工程"},
    "en": {"title": "Engineer", "series": "Engineering", "specialty": "Electrical Engineering"},
    "ug": {"title": "ئىنژېنېر", "series": "ئىنژېنېرلىق تېخنىكا خادىملىرى", "specialty": "ئېلېكتر قۇرۇلۇشى"},
}


@pytest.fixture
def certificate(issue):
    return issue(holder=UserFactory(real_name="买买提·艾力"))


def verify(client, certificate, language: str) -> tuple[str, int]:
    client.cookies["django_language"] = language
    data = {"number": certificate.number, "name": "买买提·艾力"}
    client.post(reverse("certificate-verify"), data, HTTP_ACCEPT_LANGUAGE=language)  # warm the caches
    with CaptureQueriesContext(connection) as context:
        response = client.post(reverse("certificate-verify"), data, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert 'data-status="valid"' in html
    return html, len(context.captured_queries)


def shown(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_R5_4_public_verification_names_title_series_and_specialty_in_the_page_s_language(certificate, client,
                                                                                         language):
    title_names.warm()
    html, _queries = verify(client, certificate, language)
    for field, name in SHOWN[language].items():
        assert shown(html, field) == name, field
    if language != "zh-hans":
        assert not {"工程师", "工程技术人员", "电气工程"} & set(re.findall(r"[\u4e00-\u9fff]+", html.split("<main")[1]))
    api = client.post("/api/v1/certificates/verify/", {"number": certificate.number, "name": "买买提·艾力"},
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE=language).json()
    assert (api["title"], api["series"], api["specialty"]) == ("工程师", "工程技术人员", "电气工程")


def test_R5_4_public_verification_reads_one_look_up_more_in_uyghur_and_none_in_chinese(certificate, client):
    title_names.warm()
    _html, chinese = verify(client, certificate, "zh-hans")
    _html, uyghur = verify(client, certificate, "ug")
    _html, english = verify(client, certificate, "en")
    assert uyghur == english == chinese + 1


def test_R5_4_public_verification_keeps_the_certificate_s_names_where_the_catalogue_has_none(certificate,
                                                                                             client):
    from applications.models import Specialty, TitleSeries

    Specialty.objects.filter(code="electrical", series__code="engineering").update(name_ug="")
    TitleSeries.objects.filter(code="engineering").update(name_ug="")
    html, _queries = verify(client, certificate, "ug")
    assert shown(html, "series") == "工程技术人员" and shown(html, "specialty") == "电气工程"


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_R5_3_the_holder_and_the_bureau_read_series_and_specialty_in_the_page_s_language(issue, client, language):
    from portal.models import User
    from tests.factories import bureau_officer

    certificate = issue(holder=UserFactory(real_name="买买提·艾力"))
    officer = bureau_officer()
    for user, url in ((certificate.holder, reverse("my-certificate-detail", args=[certificate.pk])),
                      (officer, reverse("bureau-certificate-detail", args=[certificate.pk]))):
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
        html = client.get(url).content.decode()
        assert SHOWN[language]["series"] in html and SHOWN[language]["specialty"] in html, url
        if language != "zh-hans":
            assert "工程技术人员" not in html and "电气工程" not in html, url
