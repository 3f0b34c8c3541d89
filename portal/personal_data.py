"""Personal data at rest and on screen.

ID numbers are validated with ``stdnum.cn.ric``, stored encrypted (Fernet)
and looked up by a keyed hash (HMAC-SHA256), so the database never holds a
searchable plain ID number. Masks are what every page and export shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _derive(purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + settings.SECRET_KEY.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(key: str, secret_key: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    return Fernet(base64.urlsafe_b64encode(_derive(b"field-encryption:")))


@lru_cache(maxsize=4)
def _hash_key(key: str, secret_key: str) -> bytes:
    return key.encode() if key else _derive(b"lookup-hash:")


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def lookup_hash(value: str) -> str:
    """Keyed hash used for uniqueness and look-up of an ID number."""
    key = _hash_key(settings.LOOKUP_HASH_KEY, settings.SECRET_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalize_id_number(value: str) -> str:
    """Validate a resident ID number (GB 11643) and return it compact, upper-case.

    Raises ``ValidationError`` with a message in the user's language.
    """
    value = (value or "").strip()
    try:
        return ric.validate(value).upper()
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_("The ID number's check digit is wrong; please check it."), code="id_checksum")
    except stdnum_exceptions.InvalidComponent:
        raise ValidationError(_("The ID number contains an invalid birth date or region."), code="id_component")
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Enter a valid 18-character resident ID number."), code="id_invalid")


def normalize_uscc(value: str) -> str:
    """Validate a unified social credit code (GB 32100)."""
    value = (value or "").strip().upper()
    try:
        return uscc.validate(value)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("The unified social credit code's check character is wrong; please check it."),
            code="uscc_checksum",
        )
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Enter a valid 18-character unified social credit code."), code="uscc_invalid")


def normalize_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    if not MOBILE_RE.match(value):
        raise ValidationError(_("Enter a valid 11-digit mainland mobile number."), code="mobile_invalid")
    return value


def mask_id_number(value: str) -> str:
    """``650102199001011234`` → ``650102********1234``."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_mobile(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_name(value: str) -> str:
    """For public pages: ``张三丰`` → ``张*丰``, ``张三`` → ``张*``, ``Ann Lee`` → ``A*** L**``."""
    value = (value or "").strip()
    if not value:
        return ""
    if " " in value:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in value.split() if part)
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
