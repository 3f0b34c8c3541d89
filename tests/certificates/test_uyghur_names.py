"""Issue 13: a holder's name in Uyghur script, stored beside the Chinese one, is shown on Uyghur pages:
the holder's certificate page, the bureau's, and the public verification result (masked there like the
Chinese name); Chinese and English pages show the Chinese name only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, bureau_officer

pytestmark = pytest.mark.django_db

NAME_UG = "مەمەت ئەلى"


@pytest.fixture
def certificate(issue):
    return issue(holder=UserFactory(real_name="买买提·艾力", name_ug=NAME_UG, language="ug"))


def test_R5_3_the_holder_sees_their_uyghur_name_on_their_certificate_page_in_uyghur(certificate, client):
    client.force_login(certificate.holder)
    html = client.get(reverse("my-certificate-detail", args=[certificate.pk])).content.decode()
    assert f'<bdi>买买提·艾力</bdi> · <bdi lang="ug">{NAME_UG}</bdi>' in html
    certificate.holder.language = "zh-hans"
    certificate.holder.save(update_fields=["language"])
    html = client.get(reverse("my-certificate-detail", args=[certificate.pk])).content.decode()
    assert NAME_UG not in html and "买买提·艾力" in html


def test_R5_3_the_bureau_sees_the_holders_uyghur_name_in_uyghur(certificate, client):
    officer = bureau_officer()
    officer.language = "ug"
    officer.save(update_fields=["language"])
    client.force_login(officer)
    html = client.get(reverse("bureau-certificate-detail", args=[certificate.pk])).content.decode()
    assert f'<bdi lang="ug" data-testid="holder-ug">{NAME_UG}</bdi>' in html


@pytest.mark.parametrize(("language", "shown"), [("ug", True), ("zh-hans", False), ("en", False)])
def test_R5_4_public_verification_shows_the_uyghur_name_masked_on_uyghur_pages_only(certificate, client,
                                                                                    language, shown):
    client.cookies["django_language"] = language
    response = client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "买买提·艾力"},
                           HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert 'data-status="valid"' in html
    assert NAME_UG not in html  # never in full on a public page
    assert ('<bdi lang="ug">م**** ئ***</bdi>' in html) is shown
