"""A logging filter that keeps personal data out of every log line."""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers (17 digits + digit or X) and mainland
# mobiles, when they stand alone (not inside a longer number or hash).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")


# The query string of the certificate verification endpoints holds a holder's name and
# number (issue 14.8): never logged, whatever logs the request line.
_VERIFY_QUERY_RE = re.compile(r"(/(?:api/v1/certificates/)?verify/[^\s?\"']*)\?[^\s\"']*")


def redact_verify_query(text: str) -> str:
    return _VERIFY_QUERY_RE.sub(r"\1?[REDACTED]", text)


def redact(text: str) -> str:
    text = redact_verify_query(text)
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
