"""Uploaded files are judged by their content, never by name or header.

Used by enterprise registration (business licence) and by application
materials: PDF, JPEG or PNG only, at most ``UPLOAD_MAX_BYTES`` each.
"""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def validate_document(upload, *, max_bytes: int | None = None) -> str:
    """Return the sniffed MIME type, or raise ``ValidationError``."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload is None:
        raise ValidationError(_("Please choose a file."), code="missing")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files are accepted (judged by the file's content, not its name)."),
            code="bad_type",
        )
    if mime != "application/pdf":
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(_("The image is damaged and cannot be read."), code="bad_image")
        finally:
            upload.seek(0)
    return mime
