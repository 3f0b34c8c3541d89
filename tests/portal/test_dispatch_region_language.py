"""Where a dispatched professional works (R1.8) is a region of the catalogue: the employee's own
employment page and the enterprise's staff list name it in the page's language (it was the Chinese
name on Uyghur and English pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.models import Employment, Organization, Region, User
from tests.factories import EnterpriseFactory, UserFactory, hr_admin_of, region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_R1_8_the_region_dispatched_to_is_named_in_the_page_s_language(client, language):
    kashgar = Region.objects.get(code="653100")
    assert kashgar.name_ug and kashgar.name_en
    shown = {"ug": kashgar.name_ug, "en": kashgar.name_en, "zh-hans": kashgar.name}[language]
    enterprise = EnterpriseFactory(region=region("650100"), status=Organization.Status.ACTIVE)
    employee = UserFactory()
    Employment.objects.create(user=employee, employer=enterprise, start_date=dt.date(2018, 1, 1),
                              status=Employment.Status.CONFIRMED, dispatch_region=kashgar,
                              dispatch_start=dt.date(2023, 1, 1))
    admin = hr_admin_of(enterprise)
    pages = ((employee, reverse("my-employment")), (admin, reverse("enterprise-console", args=[enterprise.pk])))
    for user, url in pages:
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user, backend="portal.backends.MobileOrIdNumberBackend")
        html = client.get(url).content.decode()
        assert shown in html, url
        if language != "zh-hans":
            assert kashgar.name not in html, url


def _declare(client, language, **fields):
    enterprise = EnterpriseFactory(region=region("650100"), status=Organization.Status.ACTIVE)
    employee = UserFactory()
    client.force_login(employee, backend="portal.backends.MobileOrIdNumberBackend")
    data = {"employer_uscc": enterprise.uscc, "start_date": "2020-03-01", **fields}
    response = client.post(reverse("my-employment"), data, HTTP_ACCEPT_LANGUAGE=language)
    return response, employee


@pytest.mark.parametrize("fields, words", [
    ({"dispatch_start": "2021-01-01"}, "请选择派驻地区"),                                   # a date, no region
    ({"dispatch_start": "2019-01-01", "dispatch_region": "kashgar"}, "不能早于劳动关系开始日期"),  # before the job
    ({"dispatch_start": "2099-01-01", "dispatch_region": "kashgar"}, "不能晚于今天"),
    ({"dispatch_start": "2021-01-01", "dispatch_region": "urumqi"}, "用人单位所在地区以外"),      # the employer's own
], ids=["no-region", "before-employment", "future", "own-region"])
def test_R1_8_a_dispatch_declared_wrongly_is_refused_at_its_field_and_nothing_is_stored(client, fields, words):
    codes = {"kashgar": "653100", "urumqi": "650100"}
    if "dispatch_region" in fields:
        fields = {**fields, "dispatch_region": str(Region.objects.get(code=codes[fields["dispatch_region"]]).pk)}
    response, employee = _declare(client, "zh-hans", **fields)
    html = response.content.decode()
    assert response.status_code == 200 and words in html
    assert not Employment.objects.filter(user=employee).exists()


@pytest.mark.parametrize("language, words", [("ug", "ئەۋەتىلگەن رايوننى تاللاڭ"), ("en", "Choose the region")])
def test_R1_8_the_refusal_is_in_the_page_s_language(client, language, words):
    response, employee = _declare(client, language, dispatch_start="2021-01-01")
    assert words in response.content.decode()


def test_R1_8_a_dispatch_to_another_region_after_the_start_is_declared(client):
    kashgar = Region.objects.get(code="653100")
    response, employee = _declare(client, "zh-hans", dispatch_start="2021-01-01", dispatch_region=str(kashgar.pk))
    assert response.status_code == 302
    employment = Employment.objects.get(user=employee)
    assert employment.dispatch_region == kashgar and employment.dispatch_start == dt.date(2021, 1, 1)
