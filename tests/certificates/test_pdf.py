"""R5.3: the PDF certificate: real Chinese text, the QR code, the attached signed
record, and the file check that never calls a tampered file valid."""

from __future__ import annotations

import io
import json
import random
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from pypdf import PdfReader, PdfWriter

from certificates import fonts, rendering, services, signing
from certificates.pdffile import extract_jws
from tests.factories import UserFactory
from tests.tools import needs_tool, require_tool

POPPLER = ("pdftotext", "pdftoppm", "pdffonts")
pytestmark = needs_tool(*POPPLER, package="poppler-utils")


def pdf_bytes(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    require_tool("pdftotext", package="poppler-utils")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout \
        .decode("utf-8")


def qr_text(data: bytes) -> str:
    require_tool("pdftoppm", package="poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-", f"{folder}/page"], input=data,
                       check=True)
        found = zxingcpp.read_barcodes(Image.open(Path(folder) / "page.png"))
    assert len(found) == 1
    return found[0].text


def pdf_fonts(data: bytes) -> str:
    require_tool("pdffonts", package="poppler-utils")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(["pdffonts", handle.name], capture_output=True, check=True, text=True).stdout


def test_R5_3_the_pdf_text_carries_the_number_and_the_chinese_title(issue):
    certificate = issue(render=True)
    text = pdf_text(pdf_bytes(certificate))
    for expected in (certificate.number, "工程师", "职 称 证 书", "张三丰", certificate.holder_id_masked,
                     "电气工程", "中级", "乌鲁木齐市工程技术系列中级职称评审委员会", "新人社职备〔2025〕12号",
                     "乌人社职〔2026〕3号", "2026年1月5日", "乌鲁木齐市人力资源和社会保障局"):
        assert expected in text, expected
    assert certificate.holder.id_number not in text and certificate.holder.mobile not in text


def test_R5_3_the_pdf_carries_the_signed_record_and_one_embedded_subset_font(issue):
    certificate = issue(render=True)
    data = pdf_bytes(certificate)
    assert data.startswith(b"%PDF-")
    assert extract_jws(data) == certificate.jws
    attachments = PdfReader(io.BytesIO(data)).attachments
    assert list(attachments) == ["certificate.jws"]
    font_table = pdf_fonts(data)
    assert "Certificate-Primary" in font_table and "Noto" not in font_table  # the reduced font, subset


def test_R5_3_the_qr_code_decodes_to_the_verify_url_and_verifies(issue, client, settings):
    certificate = issue(render=True)
    url = qr_text(pdf_bytes(certificate))
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/verify/")
    path = url[len(settings.SITE_URL.rstrip("/")):]
    response = client.get(path)
    assert response.status_code == 200
    assert b'data-status="valid"' in response.content and certificate.number.encode() in response.content


def test_R5_3_rare_characters_fall_back_to_a_second_font_and_never_print_as_boxes(issue):
    certificate = issue(render=True, holder=UserFactory(real_name="吉𠮷堃"))
    data = pdf_bytes(certificate)
    assert "吉𠮷堃" in pdf_text(data)
    font_table = pdf_fonts(data)
    assert "Certificate-Primary" in font_table and "Noto-Serif-CJK-SC" in font_table
    assert not fonts.uncovered("吉𠮷堃") and fonts.uncovered("𪚥") == ["𪚥"]


def test_R5_3_uyghur_script_names_print(issue):
    certificate = issue(render=True, holder=UserFactory(real_name="ئەلى مەمەت"))
    assert "DejaVu" in pdf_fonts(pdf_bytes(certificate))


def test_R5_3_the_renderer_is_built_once_per_process_and_checks_harfbuzz():
    assert rendering.get_renderer() is rendering.get_renderer()
    rendering.require_harfbuzz_subset()
    with mock.patch("weasyprint.text.ffi.harfbuzz_subset", None), \
            pytest.raises(rendering.RendererUnavailable, match="HarfBuzz"):
        rendering.require_harfbuzz_subset()


def test_R5_3_the_worker_refuses_to_start_without_harfbuzz_subsetting():
    from celery.exceptions import WorkerTerminate

    from certificates.tasks import require_certificate_renderer

    require_certificate_renderer()
    with mock.patch("weasyprint.text.ffi.harfbuzz_subset", None), pytest.raises(WorkerTerminate):
        require_certificate_renderer()


def test_R5_3_a_render_task_that_fails_is_retried_and_then_succeeds(issue, run_on_commit):
    certificate = issue()
    real = rendering.Renderer.write_pdf
    calls = []

    def flaky(self, html, *, jws):
        calls.append(1)
        if len(calls) < 3:
            raise OSError("disk hiccup")
        return real(self, html, jws=jws)

    from certificates.tasks import render_certificate_pdf

    with mock.patch.object(rendering.Renderer, "write_pdf", flaky), \
            mock.patch("certificates.tasks._backoff", return_value=0):
        render_certificate_pdf.delay(certificate.pk)
    certificate.refresh_from_db()
    assert len(calls) == 3 and certificate.pdf_ready


# --- Checking an uploaded file -------------------------------------------------------

def verify(data: bytes):
    return services.certificate_verify_file(data=data)


