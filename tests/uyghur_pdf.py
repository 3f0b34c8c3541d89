"""Reading Uyghur back out of a PDF: its text (pdftotext) and whether HarfBuzz joined the letters."""

from __future__ import annotations

import io
import re
import subprocess
from collections import defaultdict

from pypdf import PdfReader

#: Bidi controls pdftotext puts around right-to-left runs (RLE, PDF, LRE…); not part of the text.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))


def pdf_text(data: bytes) -> str:
    """The PDF's text in logical order (pdftotext), without bidi controls, one space for any run of
    blanks. Poppler 22 writes the two letters of a ligature glyph (lam-alef, لا) reversed in a
    right-to-left line ("ال"); :func:`pypdf_text` reads those in order."""
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"[ \t]+", " ", out.translate(_BIDI_CONTROLS))


def pypdf_text(data: bytes) -> str:
    """The PDF's text as pypdf extracts it (ligatures in logical order)."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def glyphs_per_letter(data: bytes, font_name: str) -> dict[str, set[int]]:
    """For the embedded fonts whose name contains ``font_name``: letter -> the glyph ids that print
    it (from the fonts' ToUnicode maps). Shaped Arabic script prints one letter with several glyphs
    (initial, medial, final, isolated forms); unshaped text uses one glyph per letter."""
    found: dict[str, set[int]] = defaultdict(set)
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if font_name not in str(font["/BaseFont"]) or "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for glyph, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    found[bytes.fromhex(text).decode("utf-16-be")].add(int(glyph, 16))
    return found


def assert_joined(data: bytes, word: str, font_name: str = "UKIJ") -> None:
    """Every letter of ``word`` that joins on both sides and occurs in two positions of the text
    prints with more than one glyph: the letters were shaped (joined), not set one by one."""
    glyphs = glyphs_per_letter(data, font_name)
    assert glyphs, f"no {font_name} font embedded"
    joined = [letter for letter, ids in glyphs.items() if len(ids) > 1 and "\u0620" <= letter <= "\u06ff"]
    assert joined, f"{word!r}: every Arabic-script letter printed with one glyph (not shaped)"
    missing = [c for c in set(word) if not c.isspace() and c not in glyphs]
    assert not missing, f"{missing} of {word!r} not printed in {font_name}"
