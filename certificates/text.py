"""What may be printed on a certificate, and how names are compared.

Every character must be a real character of GB 18030 (no control, format,
private-use, surrogate or unassigned code points) and be covered by one of
the certificate fonts (``certificates.fonts``); names are letters and marks
digits and the separators names use (``·`` in transliterated names).
"""

from __future__ import annotations

import secrets
import unicodedata

NAME_SEPARATORS = frozenset(" ·・•‧･.'-")
_DOTS = str.maketrans({c: "·" for c in "・•‧･."})
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
    bad = []
    for c in dict.fromkeys(name):
        if c in NAME_SEPARATORS:
            continue
        if not in_gb18030(c) or unicodedata.category(c) not in NAME_CATEGORIES:
            bad.append(c)
    return bad


def clean_name(name: str) -> str:
    """NFC, trimmed, inner runs of spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def name_key(name: str) -> str:
    """How names are compared in verification: width, case, spaces and the
    variants of the middle dot do not matter."""
    text = unicodedata.normalize("NFKC", name or "").translate(_DOTS)
    return "".join(text.split()).casefold()


def same_name(printed: str, typed: str) -> bool:
    """Whether a name someone typed is the one printed on a certificate, as
    verification compares them, in constant time (a wrong name and an
    unknown number must look alike)."""
    return secrets.compare_digest(name_key(printed).encode(), name_key(typed).encode())