def test_R5_3_the_issued_file_is_genuine_unaltered_and_valid(issue):
    certificate = issue(render=True)
    result = verify(pdf_bytes(certificate))
    assert result.outcome == "valid" and result.genuine and result.unaltered and result.is_valid
    assert result.public()["certificate"]["holder_name"] == "张*丰"


def test_R5_3_a_revoked_certificate_file_is_genuine_but_not_valid(issue):
    certificate = issue(render=True)
    services.certificate_revoke(actor=__import__("tests.factories", fromlist=["x"]).bureau_officer(),
                                certificate_id=certificate.pk, reason="造假", reason_category="fraud")
    result = verify(pdf_bytes(certificate))
    assert result.outcome == "revoked" and result.genuine and result.unaltered and not result.is_valid


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def test_R5_3_one_byte_changed_anywhere_is_never_valid_and_never_raises(issue):
    data = pdf_bytes(issue(render=True))
    rng = random.Random(5)
    positions = [rng.randrange(len(data)) for _ in range(60)] + [0, 5, len(data) - 1]
    for index in positions:
        result = verify(_flip(data, index))
        assert not result.is_valid, index
        assert result.outcome in ("modified", "not_genuine", "no_record", "unreadable"), result.outcome


def _with_attachment(data: bytes, jws: str) -> bytes:
    """The same PDF with its certificate.jws replaced."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    writer._root_object.pop("/Names", None)
    writer.add_attachment("certificate.jws", jws.encode("ascii"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_R5_3_one_byte_of_the_record_changed_is_not_genuine(issue):
    certificate = issue(render=True)
    head, payload, signature = certificate.jws.split(".")
    record = json.loads(signing.b64url_decode(payload))
    record["level"] = "senior"
    tampered = f"{head}.{signing.b64url_encode(signing.canonical_json(record))}.{signature}"
    result = verify(_with_attachment(pdf_bytes(certificate), tampered))
    assert result.outcome == "not_genuine" and not result.genuine
    # One character of the encoded record, re-rendered by the real renderer.
    index = len(head) + 1 + 40
    flipped = certificate.jws[:index] + ("A" if certificate.jws[index] != "A" else "B") + certificate.jws[index + 1:]
    renderer = rendering.get_renderer()
    forged = renderer.write_pdf(renderer.html(certificate, qr_url="http://x/verify/abc/"), jws=flipped)
    assert verify(forged).outcome == "not_genuine"


def test_R5_3_a_record_swapped_from_another_certificate_is_not_valid(issue):
    mine = issue(render=True)
    other = issue(render=True, holder=UserFactory(real_name="李四"))
    result = verify(_with_attachment(pdf_bytes(mine), other.jws))
    assert result.genuine and not result.unaltered and result.outcome == "modified" and not result.is_valid
    renderer = rendering.get_renderer()
    forged = renderer.write_pdf(renderer.html(mine, qr_url="http://x/verify/abc/"), jws=other.jws)
    assert verify(forged).outcome == "modified"


def test_R5_3_a_record_re_signed_with_an_unknown_key_is_not_genuine(issue):
    certificate = issue(render=True)
    head, payload, _signature = certificate.jws.split(".")
    stranger = Ed25519PrivateKey.generate()
    for header in ({"alg": "EdDSA", "kid": certificate.signing_key.kid}, {"alg": "EdDSA", "kid": "ed25519-x"}):
        h = signing.b64url_encode(signing.canonical_json(header))
        resigned = f"{h}.{payload}.{signing.b64url_encode(stranger.sign(f'{h}.{payload}'.encode()))}"
        result = verify(_with_attachment(pdf_bytes(certificate), resigned))
        assert result.outcome == "not_genuine" and not result.is_valid


def test_R5_3_an_older_copy_after_a_qr_replacement_is_not_valid(issue, run_on_commit):
    certificate = issue(render=True)
    old = pdf_bytes(certificate)
    run_on_commit(services.certificate_qr_replace, actor=certificate.holder, certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert verify(old).outcome == "modified"
    assert verify(pdf_bytes(certificate)).outcome == "valid"


@pytest.mark.parametrize("data, outcome", [
    (b"", "unreadable"),
    (b"hello world", "unreadable"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 40, "unreadable"),
    (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "unreadable"),
    ("blank", "no_record"),
    (b"%PDF-" + b"A" * (6 * 1024 * 1024), "unreadable"),
])
def test_R5_3_garbage_and_huge_uploads_get_a_clear_answer(data, outcome):
    if data == "blank":  # a real PDF, but no certificate
        writer = PdfWriter()
        writer.add_blank_page(200, 200)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    assert verify(data).outcome == outcome


def test_R5_3_a_pdf_with_two_signed_records_is_unreadable(issue):
    certificate = issue(render=True)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(certificate))))
    writer.add_attachment("certificate.jws", certificate.jws.encode())
    out = io.BytesIO()
    writer.write(out)
    assert verify(out.getvalue()).outcome in ("unreadable", "modified")
    assert not verify(out.getvalue()).is_valid


def test_R5_3_a_worker_process_builds_its_renderer_and_freezes_what_lives_as_long_as_it():
    import gc

    from certificates.tasks import build_certificate_renderer

    try:
        build_certificate_renderer()  # worker_process_init
        assert rendering._renderer is not None
        assert gc.get_freeze_count() > 0  # full collections no longer walk Django's and WeasyPrint's objects
    finally:
        gc.unfreeze()
