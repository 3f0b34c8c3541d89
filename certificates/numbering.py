"""Certificate numbers: ``650100-2026-ENG-000123-K``.

Issuer region code, year of issue, a three-letter series code, a six-digit
sequence and an ISO 7064 MOD 37,36 check character over the other
characters. The sequence is gap-free per region, year and series code: it
comes from a :class:`~certificates.models.NumberCounter` row incremented
(and so locked) in the issuing transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from certificates.models import NumberCounter
from portal.errors import RuleViolation

#: Stable three-letter codes of the 27 national series (codes of the catalogue).
SERIES_CODES = {
    "higher_education": "HED",
    "social_science_research": "SSR",
    "natural_science_research": "NSR",
    "health": "HEA",
    "engineering": "ENG",
    "agriculture": "AGR",
    "journalism": "JOU",
    "publishing": "PUB",
    "library": "LIB",
    "cultural_heritage": "CHE",
    "archives": "ARC",
    "arts_and_crafts": "ACR",
    "technical_school_teachers": "TST",
    "sports": "SPO",
    "translation": "TRA",
    "broadcasting": "BRO",
    "art": "ART",
    "notary": "NOT",
    "statistics": "STA",
    "economics": "ECO",
    "accounting": "ACC",
    "audit": "AUD",
    "lawyer": "LAW",
    "shipping": "SHI",
    "civil_aviation_flight": "CAF",
    "laboratory": "LAB",
    "school_teachers": "SCT",
}

NUMBER_RE = re.compile(r"^(\d{6})(\d{4})([A-Z]{3})(\d{6})([0-9A-Z])$")
SEQUENCE_MAX = 999_999


class NumberError(ValueError):
    """Base of the two ways a typed number can be wrong."""


class MalformedNumber(NumberError):
    """Not shaped like a certificate number at all."""


class WrongCheckCharacter(NumberError):
    """Shaped right, but the check character does not match: a typo."""


@dataclass(frozen=True)
class ParsedNumber:
    region_code: str
    year: int
    series_code: str
    serial: int
    check: str

    @property
    def formatted(self) -> str:
        return format_number(self.region_code, self.year, self.series_code, self.serial)


def canonical_number(raw: str) -> str:
    """``parse_number(raw).formatted``, with the check character just verified rather than computed
    again (the verify API's hot path). Raises as :func:`parse_number` does."""
    parsed = parse_number(raw)
    return f"{parsed.region_code}-{parsed.year:04d}-{parsed.series_code}-{parsed.serial:06d}-{parsed.check}"


def series_code_for(code: str) -> str:
    """The series' three letters; an unknown series gets its initials."""
    if code in SERIES_CODES:
        return SERIES_CODES[code]
    letters = "".join(part[:1] for part in code.split("_") if part) + code.replace("_", "")
    letters = re.sub(r"[^A-Za-z]", "", letters).upper()
    return (letters + "XXX")[:3]


def check_character(body: str) -> str:
    return mod_37_36.calc_check_digit(body)


def format_number(region_code: str, year: int, series_code: str, serial: int) -> str:
    body = f"{region_code}{year:04d}{series_code}{serial:06d}"
    return f"{region_code}-{year:04d}-{series_code}-{serial:06d}-{check_character(body)}"


def normalize_number(raw: str) -> str:
    """Full-width characters, spaces, dashes and case do not matter."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return re.sub(r"[\s\-–—_.]", "", text)[:64]


def parse_number(raw: str) -> ParsedNumber:
    """Raise :class:`MalformedNumber` or :class:`WrongCheckCharacter`."""
    compact = normalize_number(raw)
    match = NUMBER_RE.match(compact)
    if not match:
        raise MalformedNumber(raw)
    region_code, year, series_code, serial, check = match.groups()
    if not mod_37_36.is_valid(compact):
        raise WrongCheckCharacter(raw)
    return ParsedNumber(region_code, int(year), series_code, int(serial), check)


def next_serial(*, region, year: int, series_code: str) -> int:
    """Take the next number of a region, year and series code; call inside
    the issuing transaction."""
    return next_serials(region=region, year=year, series_code=series_code, count=1)[0]


def next_serials(*, region, year: int, series_code: str, count: int) -> range:
    """Take the next ``count`` numbers of a region, year and series code
    (consecutive); call inside the issuing transaction.

    One ``UPDATE … SET last_value = last_value + count … RETURNING`` locks
    the counter row until commit and reads the new value (PostgreSQL;
    SQLite 3.35+). The row is created with ``ON CONFLICT DO NOTHING`` the
    first time, so two first issuances do not collide.
    """
    if count < 1:
        raise ValueError("count must be positive")
    table = connection.ops.quote_name(NumberCounter._meta.db_table)
    sql = (f"UPDATE {table} SET last_value = last_value + %s "  # noqa: S608 - identifiers from the model
           "WHERE region_id = %s AND year = %s AND series_code = %s AND last_value <= %s RETURNING last_value")
    params = [count, region.pk, year, series_code, SEQUENCE_MAX - count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            # No counter row yet, or it is full. Create it if missing (a concurrent
            # first issuance may create it at the same moment: ON CONFLICT DO NOTHING),
            # then take the numbers again; only a full counter is "used up".
            NumberCounter.objects.bulk_create(
                [NumberCounter(region=region, year=year, series_code=series_code)], ignore_conflicts=True)
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise RuleViolation(_("This year's certificate numbers for the series are used up."), rule="R5.3")
    return range(row[0] - count + 1, row[0] + 1)
