"""Issue 12 §2: the dates a certificate shows are Beijing dates. Events are set between 00:00 and 08:00
Asia/Shanghai, when the UTC date is still the day before (times are frozen by setting the fields)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from certificates import services
from certificates.models import Certificate
from certificates.records import public_view
from tests.factories import bureau_officer

SHANGHAI = ZoneInfo("Asia/Shanghai")
API = "/api/v1/certificates/verify/"


def test_a_revocation_at_2am_beijing_shows_that_day_on_the_api_the_page_and_the_record(issue, client):
    certificate = issue()
    services.certificate_revoke(actor=bureau_officer(), certificate_id=certificate.pk,
                                reason="证书信息录入错误", reason_category="issued_in_error")
    at_two = dt.datetime(2026, 3, 5, 2, 0, tzinfo=SHANGHAI)  # 2026-03-04 18:00 UTC
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=at_two)
    certificate.refresh_from_db()

    assert public_view(certificate, signature_valid=None)["revoked_on"] == dt.date(2026, 3, 5)
    data = client.get(API, {"number": certificate.number, "name": "张三丰"}).json()
    assert data["status"] == "revoked" and data["revoked_on"] == "2026-03-05"
    page = client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "张三丰"}).content.decode()
    assert "2026-03-05" in page and "2026-03-04" not in page


def test_a_replacement_at_7am_beijing_is_dated_that_day(issue):
    certificate = issue()
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.SUPERSEDED, superseded_at=dt.datetime(2026, 3, 5, 7, 59, tzinfo=SHANGHAI))
    certificate.refresh_from_db()
    assert public_view(certificate, signature_valid=None)["superseded_on"] == dt.date(2026, 3, 5)
