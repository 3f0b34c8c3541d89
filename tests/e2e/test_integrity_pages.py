"""A fraud report upheld end to end in Chromium (R6.3): a member of the public reports a certificate,
the supervisor opens a case and upholds it with a reason, verification shows the certificate revoked,
the person sees the record and cannot apply, and the bureau sees the committee sanction.

Screenshots: ``tests/artifacts/integrity-*.png``.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from applications.models import ApplicationStatus
from certificates import services as certificate_services
from certificates.models import Certificate
from integrity.models import FraudCase
from portal.models import IntegrityRecord, Role
from tests.e2e.conftest import ARTIFACTS, login, logout, shot
from tests.factories import UserFactory
from tests.integrity.conftest import DESCRIPTION, REASON, make_grant
from tests.review.conftest import make_call

pytestmark = pytest.mark.browser


def evidence_png():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "integrity-evidence.png"
    buffer = BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_R6_3_a_fraud_report_is_upheld_end_to_end(page, watch, settings):
    settings.INTEGRITY_REPORT_LIMIT = (1000, 3600)
    grant = make_grant()
    supervisor = UserFactory(roles=[Role.SUPERVISOR], real_name="监督员")
    call = make_call(grant.committee)  # an open call the person will try to apply to
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. A member of the public reports the certificate, with evidence.
    page.goto("/integrity/report/")
    form = page.locator("[data-testid=report-form]")
    form.locator("input[name=certificate_number]").fill(grant.certificate.number)
    form.locator("input[name=holder_name]").fill(grant.certificate.holder_name)
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    form.locator("input[name=evidence]").set_input_files(str(evidence_png()))
    shot(page, "integrity-report-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    reference = page.locator("[data-testid=tracking-reference]").inner_text().strip()
    assert len(reference) >= 20
    assert grant.holder.real_name not in page.inner_text("main")
    shot(page, "integrity-report-received")

    # 2. The supervisor opens a case from the report and upholds it with a reason.
    login(page, supervisor.mobile)
    page.goto("/integrity/reports/")
    page.locator("[data-testid=reports] input[name=reports]").first.check()
    shot(page, "integrity-report-list")
    with page.expect_navigation():
        page.locator("[data-testid=open-case]").click()
    case = FraudCase.objects.get()
    assert page.url.endswith(f"/integrity/cases/{case.pk}/")
    with page.expect_navigation():
        page.locator("[data-testid=investigate]").click()
    decision = page.locator("[data-testid=decision-form]")
    decision.locator("input[name=decision][value=uphold]").check()
    # Without a reason: refused (a 400 with the form and its message), nothing changes.
    watch.allow_http_error(400, r"^/integrity/cases/\d+/$")
    with page.expect_navigation():
        decision.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=case-status]")).to_have_attribute("data-status", "investigating")
    decision = page.locator("[data-testid=decision-form]")
    decision.locator("input[name=decision][value=uphold]").check()
    decision.locator("textarea[name=reason]").fill(REASON)
    decision.locator("select[name=sanction_kind]").select_option("public_criticism")
    decision.locator("input[name=experts]").first.check()
    shot(page, "integrity-case-decide")
    with page.expect_navigation():
        decision.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=case-status]")).to_have_attribute("data-status", "upheld")
    shot(page, "integrity-case-upheld")
    logout(page)

    # 3. Verification shows the certificate revoked at once: the number form (/verify/), the QR page
    # (/verify/<code>/) and the API.
    page.goto("/verify/")
    page.fill("input[name=number]", grant.certificate.number)
    page.fill("input[name=name]", grant.holder.real_name)
    with page.expect_navigation():
        page.locator("main form button").click()
    expect(page.locator("[data-testid=verification-result]")).to_have_attribute("data-status", "revoked")
    code = "integrityQrCode0123456789"
    Certificate.objects.filter(pk=grant.certificate.pk).update(qr_code_hash=certificate_services._code_hash(code))
    page.goto(f"/verify/{code}/")
    expect(page.locator("[data-status=revoked]").first).to_be_visible()
    shot(page, "integrity-verify-revoked")
    api = page.request.get("/api/v1/certificates/verify/", params={"number": grant.certificate.number,
                                                                   "name": grant.holder.real_name})
    assert api.ok and api.json()["status"] == "revoked"
    assert Certificate.objects.get(pk=grant.certificate.pk).status == "revoked"

    # The reporter's status page says only "closed".
    page.goto(f"/integrity/status/?reference={reference}")
    expect(page.locator("[data-testid=report-status-code]")).to_have_attribute("data-status", "closed")
    assert REASON not in page.inner_text("main")

    # 4. The person sees the record and its end date, and cannot apply.
    record = IntegrityRecord.objects.get(user=grant.holder)
    login(page, grant.holder.mobile)
    page.goto("/integrity/me/")
    expect(page.locator("[data-testid=record-ends-on]").first).to_have_text(record.ends_on.isoformat())
    shot(page, "integrity-my-records")
    page.goto(f"/applications/new/{call.pk}/")
    page.locator("main select[name=specialty]").select_option(index=1)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with translation.override("zh-hans"):
        expect(page.locator("main")).to_contain_text("R6.3")
    assert not grant.holder.applications.exclude(pk=grant.application.pk).exists()
    assert grant.holder.applications.get().status == ApplicationStatus.REVOKED
    shot(page, "integrity-cannot-apply")
    logout(page)

    # 5. The bureau officer sees the committee's sanction.
    login(page, grant.officer.mobile)
    page.goto(f"/review/bureau/committees/{grant.committee.pk}/")
    expect(page.locator("[data-testid=sanctions]")).to_contain_text(case.reference)
    shot(page, "integrity-bureau-sanction")
    page.goto(f"/integrity/cases/{case.pk}/")
    expect(page.locator("[data-testid=case-sanction]")).to_be_visible()
    watch.assert_clean()
