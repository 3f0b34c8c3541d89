"""R5.3: anyone verifies a certificate (page, QR, API, file); no enumeration,
no personal data, rate-limited, noindex; R6.3: a revocation shows at once."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certificates import services
from certificates.models import VerificationEvent
from tests.certificates.test_pdf import pdf_bytes, qr_text
from tests.factories import EnterpriseFactory, bureau_officer, hr_admin_of

API = "/api/v1/certificates/verify/"


def api(client, **params):
    return client.get(API, params)


def test_R5_3_the_api_answers_valid_with_the_public_details_only(issue, client):
    certificate = issue()
    response = api(client, number=certificate.number, name="张三丰")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "valid" and data["signature_valid"] is True
    assert data["holder_name"] == "张*丰" and data["title"] == "工程师" and data["specialty"] == "电气工程"
    assert data["level"] == "intermediate" and data["granting_body"] == certificate.granting_body_name
    assert data["date_granted"] == "2026-01-05" and data["date_issued"] == certificate.date_issued.isoformat()
    content = response.content.decode()
    for secret in (certificate.holder.id_number, certificate.holder.mobile, certificate.holder_id_masked,
                   certificate.holder_id_hash, certificate.holder.email, "张三丰"):
        assert secret not in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_R5_3_a_wrong_name_and_an_unknown_number_answer_identically(issue, client):
    certificate = issue()
    wrong_name = api(client, number=certificate.number, name="李四")
    serial = int(certificate.number.split("-")[3]) + 1
    from certificates.numbering import format_number

    unknown = api(client, number=format_number("650100", certificate.year, "ENG", serial), name="张三丰")
    assert wrong_name.status_code == unknown.status_code == 200
    assert wrong_name.content == unknown.content == b'{"status":"not_found"}'


def test_R5_3_names_compare_ignoring_width_spaces_and_dot_variants(issue, client):
    from tests.factories import UserFactory

    certificate = issue(holder=UserFactory(real_name="买买提·艾力"))
    for typed in ("买买提·艾力", "买买提・艾力", " 买买提 • 艾力 ", "买买提.艾力"):
        assert api(client, number=certificate.number, name=typed).json()["status"] == "valid", typed


def test_R5_3_a_mistyped_number_says_check_the_number(issue, client):
    certificate = issue()
    typo = certificate.number[:-3] + ("9" if certificate.number[-3] != "9" else "8") + certificate.number[-2:]
    assert api(client, number=typo, name="张三丰").json() == {"status": "not_found", "hint": "check_number"}
    response = client.post(reverse("certificate-verify"), {"number": typo, "name": "张三丰"})
    assert b'data-testid="check-number"' in response.content


@pytest.mark.parametrize("params", [{}, {"number": "x"}, {"name": "张三"}, {"number": "1" * 65, "name": "张三"},
                                    {"number": "650100-2026-ENG-000001-X", "name": "张\ue000"},
                                    {"number": "650100-2026-ENG-000001-X", "name": "\x00"},
                                    {"number": "650100-2026-ENG-000001-X", "name": "a" * 65}])
def test_R5_3_bad_api_input_is_a_400_never_a_500(client, params):
    response = api(client, **params)
    assert response.status_code == 400
    assert "detail" in response.json() or response.json()


def test_R6_3_revocation_shows_at_once_on_api_page_qr_and_file_without_the_reason(issue, client):
    certificate = issue(render=True)
    qr_path = qr_text(pdf_bytes(certificate)).split("8000", 1)[1]
    services.certificate_revoke(actor=bureau_officer(), certificate_id=certificate.pk,
                                reason="伪造业绩材料SECRET", reason_category="fraud")
    data = api(client, number=certificate.number, name="张三丰").json()
    assert data["status"] == "revoked" and data["revocation_category"] == "fraud" and data["revoked_on"]
    page = client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "张三丰"})
    qr = client.get(qr_path)
    upload = client.post(reverse("certificate-verify-file"),
                         {"file": SimpleUploadedFile("c.pdf", pdf_bytes(certificate), "application/pdf")})
    file_api = client.post("/api/v1/certificates/verify/file/",
                           {"file": SimpleUploadedFile("c.pdf", pdf_bytes(certificate), "application/pdf")})
    assert b'data-status="revoked"' in page.content and b'data-status="revoked"' in qr.content
    assert b'data-outcome="revoked"' in upload.content and file_api.json()["outcome"] == "revoked"
    for response in (page, qr, upload, file_api):
        assert b"SECRET" not in response.content and "伪造".encode() not in response.content


def test_R5_3_number_qr_and_file_agree_on_a_valid_certificate(issue, client):
    certificate = issue(render=True)
    data = pdf_bytes(certificate)
    by_number = api(client, number=certificate.number, name="张三丰").json()
    by_qr = client.get(qr_text(data).split("8000", 1)[1])
    by_file = client.post("/api/v1/certificates/verify/file/",
                          {"file": SimpleUploadedFile("c.pdf", data, "application/pdf")}).json()
    assert by_number["status"] == "valid" and b'data-status="valid"' in by_qr.content
    assert by_file["outcome"] == "valid" and by_file["valid"] and by_file["certificate"]["number"] == \
        by_number["number"] == certificate.number
    assert by_file["certificate"]["holder_name"] == by_number["holder_name"]


def test_R5_3_the_qr_code_stops_verifying_when_turned_off(issue, client):
    certificate = issue(render=True)
    path = qr_text(pdf_bytes(certificate)).split("8000", 1)[1]
    services.certificate_qr_set(actor=certificate.holder, certificate_id=certificate.pk, enabled=False)
    response = client.get(path)
    assert response.status_code == 404 and b'data-status="not_found"' in response.content
    services.certificate_qr_set(actor=certificate.holder, certificate_id=certificate.pk, enabled=True)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("code", ["x", "a" * 200, "%00%00%00%00%00%00%00%00%00", "....",
                                  "AAAAAAAAAAAAAAAAAAAA", "张三丰张三丰张三丰张三丰张三丰张三丰"])
def test_R5_3_unknown_qr_codes_answer_not_found(client, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_R5_3_verification_pages_are_noindex(client):
    for url in (reverse("certificate-verify"), reverse("certificate-verify-file")):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert b'<meta name="robots" content="noindex, nofollow">' in response.content


def test_R5_3_the_page_shows_the_masked_name_and_never_the_id(issue, client):
    certificate = issue()
    response = client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "张三丰"})
    assert b'data-status="valid"' in response.content
    content = response.content.decode()
    assert "张*丰" in content and certificate.holder.id_number not in content
    assert certificate.holder_id_masked not in content and certificate.holder.mobile not in content
    bad = client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "张\ue000"})
    assert bad.status_code == 200 and b"GB 18030" in bad.content


def test_R5_3_the_api_is_rate_limited_per_address(issue, settings, own_address):
    settings.CERTIFICATE_VERIFY_RATE = "3/minute"
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    codes = [api(client, number=certificate.number, name="张三丰").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client(REMOTE_ADDR=own_address + "1")
    assert api(other, number=certificate.number, name="张三丰").status_code == 200


def test_R5_3_the_pages_are_rate_limited_per_address(issue, settings, own_address):
    settings.CERTIFICATE_VERIFY_PAGE_LIMIT = (2, 60)
    certificate = issue()
    client = Client(REMOTE_ADDR=own_address)
    data = {"number": certificate.number, "name": "张三丰"}
    codes = [client.post(reverse("certificate-verify"), data).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(reverse("certificate-verify")).status_code == 200  # the empty form is not counted
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAA/").status_code == 429  # one budget for every channel
    fresh = Client(REMOTE_ADDR=own_address + "2")
    assert [fresh.get("/verify/AAAAAAAAAAAAAAAAAAAA/").status_code for _ in range(3)] == [404, 404, 429]


def test_R5_3_the_holder_sees_when_and_which_enterprise_verified(issue, client):
    certificate = issue()
    organization = EnterpriseFactory(name="新疆天山装备有限公司")
    hr = hr_admin_of(organization)
    api(client, number=certificate.number, name="张三丰")  # anonymous
    client.force_login(hr)
    client.post(reverse("certificate-verify"), {"number": certificate.number, "name": "张三丰"})
    client.get(API, {"number": certificate.number, "name": "李四"})  # wrong name: not recorded
    events = list(VerificationEvent.objects.filter(certificate=certificate).order_by("pk"))
    assert [(e.channel, e.verifier_organization_id) for e in events] == [("api", None),
                                                                         ("number", organization.pk)]
    client.force_login(certificate.holder)
    page = client.get(reverse("my-certificate-detail", args=[certificate.pk]))
    assert "新疆天山装备有限公司".encode() in page.content


def test_R5_3_the_file_page_answers_garbage_and_oversized_uploads_clearly(client, settings):
    settings.CERTIFICATE_VERIFY_FILE_MAX_BYTES = 1024
    url = reverse("certificate-verify-file")
    for content in (b"not a pdf", b"%PDF-1.7 broken", b"\xff" * 900):
        response = client.post(url, {"file": SimpleUploadedFile("x.pdf", content, "application/pdf")})
        assert response.status_code == 200 and b'data-outcome="unreadable"' in response.content
    big = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-" + b"0" * 200_000, "application/pdf")})
    assert big.status_code == 200 and b'data-testid="too-large"' in big.content
    empty = client.post(url, {})
    assert empty.status_code == 200 and b"data-outcome" not in empty.content
    api_big = client.post("/api/v1/certificates/verify/file/",
                          {"file": SimpleUploadedFile("x.pdf", b"%PDF-" + b"0" * 200_000, "application/pdf")})
    assert api_big.status_code in (200, 400) and api_big.json().get("valid") is not True


def test_R5_3_jwks_is_public_json(issue, client):
    issue()
    response = client.get("/.well-known/jwks.json")
    assert response["Content-Type"] == "application/json"
    keys = json.loads(response.content)["keys"]
    assert len(keys) == 1 and set(keys[0]) >= {"kty", "crv", "x", "kid", "alg", "use", "valid_from", "valid_until"}


def test_R5_3_verify_by_file_takes_20_mb_by_default_and_offers_the_limit_to_the_browser(client):
    from certificates.services import file_upload_limit

    assert file_upload_limit() == 20 * 1024 * 1024
    page = client.get(reverse("certificate-verify-file")).content.decode()
    assert 'data-upload-max="20971520"' in page and 'data-upload="pdf"' in page and "20 MB" in page
    # A 12 MB PDF (over the old 5 MB) is read and judged, not refused as too large.
    response = client.post(reverse("certificate-verify-file"),
                           {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * (12 * 1024 * 1024),
                                                       "application/pdf")})
    assert response.status_code == 200 and b'data-testid="too-large"' not in response.content
    assert b"data-outcome=" in response.content
