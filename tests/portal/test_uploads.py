"""The upload guard (portal/uploads.py): image bombs refused before decoding,
phone photos stored upright, without EXIF and downscaled, limits as settings."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from portal import uploads
from tests.uploads_helpers import GPS_IFD, MAKE, ORIENTATION, jpeg_bomb, phone_photo, png_bomb, scanned_pdf, upload


def refusal(data: bytes, name: str = "file") -> ValidationError:
    with pytest.raises(ValidationError) as error:
        uploads.prepare_document(upload(name, data))
    return error.value


def test_image_bomb_png_of_1_5_kb_claiming_30000_by_30000_pixels_is_refused_before_decoding(monkeypatch):
    bomb = png_bomb(30000, 30000)
    assert 1000 < len(bomb) <= 1600
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    error = refusal(bomb, "bomb.png")
    assert error.code == "too_many_pixels" and "80 megapixels" in error.messages[0]
    assert not decoded  # refused from the header: nothing was decoded
    with pytest.raises(ValidationError):
        uploads.validate_document(upload("bomb.png", bomb))


def test_image_bomb_under_pillows_own_limit_but_over_ours_is_refused():
    # 9000 × 9000 = 81 million pixels: Pillow would only warn (limit 89 million); the setting refuses.
    assert refusal(png_bomb(9000, 9000)).code == "too_many_pixels"


def test_image_bomb_jpeg_claiming_60000_by_60000_pixels_is_refused():
    assert refusal(jpeg_bomb(60000, 60000), "bomb.jpg").code == "too_many_pixels"


def test_image_pixel_cap_is_a_setting_and_stays_below_pillows_limit(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100 * 100
    buffer = io.BytesIO()
    Image.new("RGB", (101, 100)).save(buffer, "PNG")
    assert refusal(buffer.getvalue()).code == "too_many_pixels"
    settings.UPLOAD_IMAGE_MAX_PIXELS = 10**12
    assert uploads.max_image_pixels() == Image.MAX_IMAGE_PIXELS


def test_phone_photo_over_8_mb_is_stored_upright_without_exif_and_downscaled():
    photo = phone_photo(6000, 4500, orientation=6, min_bytes=8 * 1024 * 1024 + 1)
    assert dict(Image.open(io.BytesIO(photo)).getexif())[ORIENTATION] == 6
    document = uploads.prepare_document(upload("IMG_2041.JPG", photo))
    stored = Image.open(document.file)
    assert document.mime == "image/jpeg" and document.name == "IMG_2041.JPG"
    assert stored.format == "JPEG" and stored.size == (3000, 4000)  # upright: the long side is the height
    exif = stored.getexif()
    assert ORIENTATION not in exif and MAKE not in exif and not exif.get_ifd(GPS_IFD)
    assert b"PhoneMaker" not in document.file.read()
    assert document.size == document.file.size < len(photo) // 4
    # Orientation 6 turns the picture a quarter clockwise: the red top-left corner is now top-right.
    red, blue = (255, 0, 0), (0, 0, 255)
    near = lambda a, b: all(abs(x - y) < 60 for x, y in zip(a, b, strict=True))  # noqa: E731
    assert near(stored.getpixel((2900, 100)), red) and near(stored.getpixel((100, 100)), blue)


def test_photo_side_limit_is_a_setting_and_small_photos_keep_their_size(settings):
    settings.UPLOAD_IMAGE_MAX_SIDE = 1000
    document = uploads.prepare_document(upload("p.jpg", phone_photo(1600, 1200, orientation=1)))
    assert Image.open(document.file).size == (1000, 750)
    document = uploads.prepare_document(upload("p.jpg", phone_photo(800, 600, orientation=3)))
    stored = Image.open(document.file)
    assert stored.size == (800, 600) and ORIENTATION not in stored.getexif()


def test_png_stays_png_and_is_downscaled():
    buffer = io.BytesIO()
    Image.new("RGBA", (5000, 2000), (10, 20, 30, 128)).save(buffer, "PNG")
    document = uploads.prepare_document(upload("scan.png", buffer.getvalue()))
    stored = Image.open(document.file)
    assert document.mime == "image/png" and stored.format == "PNG"
    assert stored.size == (4000, 1600) and stored.mode == "RGBA"


def test_pdf_is_stored_as_sent_up_to_the_limit(settings):
    data = scanned_pdf(3 * 1024 * 1024)
    document = uploads.prepare_document(upload("scan.pdf", data))
    assert document.mime == "application/pdf" and document.size == len(data)
    document.file.seek(0)
    assert document.file.read() == data
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    error = refusal(data)
    assert error.code == "too_large" and "Compress it" in error.messages[0] and "2.0" in error.messages[0]


def test_default_limit_takes_a_50_mb_pdf():
    assert uploads.max_upload_bytes() == 50 * 1024 * 1024


@pytest.mark.parametrize("data, code, words", [
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "bad_type", "HEIC"),
    (b"PK\x03\x04" + b"\x00" * 100, "bad_type", "Save Word or Excel documents as PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "bad_image", "damaged"),
    (b"", "empty", "empty"),
])
def test_bad_files_are_refused_with_what_to_do(data, code, words):
    error = refusal(data)
    assert error.code == code and words in error.messages[0]


@pytest.mark.parametrize("weasyprint_loaded", [False, True])
def test_truncated_photo_is_refused_as_damaged(monkeypatch, weasyprint_loaded):
    from PIL import ImageFile

    # WeasyPrint sets LOAD_TRUNCATED_IMAGES for the whole process once it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_loaded)
    photo = phone_photo(1200, 900, orientation=1, min_bytes=1)
    assert refusal(photo[: len(photo) // 2], "cut.jpg").code == "bad_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is weasyprint_loaded  # left as it was


def test_file_names_lose_folders_and_control_characters():
    assert uploads.clean_name("C:\\Users\\李\\扫描件\x00<1>.pdf") == "扫描件1.pdf"
    assert uploads.clean_name("") == "file"


def test_file_inputs_carry_the_limits_and_messages_for_the_browser():
    attrs = uploads.file_input_attrs(max_bytes=7 * 1024 * 1024)
    assert attrs["data-upload"] == "pdf jpeg png" and attrs["data-upload-max"] == str(7 * 1024 * 1024)
    assert "application/pdf" in attrs["accept"] and "{limit}" in attrs["data-msg-too-large"]
    assert uploads.file_input_attrs(max_bytes=10**12)["data-upload-max"] == str(uploads.max_upload_bytes())
    assert uploads.file_input_attrs(kind="xlsx", max_bytes=1024)["data-upload"] == "xlsx"
