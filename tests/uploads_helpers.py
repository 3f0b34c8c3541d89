"""Files for the upload tests: image bombs, phone photos, scanned PDFs and
spreadsheets that unpack to far more than they weigh."""

from __future__ import annotations

import io
import os
import random
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

#: EXIF tags: orientation, camera make, GPS info pointer.
ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 30000, height: int = 30000, size: int = 1500) -> bytes:
    """A well-formed PNG of about ``size`` bytes that claims ``width`` × ``height``
    RGB pixels (2.7 GB for 30000 × 30000 once decoded)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 4, 9)  # the first rows: black
    padding = max(0, size - len(header) - len(rows) - 8 - 12 * 3 - 12)
    text = _chunk(b"tEXt", b"Comment\x00" + b"x" * padding)
    return b"\x89PNG\r\n\x1a\n" + header + text + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def jpeg_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """A small JPEG whose frame header claims ``width`` × ``height`` pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def phone_photo(width: int = 6000, height: int = 4500, *, orientation: int = 6, min_bytes: int = 0) -> bytes:
    """A JPEG as a phone takes it: EXIF with the camera, a GPS position and an
    orientation (6: the phone was held upright, the sensor lies on its side).
    The top-left quarter is red, the rest blue, to see where it ends up.
    Noise makes it as heavy as ``min_bytes`` asks; the same noise every time (seeded), so the
    photo's size, and what the tests compare it with, does not change from run to run."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height // 2))
    if min_bytes:
        noise = Image.frombytes("L", (width, height), random.Random(width * height).randbytes(width * height))
        image = Image.merge("RGB", [Image.blend(band, noise, 0.25) for band in image.split()])
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (43.0, 49.0, 30.0), 3: "E", 4: (87.0, 36.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=97, exif=exif.tobytes())
    data = buffer.getvalue()
    assert len(data) >= min_bytes, (len(data), min_bytes)
    return data


def scanned_pdf(size: int) -> bytes:
    """A PDF of ``size`` bytes: one page whose image stream holds scanner data."""
    body = os.urandom(max(0, size - 600))
    parts = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []

    def obj(number: int, content: bytes) -> None:
        offsets.append(sum(len(p) for p in parts))
        parts.append(b"%d 0 obj\n" % number + content + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> "
           b"/Contents 5 0 R >>")
    obj(4, b"<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    obj(5, b"<< /Length 35 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream")
    xref = sum(len(p) for p in parts)
    parts.append(b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    parts.append(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return b"".join(parts)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def xlsx_bomb(unpacked: int = 300 * 1024 * 1024) -> bytes:
    """A 300 KB .xlsx whose shared strings unpack to ``unpacked`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"A" * (1024 * 1024)
            for _i in range(unpacked // len(block)):
                member.write(block)
            member.write(b"</t></si></sst>")
    return out.getvalue()


# --- Fixtures of the spreadsheet tests (import them into a test module to use them) -------------

@pytest.fixture(scope="module")
def xlsx_bomb_300mb() -> bytes:
    """A 300 KB .xlsx that unpacks to 300 MB (made once per module: it takes a second)."""
    return xlsx_bomb(300 * 1024 * 1024)


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if openpyxl is asked to open a workbook: the guard must refuse it first."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl parsed a workbook the guard should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def nul_in_every_text_cell(monkeypatch, *, around: bool = False) -> None:
    """Make openpyxl give NUL in every text cell it reads (after it, or ``around`` it): what an
    XML reader that lets NUL through would give, and what PostgreSQL refuses."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    real = ReadOnlyWorksheet.iter_rows

    def with_nul(self, *args, **kwargs):
        for row in real(self, *args, **kwargs):
            yield tuple((f"\x00{v}\x00" if around else f"{v}\x00") if isinstance(v, str) else v for v in row)

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", with_nul)
