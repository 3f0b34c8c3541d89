"""Reading the signed record back out of an uploaded certificate PDF.

The upload is untrusted: size-capped by the caller, parsed by pypdf in
non-strict mode, and any failure of the parser is reported as "unreadable"
rather than raised.
"""

from __future__ import annotations

import io
import logging

from certificates.rendering import ATTACHMENT_NAME
from certificates.signing import MAX_TOKEN_LENGTH


class UnreadablePdf(ValueError):
    pass


def looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def extract_jws(data: bytes) -> str | None:
    """The ``certificate.jws`` attachment, ``None`` when there is none.

    Raise :class:`UnreadablePdf` when the bytes are not a PDF pypdf can
    read, or when the attachment is ambiguous (several) or not text.
    """
    if not looks_like_pdf(data):
        raise UnreadablePdf("not a PDF")
    from pypdf import PdfReader

    pypdf_logger = logging.getLogger("pypdf")
    previous = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)  # malformed uploads are expected, not news
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        attachments = reader.attachments
        found = attachments.get(ATTACHMENT_NAME) if attachments else None
    except Exception as error:  # noqa: BLE001 - any parser failure means "unreadable", never a 500
        raise UnreadablePdf(type(error).__name__)
    finally:
        pypdf_logger.setLevel(previous)
    if not found:
        return None
    if len(found) != 1:
        raise UnreadablePdf("several signed records")
    content = found[0]
    if not isinstance(content, bytes) or len(content) > MAX_TOKEN_LENGTH:
        raise UnreadablePdf("signed record too large")
    try:
        return content.decode("ascii").strip()
    except UnicodeDecodeError:
        raise UnreadablePdf("signed record is not text")
