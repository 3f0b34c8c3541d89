"""What may be printed on a certificate, and how names are compared.

Every character must be a real character of GB 18030 (no control, format,
private-use, surrogate or unassigned code points) and be covered by one of
the certificate fonts (``certificates.fonts``); names are letters and marks
digits and the separators names use (``·`` in transliterated names).
"""

from __future__ import annotations

import functools
import secrets
import unicodedata

from portal.names import name_clean
from portal.names import name_key as portal_name_key

NAME_SEPARATORS = frozenset(" ·・•‧･.'-")
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
MAX_NAME_LENGTH = 64
#: Letters, marks (Arabic-script names) and digits (test and placeholder accounts).
NAME_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd"})


def describe(char: str) -> str:
    return f"“{char}” (U+{ord(char):04X})"


def in_gb18030(char: str) -> bool:
    """A character GB 18030 defines: encodable and not a control, format,
    private-use, surrogate or unassigned code point."""
    if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
        return False
    try:
        char.encode("gb18030")
    except UnicodeEncodeError:
        return False
    return True


def bad_text_characters(text: str) -> list[str]:
    """Characters of a printed field (body names, numbers) that are not allowed."""
    return [c for c in dict.fromkeys(text) if not in_gb18030(c)]


def bad_name_characters(name: str) -> list[str]:
    """Characters of a person's name that are not allowed."""
    return [c for c in dict.fromkeys(name) if not _name_character(c)]


@functools.lru_cache(maxsize=16384)
def _name_character(c: str) -> bool:
    """Whether one character may stand in a name (remembered: every public check asks, and names
    share their characters)."""
    return c in NAME_SEPARATORS or (in_gb18030(c) and unicodedata.category(c) in NAME_CATEGORIES)


def clean_name(name: str) -> str:
    """The name as printed: ``portal.names.name_clean`` (NFC, trimmed, one ``·`` for every form
    of the middle dot)."""
    return name_clean(name)


def name_key(name: str) -> str:
    """How names are compared in verification: ``portal.names.name_key``, the one comparison of
    names of the whole portal (width, case, spaces and every form of the middle dot — · • ・ ．
    . — do not matter)."""
    return portal_name_key(name)


def same_name(printed: str, typed: str) -> bool:
    """Whether a name someone typed is the one printed on a certificate, as
    verification compares them, in constant time (a wrong name and an
    unknown number must look alike)."""
    return secrets.compare_digest(name_key(printed).encode(), name_key(typed).encode())
