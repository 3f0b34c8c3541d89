"""Personal data at rest and on screen.

ID numbers are validated with ``stdnum.cn.ric`` (check character and birth
date) and the full GB/T 2260 code list, stored encrypted (Fernet)
and looked up by a keyed hash (HMAC-SHA256), so the database never holds a
searchable plain ID number. Masks are what every page and export shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
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


#: What people type between the groups of a number: spaces (also the ideographic space, which NFKC
#: folds to a plain one), hyphens and dots.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u00b7.]+")
#: The oldest birth year a resident ID number can carry for a living person.
_OLDEST_BIRTH_YEAR = 1890


def fold_typed(value: str) -> str:
    """What a person typed, as the portal compares it: full-width digits and letters folded to ASCII
    (NFKC), separators removed, letters upper-case (``６５０１０２ １９５０…ｘ`` → ``650102…X``)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


@lru_cache(maxsize=4096)
def district_known(code: str) -> bool:
    """Whether ``code`` is an administrative division code that GB/T 2260 has *ever* had.

    python-stdnum's ``cn/loc`` list carries every code with the years it was in force; its own
    ``ric.validate`` refuses a code that came into force after the holder's birth year (python-stdnum
    issue 442). Resident ID numbers were issued from 1984 on with the code in force *at issue*, so most
    people born before then carry a code younger than they are, and many carry a code since abolished
    (412723, 商水县, until 2000). Any year is accepted here; only codes that never existed are refused.
    """
    if not (len(code) == 6 and code.isdigit()):
        return False
    parts = numdb.get("cn/loc").info(code)
    # The parts split the code by the list's levels (province, then county); a known code's last
    # part covers its last digits and carries the county's name.
    return sum(len(prefix) for prefix, _props in parts) == 6 and bool(parts[-1][1].get("county"))


#: Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018): 18 characters
#: with the check character of GB 11643, their first six digits 810000, 820000 or 830000 — codes GB/T
#: 2260 does not list as districts (830000 is in no edition at all).
RESIDENCE_PERMIT_PREFIXES = frozenset({"810000", "820000", "830000"})


def province_known(code: str) -> bool:
    """Whether a two-digit ``code`` is a province-level division of GB/T 2260 (65 Xinjiang, 11 Beijing…)."""
    if not (len(code) == 2 and code.isdigit()):
        return False
    parts = numdb.get("cn/loc").info(code + "0000")
    return bool(parts and parts[0][0] == code and parts[0][1].get("province"))


def id_issuer_known(number: str) -> bool:
    """Whether the first six digits of an 18-character ID number name a known issuer: a GB/T 2260
    district (``district_known``), a residence permit of Hong Kong, Macao or Taiwan residents, or a
    foreigner's permanent residence ID card of the 2023 edition (``9``, the two-digit province of
    the place of issue, a three-digit nationality code; same birth date and check character)."""
    head = number[:6]
    if head in RESIDENCE_PERMIT_PREFIXES:
        return True
    if head[:1] == "9" and head.isdigit():
        return province_known(head[1:3])
    return district_known(head)


def normalize_id_number(value: str) -> str:
    """Validate a resident ID number (GB 11643) and return it compact, upper-case.

    Residence permits of Hong Kong, Macao and Taiwan residents and foreigners' permanent residence
    ID cards (2023 edition) are numbers of the same form and check character: accepted alike
    (``id_issuer_known``).

    Accepts what people type: a trailing ``x``, full-width digits and letters, spaces and hyphens.
    python-stdnum checks the check character and the birth date; the district code is accepted if
    GB/T 2260 ever had it, whatever the birth year (see ``district_known``). Refuses codes that never
    existed, impossible or future birth dates and wrong check characters, with a message in the
    user's language. Raises ``ValidationError``.
    """
    number = fold_typed(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(_("This is a 15-digit first-generation ID number; enter the 18-character number "
                                "of your current resident ID card."), code="id_first_generation")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("Enter a valid 18-character resident ID number."), code="id_invalid")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("The birth date in the ID number (digits 7 to 14) is not a real date."),
                              code="id_birth_date")
    if birth > timezone.localdate():
        raise ValidationError(_("The birth date in the ID number (digits 7 to 14) is in the future."),
                              code="id_birth_date")
    if birth.year < _OLDEST_BIRTH_YEAR:
        raise ValidationError(_("The birth date in the ID number (digits 7 to 14) is before %(year)d; please "
                                "check it.") % {"year": _OLDEST_BIRTH_YEAR}, code="id_birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("The ID number's check digit is wrong; please check it."), code="id_checksum")
    if not id_issuer_known(number):
        raise ValidationError(_("The first six digits of the ID number are not a region code of GB/T 2260."),
                              code="id_district")
    return number


def normalize_uscc(value: str) -> str:
    """Validate a unified social credit code (GB 32100)."""
    value = fold_typed(value)
    try:
        return uscc.validate(value)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("The unified social credit code's check character is wrong; please check it."),
            code="uscc_checksum",
        )
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Enter a valid 18-character unified social credit code."), code="uscc_invalid")


#: Brackets people put around the country code or the first group: ``(+86) 138…``, ``（+86）138…``
#: (NFKC makes the full-width ones plain).
_BRACKETS = re.compile(r"[()\[\]]")


def normalize_mobile(value: str) -> str:
    """A mainland mobile number as stored: 11 digits, from what people type (full-width digits,
    spaces, hyphens, brackets, a ``+86``, ``(+86)``, ``0086`` or ``86`` prefix)."""
    value = _BRACKETS.sub("", fold_typed(value))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix):]
    if not MOBILE_RE.match(value):
        raise ValidationError(_("Enter a valid 11-digit mainland mobile number."), code="mobile_invalid")
    return value


def normalize_email(value: str) -> str:
    """An email address as stored ("" when none was given); raises ``ValidationError`` when invalid."""
    from django.core.validators import validate_email

    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid email address."), code="email_invalid")
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


def mask_email(value: str) -> str:
    """``liuhua@example.com`` → ``l*****@example.com``."""
    local, at, domain = (value or "").partition("@")
    if not at:
        return "*" * len(local)
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"


def mask_contact(value: str) -> str:
    """A contact someone left (mobile, email or anything else): ``138****5678``, ``l***@example.com``,
    ``微信***``."""
    import re

    value = (value or "").strip()
    if re.fullmatch(r"1\d{10}", value):
        return mask_mobile(value)
    if "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"[:64]
    return (value[:2] + "***")[:64]


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


class EncryptedContact:
    """A model mixin for a contact (mobile or email) kept only encrypted, beside its masked form:
    the model defines ``contact_encrypted`` and ``contact_masked``; ``contact`` reads and writes the
    clear value (at most 64 characters)."""

    @property
    def contact(self) -> str:
        return decrypt(self.contact_encrypted) if self.contact_encrypted else ""

    @contact.setter
    def contact(self, value: str) -> None:
        value = (value or "")[:64]
        self.contact_encrypted = encrypt(value) if value else ""
        self.contact_masked = mask_contact(value) if value else ""
