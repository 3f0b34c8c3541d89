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
