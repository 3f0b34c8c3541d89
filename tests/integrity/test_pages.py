"""Pages and API of the integrity app (R6.3): permissions per role, flat
query counts, bad input, rate limits, and what the public may see."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services as certificate_services
from certificates.models import Certificate
from integrity import services
from integrity.models import FraudCase, FraudReport
from portal.models import AuditEvent, IntegrityRecord, Role
from review.models import CommitteeSanction
from tests.api_contract import assert_matches_schema
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, hr_admin_of
from tests.integrity.conftest import DESCRIPTION, REASON, make_grant, open_case, report_on


def queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- Public report form -------------------------------------------------------------------

def test_R6_3_the_public_reports_a_certificate_through_the_form(client, grant, png_file):
    url = reverse("integrity-report")
    assert client.get(url).status_code == 200
    certificate = grant.certificate
    response = client.post(url, {"certificate_number": certificate.number, "holder_name": certificate.holder_name,
                                 "description": DESCRIPTION, "contact": "someone@example.com",
                                 "evidence": [png_file()]})
    assert response.status_code == 200 and b'data-testid="tracking-reference"' in response.content
    reference = response.context["reference"]
    report = FraudReport.objects.get()
    assert report.evidence.count() == 1 and report.contact_masked == "s***@example.com"
    # Never the person reported, on the acknowledgement or on the status page.
    status = client.get(reverse("integrity-report-status"), {"reference": reference})
    for page in (response, status):
        assert grant.holder.real_name.encode() not in page.content
        assert grant.holder.id_number_masked.encode() not in page.content
    assert b'data-status="received"' in status.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_R6_3_the_form_reports_a_publicity_entry_without_naming_the_person(client, grant):
    url = reverse("integrity-report") + f"?entry={grant.entry.pk}"
    page = client.get(url)
    assert page.status_code == 200 and b"Engineer" in page.content  # the title, in English (the page's language)
    assert grant.holder.real_name.encode() not in page.content and b"certificate_number" not in page.content
    response = client.post(url, {"entry": grant.entry.pk, "description": DESCRIPTION})
    assert response.status_code == 200
    assert FraudReport.objects.get().application == grant.application
    assert client.get(reverse("integrity-report") + "?entry=999999").status_code == 404
    assert client.get(reverse("integrity-report") + "?entry=abc").status_code == 404


def test_R6_3_the_publicity_list_links_to_the_report_form(client, grant):
    page = client.get(reverse("review-publicity"))
    assert f"/integrity/report/?entry={grant.entry.pk}".encode() in page.content


@pytest.mark.parametrize("data, message", [
    ({"certificate_number": "650100-2026-GCS-000001-Q"}, b"mistyped"),
    ({"certificate_number": "nonsense"}, b"not a certificate number"),
    ({"description": "short"}, b"description"),
    ({"holder_name": ""}, b"holder"),
])
def test_R6_3_bad_input_on_the_form_gets_a_message_and_stores_nothing(client, grant, data, message):
    post = {"certificate_number": grant.certificate.number, "holder_name": grant.certificate.holder_name,
            "description": DESCRIPTION, **data}
    response = client.post(reverse("integrity-report"), post)
    assert response.status_code == 400 and b"is-invalid" in response.content
    assert message in response.content.lower() or message in response.content
    assert not FraudReport.objects.exists()


def test_R6_3_the_form_answers_an_unknown_number_and_a_wrong_name_alike(client, grant):
    """No enumeration (R5.3): the report form tells no more than the
    verification page about which certificate numbers exist."""
    from certificates import numbering

    url = reverse("integrity-report")
    unknown = numbering.format_number("650100", 2026, "GCS", 999_999)
    wrong_name = client.post(url, {"certificate_number": grant.certificate.number, "holder_name": "张冒名",
                                   "description": DESCRIPTION})
    unknown_number = client.post(url, {"certificate_number": unknown, "holder_name": "张冒名",
                                       "description": DESCRIPTION})
    for response in (wrong_name, unknown_number):
        assert response.status_code == 400 and b"is-invalid" in response.content
    assert wrong_name.context["form"].errors == unknown_number.context["form"].errors
    assert grant.holder.real_name.encode() not in wrong_name.content
    assert not FraudReport.objects.exists()


def test_R6_3_a_fake_upload_is_refused_on_the_form(client, grant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.png", b"<script>alert(1)</script>" * 10, content_type="image/png")
    response = client.post(reverse("integrity-report"), {"certificate_number": grant.certificate.number,
                                                         "holder_name": grant.certificate.holder_name,
                                                         "description": DESCRIPTION, "evidence": [fake]})
    assert response.status_code == 400 and b"PDF, JPEG or PNG" in response.content
    assert not FraudReport.objects.exists()


def test_R6_3_reports_are_rate_limited_per_address(client, grant, settings, own_address):
    settings.INTEGRITY_REPORT_LIMIT = (2, 3600)
    url = reverse("integrity-report")
    post = {"certificate_number": grant.certificate.number, "holder_name": grant.certificate.holder_name,
            "description": DESCRIPTION}
    for _ in range(2):
        assert client.post(url, post, REMOTE_ADDR=own_address).status_code == 200
    limited = client.post(url, post, REMOTE_ADDR=own_address)
    assert limited.status_code == 429 and b'data-testid="rate-limited"' in limited.content
    assert FraudReport.objects.count() == 2
    assert client.get(url, REMOTE_ADDR=own_address).status_code == 200  # reading the form is not counted


def test_R6_3_an_unknown_reference_answers_not_found_on_the_status_page(client):
    response = client.get(reverse("integrity-report-status"), {"reference": "not-a-real-reference-123"})
    assert response.status_code == 200 and b"No report has this tracking reference" in response.content


# --- Supervisors: triage and cases ---------------------------------------------------------

def test_R6_3_report_list_permissions(client, grant, supervisor):
    url = reverse("integrity-report-list")
    assert client.get(url).status_code == 302  # anonymous → login
    for user in (grant.holder, grant.officer, UserFactory(roles=[Role.AUDITOR])):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


def test_R6_3_report_list_queries_stay_flat(client, grant, supervisor, png_file):
    client.force_login(supervisor)
    report_on(grant, files=[png_file()])
    url = reverse("integrity-report-list")
    one = queries(client, url)
    for _ in range(6):
        report_on(grant, files=[png_file()])
    other = make_grant(officer=grant.officer, committee=grant.committee, holder_name="李四")
    report_on(other)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert len(context.captured_queries) == one
    assert response.content.count(b'name="reports"') == 8


def test_R6_3_case_list_queries_stay_flat_and_bureau_sees_only_its_region(client, grant, supervisor):
    open_case(grant, supervisor)
    url = reverse("integrity-case-list")
    client.force_login(grant.officer)
    one = queries(client, url)
    for _ in range(3):
        open_case(make_grant(officer=grant.officer, committee=grant.committee), supervisor)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert len(context.captured_queries) == one and response.content.count(b"IC-") >= 4
    client.force_login(bureau_officer("650200"))  # Karamay: another region
    assert client.get(url).status_code == 200 and b"IC-" not in client.get(url).content
    client.force_login(grant.holder)
    assert client.get(url).status_code == 403


def test_R6_3_the_supervisor_opens_a_case_from_the_list_and_dismisses_from_the_detail(client, grant, supervisor):
    a, _r = report_on(grant)
    b, _r = report_on(grant)
    c, _r = report_on(grant)
    client.force_login(supervisor)
    response = client.post(reverse("integrity-report-list"), {"reports": [a.pk, b.pk], "note": "same degree"})
    case = FraudCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("integrity-case-detail", args=[case.pk])
    detail = reverse("integrity-report-detail", args=[c.pk])
    assert client.get(detail).status_code == 200
    bad = client.post(detail, {"action": "dismiss", "reason": ""})
    assert bad.status_code == 200 and FraudReport.objects.get(pk=c.pk).status == "received"
    client.post(detail, {"action": "dismiss", "reason": f"Duplicate of R-{a.pk}."})
    assert FraudReport.objects.get(pk=c.pk).status == "dismissed"
    client.force_login(grant.officer)
    assert client.get(detail).status_code == 403


def test_R6_3_case_detail_permissions(client, grant, supervisor):
    case = open_case(grant, supervisor)
    url = reverse("integrity-case-detail", args=[case.pk])
    assert client.get(url).status_code == 302
    client.force_login(grant.holder)
    assert client.get(url).status_code == 403
    client.force_login(bureau_officer("650200"))
    assert client.get(url).status_code == 404
    client.force_login(hr_admin_of(EnterpriseFactory()))
    assert client.get(url).status_code == 403
    client.force_login(grant.officer)  # bureau of the region: reads, never decides
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="decision-form"' not in page.content
    assert client.post(url, {"action": "decide", "decision": "uphold", "reason": REASON}).status_code == 403
    client.force_login(supervisor)
    assert b'data-testid="decision-form"' in client.get(url).content


def test_R6_3_case_detail_queries_stay_flat(client, grant, supervisor, png_file):
    case = open_case(grant, supervisor)
    url = reverse("integrity-case-detail", args=[case.pk])
    client.force_login(supervisor)
    one = queries(client, url)
    for n in range(4):
        services.fraud_case_note_add(actor=supervisor, case_id=case.pk, text=f"note {n}")
        services.fraud_case_evidence_add(actor=supervisor, case_id=case.pk, upload=png_file())
    assert queries(client, url) == one


def test_R6_3_the_supervisor_upholds_in_the_page_and_verification_shows_revoked(client, grant, supervisor):
    case = open_case(grant, supervisor)
    url = reverse("integrity-case-detail", args=[case.pk])
    client.force_login(supervisor)
    empty = client.post(url, {"action": "decide", "decision": "uphold", "reason": ""})
    assert empty.status_code == 400 and b"recorded reasons" in empty.content
    assert FraudCase.objects.get().status == "open"
    response = client.post(url, {"action": "decide", "decision": "uphold", "reason": REASON,
                                 "sanction_kind": "rectification", "experts": [str(grant.experts[0].pk)]})
    assert response.status_code == 302
    assert FraudCase.objects.get().status == "upheld"
    client.logout()
    number, name = grant.certificate.number, grant.holder.real_name
    # /verify/ by number and name
    page = client.post(reverse("certificate-verify"), {"number": number, "name": name})
    assert b'data-status="revoked"' in page.content
    # the API
    api = client.get("/api/v1/certificates/verify/", {"number": number, "name": name}).json()
    assert api["status"] == "revoked"
    # the QR code page
    code = "integrityQrCode0123456789"
    Certificate.objects.filter(pk=grant.certificate.pk).update(qr_code_hash=certificate_services._code_hash(code))
    qr = client.get(reverse("certificate-verify-code", args=[code]))
    assert b'data-status="revoked"' in qr.content
    # the bureau sees the sanction on the committee page
    client.force_login(grant.officer)
    committee_page = client.get(reverse("review-committee-detail", args=[grant.committee.pk]))
    assert CommitteeSanction.objects.get().get_kind_display().encode() in committee_page.content


def test_R6_3_evidence_is_served_only_to_who_may_read_the_case(client, grant, supervisor, png_file):
    report, _r = report_on(grant, files=[png_file()])
    evidence = report.evidence.get()
    url = reverse("integrity-evidence", args=[evidence.pk])
    client.force_login(grant.officer)
    assert client.get(url).status_code == 404  # a report not yet in a case
    services.fraud_case_open(actor=supervisor, report_ids=[report.pk])
    assert client.get(url).status_code == 200
    client.force_login(bureau_officer("650200"))
    assert client.get(url).status_code == 404
    client.force_login(grant.holder)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


# --- The person concerned -------------------------------------------------------------------

def test_R6_3_the_person_sees_the_record_and_its_end_date(client, grant, supervisor):
    url = reverse("integrity-my-records")
    assert client.get(url).status_code == 302
    client.force_login(grant.holder)
    assert b'data-testid="no-records"' in client.get(url).content
    case = open_case(grant, supervisor)
    services.fraud_case_decide(actor=supervisor, case_id=case.pk, decision="uphold", reason=REASON)
    page = client.get(url)
    record = IntegrityRecord.objects.get()
    assert record.ends_on.isoformat().encode() in page.content and REASON.encode() in page.content
    assert b'data-testid="record-in-force"' in page.content
    client.force_login(UserFactory(roles=[Role.APPLICANT]))
    assert b'data-testid="no-records"' in client.get(url).content


def test_R6_3_my_records_queries_stay_flat(client, grant, supervisor):
    from portal.services import integrity_record_create

    integrity_record_create(actor=supervisor, user=grant.holder, reason="one")
    client.force_login(grant.holder)
    url = reverse("integrity-my-records")
    one = queries(client, url)
    for n in range(4):
        integrity_record_create(actor=supervisor, user=grant.holder, reason=f"more {n}")
    assert queries(client, url) == one


# --- API ------------------------------------------------------------------------------------

def test_R6_3_api_public_report_and_status(client, grant, png_file):
    response = client.post("/api/v1/integrity/reports/", {"certificate_number": grant.certificate.number,
                                                          "holder_name": grant.certificate.holder_name,
                                                          "description": DESCRIPTION, "evidence": [png_file()]})
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    status = client.get(f"/api/v1/integrity/reports/status/{reference}/")
    assert status.status_code == 200 and status.json()["status"] == "received"
    assert set(status.json()) == {"status", "label", "received_on"}
    bad = client.post("/api/v1/integrity/reports/", {"certificate_number": "650100-2026-GCS-000001-Q",
                                                     "description": DESCRIPTION})
    assert bad.status_code == 400 and bad.json()["field"] == "certificate_number"
    assert client.get("/api/v1/integrity/reports/status/xyz/").status_code == 404
    assert FraudReport.objects.count() == 1


def test_R6_3_api_reports_are_throttled(client, grant, settings):
    settings.INTEGRITY_REPORT_API_RATE = "1/hour"
    data = {"certificate_number": grant.certificate.number, "holder_name": grant.certificate.holder_name,
            "description": DESCRIPTION}
    assert client.post("/api/v1/integrity/reports/", data, REMOTE_ADDR="10.9.9.9").status_code == 201
    assert client.post("/api/v1/integrity/reports/", data, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_R6_3_api_case_list_detail_decide_permissions(client, grant, supervisor):
    case = open_case(grant, supervisor)
    list_url, detail_url = "/api/v1/integrity/cases/", f"/api/v1/integrity/cases/{case.pk}/"
    decide_url = detail_url + "decide/"
    assert client.get(list_url).status_code in (401, 403)
    client.force_login(grant.holder)
    assert client.get(list_url).status_code == 403 and client.get(detail_url).status_code == 403
    client.force_login(bureau_officer("650200"))
    assert client.get(list_url).json()["count"] == 0 and client.get(detail_url).status_code == 404
    client.force_login(grant.officer)
    assert client.get(list_url).json()["count"] == 1
    assert client.get(detail_url).json()["reference"] == case.reference
    assert client.post(decide_url, {"decision": "uphold", "reason": REASON},
                       content_type="application/json").status_code == 403
    client.force_login(supervisor)
    empty = client.post(decide_url, {"decision": "uphold", "reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["field"] == "reason"
    done = client.post(decide_url, {"decision": "uphold", "reason": REASON}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "upheld"
    assert done.json()["integrity_record_ends_on"]
    assert AuditEvent.objects.filter(action="integrity.case.uphold").count() == 1


def test_R6_3_api_case_list_queries_stay_flat(client, grant, supervisor, django_assert_max_num_queries):
    open_case(grant, supervisor)
    client.force_login(supervisor)
    client.get("/api/v1/integrity/cases/")
    with CaptureQueriesContext(connection) as context:
        client.get("/api/v1/integrity/cases/")
    one = len(context.captured_queries)
    for _ in range(3):
        open_case(make_grant(officer=grant.officer, committee=grant.committee), supervisor)
    with CaptureQueriesContext(connection) as context:
        response = client.get("/api/v1/integrity/cases/")
    assert len(context.captured_queries) == one and response.json()["count"] == 4


def test_the_openapi_schema_lists_the_integrity_endpoints(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/integrity/reports/" in text and "/api/v1/integrity/cases/{id}/decide/" in text


def test_contract_fraud_cases_match_the_schema_open_and_decided(client, grant, supervisor):
    """An open case has no record, no sanction; one about a title granted without a committee
    (or a certificate) has none of those either: all ``null``, as the schema says they may be."""
    case = open_case(grant, supervisor)
    bare = open_case(make_grant(officer=grant.officer), supervisor)
    FraudCase.objects.filter(pk=bare.pk).update(committee=None, certificate=None)
    client.force_login(supervisor)
    cases = assert_matches_schema(client.get("/api/v1/integrity/cases/"), "/api/v1/integrity/cases/")
    assert {c["committee"] for c in cases["results"]} == {grant.committee.name, None}
    detail_path = "/api/v1/integrity/cases/{id}/"
    detail = assert_matches_schema(client.get(f"/api/v1/integrity/cases/{bare.pk}/"), detail_path)
    assert detail["committee"] is None and detail["certificate_number"] is None
    assert detail["integrity_record_ends_on"] is None and detail["sanction"] is None
    done = client.post(f"/api/v1/integrity/cases/{case.pk}/decide/", {"decision": "uphold", "reason": REASON},
                       content_type="application/json")
    decided = assert_matches_schema(done, "/api/v1/integrity/cases/{id}/decide/", "post")
    assert decided["integrity_record_ends_on"] and decided["sanction"] is None
    assert assert_matches_schema(client.get(f"/api/v1/integrity/cases/{case.pk}/"), detail_path)["status"] == "upheld"


@pytest.mark.parametrize("language, words", [("ug", "گۇۋاھنامىگە بېسىلغىنى بويىچە"),
                                             ("zh-hans", "按证书上印制的编号填写"),
                                             ("en", "As printed on the certificate")])
def test_report_form_example_number_is_one_unbreakable_left_to_right_piece(client, language, words):
    """The help text's example certificate number wrapped at a hyphen on a 390 px phone in Uyghur: it
    is an isolated, left-to-right, no-wrap piece in every language, inside the translated sentence."""
    html = client.get(reverse("integrity-report"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<bdi dir="ltr" class="text-nowrap">650100-2026-GCS-000123-X</bdi>' in html
    assert words in html and "%(example)s" not in html


#: An open case's status in each language: a case waiting to be handled, never the invitation's
#: "awaiting acceptance" (待接受) that the plain msgid "Open" means elsewhere.
OPEN_CASE = {"zh-hans": "待处理", "ug": "بىر تەرەپ قىلىنىشنى ساقلاۋاتىدۇ", "en": "Open"}


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R6_3_an_open_case_is_named_waiting_to_be_handled_not_awaiting_acceptance(client, grant, supervisor,
                                                                                  language):
    from tests.title_names_helpers import page

    case = open_case(grant, supervisor)
    html = page(client, supervisor, reverse("integrity-case-detail", args=[case.pk]), language)
    badge = re.search(r'data-testid="case-status" data-status="open">([^<]*)<', html)
    assert badge and badge.group(1) == OPEN_CASE[language]
    assert "待接受" not in html
