"""A logging filter that keeps personal data out of every log line."""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers (17 digits + digit or X) and mainland
# mobiles, when they stand alone (not inside a longer number or hash).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")


def redact(text: str) -> str:
    text = _ID_RE.sub("[ID-REDACTED]", text)
    return _MOBILE_RE.sub("[MOBILE-REDACTED]", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
