"""Pages and API of holders (R5.3), enterprises (R5.4) and bureaus (R6.3):
permissions for each role and one that may not, and flat query counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from certificates import services
from certificates.models import Certificate, VerificationEvent
from portal.models import AuditEvent, Employment
from tests.certificates.test_batches import specs
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of


def queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- Holder -----------------------------------------------------------------------

def test_R5_3_the_holder_lists_their_certificates_with_flat_queries(issue, client, django_assert_num_queries):
    holder = UserFactory()
    issue(holder=holder)
    client.force_login(holder)
    url = reverse("my-certificates")
    one = queries(client, url)
    for _ in range(4):
        issue(holder=holder)
    issue()  # someone else's
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.count(b'class="masked"') == 5
    api = client.get("/api/v1/certificates/mine/")
    assert api.status_code == 200 and api.json()["count"] == 5


@pytest.mark.parametrize("how", ["revoked", "superseded"])
def test_R6_3_a_certificate_no_longer_valid_is_not_handed_out_again_as_a_pdf(issue, client, how):
    """The signed PDF carries no mark of a later revocation or correction: the holder is not offered it
    (list, detail) and the download address leads back to the detail page, which says why."""
    certificate = issue(render=True)
    if how == "revoked":
        services.certificate_revoke(actor=bureau_officer(), certificate_id=certificate.pk,
                                    reason="证书信息录入错误", reason_category="issued_in_error")
    else:
        Certificate.objects.filter(pk=certificate.pk).update(status=how, superseded_at=timezone.now())
    client.force_login(certificate.holder)
    url = reverse("my-certificate-pdf", args=[certificate.pk])
    detail_url = reverse("my-certificate-detail", args=[certificate.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == detail_url
    detail = client.get(detail_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该证书已失效，其PDF文件不再提供下载。" in detail and 'data-testid="download-pdf"' not in detail
    assert url not in detail and url not in client.get(reverse("my-certificates")).content.decode()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # someone else's: as before
    client.force_login(bureau_officer())  # the bureau keeps its copy of what was issued
    response = client.get(reverse("bureau-certificate-pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_R5_3_only_the_holder_downloads_the_pdf(issue, client):
    certificate = issue(render=True)
    url = reverse("my-certificate-pdf", args=[certificate.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(certificate.holder)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert certificate.number in response["Content-Disposition"]


def test_R5_3_the_holder_turns_the_qr_code_off_and_replaces_it_from_the_dashboard(issue, client,
                                                                                django_capture_on_commit_callbacks):
    certificate = issue(render=True)
    url = reverse("my-certificate-detail", args=[certificate.pk])
    client.force_login(certificate.holder)
    assert b'data-testid="download-pdf"' in client.get(url).content
    client.post(url, {"action": "qr-off"})
    certificate.refresh_from_db()
    assert not certificate.qr_enabled
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "qr-replace"})
    certificate.refresh_from_db()
    assert certificate.qr_enabled and certificate.pdf_generation == 2
    assert client.post(url, {"action": "explode"}).status_code == 404
    client.force_login(UserFactory())
    assert client.post(url, {"action": "qr-off"}).status_code == 404


# --- Enterprise (R5.4) --------------------------------------------------------------

def test_R5_4_the_enterprise_sees_its_confirmed_employees_certificates(issue, client, django_assert_num_queries):
    organization = EnterpriseFactory()
    hr = hr_admin_of(organization)
    issue(holder=employee_of(organization))
    client.force_login(hr)
    url = reverse("enterprise-certificates", args=[organization.pk])
    one = queries(client, url)
    for _ in range(3):
        issue(holder=employee_of(organization))
    pending = UserFactory()
    Employment.objects.create(user=pending, employer=organization, start_date="2020-01-01", status="pending")
    issue(holder=pending)
    issue(holder=employee_of(EnterpriseFactory()))
    with django_assert_num_queries(one):
        response = client.get(url)
    assert response.content.count(b"status-badge status-valid") == 4


def test_R5_4_other_enterprises_and_anonymous_users_do_not_see_them(issue, client):
    organization = EnterpriseFactory()
    issue(holder=employee_of(organization))
    url = reverse("enterprise-certificates", args=[organization.pk])
    assert client.get(url).status_code == 302
    client.force_login(hr_admin_of(EnterpriseFactory()))
    assert client.get(url).status_code == 404
    client.force_login(employee_of(organization))
    assert client.get(url).status_code == 404


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("candidates.xlsx", out.getvalue(),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_R5_4_the_enterprise_verifies_a_list_of_candidates_excel_in_excel_out(issue, client):
    organization = EnterpriseFactory(name="新疆测试验证有限公司")
    hr = hr_admin_of(organization)
    valid = issue()
    revoked = issue(holder=UserFactory(real_name="李四"))
    services.certificate_revoke(actor=bureau_officer(), certificate_id=revoked.pk, reason="秘密理由",
                                reason_category="fraud")
    typo = valid.number[:-1] + ("0" if valid.number[-1] != "0" else "1")
    upload = xlsx([["证书编号", "姓名"], [valid.number, "张三丰"], [revoked.number, "李四"], [valid.number, "王五"],
                   [typo, "张三丰"], ["@SUM(1+1)", "-2+3"], [None, None]])
    client.force_login(hr)
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]), {"file": upload})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Row", "Certificate number", "Name", "Result")
    results = {r[0]: r for r in rows[1:]}
    # The title, series and specialty in the reader's language (English here), as on the certificate's page.
    assert results[2][3] == "Valid" and results[2][4] == "Engineer" and results[2][11] == "yes"
    assert results[2][5] == valid.series.name_en and results[2][6] == valid.specialty.name_en
    assert results[3][3] == "Revoked" and "Fraud" in results[3][12]
    assert results[4][3] == "Not found"
    assert results[5][3] == "Not found" and "check character" in results[5][12]
    assert results[6][1] == "'@SUM(1+1)" and results[6][2] == "'-2+3" and results[6][3] == "Not found"
    assert "秘密理由" not in str(rows) and valid.holder.id_number not in str(rows)
    event = AuditEvent.objects.get(action="certificate.bulk_verify")
    assert event.actor_id == hr.pk and event.after["rows"] == 5 and event.after["valid"] == 1
    assert set(VerificationEvent.objects.values_list("channel", "verifier_organization")) == {("bulk", organization.pk)}


def test_R5_4_bulk_verification_answers_in_the_readers_language_uyghur(issue, client):
    """Headers, result words and the catalogue's names (title, series, specialty) in Uyghur for a
    Uyghur reader; a granting body with no Uyghur name taken at issue stays as printed on the
    certificate (test_granting_body_in_language)."""
    from django.utils import translation

    organization = EnterpriseFactory()
    valid = issue()
    client.force_login(hr_admin_of(organization, language="ug"))
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]),
                           {"file": xlsx([["证书编号", "姓名"], [valid.number, "张三丰"]])})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    with translation.override("ug"):
        assert rows[0][:4] == tuple(translation.gettext(w) for w in ("Row", "Certificate number", "Name", "Result"))
        assert rows[1][3] == translation.gettext("Valid")
        assert rows[1][4] == valid.title_display and rows[1][4] != "工程师"
    assert rows[1][5] == valid.series.name_ug and rows[1][6] == valid.specialty.name_ug
    assert rows[1][8] == valid.granting_body_name


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "证书查验结果"), ("ug", "گۇۋاھنامە دەلىللەش نەتىجىسى"),
                                               ("en", "Verification results")])
def test_R5_4_bulk_verification_sheet_name_is_in_the_readers_language_and_fits_excel(issue, client, language, title):
    """The answer workbook's tab was named "verification" in every language; Excel refuses a sheet
    name longer than 31 characters."""
    organization = EnterpriseFactory()
    valid = issue()
    client.force_login(hr_admin_of(organization, language=language))
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]),
                           {"file": xlsx([[valid.number, "张三丰"]])})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [title]
    assert len(workbook.sheetnames[0]) <= 31


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("x.xlsx", b"not excel at all"),
    SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken zip"),
    SimpleUploadedFile("x.xlsx", b""),
])
def test_R5_4_a_bad_excel_file_gets_a_message_not_a_500(client, upload):
    organization = EnterpriseFactory()
    client.force_login(hr_admin_of(organization))
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]), {"file": upload})
    assert response.status_code == 200 and b"invalid-feedback" in response.content
    assert not AuditEvent.objects.filter(action="certificate.bulk_verify").exists()


def test_R5_4_nul_in_a_cell_is_stripped_and_the_answer_workbook_is_written(issue, client, monkeypatch):
    """openpyxl refuses to write NUL into the answer workbook (a 500 before the
    shared guard): the guard strips it from every cell read."""
    from tests.uploads_helpers import nul_in_every_text_cell

    nul_in_every_text_cell(monkeypatch)
    organization = EnterpriseFactory()
    valid = issue()
    client.force_login(hr_admin_of(organization))
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]),
                           {"file": xlsx([["证书编号", "姓名"], [valid.number, "张三丰"]])})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1:4] == (valid.number, "张三丰", "Valid")


def test_R5_4_too_many_rows_are_refused(client, settings):
    settings.CERTIFICATE_BULK_MAX_ROWS = 3
    organization = EnterpriseFactory()
    client.force_login(hr_admin_of(organization))
    upload = xlsx([[f"650100-2026-ENG-00000{n}-X", "张三"] for n in range(5)])
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]), {"file": upload})
    assert b"At most 3 rows" in response.content


# --- Bureau (R6.3) ----------------------------------------------------------------------

def test_R6_3_the_bureau_lists_and_searches_its_regions_certificates(issue, client, django_assert_num_queries):
    officer = bureau_officer("650100")
    mine = issue()
    client.force_login(officer)
    url = reverse("bureau-certificates")
    one = queries(client, url)
    for _ in range(3):
        issue()
    from tests.factories import region

    other = issue(granting_body_region=region("652300"))
    with django_assert_num_queries(one):
        response = client.get(url)
    assert other.number.encode() not in response.content and mine.number.encode() in response.content
    found = client.get(url, {"q": mine.number.replace("-", "").lower()})
    assert found.content.count(b'class="masked"') == 1
    client.force_login(bureau_officer("650000"))
    assert other.number.encode() in client.get(url).content  # the autonomous region sees all
    client.force_login(UserFactory(roles=["applicant"]))
    assert client.get(url).status_code == 403


def test_R6_3_the_bureau_revokes_from_the_page(issue, client):
    certificate = issue()
    url = reverse("bureau-certificate-detail", args=[certificate.pk])
    client.force_login(bureau_officer("652300"))
    assert client.get(url).status_code == 404
    client.force_login(bureau_officer("650100"))
    response = client.post(url, {"action": "revoke", "reason_category": "fraud", "reason": ""})
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    response = client.post(url, {"action": "revoke", "reason_category": "fraud", "reason": "业绩造假"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert "业绩造假".encode() in client.get(url).content  # the bureau sees the recorded reason


def test_R6_3_the_bureau_reissues_a_corrected_certificate_from_the_page(issue, client, settings):
    certificate = issue()
    client.force_login(bureau_officer())
    url = reverse("bureau-certificate-detail", args=[certificate.pk])
    response = client.post(url, {"action": "reissue", "title_name": "工程师", "specialty": certificate.specialty_id,
                                 "level": "intermediate", "method": "review",
                                 "granting_body_name": "乌鲁木齐市工程技术系列中级职称评审委员会",
                                 "filing_number": "新人社职备〔2025〕13号", "approval_number": "乌人社职〔2026〕3号",
                                 "date_granted": "2026-01-05", "reason": "备案号错误"})
    assert response.status_code == 302
    new = Certificate.objects.get(replaces=certificate)
    assert response["Location"] == reverse("bureau-certificate-detail", args=[new.pk])
    assert new.filing_number == "新人社职备〔2025〕13号"
    certificate.refresh_from_db()
    assert certificate.status == "superseded"


def test_R5_3_the_batch_page_and_its_json_show_progress_and_retry(client, run_on_commit):
    officer = bureau_officer()
    grants = specs(2)
    bad = grants[0]["holder"]
    type(bad).objects.filter(pk=bad.pk).update(id_number_hash=None)
    batch = run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=officer, label="第一批")
    client.force_login(officer)
    page = client.get(reverse("bureau-batch-detail", args=[batch.pk]))
    assert page.status_code == 200 and b"batch_progress.js" in page.content and b"<script>" not in page.content
    assert b'data-testid="failures"' in page.content
    progress = client.get(f"/api/v1/certificates/batches/{batch.pk}/progress/")
    assert progress.json() == {"total": 2, "issued": 1, "failed": 1, "remaining": 0, "done": True}
    assert client.get(reverse("bureau-batches")).status_code == 200
    retry = client.post(reverse("bureau-batch-retry", args=[batch.pk]))
    assert retry.status_code == 302
    client.force_login(bureau_officer("652300"))
    assert client.get(reverse("bureau-batch-detail", args=[batch.pk])).status_code == 404
    assert client.get(f"/api/v1/certificates/batches/{batch.pk}/progress/").status_code == 404
    assert client.post(reverse("bureau-batch-retry", args=[batch.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/certificates/batches/{batch.pk}/progress/").status_code == 403


def test_R5_3_the_openapi_schema_includes_the_certificate_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/certificates/verify/", "/api/v1/certificates/verify/file/",
                 "/api/v1/certificates/mine/", "/api/v1/certificates/batches/{id}/progress/"):
        assert path in paths


def test_R5_3_the_back_office_shows_certificates_read_only(issue, client):
    certificate = issue()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/admin/certificates/certificate/", f"/admin/certificates/certificate/{certificate.pk}/change/",
                "/admin/certificates/signingkey/", "/admin/certificates/issuebatch/",
                "/admin/certificates/verificationevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"private_key" not in response.content and certificate.holder.id_number.encode() not in response.content
    assert client.post(f"/admin/certificates/certificate/{certificate.pk}/delete/").status_code == 403


def test_R5_3_other_lists_keep_flat_query_counts(issue, client, run_on_commit, django_assert_num_queries):
    holder = UserFactory()
    certificate = issue(holder=holder)
    services.certificate_verify_number(number=certificate.number, name=holder.real_name)
    client.force_login(holder)
    detail = reverse("my-certificate-detail", args=[certificate.pk])
    counts = {"api": queries(client, "/api/v1/certificates/mine/"), "detail": queries(client, detail)}
    for _ in range(3):
        issue(holder=holder)
        organization = EnterpriseFactory()
        services.certificate_verify_number(number=certificate.number, name=holder.real_name,
                                           verifier=hr_admin_of(organization))
    with django_assert_num_queries(counts["api"]):
        assert client.get("/api/v1/certificates/mine/").json()["count"] == 4
    with django_assert_num_queries(counts["detail"]):
        assert client.get(detail).content.count(b"list-group-item d-flex") == 4
    officer = bureau_officer()
    run_on_commit(services.certificate_issue_batch, grant_specs=specs(1), actor=officer, label="一")
    client.force_login(officer)
    one = queries(client, reverse("bureau-batches"))
    for n in range(3):
        grants = specs(1)
        grants[0]["grant_key"] = f"application:more-{n}"
        run_on_commit(services.certificate_issue_batch, grant_specs=grants, actor=officer)
    with django_assert_num_queries(one):
        assert client.get(reverse("bureau-batches")).content.count(b"bureau/certificate-batches/") >= 4


def test_R5_4_an_excel_zip_bomb_is_refused_before_it_is_unpacked(client):
    import zipfile

    organization = EnterpriseFactory()
    client.force_login(hr_admin_of(organization))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<a>" + b"0" * (60 * 1024 * 1024) + b"</a>")
    upload = SimpleUploadedFile("bomb.xlsx", out.getvalue())
    assert len(out.getvalue()) < 2 * 1024 * 1024
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]), {"file": upload})
    assert response.status_code == 200 and b"unpacks to" in response.content


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_the_verify_forms_written_out_fields_render_as_crispy_rendered_them(language):
    """templates/certificates/_verify_form_fields.html is crispy's bootstrap5 rendering of VerifyForm,
    written out (issue 15): the same HTML, unbound, bound, with field errors (escaped values) and
    with form errors, in each language."""
    from django.template import engines
    from django.utils import translation

    from certificates.forms import VerifyForm

    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    written = engines["django"].from_string('{% include "certificates/_verify_form_fields.html" %}')

    def forms():
        yield VerifyForm()
        yield VerifyForm({"number": "650100-2026-ENG-000123-K", "name": "张三丰"})
        bad = VerifyForm({"number": "", "name": "x\"<'&"})
        bad.is_valid()
        yield bad
        both = VerifyForm({"number": " 0 ", "name": ""})
        both.is_valid()
        both.add_error(None, "<b>one</b>")
        both.add_error(None, "two")
        both.add_error("name", "second")
        yield both

    with translation.override(language):
        for form in forms():
            form.is_bound and form.is_valid()
            assert written.render({"form": form}) == crispy.render({"form": form})
