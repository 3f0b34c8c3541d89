"""The certificate's granting body (评审/认定机构) in the reader's language: English and Uyghur names
taken at issue beside the printed Chinese one (the committee's, or the HR bureau's from its region's
names), shown on the verify page and the holder's and bureau's pages; the signed record, the PDF and
the verify API keep the Chinese, and a later rename does not change an issued certificate."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import title_names
from certificates import records, rendering, services
from certificates.models import Certificate
from portal.models import Committee, Organization, Region, User
from tests.factories import UserFactory, bureau_officer

pytestmark = pytest.mark.django_db

COMMITTEE = "乌鲁木齐市工程系列职称评审委员会"
COMMITTEE_EN = "Urumqi Engineering Title Evaluation Committee"
COMMITTEE_UG = "ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش كومىتېتى"
SHOWN = {"zh-hans": COMMITTEE, "en": COMMITTEE_EN, "ug": COMMITTEE_UG}
HOLDER = "买买提·艾力"


def make_committee(name: str = COMMITTEE, *, name_en: str = COMMITTEE_EN, name_ug: str = COMMITTEE_UG,
                   region_code: str = "650100") -> Committee:
    from applications.models import TitleSeries

    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code=region_code)
    today = timezone.localdate()
    return Committee.objects.create(
        name=name, name_en=name_en, name_ug=name_ug, kind=Committee.Kind.BUREAU, organizer=bureau,
        filed_by=bureau, series=TitleSeries.objects.get(code="engineering"),
        filing_number=f"新人社职称备〔2025〕{Committee.objects.count() + 1:03d}号",
        filed_on=today - dt.timedelta(days=365), valid_until=today + dt.timedelta(days=700),
        status=Committee.Status.ACTIVE)


@pytest.fixture
def certificate(issue):
    make_committee()
    return issue(holder=UserFactory(real_name=HOLDER), granting_body_name=COMMITTEE)


def verify(client, certificate, language: str) -> tuple[str, int]:
    client.cookies["django_language"] = language
    data = {"number": certificate.number, "name": HOLDER}
    client.post(reverse("certificate-verify"), data, HTTP_ACCEPT_LANGUAGE=language)  # warm the caches
    with CaptureQueriesContext(connection) as context:
        response = client.post(reverse("certificate-verify"), data, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert 'data-status="valid"' in html
    return html, len(context.captured_queries)


def shown(html: str) -> str:
    return re.search(r'data-testid="granting-body">([^<]*)<', html).group(1)


def test_R5_3_issuing_takes_the_committee_s_english_and_uyghur_names_beside_the_chinese(certificate):
    assert (certificate.granting_body_name, certificate.granting_body_name_en, certificate.granting_body_name_ug) \
        == (COMMITTEE, COMMITTEE_EN, COMMITTEE_UG)


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_4_the_verify_page_names_the_granting_body_in_the_reader_s_language(certificate, client, language):
    title_names.warm()
    html, _queries = verify(client, certificate, language)
    assert shown(html) == SHOWN[language]
    if language != "zh-hans":
        assert COMMITTEE not in html
    assert certificate.holder_id_masked not in html and certificate.holder.id_number not in html  # personal data
    assert HOLDER not in html.split('data-testid="verification-result"')[1]  # the answer masks the name


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_4_the_verify_page_reads_no_more_for_the_granting_body(certificate, issue, client, language):
    """The names come with the look-up a Uyghur or English page made already; a Chinese page reads
    only the public columns, as before."""
    title_names.warm()
    unnamed = issue(holder=UserFactory(real_name=HOLDER), granting_body_name="某某职称评审委员会")
    _html, named_queries = verify(client, certificate, language)
    html, unnamed_queries = verify(client, unnamed, language)
    assert shown(html) == "某某职称评审委员会"
    assert named_queries == unnamed_queries
    _html, chinese = verify(client, certificate, "zh-hans")
    assert named_queries == chinese + (0 if language == "zh-hans" else 1)


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_4_the_verify_qr_page_names_the_granting_body_in_the_reader_s_language(issue, client, language):
    make_committee()
    certificate = issue(holder=UserFactory(real_name=HOLDER), granting_body_name=COMMITTEE)
    code = "grantnamesQrTestCode0123"
    Certificate.objects.filter(pk=certificate.pk).update(qr_code_hash=services._code_hash(code))
    client.cookies["django_language"] = language
    html = client.get(reverse("certificate-verify-code", args=[code]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown(html) == SHOWN[language]


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_4_the_verify_api_keeps_the_chinese_granting_body(certificate, client, language):
    answer = client.post("/api/v1/certificates/verify/", {"number": certificate.number, "name": HOLDER},
                         content_type="application/json", HTTP_ACCEPT_LANGUAGE=language).json()
    assert answer["granting_body"] == COMMITTEE
    assert COMMITTEE_EN not in json.dumps(answer) and COMMITTEE_UG not in json.dumps(answer, ensure_ascii=False)


def test_R5_3_the_signed_record_and_the_pdf_keep_the_chinese_granting_body_alone(certificate):
    record = json.loads(certificate.record)
    assert record["granting_body"] == {"name": COMMITTEE, "region": "650100",
                                       "filing_number": certificate.filing_number}
    assert records.row_matches_record(certificate) and services.signature_checks(certificate)
    full = Certificate.objects.select_related("series", "specialty", "granting_body_region", "signing_key",
                                              "replaces", "holder").get(pk=certificate.pk)
    context = rendering.context_for(full, qr_url="https://example.test/verify/x/")
    printed = json.dumps(context, ensure_ascii=False, default=str)
    assert context["granting_body_name"] == COMMITTEE
    assert COMMITTEE_EN not in printed and COMMITTEE_UG not in printed


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_3_the_holder_and_the_bureau_read_the_granting_body_in_their_language(certificate, client, language):
    officer = bureau_officer()
    for user, url in ((certificate.holder, reverse("my-certificate-detail", args=[certificate.pk])),
                      (officer, reverse("bureau-certificate-detail", args=[certificate.pk]))):
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
        html = client.get(url).content.decode()
        assert shown(html) == SHOWN[language], url
        if language != "zh-hans":  # the reissue form keeps the printed name to correct
            assert COMMITTEE not in re.sub(r"<form.*?</form>", "", html, flags=re.S), url


@pytest.mark.parametrize(("code", "language", "name"), [
    ("650100", "en", "Urumqi Human Resources and Social Security Bureau"),
    ("650100", "ug", "ئۈرۈمچى شەھىرى ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت ئىدارىسى"),
    ("650100", "zh-hans", "乌鲁木齐市人力资源和社会保障局"),
    ("650000", "en", "Xinjiang Uygur Autonomous Region Department of Human Resources and Social Security"),
    ("650000", "ug", "شىنجاڭ ئۇيغۇر ئاپتونوم رايونى ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت نازارىتى"),
    ("650000", "zh-hans", "新疆维吾尔自治区人力资源和社会保障厅"),
])
def test_R5_3_a_bureau_granting_directly_is_named_from_its_region_s_names(issue, code, language, name):
    from django.utils import translation

    region = Region.objects.get(code=code)
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=region)
    certificate = issue(granting_body_name=bureau.name, granting_body_region=region, method="recognition")
    with translation.override(language):
        assert certificate.granting_body_display == name


def test_R5_3_a_granting_body_with_no_other_names_is_shown_as_printed(issue):
    from django.utils import translation

    make_committee("和田地区卫生系列职称评审委员会", name_en="", name_ug="")
    for body in ("和田地区卫生系列职称评审委员会", "某协会自主评审委员会"):
        certificate = issue(granting_body_name=body)
        assert (certificate.granting_body_name_en, certificate.granting_body_name_ug) == ("", "")
        for language in ("ug", "en", "zh-hans"):
            with translation.override(language):
                assert certificate.granting_body_display == body


def test_R5_3_a_later_rename_of_the_committee_does_not_change_an_issued_certificate(certificate, client):
    Committee.objects.filter(name=COMMITTEE).update(name_en="Renamed Committee", name_ug="يېڭى نام")
    certificate.refresh_from_db()
    assert (certificate.granting_body_name_en, certificate.granting_body_name_ug) == (COMMITTEE_EN, COMMITTEE_UG)
    html, _queries = verify(client, certificate, "en")
    assert shown(html) == COMMITTEE_EN


def test_R5_3_a_reissue_keeps_the_names_of_the_same_body_and_names_another_body_afresh(certificate):
    officer = bureau_officer()
    Committee.objects.filter(name=COMMITTEE).update(name_en="Renamed Committee")
    same = services.certificate_reissue(actor=officer, certificate_id=certificate.pk, reason="批准文号更正",
                                        approval_number="乌人社职〔2026〕9号")
    assert (same.granting_body_name_en, same.granting_body_name_ug) == (COMMITTEE_EN, COMMITTEE_UG)
    other = services.certificate_reissue(actor=officer, certificate_id=same.pk, reason="发证机构更正",
                                         granting_body_name="乌鲁木齐市人力资源和社会保障局")
    assert other.granting_body_name_en == "Urumqi Human Resources and Social Security Bureau"


def test_R5_3_a_batch_names_every_certificate_s_granting_body(run_on_commit):
    from tests.certificates.conftest import grant_kwargs

    make_committee()
    specs = []
    for n in range(3):
        spec = grant_kwargs(grant_key=f"application:grantnames-{n}", holder=UserFactory(real_name=f"申请人{n}"),
                            granting_body_name=COMMITTEE)
        spec.pop("actor")
        specs.append(spec)
    run_on_commit(services.certificate_issue_batch, grant_specs=specs, actor=None)
    names = set(Certificate.objects.filter(grant_key__startswith="application:grantnames-")
                .values_list("granting_body_name_en", "granting_body_name_ug"))
    assert names == {(COMMITTEE_EN, COMMITTEE_UG)}


def test_R5_3_the_migration_names_the_granting_body_of_certificates_issued_before(certificate, issue):
    import importlib

    from django.apps import apps

    bureau = issue(granting_body_name="乌鲁木齐市人力资源和社会保障局", method="recognition")
    Certificate.objects.update(granting_body_name_en="", granting_body_name_ug="")
    before = dict(Certificate.objects.values_list("pk", "updated_at"))
    migration = importlib.import_module("certificates.migrations.0005_granting_body_in_english_and_uyghur")
    migration.backfill(apps, None)
    names = dict((pk, (en, ug)) for pk, en, ug in Certificate.objects.values_list(
        "pk", "granting_body_name_en", "granting_body_name_ug"))
    assert names[certificate.pk] == (COMMITTEE_EN, COMMITTEE_UG)
    assert names[bureau.pk][0] == "Urumqi Human Resources and Social Security Bureau"
    assert dict(Certificate.objects.values_list("pk", "updated_at")) == before  # cached verdicts stay valid


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_R5_4_the_enterprise_s_verification_workbook_names_the_granting_body_in_the_reader_s_language(
        certificate, client, language):
    import io

    from openpyxl import load_workbook

    from tests.certificates.test_pages import xlsx
    from tests.factories import EnterpriseFactory, hr_admin_of

    organization = EnterpriseFactory()
    client.force_login(hr_admin_of(organization, language=language))
    response = client.post(reverse("enterprise-certificates", args=[organization.pk]),
                           {"file": xlsx([["证书编号", "姓名"], [certificate.number, HOLDER]])})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][8] == SHOWN[language]
    assert certificate.holder.id_number not in str(rows) and certificate.holder_id_masked not in str(rows)
