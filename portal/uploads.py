"""Uploaded files are judged by their content, never by name or header.

Used by enterprise registration (business licence), application materials
and evidence, fraud reports and the policy articles of the admin: PDF, JPEG
or PNG only. The limits are settings (``docs/deployment.md``):

- ``UPLOAD_MAX_BYTES`` (50 MB): the largest file the server takes; an
  application's own limit (``PolicySettings.max_file_mb``) may be lower;
- ``UPLOAD_IMAGE_MAX_PIXELS`` (80 million): the most pixels an image may
  claim, kept below Pillow's own decompression-bomb limit, so that a 1.5 KB
  PNG claiming 30000 × 30000 pixels is refused before anything is decoded;
- ``UPLOAD_IMAGE_MAX_SIDE`` (4,000 px): photos are stored upright (their
  EXIF orientation applied), without EXIF (no GPS position, no camera
  serial), their longest side at most this many pixels.

``prepare_document`` checks a file and gives back what to store;
``validate_document`` only checks. Both raise ``ValidationError`` with a
message that says what to do. ``file_input_attrs`` gives a file input the
limits that ``static/portal/js/uploads.js`` checks in the browser before
anything is sent (the server checks everything again).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
#: What a file input offers in the browser's file picker.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
#: The quality of a re-encoded JPEG: documents stay legible, photos stay small.
JPEG_QUALITY = 88
#: EXIF tag of the camera's orientation (1 = upright).
ORIENTATION_TAG = 0x0112
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>\"'`]")


def max_upload_bytes() -> int:
    """The largest file the server takes (``UPLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


def max_image_pixels() -> int:
    """``UPLOAD_IMAGE_MAX_PIXELS``, never above Pillow's own limit."""
    configured = int(getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", 80_000_000))
    return min(configured, Image.MAX_IMAGE_PIXELS or configured)


def max_image_side() -> int:
    return int(getattr(settings, "UPLOAD_IMAGE_MAX_SIDE", 4000))


@dataclass
class Document:
    """A checked upload: what to store, its type, size and the user's name for it."""

    file: File
    mime: str
    size: int
    name: str

    @property
    def extension(self) -> str:
        return ALLOWED[self.mime]


def clean_name(name: str | None, *, default: str = "file", length: int = 200) -> str:
    """The user's file name without folders or control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip()
    return name[-length:] or default


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def sizes_text(size: int, limit: int) -> tuple[str, str]:
    """A size over a limit and the limit, as people read them, never the same
    text (1.0 MB over 1.0 MB reads as 1.01 MB over 1.0 MB)."""
    limit_text_ = filesizeformat(limit)
    size_text = filesizeformat(size)
    if size_text == limit_text_ and size >= 1024 * 1024:
        size_text = f"{size / (1024 * 1024):.2f}\xa0MB"
    if size_text == limit_text_:
        size_text = _("%(n)s bytes") % {"n": size}
    return size_text, limit_text_


def _too_large(size: int, limit: int) -> ValidationError:
    size_text, limit_text_ = sizes_text(size, limit)
    return ValidationError(
        _("The file is %(size)s; the limit is %(limit)s. Compress it (scan at 200–300 dpi, in grey or black "
          "and white) or split it into several files.")
        % {"size": size_text, "limit": limit_text_}, code="too_large")


def _sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _check_basics(upload, max_bytes: int | None) -> str:
    limit = min(max_bytes or max_upload_bytes(), max_upload_bytes())
    if upload is None:
        raise ValidationError(_("Please choose a file."), code="missing")
    if upload.size > limit:
        raise _too_large(upload.size, limit)
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    mime = _sniff(upload)
    if mime in ("image/heic", "image/heif", "image/avif"):
        raise ValidationError(
            _("HEIC photos are not accepted. Set the phone's camera to “Most compatible” (JPEG), or save the "
              "photo as JPEG, and choose it again."), code="bad_type")
    if mime not in ALLOWED:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files are accepted (judged by the file's content, not its name). Save "
              "Word or Excel documents as PDF; send photos as JPEG."), code="bad_type")
    return mime


def _open_image(upload) -> Image.Image:
    """The image, opened lazily (nothing decoded yet), its pixel count checked.

    Pillow refuses more than twice ``Image.MAX_IMAGE_PIXELS`` itself
    (``DecompressionBombError``) and warns above it; both, and anything
    above our own lower limit, are refused here with a 400, never a 500."""
    limit = max_image_pixels()
    refused = ValidationError(
        _("The image is too large in pixels: at most %(limit)s megapixels are accepted. Take the photo at the "
          "camera's normal resolution, or scan the document to PDF.") % {"limit": _megapixels(limit)},
        code="too_many_pixels")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The image is damaged and cannot be read."), code="bad_image")
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > limit:
        raise refused
    return image


def _check_image(upload) -> None:
    image = _open_image(upload)
    try:
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The image is damaged and cannot be read."), code="bad_image")
    finally:
        upload.seek(0)  # (``Image.close`` would close the upload too: the image is left to the collector)


def validate_document(upload, *, max_bytes: int | None = None) -> str:
    """Check a file; return its sniffed MIME type or raise ``ValidationError``."""
    mime = _check_basics(upload, max_bytes)
    if mime != "application/pdf":
        _check_image(upload)
    return mime


@contextlib.contextmanager
def _truncated_images_refused():
    """Pillow pads a truncated image with grey when ``ImageFile.LOAD_TRUNCATED_IMAGES`` is set, and
    WeasyPrint sets it for the whole process when it is imported (certificate and form PDFs). An
    upload cut short is refused here all the same. (Process-wide: the web and the worker run one
    request or task per process.)"""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _normalised_image(upload, mime: str) -> bytes:
    """The photo upright, without EXIF or other metadata, longest side at most
    ``UPLOAD_IMAGE_MAX_SIDE``; re-encoded, so nothing but pixels is kept."""
    side = max_image_side()
    image = _open_image(upload)
    try:
        width, height = image.size
        longest = max(width, height)
        if mime == "image/jpeg" and longest > side:
            # Decode at 1/2, 1/4 or 1/8 scale while the longest side stays at least ``side``.
            image.draft(None, (max(1, width * side // longest), max(1, height * side // longest)))
        with _truncated_images_refused():
            image.load()
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
        if max(image.size) > side:
            if image.mode in ("1", "P"):
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            # The decoded image, the resampling pass and the result are held together for a moment
            # (a 27-megapixel photo: about 220 MB); the full size is freed when this returns.
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
        if orientation != 1:  # turned upright once small (a square bound: the side limit still holds)
            exif = image.getexif()
            exif[ORIENTATION_TAG] = orientation
            image = ImageOps.exif_transpose(image) or image
        out = io.BytesIO()
        icc = image.info.get("icc_profile")
        extra = {"icc_profile": icc} if icc else {}
        if mime == "image/jpeg":
            if image.mode not in ("RGB", "L", "CMYK"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
        else:
            image.save(out, "PNG", optimize=image.width * image.height <= 4_000_000, **extra)
        return out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The image is damaged and cannot be read."), code="bad_image")
    finally:
        upload.seek(0)


def prepare_document(upload, *, max_bytes: int | None = None) -> Document:
    """Check a file and give back what to store: a PDF as sent, an image
    re-encoded by ``_normalised_image``. Raises ``ValidationError``."""
    mime = _check_basics(upload, max_bytes)
    name = clean_name(getattr(upload, "name", ""))
    if mime == "application/pdf":
        upload.seek(0)
        return Document(file=upload, mime=mime, size=upload.size, name=name)
    _check_image(upload)
    data = _normalised_image(upload, mime)
    return Document(file=ContentFile(data, name=f"upload.{ALLOWED[mime]}"), mime=mime, size=len(data), name=name)


# --- The browser's check before sending (static/portal/js/uploads.js) -----------------------

#: What a file input of each kind accepts: the picker's filter and the types the browser checks
#: by the file's first bytes (as the server does).
INPUT_KINDS = {
    "document": (ACCEPT, "pdf jpeg png"),
    "pdf": (".pdf,application/pdf", "pdf"),
    "xlsx": (".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
BAD_TYPE_MESSAGES = {
    "document": gettext_lazy("“{name}” is not a PDF, JPEG or PNG file. Save Word or Excel documents as PDF; send "
                             "photos as JPEG."),
    "pdf": gettext_lazy("“{name}” is not a PDF file. Choose the certificate's PDF as it was downloaded."),
    "xlsx": gettext_lazy("“{name}” is not an Excel workbook (.xlsx). Open it in Excel or WPS and save it as "
                         ".xlsx."),
}
UPLOAD_MESSAGES = {
    "too-large": gettext_lazy("“{name}” is {size}; the limit is {limit}. Compress it (scan at 200–300 dpi, in grey "
                              "or black and white) or split it into several files."),
    "empty": gettext_lazy("“{name}” is empty."),
    "too-many": gettext_lazy("Choose at most {count} files."),
    "total": gettext_lazy("The files together are {size}; the limit is {limit}. Leave some out or compress "
                          "them."),
    "ready": gettext_lazy("{name} · {size} · ready to send"),
    "sending": gettext_lazy("Sending {size}… keep this page open until it is done."),
    # The server's own words for a HEIC photo (``_check_basics``), said before anything is sent.
    "heic": gettext_lazy("HEIC photos are not accepted. Set the phone's camera to “Most compatible” (JPEG), or "
                         "save the photo as JPEG, and choose it again."),
}


def file_input_attrs(*, max_bytes: int | None = None, kind: str = "document", max_files: int | None = None,
                     max_total: int | None = None) -> dict[str, str]:
    """The attributes a file input needs for the browser's check: the types
    offered, the limits and the messages in the user's language. Call it
    per request (the language and the policy's limits are read now)."""
    accept, types = INPUT_KINDS[kind]
    limit = max_bytes or max_upload_bytes()
    if kind != "xlsx":
        limit = min(limit, max_upload_bytes())
    attrs = {"accept": accept, "data-upload": types, "data-upload-max": str(limit),
             "data-msg-bad-type": str(BAD_TYPE_MESSAGES[kind])}
    if max_files:
        attrs["data-upload-max-files"] = str(max_files)
    if max_total:
        attrs["data-upload-max-total"] = str(max_total)
    attrs.update({f"data-msg-{key}": str(message) for key, message in UPLOAD_MESSAGES.items()})
    return attrs


def limit_text(max_bytes: int | None = None) -> str:
    """"50 MB": a limit as people read it."""
    return filesizeformat(min(max_bytes or max_upload_bytes(), max_upload_bytes()))
